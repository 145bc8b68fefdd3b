"""The coverage-workbook spec: the single source of truth for the workbook.

Generation, regeneration, validation and the reports all read this module;
none of them knows a sheet name, a column position, a header or a formula
except through it.

Layout
------
Every table sheet has its title in row 1, a note in row 2, an optional group
row 3, headers in row 4 and one row per entity from row 5
(:data:`HEADER_ROW`, :data:`FIRST_DATA_ROW`). Column A holds the entity's
key (stock or index code, or the date on History). Settings is a list of
named cells (label, value, note) with two blocks under it
(:meth:`SettingsSheet.blocks`); History holds a close block then a PE-TTM
block (:meth:`HistorySheet.names`). What an input may hold comes from
:func:`choice_values` (drop-down lists), ``dtype``, ``positive`` and
``bounds``.

Cells are of four kinds (:class:`Kind`): ``key`` and ``data`` cells come from
the input files and are rewritten by every regeneration; ``input`` cells are
the analyst's (blue, unlocked, carried over by regeneration); ``formula``
cells are computed (black, locked), each with an ``sq`` formula (the firm's
``=SQ_...`` functions) and a ``native`` one (plain Excel) that give identical
results, and with the value the core computes stored as its cached result.

Formulas are written with named ranges (``mkt_close``, ``set_scheme``) and
INDEX/MATCH lookups by code, so a sorted input sheet never shifts a number
onto the wrong company, and every row of a column has the same formula shape.
They use functions every Excel since 2007 knows, newer ones with Excel's
``_xlfn.`` prefix, and are checked by recalculating generated workbooks in
LibreOffice and in the ``formulas`` engine: a formula that only Excel
evaluates as intended does not belong here.

Examples
--------
>>> coverage = SPEC.sheet("Coverage")
>>> coverage.column("pe_fy1").formula_for("sq", RowContext(SPEC, coverage, 5))
'=IF(COUNT(D5,F5,O5)<3,"",SQ_PE(D5,F5,O5))'
>>> coverage.column("pe_fy1").header("en", {"fy1": "2024E"})
'PE 2024E (x)'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from xlmodels.core.percentile import PERCENTILE_METHODS
from xlmodels.core.ratings import available_schemes, load_scheme
from xlmodels.core.returns import RELATIVE_METHODS
from xlmodels.domain.model import EPS_BASES, TARGET_YEARS
from xlmodels.excel import references

__all__ = [
    "CHOICE_LISTS",
    "FIRST_DATA_ROW",
    "FORMULA_MODES",
    "GROUP_ROW",
    "HEADER_ROW",
    "NOTE_ROW",
    "SPEC",
    "TEMPLATE_VERSION",
    "TITLE_ROW",
    "XLWINGS_UDF_KEY",
    "ChartSpec",
    "Column",
    "DType",
    "Formula",
    "HistorySheet",
    "Kind",
    "RowContext",
    "Setting",
    "SettingsBlocks",
    "SettingsSheet",
    "TableSheet",
    "TextSheet",
    "WorkbookSpec",
    "choice_values",
    "column_letter",
]

#: Version of the template this spec describes; stored in Settings.
TEMPLATE_VERSION = 2
#: The two formula dialects: the firm's SQ_ functions, or plain Excel.
FORMULA_MODES = ("sq", "native")

TITLE_ROW = 1
NOTE_ROW = 2
GROUP_ROW = 3
HEADER_ROW = 4
FIRST_DATA_ROW = 5


def column_letter(index: int) -> str:
    """Spreadsheet letters of a 0-based column index (0 -> A, 26 -> AA).

    The template counts columns from 0; the letters are
    :func:`xlmodels.excel.references.column_letter`'s.
    """
    return references.column_letter(index + 1)


#: Lists an input's value must come from (``Column.choices``, ``Setting.choices``).
CHOICE_LISTS = (
    "eps_basis",
    "target_year",
    "rating",
    "percentile_method",
    "relative_method",
    "scheme",
)


def choice_values(name: str, *, lang: str, scheme: str) -> tuple[str, ...]:
    """The values a choice list accepts, as the workbook's drop-down offers them.

    ``rating`` lists the labels of ``scheme`` in ``lang``, best first, then
    its "not rated" label; the other lists do not depend on the language.

    >>> choice_values("rating", lang="en", scheme="guosen")
    ('Outperform', 'Neutral', 'Underperform', 'Not rated')
    >>> choice_values("target_year", lang="zh", scheme="guosen")
    ('FY1', 'FY2', 'FY3', 'blended')
    """
    if name == "rating":
        return tuple(load_scheme(scheme).labels(lang))
    lists: dict[str, tuple[str, ...]] = {
        "eps_basis": EPS_BASES,
        "target_year": TARGET_YEARS,
        "percentile_method": PERCENTILE_METHODS,
        "relative_method": RELATIVE_METHODS,
        "scheme": tuple(available_schemes()),
    }
    if name not in lists:
        raise KeyError(f"no choice list named {name!r}; lists: {', '.join(CHOICE_LISTS)}")
    return lists[name]


class Kind(StrEnum):
    """What a cell is and who owns it."""

    KEY = "key"  # the row's identity (code, date); from the input files
    DATA = "data"  # refreshed from the input files on every regeneration
    INPUT = "input"  # typed by the analyst; carried over by regeneration
    FORMULA = "formula"  # computed; locked; its cached value comes from the core


class DType(StrEnum):
    """What a cell holds, for validation and formatting."""

    TEXT = "text"
    NUMBER = "number"
    INTEGER = "integer"
    DATE = "date"
    CHOICE = "choice"  # text from a list (see Column.choices)


@dataclass(frozen=True)
class RowContext:
    """Cell references for building one row's formulas.

    ``row`` is the 1-based spreadsheet row of the cell being written.
    """

    spec: WorkbookSpec
    sheet: TableSheet | None
    row: int

    def col(self, key: str) -> str:
        """Relative reference to this row's cell in column ``key`` (``D5``)."""
        if self.sheet is None:
            raise ValueError(f"column {key!r} has no meaning outside a table sheet")
        return f"{column_letter(self.sheet.position(key))}{self.row}"

    def key(self) -> str:
        """The row's key cell, column-absolute (``$A5``)."""
        return f"$A{self.row}"

    def lookup(self, prefix: str, key: str) -> str:
        """This row's value of column ``key`` in the table with name prefix ``prefix``."""
        return f"INDEX({prefix}_{key},MATCH({self.key()},{prefix}_code,0))"

    @staticmethod
    def setting(key: str) -> str:
        """Named cell of a setting (``set_scheme``)."""
        return f"set_{key}"


