"""The schema of a coverage workbook: the types a template is written in.

A template (:data:`xlmodels.template.v3.SPEC`, the current one, or an
earlier one such as :data:`xlmodels.template.v2.SPEC_V2`) is a :class:`WorkbookSpec` of sheets;
generation, regeneration, validation and the reports all read a template,
and none of them knows a sheet name, a column position, a header or a
formula except through it (sheet and block names: :mod:`~xlmodels.template.names`).

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

Examples
--------
>>> from xlmodels.template.v3 import SPEC
>>> coverage = SPEC.sheet("Coverage")
>>> coverage.column("pe_fy1").formula_for("sq", RowContext(SPEC, coverage, 5))
'=IF(COUNT(E5,I5,S5)<3,"",SQ_PE(E5,I5,S5))'
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
from xlmodels.template import names

__all__ = [
    "CHOICE_LISTS",
    "FIRST_DATA_ROW",
    "FORMULA_MODES",
    "GROUP_ROW",
    "HEADER_ROW",
    "NOTE_ROW",
    "PLACEHOLDER_WORDS",
    "TITLE_ROW",
    "ChartSpec",
    "Column",
    "DType",
    "Formula",
    "FormulaBuilder",
    "HistorySheet",
    "Kind",
    "RowContext",
    "Setting",
    "SettingsBlocks",
    "SettingsSheet",
    "SpillContext",
    "TableSheet",
    "TextSheet",
    "WorkbookSpec",
    "choice_values",
    "column_letter",
]

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


#: Words for a header's placeholders in messages ("EPS FY1 (EPS ccy)").
PLACEHOLDER_WORDS: Mapping[str, str] = {
    "fy1": "FY1",
    "fy2": "FY2",
    "fy3": "FY3",
    "price_ccy": "price ccy",
    "eps_ccy": "EPS ccy",
    "lyr": "LYR",
    "mcap_unit": "mn",
}


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
        return names.setting_name(key)


@dataclass(frozen=True)
class SpillContext(RowContext):
    """Cell references for one formula computing a whole column: each column as its rows.

    ``row`` is the first data row (where the formula is written) and
    ``rows`` the number of rows it spills over; :meth:`col` gives a column's
    cells on those rows (``D5:D54``), so a function taking ranges is called
    once for the column. Only the sheet's own columns and named cells can be
    read: a value looked up by code is a column of the sheet first.

    >>> from xlmodels.template.v3 import SPEC
    >>> coverage = SPEC.sheet("Coverage")
    >>> SpillContext(SPEC, coverage, 5, rows=3).col("close")
    'E5:E7'
    """

    rows: int = 1

    def _span(self, letter: str) -> str:
        return f"{letter}{self.row}:{letter}{self.row + max(self.rows, 1) - 1}"

    def col(self, key: str) -> str:
        """Relative reference to column ``key``'s cells on the spilled rows (``D5:D54``)."""
        if self.sheet is None:
            raise ValueError(f"column {key!r} has no meaning outside a table sheet")
        return self._span(column_letter(self.sheet.position(key)))

    def key(self) -> str:
        """The rows' key cells, column-absolute (``$A5:$A54``)."""
        last = self.row + max(self.rows, 1) - 1
        return f"$A{self.row}:$A{last}"

    def lookup(self, prefix: str, key: str) -> str:
        raise ValueError(
            f"a spilled formula reads the columns of its own sheet, not {prefix}_{key} "
            "looked up by code: give the sheet a column holding it"
        )


FormulaBuilder = Callable[[RowContext], str]