FormulaBuilder = Callable[[RowContext], str]


@dataclass(frozen=True)
class Formula:
    """The two dialects of one column's formula, as functions of the row."""

    sq: FormulaBuilder
    native: FormulaBuilder

    def build(self, mode: str, context: RowContext) -> str:
        if mode not in FORMULA_MODES:
            raise ValueError(
                f"formula mode must be one of {', '.join(FORMULA_MODES)}, got {mode!r}"
            )
        return "=" + (self.sq if mode == "sq" else self.native)(context)


def _same(builder: FormulaBuilder) -> Formula:
    """A formula that needs no SQ_ function: both dialects are the same."""
    return Formula(sq=builder, native=builder)


@dataclass(frozen=True)
class Column:
    """One column of a table sheet.

    Attributes
    ----------
    key : str
        Stable identifier; also the name of the value in the computed frames
        (``compute_coverage`` and friends) unless ``value`` says otherwise,
        and the suffix of the column's named range (``cov_pe_fy1``).
    headers : dict
        Header text by language; may hold ``{fy1}``..``{fy3}`` (fiscal-year
        labels), ``{price_ccy}``, ``{eps_ccy}`` (currencies present).
    kind, dtype : Kind, DType
    number_format : str or None
        Excel number format.
    width : float
        Minimum column width in characters (widened to fit content).
    choices : str or None
        Name of the list an input must come from: ``eps_basis``,
        ``target_year``, ``rating``, ``percentile_method``,
        ``relative_method``, ``scheme``.
    formula : Formula or None
        For ``formula`` columns.
    value : str or None
        Name of the source value when it differs from ``key``.
    required : bool
        Whether an input must be filled for a rated company.
    positive : bool
        Whether a number must be above 0 (prices, shares, target multiples);
        the workbook's data validation and the input readers enforce it.
    """

    key: str
    headers: Mapping[str, str]
    kind: Kind
    dtype: DType = DType.NUMBER
    number_format: str | None = None
    width: float = 10
    choices: str | None = None
    formula: Formula | None = None
    value: str | None = None
    required: bool = False
    positive: bool = False

    @property
    def source(self) -> str:
        return self.value or self.key

    def header(self, lang: str, labels: Mapping[str, str] | None = None) -> str:
        """Header text in ``lang`` with its placeholders filled from ``labels``."""
        text = self.headers[lang]
        return text.format(**labels) if labels else text

    def formula_for(self, mode: str, context: RowContext) -> str:
        if self.formula is None:
            raise ValueError(f"column {self.key!r} is not a formula column")
        return self.formula.build(mode, context)


@dataclass(frozen=True)
class TableSheet:
    """A sheet holding one row per entity under a header row.

    ``rows`` says which entities: ``companies`` (the universe, in order),
    ``performance`` (companies then benchmark indexes), ``pe_series`` (codes
    with a PE-TTM history).
    """

    name: str
    prefix: str
    titles: Mapping[str, str]
    notes: Mapping[str, str]
    rows: str
    columns: tuple[Column, ...]
    excel_table: bool = False
    frozen_columns: int = 2
    protected: bool = True

    def position(self, key: str) -> int:
        for index, column in enumerate(self.columns):
            if column.key == key:
                return index
        raise KeyError(f"sheet {self.name!r} has no column {key!r}")

    def column(self, key: str) -> Column:
        return self.columns[self.position(key)]

    def letter(self, key: str) -> str:
        return column_letter(self.position(key))

    def columns_of(self, kind: Kind) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.kind is kind)

    def range_name(self, key: str) -> str:
        """Named range of a column's data cells (``cov_pe_fy1``)."""
        return f"{self.prefix}_{key}"

    @property
    def table_name(self) -> str:
        """Name of the sheet's Excel table (ListObject) when ``excel_table`` is set."""
        return f"{self.name}Table"

    def data_range(self, key: str, rows: int) -> str:
        """Absolute A1 range of a column's data cells for ``rows`` rows."""
        letter = self.letter(key)
        last = FIRST_DATA_ROW + max(rows, 1) - 1
        return f"'{self.name}'!${letter}${FIRST_DATA_ROW}:${letter}${last}"


@dataclass(frozen=True)
class Setting:
    """One named cell on the Settings sheet (named ``set_<key>``)."""

    key: str
    labels: Mapping[str, str]
    kind: Kind
    dtype: DType
    number_format: str | None = None
    choices: str | None = None
    formula: Formula | None = None
    notes: Mapping[str, str] = field(default_factory=dict)
    bounds: tuple[float, float] | None = None  # accepted range of a number input

    @property
    def name(self) -> str:
        return f"set_{self.key}"


@dataclass(frozen=True)
class SettingsBlocks:
    """Rows of the two blocks the Settings sheet holds under its list of settings.

    The benchmark block lists, per market present, the market (named
    ``set_bench_er_market``), the benchmark's expected return over the rating
    horizon (``set_bench_er``, an analyst input) and the scheme's benchmark
    index for information. The tier block lists the rating scheme's tiers
    best first: the label (``set_tier_label``, every tier), the lower bound of
    the excess return (``set_tier_bound``) and whether a return exactly at the
    bound earns the tier (``set_tier_inclusive``), both for every tier but the
    last. Rows are 1-based; each block has a header row above its first row.
    """

    bench_header_row: int
    bench_first_row: int
    bench_rows: int
    tier_header_row: int
    tier_first_row: int
    tier_rows: int

    @property
    def bench_last_row(self) -> int:
        return self.bench_first_row + self.bench_rows - 1

    @property
    def tier_last_row(self) -> int:
        return self.tier_first_row + self.tier_rows - 1

    def names(self, sheet: str) -> dict[str, str]:
        """Named range -> absolute A1 reference of every block range."""
        quoted = f"'{sheet}'!"
        first, last = self.bench_first_row, self.bench_last_row
        top = self.tier_first_row
        # The last tier has no bound, so the bound and inclusive ranges stop a row short.
        bounded_last = max(top, self.tier_last_row - 1)
        return {
            "set_bench_er_market": f"{quoted}$A${first}:$A${last}",
            "set_bench_er": f"{quoted}$B${first}:$B${last}",
            "set_tier_label": f"{quoted}$A${top}:$A${self.tier_last_row}",
            "set_tier_bound": f"{quoted}$B${top}:$B${bounded_last}",
            "set_tier_inclusive": f"{quoted}$C${top}:$C${bounded_last}",
        }


@dataclass(frozen=True)
class SettingsSheet:
    """Label | value | note rows from :data:`FIRST_DATA_ROW`; values in column B.

    Under the list, after one blank row, come the benchmark block and then the
    tier block (:class:`SettingsBlocks`, :meth:`blocks`).
    """

    name: str
    titles: Mapping[str, str]
    settings: tuple[Setting, ...]
    headers: Mapping[str, tuple[str, str, str]]
    bench_headers: Mapping[str, tuple[str, str, str]]
    tier_headers: Mapping[str, tuple[str, str, str]]
    protected: bool = True

    def setting(self, key: str) -> Setting:
        for item in self.settings:
            if item.key == key:
                return item
        raise KeyError(f"Settings has no setting {key!r}")

    def row_of(self, key: str) -> int:
        """1-based row of a setting's value cell (column B)."""
        for offset, item in enumerate(self.settings):
            if item.key == key:
                return FIRST_DATA_ROW + offset
        raise KeyError(f"Settings has no setting {key!r}")

    def cell(self, key: str) -> str:
        return f"'{self.name}'!$B${self.row_of(key)}"

    def blocks(self, markets: int, tiers: int) -> SettingsBlocks:
        """Where the benchmark and tier blocks go for ``markets`` markets and ``tiers`` tiers.

        A block always spans at least one row, so its names exist in a blank template.

        >>> SPEC.settings.blocks(markets=1, tiers=3).names("Settings")["set_tier_bound"]
        "'Settings'!$B$30:$B$31"
        """
        bench_header = FIRST_DATA_ROW + len(self.settings) + 1
        bench_rows = max(markets, 1)
        tier_header = bench_header + 1 + bench_rows + 1
        return SettingsBlocks(
            bench_header_row=bench_header,
            bench_first_row=bench_header + 1,
            bench_rows=bench_rows,
            tier_header_row=tier_header,
            tier_first_row=tier_header + 1,
            tier_rows=max(tiers, 1),
        )


@dataclass(frozen=True)
class HistorySheet:
    """Dates down column A; a block of closes, then a block of PE-TTM series.

    Row 3 names each block, row 4 holds the code of each column. Named
    ranges: ``hist_date`` (dates), ``hist_close`` and ``hist_pe`` (the
    blocks' data), ``hist_close_codes`` and ``hist_pe_codes`` (their codes).
    """

    name: str
    titles: Mapping[str, str]
    notes: Mapping[str, str]
    date_header: Mapping[str, str]
    close_group: Mapping[str, str]
    pe_group: Mapping[str, str]
    date_format: str = "yyyy-mm-dd"
    close_format: str = "#,##0.00"
    pe_format: str = '0.00"x"'

    @staticmethod
    def pe_start(close_codes: int) -> int:
        """0-based column of the first PE-TTM series: after the dates and the close block.

        A block always spans at least one column, so its names exist in a blank template.
        """
        return 1 + max(close_codes, 1)

    def names(self, dates: int, close_codes: int, pe_codes: int) -> dict[str, str]:
        """Named range -> absolute A1 reference, for a history of this size.

        >>> SPEC.history.names(dates=250, close_codes=3, pe_codes=1)["hist_pe"]
        "'History'!$E$5:$E$254"
        """
        quoted = f"'{self.name}'!"
        last = FIRST_DATA_ROW + max(dates, 1) - 1
        close_last = column_letter(max(close_codes, 1))
        start = self.pe_start(close_codes)
        pe_first, pe_last = column_letter(start), column_letter(start + max(pe_codes, 1) - 1)
        return {
            "hist_date": f"{quoted}$A${FIRST_DATA_ROW}:$A${last}",
            "hist_close": f"{quoted}$B${FIRST_DATA_ROW}:${close_last}${last}",
            "hist_close_codes": f"{quoted}$B${HEADER_ROW}:${close_last}${HEADER_ROW}",
            "hist_pe": f"{quoted}${pe_first}${FIRST_DATA_ROW}:${pe_last}${last}",
            "hist_pe_codes": f"{quoted}${pe_first}${HEADER_ROW}:${pe_last}${HEADER_ROW}",
        }


@dataclass(frozen=True)
class TextSheet:
    """A sheet of text lines (the Guide) or of key-value rows (xlwings.conf)."""

    name: str
    lines: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class ChartSpec:
    """A native Excel chart placed on a sheet.

    ``per_row`` charts are drawn once per row of their sheet (one PE-TTM
    history per series), stacked down from ``anchor`` every ``rows_tall`` rows.
    """

    key: str
    sheet: str
    kind: str  # "bar" (horizontal bars) or "line"
    titles: Mapping[str, str]
    anchor: str  # top-left cell of the (first) chart
    per_row: bool = False
    rows_tall: int = 18


@dataclass(frozen=True)
class WorkbookSpec:
    """The whole workbook: sheets in tab order, charts and the template version."""

    version: int
    sheets: tuple[TableSheet | SettingsSheet | HistorySheet | TextSheet, ...]
    charts: tuple[ChartSpec, ...]
    xlwings_udf_modules: str

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.sheets]

    def sheet(self, name: str) -> TableSheet:
        for sheet in self.sheets:
            if sheet.name == name and isinstance(sheet, TableSheet):
                return sheet
        raise KeyError(f"no table sheet named {name!r}")

    def table_sheets(self) -> tuple[TableSheet, ...]:
        return tuple(sheet for sheet in self.sheets if isinstance(sheet, TableSheet))

    def by_prefix(self, prefix: str) -> TableSheet:
        for sheet in self.table_sheets():
            if sheet.prefix == prefix:
                return sheet
        raise KeyError(f"no table sheet with prefix {prefix!r}")

    @property
    def settings(self) -> SettingsSheet:
        return next(s for s in self.sheets if isinstance(s, SettingsSheet))

    @property
    def history(self) -> HistorySheet:
        return next(s for s in self.sheets if isinstance(s, HistorySheet))

    def text_sheet(self, name: str) -> TextSheet:
        return next(s for s in self.sheets if isinstance(s, TextSheet) and s.name == name)