@dataclass(frozen=True)
class Formula:
    """The two dialects of one column's formula, as functions of the row.

    ``spill``, when given, is the ``sq`` dialect for the whole column at
    once: the template writes it in ``sq`` mode as one dynamic-array formula
    at the first data row whose results spill down over the rows (built with
    a :class:`SpillContext`), so an ``SQ_`` function is called once per
    column, not once per row. Its results are the per-row formulas'.
    """

    sq: FormulaBuilder
    native: FormulaBuilder
    spill: FormulaBuilder | None = None

    def build(self, mode: str, context: RowContext) -> str:
        if mode not in FORMULA_MODES:
            raise ValueError(
                f"formula mode must be one of {', '.join(FORMULA_MODES)}, got {mode!r}"
            )
        return "=" + (self.sq if mode == "sq" else self.native)(context)

    def build_spill(self, context: SpillContext) -> str:
        """The column's spilled formula for ``context``'s rows."""
        if self.spill is None:
            raise ValueError("this formula is written row by row, never spilled")
        return "=" + self.spill(context)


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
        Header text by language; may hold ``{lyr}`` (the last reported
        year, ``2023A``), ``{fy1}``..``{fy3}`` (forecast years, ``2024E``),
        ``{mcap_unit}`` (the unit of market caps: millions, of the
        reporting currency if one is set), and, in earlier templates,
        ``{price_ccy}``, ``{eps_ccy}`` (the currencies present).
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

    def label(self) -> str:
        """The English header with its placeholders in words, for messages: ``PE FY1 (x)``."""
        text = self.headers.get("en", self.key)
        return text.format_map(PLACEHOLDER_WORDS) if "{" in text else text

    def formula_for(self, mode: str, context: RowContext) -> str:
        if self.formula is None:
            raise ValueError(f"column {self.key!r} is not a formula column")
        return self.formula.build(mode, context)

    def spills(self, mode: str) -> bool:
        """Whether the column is one spilled formula in formula mode ``mode`` (:class:`Formula`)."""
        return mode == "sq" and self.formula is not None and self.formula.spill is not None

    def spill_formula(self, context: SpillContext) -> str:
        """The column's spilled formula (with its ``=``) over ``context``'s rows."""
        if self.formula is None:
            raise ValueError(f"column {self.key!r} is not a formula column")
        return self.formula.build_spill(context)


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

    def spilled(self, mode: str) -> tuple[Column, ...]:
        """The columns written as one spilled formula each in formula mode ``mode``."""
        return tuple(column for column in self.columns if column.spills(mode))

    def is_excel_table(self, mode: str) -> bool:
        """Whether the sheet is an Excel table (ListObject) in formula mode ``mode``.

        Excel tables cannot hold spilled formulas: a sheet with a spilled
        column is a plain range with an autofilter instead.
        """
        return self.excel_table and not self.spilled(mode)

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
        return names.setting_name(self.key)


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
            names.SET_BENCH_ER_MARKET: f"{quoted}$A${first}:$A${last}",
            names.SET_BENCH_ER: f"{quoted}$B${first}:$B${last}",
            names.SET_TIER_LABEL: f"{quoted}$A${top}:$A${self.tier_last_row}",
            names.SET_TIER_BOUND: f"{quoted}$B${top}:$B${bounded_last}",
            names.SET_TIER_INCLUSIVE: f"{quoted}$C${top}:$C${bounded_last}",
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

        >>> from xlmodels.template.v3 import SPEC
        >>> SPEC.settings.blocks(markets=1, tiers=3).names("Settings")["set_tier_bound"]
        "'Settings'!$B$31:$B$32"
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

        >>> from xlmodels.template.v3 import SPEC
        >>> SPEC.history.names(dates=250, close_codes=3, pe_codes=1)["hist_pe"]
        "'History'!$E$5:$E$254"
        """
        quoted = f"'{self.name}'!"
        last = FIRST_DATA_ROW + max(dates, 1) - 1
        close_last = column_letter(max(close_codes, 1))
        start = self.pe_start(close_codes)
        pe_first, pe_last = column_letter(start), column_letter(start + max(pe_codes, 1) - 1)
        return {
            names.HIST_DATE: f"{quoted}$A${FIRST_DATA_ROW}:$A${last}",
            names.HIST_CLOSE: f"{quoted}$B${FIRST_DATA_ROW}:${close_last}${last}",
            names.HIST_CLOSE_CODES: f"{quoted}$B${HEADER_ROW}:${close_last}${HEADER_ROW}",
            names.HIST_PE: f"{quoted}${pe_first}${FIRST_DATA_ROW}:${pe_last}${last}",
            names.HIST_PE_CODES: f"{quoted}${pe_first}${HEADER_ROW}:${pe_last}${HEADER_ROW}",
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