def _bi(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _guard(needed: list[str], expression: str) -> str:
    # A row with a blank input shows a blank result, not #N/A: the validator
    # treats every error value as a defect, and an uncovered name is not one.
    return f'IF(COUNT({",".join(needed)})<{len(needed)},"",{expression})'


# ---------------------------------------------------------------- Coverage
def _pe(slot: str) -> Formula:
    def refs(r: RowContext) -> tuple[str, str, str]:
        return r.col("close"), r.col(f"eps_{slot}"), r.col("fx")

    def sq(r: RowContext) -> str:
        price, eps, fx = refs(r)
        return _guard([price, eps, fx], f"SQ_PE({price},{eps},{fx})")

    def native(r: RowContext) -> str:
        price, eps, fx = refs(r)
        return _guard([price, eps, fx], f'IF({eps}*{fx}<=0,"NM",{price}/({eps}*{fx}))')

    return Formula(sq, native)


def _target_eps(r: RowContext, blend: str) -> str:
    year = r.lookup("est", "target_year")
    fy1, fy2, fy3 = r.col("eps_fy1"), r.col("eps_fy2"), r.col("eps_fy3")
    chosen = (
        f'IF({year}="FY1",{fy1},IF({year}="FY2",{fy2},IF({year}="FY3",{fy3},'
        f'IF({year}="blended",IF(COUNT({fy1},{fy2})<2,"",{blend}),""))))'
    )
    return f'IF(LEN({year})=0,"",{chosen})'


def _target_price(r: RowContext, function: str) -> str:
    eps, multiple, fx = r.col("target_eps"), r.lookup("est", "target_multiple"), r.col("fx")
    return _guard([eps, multiple, fx], function.format(eps=eps, multiple=multiple, fx=fx))


def _upside(r: RowContext, function: str) -> str:
    target, close = r.col("target_price"), r.col("close")
    return f'IF({target}="NM","NM",{_guard([target, close], function.format(t=target, p=close))})'


def _rating(r: RowContext, model: str) -> str:
    override = r.lookup("est", "rating_override")
    return f"IF(LEN({override})>0,{override},{model})"


def _model_rating_sq(r: RowContext) -> str:
    upside = r.col("upside")
    bench = f"INDEX(set_bench_er,MATCH({r.lookup('mkt', 'market')},set_bench_er_market,0))"
    return f"IF(ISNUMBER({upside}),SQ_RATING({upside},{bench},set_scheme,set_lang),set_not_rated)"


def _model_rating_native(r: RowContext) -> str:
    upside = r.col("upside")
    bench = f"INDEX(set_bench_er,MATCH({r.lookup('mkt', 'market')},set_bench_er_market,0))"
    # An absolute scheme rates the upside alone, whatever the benchmark.
    excess = f'({upside}-IF(set_scheme_basis="absolute",0,{bench}))'
    # Tiers are listed best first with descending bounds, so the number of
    # bounds the excess return fails to clear is the index of its tier. A
    # bound is cleared when excess > bound, or >= where the tier is inclusive.
    missed = (
        f"SUMPRODUCT((set_tier_inclusive=FALSE)*(set_tier_bound>={excess})"
        f"+(set_tier_inclusive=TRUE)*(set_tier_bound>{excess}))"
    )
    return f"IF(ISNUMBER({upside}),INDEX(set_tier_label,1+{missed}),set_not_rated)"


def _number(reference: str) -> str:
    # A blank source cell must stay blank, not turn into a zero price.
    return f'IF(ISNUMBER({reference}),{reference},"")'


def _eps_lookup(slot: str) -> Formula:
    return _same(lambda r: _number(r.lookup("est", f"eps_{slot}")))


_COVERAGE_COLUMNS = (
    Column("code", _bi("公司代码", "Code"), Kind.KEY, DType.TEXT, width=10),
    Column("name", _bi("公司名称", "Company"), Kind.DATA, DType.TEXT, width=12),
    Column(
        "rating",
        _bi("投资评级", "Rating"),
        Kind.FORMULA,
        DType.TEXT,
        width=10,
        formula=Formula(
            sq=lambda r: _rating(r, r.col("model_rating")),
            native=lambda r: _rating(r, r.col("model_rating")),
        ),
    ),
    Column(
        "close",
        _bi("昨收盘（{price_ccy}）", "Close ({price_ccy})"),
        Kind.FORMULA,
        number_format="#,##0.00",
        formula=_same(lambda r: _number(r.lookup("mkt", "close"))),
    ),
    Column(
        "market_cap",
        _bi("总市值（百万{price_ccy}）", "Mkt cap ({price_ccy} mn)"),
        Kind.FORMULA,
        number_format="#,##0",
        width=12,
        formula=Formula(
            sq=lambda r: _guard(
                [r.col("close"), r.lookup("mkt", "shares_mn")],
                f"SQ_MKT_CAP({r.col('close')},{r.lookup('mkt', 'shares_mn')})",
            ),
            native=lambda r: _guard(
                [r.col("close"), r.lookup("mkt", "shares_mn")],
                f"{r.col('close')}*{r.lookup('mkt', 'shares_mn')}",
            ),
        ),
    ),
    *(
        Column(
            f"eps_{slot}",
            _bi(f"EPS {{{slot}}}（{{eps_ccy}}）", f"EPS {{{slot}}} ({{eps_ccy}})"),
            Kind.FORMULA,
            number_format="0.00",
            formula=_eps_lookup(slot),
        )
        for slot in ("fy1", "fy2", "fy3")
    ),
    *(
        Column(
            f"pe_{slot}",
            _bi(f"PE {{{slot}}}（x）", f"PE {{{slot}}} (x)"),
            Kind.FORMULA,
            number_format='0.0"x"',
            formula=_pe(slot),
        )
        for slot in ("fy1", "fy2", "fy3")
    ),
    Column(
        "target_price",
        _bi("目标价（{price_ccy}）", "Target price ({price_ccy})"),
        Kind.FORMULA,
        number_format="#,##0.00",
        width=12,
        formula=Formula(
            sq=lambda r: _target_price(r, "SQ_TARGET_PRICE({eps},{multiple},{fx})"),
            native=lambda r: _target_price(r, 'IF({eps}<=0,"NM",{multiple}*{eps}*{fx})'),
        ),
    ),
    Column(
        "upside",
        _bi("上涨空间（%）", "Upside (%)"),
        Kind.FORMULA,
        number_format="0.0%",
        formula=Formula(
            sq=lambda r: _upside(r, "SQ_UPSIDE({t},{p})"),
            native=lambda r: _upside(r, "{t}/{p}-1"),
        ),
    ),
    Column(
        "target_eps",
        _bi("目标价EPS（{eps_ccy}）", "Target EPS ({eps_ccy})"),
        Kind.FORMULA,
        number_format="0.00",
        width=12,
        formula=Formula(
            sq=lambda r: _target_eps(
                r, f"SQ_EPS_BLENDED({r.col('eps_fy1')},{r.col('eps_fy2')},set_fy1_remaining)"
            ),
            native=lambda r: _target_eps(
                r,
                f"set_fy1_remaining*{r.col('eps_fy1')}+(1-set_fy1_remaining)*{r.col('eps_fy2')}",
            ),
        ),
    ),
    Column(
        "fx",
        _bi("汇率（每单位EPS货币）", "FX (price ccy per EPS ccy)"),
        Kind.FORMULA,
        number_format="0.0000",
        width=12,
        formula=_same(lambda r: _number(r.lookup("mkt", "fx"))),
    ),
    Column(
        "model_rating",
        _bi("模型评级", "Model rating"),
        Kind.FORMULA,
        DType.TEXT,
        width=12,
        formula=Formula(sq=_model_rating_sq, native=_model_rating_native),
    ),
)

COVERAGE = TableSheet(
    name="Coverage",
    prefix="cov",
    titles=_bi("重点公司盈利预测及投资评级", "Coverage: earnings forecasts and ratings"),
    notes=_bi(
        "全部为公式：输入请在 Estimates 与 Market 表中修改。PE = 股价 / (EPS × 汇率)。",
        "All formulas: change inputs on Estimates and Market. PE = price / (EPS x FX).",
    ),
    rows="companies",
    columns=_COVERAGE_COLUMNS,
    excel_table=True,
)

# --------------------------------------------------------------- Estimates
ESTIMATES = TableSheet(
    name="Estimates",
    prefix="est",
    titles=_bi("盈利预测与估值假设（分析师输入）", "Estimates and valuation inputs (analyst)"),
    notes=_bi(
        "蓝色单元格为分析师输入；重新生成工作簿时保留。EPS 以 EPS 货币计。",
        "Blue cells are analyst inputs, kept by every regeneration. EPS in the EPS currency.",
    ),
    rows="companies",
    columns=(
        Column("code", _bi("公司代码", "Code"), Kind.KEY, DType.TEXT, width=10),
        Column("name", _bi("公司名称", "Company"), Kind.DATA, DType.TEXT, width=12),
        Column("eps_currency", _bi("EPS货币", "EPS currency"), Kind.DATA, DType.TEXT, width=8),
        Column(
            "eps_basis",
            _bi("EPS口径", "EPS basis"),
            Kind.INPUT,
            DType.CHOICE,
            width=10,
            choices="eps_basis",
            required=True,
        ),
        *(
            Column(
                f"eps_{slot}",
                _bi(f"EPS {{{slot}}}（{{eps_ccy}}）", f"EPS {{{slot}}} ({{eps_ccy}})"),
                Kind.INPUT,
                number_format="0.00",
                required=slot == "fy1",
            )
            for slot in ("fy1", "fy2", "fy3")
        ),
        Column(
            "target_multiple",
            _bi("目标PE（x）", "Target PE (x)"),
            Kind.INPUT,
            number_format='0.0"x"',
            positive=True,
        ),
        Column(
            "target_year",
            _bi("目标PE适用年度", "Target PE on"),
            Kind.INPUT,
            DType.CHOICE,
            width=10,
            choices="target_year",
        ),
        Column(
            "rating_override",
            _bi("评级（手动）", "Rating override"),
            Kind.INPUT,
            DType.CHOICE,
            width=12,
            choices="rating",
        ),
        Column(
            "override_reason",
            _bi("手动评级理由", "Override reason"),
            Kind.INPUT,
            DType.TEXT,
            width=24,
        ),
        Column("notes", _bi("备注", "Notes"), Kind.INPUT, DType.TEXT, width=40),
    ),
    protected=True,
)

# ------------------------------------------------------------------ Market
MARKET = TableSheet(
    name="Market",
    prefix="mkt",
    titles=_bi("行情与汇率", "Market data and FX"),
    notes=_bi(
        "由行情文件刷新；请勿手工修改。汇率 = 每单位EPS货币对应的股价货币。",
        "Refreshed from the market file; do not edit. FX = price-currency units per EPS-currency unit.",
    ),
    rows="companies",
    columns=(
        Column("code", _bi("公司代码", "Code"), Kind.KEY, DType.TEXT, width=10),
        Column("name", _bi("公司名称", "Company"), Kind.DATA, DType.TEXT, width=12),
        Column("market", _bi("市场", "Market"), Kind.DATA, DType.TEXT, width=6),
        Column("close", _bi("收盘价", "Close"), Kind.DATA, number_format="#,##0.00", positive=True),
        Column(
            "price_date",
            _bi("价格日期", "Price date"),
            Kind.DATA,
            DType.DATE,
            number_format="yyyy-mm-dd",
            width=11,
        ),
        Column(
            "shares_mn",
            _bi("总股本（百万股）", "Shares (mn)"),
            Kind.DATA,
            number_format="#,##0.0",
            width=12,
            positive=True,
        ),
        Column("price_currency", _bi("股价货币", "Price currency"), Kind.DATA, DType.TEXT),
        Column("eps_currency", _bi("EPS货币", "EPS currency"), Kind.DATA, DType.TEXT),
        Column(
            "fx",
            _bi("汇率（股价货币/EPS货币）", "FX (price ccy per EPS ccy)"),
            Kind.DATA,
            number_format="0.0000",
            width=12,
        ),
        Column("benchmark", _bi("基准指数", "Benchmark"), Kind.DATA, DType.TEXT, width=12),
    ),
)


# ------------------------------------------------------------- Performance
def _history_close(r: RowContext, row_setting: str) -> str:
    column, row = r.col("history_column"), r.setting(row_setting)
    cell = f"INDEX(hist_close,{row},{column})"
    return f'IF(COUNT({column},{row})<2,"",IF(ISNUMBER({cell}),{cell},""))'


PERFORMANCE = TableSheet(
    name="Performance",
    prefix="perf",
    titles=_bi("本月行情回顾", "The month's performance"),
    notes=_bi(
        "区间收益 = 期末收盘 / 期初收盘 - 1；超额收益（pct）= 个股收益 - 基准收益。",
        "Return = end close / start close - 1; relative return (pct) = stock return - benchmark return.",
    ),
    rows="performance",
    columns=(
        Column("code", _bi("代码", "Code"), Kind.KEY, DType.TEXT, width=10),
        Column("name", _bi("名称", "Name"), Kind.DATA, DType.TEXT, width=14),
        Column("kind", _bi("类型", "Kind"), Kind.DATA, DType.TEXT, width=6),
        Column("benchmark", _bi("基准指数", "Benchmark"), Kind.DATA, DType.TEXT, width=12),
        Column(
            "history_column",
            _bi("History列号", "History column"),
            Kind.FORMULA,
            DType.INTEGER,
            number_format="0",
            formula=_same(
                lambda r: (
                    f'IF(COUNTIF(hist_close_codes,{r.key()})=0,"",'
                    f"MATCH({r.key()},hist_close_codes,0))"
                )
            ),
        ),
        Column(
            "start_close",
            _bi("期初收盘", "Start close"),
            Kind.FORMULA,
            number_format="#,##0.00",
            formula=_same(lambda r: _history_close(r, "period_start_row")),
        ),
        Column(
            "end_close",
            _bi("期末收盘", "End close"),
            Kind.FORMULA,
            number_format="#,##0.00",
            formula=_same(lambda r: _history_close(r, "period_end_row")),
        ),
        Column(
            "return",
            _bi("区间涨跌幅", "Return"),
            Kind.FORMULA,
            number_format="0.0%",
            formula=Formula(
                sq=lambda r: _guard(
                    [r.col("start_close"), r.col("end_close")],
                    f"SQ_RETURN({r.col('start_close')},{r.col('end_close')})",
                ),
                native=lambda r: _guard(
                    [r.col("start_close"), r.col("end_close")],
                    f"{r.col('end_close')}/{r.col('start_close')}-1",
                ),
            ),
        ),
        Column(
            "benchmark_return",
            _bi("基准涨跌幅", "Benchmark return"),
            Kind.FORMULA,
            number_format="0.0%",
            formula=_same(
                lambda r: (
                    f'IF(COUNTIF(perf_code,{r.col("benchmark")})=0,"",'
                    f"IF(ISNUMBER(INDEX(perf_return,MATCH({r.col('benchmark')},perf_code,0))),"
                    f'INDEX(perf_return,MATCH({r.col("benchmark")},perf_code,0)),""))'
                )
            ),
        ),
        Column(
            "relative_return",
            _bi("超额收益（pct）", "Relative return (pct)"),
            Kind.FORMULA,
            number_format="0.0%",
            width=12,
            formula=Formula(
                sq=lambda r: _guard(
                    [r.col("return"), r.col("benchmark_return")],
                    f"SQ_REL_RETURN({r.col('return')},{r.col('benchmark_return')},"
                    f"set_relative_method)",
                ),
                native=lambda r: _guard(
                    [r.col("return"), r.col("benchmark_return")],
                    f'IF(set_relative_method="geometric",(1+{r.col("return")})/'
                    f"(1+{r.col('benchmark_return')})-1,{r.col('return')}-{r.col('benchmark_return')})",
                ),
            ),
        ),
    ),
)


# --------------------------------------------------------------- Valuation
def _series(r: RowContext) -> str:
    # The row's PE-TTM column of the History block, as a reference from its first
    # to its last cell. INDEX(hist_pe,0,col) means the same in Excel, but
    # formula engines other than Excel's and LibreOffice's read row 0 as row 1.
    column = r.col("history_column")
    return f"INDEX(hist_pe,1,{column}):INDEX(hist_pe,ROWS(hist_pe),{column})"


def _latest(r: RowContext, of: str) -> str:
    # MATCH of a number larger than any value finds the last number in a range.
    return f"INDEX({of},MATCH(9.99E+307,{_series(r)}))"


def _excel_percentrank(function: str, series: str, today: str) -> str:
    # Excel truncates PERCENTRANK to 3 decimals, LibreOffice rounds: asking
    # for 15 digits and truncating with TRUNC gives Excel's result in both.
    return f"TRUNC(_xlfn.{function}({series},{today},15),3)"


def _percentile_sq(r: RowContext) -> str:
    series, today = _series(r), r.col("pe_ttm")
    return _guard([today], f"SQ_PERCENTILE({series},{today},set_percentile_method)")


def _percentile_native(r: RowContext) -> str:
    series, today = _series(r), r.col("pe_ttm")
    return _guard(
        [today],
        f'IF(set_percentile_method="strict",COUNTIF({series},"<"&{today})/COUNT({series}),'
        f'IF(set_percentile_method="weak",COUNTIF({series},"<="&{today})/COUNT({series}),'
        f'IF(set_percentile_method="exc",{_excel_percentrank("PERCENTRANK.EXC", series, today)},'
        f"{_excel_percentrank('PERCENTRANK.INC', series, today)})))",
    )


VALUATION = TableSheet(
    name="Valuation",
    prefix="val",
    titles=_bi("估值分位", "Valuation percentiles"),
    notes=_bi(
        "PE-TTM 当前值在其自身历史（自序列起点）中的分位点；方法见 Settings。",
        "Where today's PE-TTM sits in its own history since the series began; method on Settings.",
    ),
    rows="pe_series",
    columns=(
        Column("code", _bi("代码", "Code"), Kind.KEY, DType.TEXT, width=10),
        Column("name", _bi("名称", "Name"), Kind.DATA, DType.TEXT, width=14),
        Column(
            "history_column",
            _bi("History列号", "History column"),
            Kind.FORMULA,
            DType.INTEGER,
            number_format="0",
            formula=_same(lambda r: f"MATCH({r.key()},hist_pe_codes,0)"),
        ),
        Column(
            "first_date",
            _bi("序列起点", "Series start"),
            Kind.DATA,
            DType.DATE,
            number_format="yyyy-mm-dd",
            width=11,
        ),
        Column(
            "as_of",
            _bi("最新日期", "As of"),
            Kind.FORMULA,
            DType.DATE,
            number_format="yyyy-mm-dd",
            width=11,
            formula=_same(lambda r: _latest(r, "hist_date")),
        ),
        Column(
            "pe_ttm",
            _bi("PE-TTM（x）", "PE-TTM (x)"),
            Kind.FORMULA,
            number_format='0.00"x"',
            formula=_same(lambda r: _latest(r, _series(r))),
        ),
        Column(
            "percentile",
            _bi("历史分位", "Percentile"),
            Kind.FORMULA,
            number_format="0.00%",
            formula=Formula(sq=_percentile_sq, native=_percentile_native),
        ),
        Column(
            "observations",
            _bi("样本数", "Observations"),
            Kind.FORMULA,
            DType.INTEGER,
            number_format="#,##0",
            formula=_same(lambda r: f"COUNT({_series(r)})"),
        ),
        Column(
            "label",
            _bi("当前值 | 分位", "Today | percentile"),
            Kind.FORMULA,
            DType.TEXT,
            width=16,
            # The PE-TTM chart marks today's point with this text.
            formula=_same(
                lambda r: _guard(
                    [r.col("pe_ttm"), r.col("percentile")],
                    f'TEXT({r.col("pe_ttm")},"0.00")&"x | "&TEXT({r.col("percentile")},"0.00%")',
                )
            ),
        ),
    ),
)


# ---------------------------------------------------------------- Settings
def _history_row(setting: str) -> Formula:
    # Row of the last history date on or before the period date ("" if before).
    return _same(
        lambda r: (
            f'IF(COUNT(hist_date)=0,"",IF(set_{setting}<MIN(hist_date),"",'
            f"MATCH(set_{setting},hist_date,1)))"
        )
    )


SETTINGS = SettingsSheet(
    name="Settings",
    titles=_bi("设置", "Settings"),
    headers={"zh": ("设置项", "值", "说明"), "en": ("Setting", "Value", "Note")},
    bench_headers={
        "zh": ("市场", "基准预期收益", "评级基准指数"),
        "en": ("Market", "Benchmark expected return", "Rating benchmark"),
    },
    tier_headers={
        "zh": ("评级", "超额收益下限", "含下限"),
        "en": ("Rating", "Excess return above", "Bound inclusive"),
    },
    settings=(
        Setting(
            "template_version", _bi("模板版本", "Template version"), Kind.DATA, DType.INTEGER, "0"
        ),
        Setting("lang", _bi("语言", "Language"), Kind.DATA, DType.TEXT),
        Setting(
            "formula_mode",
            _bi("公式模式", "Formula mode"),
            Kind.DATA,
            DType.TEXT,
            notes=_bi(
                "sq：公司 SQ_ 函数（需 xlwings 加载项）；native：Excel 原生公式。",
                "sq: the firm's SQ_ functions (xlwings add-in); native: plain Excel formulas.",
            ),
        ),
        Setting("report_date", _bi("报告日期", "Report date"), Kind.DATA, DType.DATE, "yyyy-mm-dd"),
        Setting(
            "price_date",
            _bi("价格日期", "Price date"),
            Kind.DATA,
            DType.DATE,
            "yyyy-mm-dd",
            notes=_bi("行情文件中最新的价格日期。", "Latest price date of the market file."),
        ),
        Setting(
            "period_start",
            _bi("区间起点（收盘）", "Period start (close)"),
            Kind.DATA,
            DType.DATE,
            "yyyy-mm-dd",
            notes=_bi(
                "区间收益自该日（或之前最近交易日）收盘起算。",
                "Returns run from the close on this date, or the last close before it.",
            ),
        ),
        Setting(
            "period_end",
            _bi("区间终点（收盘）", "Period end (close)"),
            Kind.DATA,
            DType.DATE,
            "yyyy-mm-dd",
        ),
        Setting(
            "fy1_year",
            _bi("FY1 年度", "FY1 year"),
            Kind.INPUT,
            DType.INTEGER,
            "0",
            bounds=(1990, 2200),
            notes=_bi(
                "EPS FY1 对应的财年（如 2024 即 2024E）。",
                "Fiscal year of EPS FY1 (2024 for 2024E).",
            ),
        ),
        Setting(
            "fy_end_month",
            _bi("财年结束月", "Fiscal year-end month"),
            Kind.INPUT,
            DType.INTEGER,
            "0",
            bounds=(1, 12),
        ),
        Setting(
            "fy_end_day",
            _bi("财年结束日", "Fiscal year-end day"),
            Kind.INPUT,
            DType.INTEGER,
            "0",
            bounds=(1, 31),
        ),
        Setting(
            "fy1_remaining",
            _bi("FY1 剩余比例", "Share of FY1 remaining"),
            Kind.FORMULA,
            DType.NUMBER,
            "0.0%",
            formula=_same(
                lambda r: (
                    "MAX(0,MIN(1,(DATE(set_fy1_year,set_fy_end_month,set_fy_end_day)"
                    "-set_report_date)/(DATE(set_fy1_year,set_fy_end_month,set_fy_end_day)"
                    "-DATE(set_fy1_year-1,set_fy_end_month,set_fy_end_day))))"
                )
            ),
            notes=_bi(
                "混合EPS中 FY1 的权重（按天数）。",
                "Weight of FY1 in a blended EPS, by days.",
            ),
        ),
        Setting(
            "scheme",
            _bi("评级体系", "Rating scheme"),
            Kind.INPUT,
            DType.CHOICE,
            choices="scheme",
            notes=_bi(
                "SQ 公式即时生效；native 公式读取下方评级档位，重新生成后更新。",
                "SQ formulas follow it at once; native formulas read the tier block below, updated at regeneration.",
            ),
        ),
        Setting(
            "scheme_basis",
            _bi("评级基础", "Rating basis"),
            Kind.DATA,
            DType.TEXT,
            notes=_bi(
                "relative：上涨空间减基准预期收益；absolute：上涨空间本身。",
                "relative: upside minus the benchmark's expected return; absolute: upside alone.",
            ),
        ),
        Setting("not_rated", _bi("无评级标签", "Not-rated label"), Kind.DATA, DType.TEXT),
        Setting(
            "percentile_method",
            _bi("分位方法", "Percentile method"),
            Kind.INPUT,
            DType.CHOICE,
            choices="percentile_method",
            notes=_bi(
                "inc = Excel PERCENTRANK.INC；exc = PERCENTRANK.EXC；strict = 低于当前值的占比；weak = 不高于当前值的占比。",
                "inc = Excel PERCENTRANK.INC; exc = PERCENTRANK.EXC; strict = share below; weak = share at or below.",
            ),
        ),
        Setting(
            "relative_method",
            _bi("超额收益算法", "Relative-return method"),
            Kind.INPUT,
            DType.CHOICE,
            choices="relative_method",
            notes=_bi(
                "arithmetic = 个股收益 - 基准收益（pct）；geometric = (1+个股)/(1+基准) - 1。",
                "arithmetic = stock - benchmark (pct); geometric = (1 + stock) / (1 + benchmark) - 1.",
            ),
        ),
        Setting(
            "period_start_row",
            _bi("区间起点所在行", "History row of period start"),
            Kind.FORMULA,
            DType.INTEGER,
            "0",
            formula=_history_row("period_start"),
            notes=_bi("在 History 日期列中的序号。", "Position in the History dates."),
        ),
        Setting(
            "period_end_row",
            _bi("区间终点所在行", "History row of period end"),
            Kind.FORMULA,
            DType.INTEGER,
            "0",
            formula=_history_row("period_end"),
        ),
        Setting("data_note", _bi("数据说明", "Data note"), Kind.DATA, DType.TEXT),
        Setting(
            "coverage_group",
            _bi("覆盖组", "Coverage group"),
            Kind.DATA,
            DType.TEXT,
            notes=_bi(
                "来自覆盖名单；xlmodels regenerate 据此找到本工作簿。",
                "From the coverage universe; xlmodels regenerate finds this workbook by it.",
            ),
        ),
    ),
)
"""Besides these cells the writer places two blocks under the list, each a
named range (:meth:`SettingsSheet.blocks`): the benchmark expected returns by
market (``set_bench_er_market`` data, ``set_bench_er`` analyst inputs) and the
tiers of the rating scheme in force, best first (``set_tier_label``: every
label; ``set_tier_bound`` and ``set_tier_inclusive``: the bound of every tier
but the last, and TRUE where a return exactly at the bound earns the tier),
which the native rating formula reads. They are data: a change of scheme takes
effect in native formulas at the next regeneration."""

HISTORY = HistorySheet(
    name="History",
    titles=_bi("历史行情与估值", "Price and valuation history"),
    notes=_bi(
        "日收盘价（节假日沿用前值）与 PE-TTM 序列；由历史文件刷新。",
        "Daily closes (carried over holidays inside a series) and PE-TTM series; refreshed from the history file.",
    ),
    date_header=_bi("日期", "Date"),
    close_group=_bi("收盘价", "Close"),
    pe_group=_bi("PE-TTM（x）", "PE-TTM (x)"),
)

GUIDE = TextSheet(
    name="Guide",
    lines={
        "zh": (
            "使用说明",
            "1. 只在蓝色单元格输入：Estimates 表（EPS、目标PE、评级手动调整及理由、备注）与 Settings 表。",
            "2. Coverage、Performance、Valuation 表全部为公式，已锁定；Market 与 History 由数据文件刷新。",
            "3. PE = 股价 / (EPS × 汇率)；汇率为每单位 EPS 货币对应的股价货币（如 港元/人民币）。",
            "4. EPS ≤ 0 时 PE 显示 NM（无意义），与缺失数据不同。",
            "5. 评级按 Settings 中的评级体系，由上涨空间相对基准预期收益得出；手动评级须填写理由。",
            "6. 每月刷新请用 xlmodels regenerate：行情、汇率与历史数据更新，分析师输入全部保留。",
            "7. SQ_ 函数需 xlwings 加载项（见 xlwings.conf 表）；不使用加载项的文件请用 native 公式模式生成。",
        ),
        "en": (
            "How to use this workbook",
            "1. Type only in blue cells: Estimates (EPS, target PE, rating override and its reason, notes) and Settings.",
            "2. Coverage, Performance and Valuation are formulas and locked; Market and History are refreshed from data files.",
            "3. PE = price / (EPS x FX); FX is price-currency units per EPS-currency unit (e.g. HKD per CNY).",
            "4. EPS <= 0 shows NM (not meaningful), which is different from missing data.",
            "5. Ratings follow the Settings scheme, from upside against the benchmark's expected return; an override needs a reason.",
            "6. Refresh monthly with xlmodels regenerate: prices, FX and history update; every analyst input is kept.",
            "7. SQ_ functions need the xlwings add-in (see the xlwings.conf sheet); for files leaving the firm, generate native formulas.",
        ),
    },
)

XLWINGS_CONF = TextSheet(name="xlwings.conf", lines={"zh": (), "en": ()})
#: Key of the UDF-modules entry on the xlwings.conf sheet. The xlwings add-in
#: reads that sheet as key (column A) and value (column B) pairs from A1 down
#: to the first blank key, upper-casing the key; "UDF Modules" is the name its
#: ribbon and its own release tooling write.
XLWINGS_UDF_KEY = "UDF Modules"

SPEC = WorkbookSpec(
    version=TEMPLATE_VERSION,
    sheets=(
        GUIDE,
        COVERAGE,
        ESTIMATES,
        MARKET,
        PERFORMANCE,
        VALUATION,
        HISTORY,
        SETTINGS,
        XLWINGS_CONF,
    ),
    charts=(
        ChartSpec(
            "relative_returns",
            "Performance",
            "bar",
            _bi("本月超额收益（pct）", "Relative return this month (pct)"),
            "L4",
        ),
        ChartSpec(
            "pe_ttm_history",
            "Valuation",
            "line",
            _bi("PE-TTM 历史与当前分位", "PE-TTM history and today's percentile"),
            "K4",
            per_row=True,
        ),
    ),
    xlwings_udf_modules="udfs",
)
