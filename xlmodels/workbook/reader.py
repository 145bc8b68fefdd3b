"""Reading a coverage workbook back: its analyst inputs, its data and its computed tables.

The reader finds every block through the workbook's own named ranges
(``est_eps_fy1``, ``set_scheme``, ``hist_close``...), asked of the template's
:class:`~xlmodels.template.locator.Locator`, never through fixed cell
positions nor through headers, so it reads a workbook whose rows were sorted
or whose columns sit elsewhere in another template version. Values are the cells'
stored values (for formulas, the cached results), read with python-calamine;
the names and the sheet list come from the workbook part, read once by the
safety checks (:mod:`xlmodels.excel.ooxml.package`).

Anything that cannot be read (a missing sheet or name, text in a number
input, an unreadable date, a code listed twice) or that breaks an analyst
input's rule in the spec (a target multiple of 0, a rating the scheme does
not have) is an :class:`~xlmodels.errors.InputError` naming the file, the
sheet and the cell.
This module serves the reports, the validator and regeneration; the writer
never reads a workbook to compute.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

import numpy as np
import pandas as pd
from defusedxml import ElementTree
from defusedxml.common import EntitiesForbidden, ExternalReferenceForbidden
from openpyxl.formula.translate import Translator
from python_calamine import CalamineError, CalamineWorkbook

from xlmodels.core.markers import NM
from xlmodels.core.ratings import DEFAULT_SCHEME, SchemeError, load_scheme
from xlmodels.errors import InputError
from xlmodels.excel.cells import from_excel_serial, is_blank
from xlmodels.excel.numbers import out_of_range
from xlmodels.excel.ooxml.guard import GuardedWorkbook, guard_bytes, read_guarded
from xlmodels.excel.references import cell_name, column_number, parse_reference
from xlmodels.template.locator import GridCells, Locator, Missing
from xlmodels.template.names import (
    ESTIMATES_SHEET,
    HIST_CLOSE,
    HIST_CLOSE_CODES,
    HIST_DATE,
    HIST_PE,
    HIST_PE_CODES,
    MARKET_SHEET,
    SET_BENCH_ER,
    SET_BENCH_ER_MARKET,
)
from xlmodels.template.schema import DType, Kind, TableSheet, WorkbookSpec, choice_values
from xlmodels.template.v2 import SPEC

__all__ = [
    "AnalystInputs",
    "CellContent",
    "NamedRange",
    "WorkbookData",
    "named_range",
    "read_cells",
    "read_workbook",
]


@dataclass(frozen=True)
class NamedRange:
    """A workbook-level name pointing at a block of one sheet (1-based, inclusive)."""

    name: str
    sheet: str
    first_row: int
    first_column: int
    last_row: int
    last_column: int

    def cell(self, row_offset: int = 0, column_offset: int = 0) -> str:
        """A1 reference of a cell of the block, counted from its top-left corner."""
        return cell_name(self.first_row + row_offset, self.first_column + column_offset)


@dataclass(frozen=True)
class CellContent:
    """A cell as stored: its value (the cached result for a formula) and its formula."""

    value: Any
    formula: str | None = None


@dataclass(frozen=True)
class AnalystInputs:
    """What analysts typed in a workbook: the inputs regeneration carries over.

    Attributes
    ----------
    estimates : DataFrame
        Indexed by code: every ``input`` column of the Estimates sheet
        (:data:`~xlmodels.domain.model.ESTIMATE_COLUMNS` in this template).
    settings : dict
        Every ``input`` setting by key (``fy1_year``, ``scheme``...).
    benchmark_expected_returns : dict
        Market -> expected return of its benchmark (the Settings block).
    """

    estimates: pd.DataFrame
    settings: dict[str, Any]
    benchmark_expected_returns: dict[str, float]


@dataclass(frozen=True)
class WorkbookData:
    """Everything read from a coverage workbook.

    ``tables`` holds each table sheet as a frame indexed by code with the
    spec's column keys: numbers as floats (NaN where blank, the NM marker
    where the cell shows "NM"), dates as dates, text as text.
    """

    file: Path | None
    sheet_names: list[str]
    settings: dict[str, Any]
    analyst: AnalystInputs
    tables: dict[str, pd.DataFrame]
    history: pd.DataFrame | None
    names: dict[str, NamedRange] = field(default_factory=dict)

    @property
    def template_version(self) -> int | None:
        value = self.settings.get("template_version")
        return None if value is None else int(value)

    @property
    def formula_mode(self) -> str | None:
        mode: str | None = self.settings.get("formula_mode")
        return mode

    @property
    def lang(self) -> str | None:
        lang: str | None = self.settings.get("lang")
        return lang

    @property
    def universe(self) -> pd.DataFrame:
        """The companies as the Market sheet lists them."""
        market = self.tables[MARKET_SHEET]
        keep = ["name", "market", "price_currency", "eps_currency", "benchmark"]
        return market[[c for c in keep if c in market.columns]].copy()

    @property
    def market(self) -> pd.DataFrame:
        """Closes, price dates, shares (mn) and FX by code, as the Market sheet holds them."""
        market = self.tables[MARKET_SHEET]
        keep = ["close", "price_date", "shares_mn", "fx"]
        return market[[c for c in keep if c in market.columns]].copy()


def named_range(name: str, text: str) -> NamedRange | None:
    """The block a defined name's text refers to, or None if it is not one sheet's range.

    The text is read by :func:`xlmodels.excel.references.parse_reference`;
    a reference without a sheet (a formula's, not a name's) is no block here.

    >>> named_range("est_eps_fy1", "'Estimates'!$E$5:$E$9")
    NamedRange(name='est_eps_fy1', sheet='Estimates', first_row=5, first_column=5, \
last_row=9, last_column=5)
    >>> named_range("rate", "0.05") is None, named_range("cell", "$B$2") is None
    (True, True)
    """
    block = parse_reference(text)
    if block is None or block.sheet is None:
        return None
    return NamedRange(
        name, block.sheet, block.first_row, block.first_column, block.last_row, block.last_column
    )


# ------------------------------------------------------------------ opening
#: What the readers accept: a path, a binary buffer, or a workbook already checked.
Source = str | Path | IO[bytes] | GuardedWorkbook


def _guarded(source: Source) -> GuardedWorkbook:
    """The source's bytes, through the checks every command applies before parsing."""
    if isinstance(source, GuardedWorkbook):
        return source
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"no such workbook: {path}")
        return read_guarded(path)
    # A buffer holds a whole workbook: read it from its start, then leave it as it was.
    if not source.seekable():
        return guard_bytes(source.read())
    position = source.tell()
    source.seek(0)
    data = source.read()
    source.seek(position)
    return guard_bytes(data)


def _names(guarded: GuardedWorkbook) -> tuple[list[str], dict[str, NamedRange]]:
    """The sheet names in tab order and the workbook-level names that are one sheet's block."""
    names: dict[str, NamedRange] = {}
    for name, defined in guarded.part.workbook_names().items():
        block = named_range(name, defined.text)
        if block is not None:
            names[name] = block
    return guarded.part.sheet_names, names


class _Values:
    """Cell values of a workbook, sheet by sheet, read once with python-calamine."""

    def __init__(self, data: bytes, file: Path | None) -> None:
        self.file = file
        try:
            self._workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except (CalamineError, OSError, ValueError) as error:
            raise InputError(f"cannot read the workbook's cells ({error})", file=file) from None
        self._sheets: dict[str, list[list[Any]]] = {}

    def sheet(self, name: str) -> list[list[Any]]:
        if name not in self._sheets:
            if name not in self._workbook.sheet_names:
                raise InputError(f"the workbook has no sheet {name!r}", file=self.file, sheet=name)
            sheet = self._workbook.get_sheet_by_name(name)
            self._sheets[name] = sheet.to_python(skip_empty_area=False)
        return self._sheets[name]

    def block(self, block: NamedRange) -> list[list[Any]]:
        rows = self.sheet(block.sheet)
        out = []
        for row in range(block.first_row - 1, block.last_row):
            cells = rows[row] if row < len(rows) else []
            out.append(
                [
                    cells[column] if column < len(cells) else ""
                    for column in range(block.first_column - 1, block.last_column)
                ]
            )
        return out

    def column(self, block: NamedRange) -> list[Any]:
        return [row[0] for row in self.block(block)]


# ----------------------------------------------------------------- conversion
def _convert(
    value: Any, dtype: DType, *, file: Path | None, sheet: str, cell: str, what: str
) -> Any:
    """A stored value as the spec's type; None where blank, NM where the cell shows NM."""
    if is_blank(value):
        return None
    if isinstance(value, str) and value.strip() == "NM" and dtype in (DType.NUMBER, DType.INTEGER):
        return NM
    if dtype in (DType.NUMBER, DType.INTEGER):
        if isinstance(value, bool):
            raise InputError(
                f"{what} must be a number, got {value!r}", file=file, sheet=sheet, cell=cell
            )
        if isinstance(value, dt.datetime | dt.date):
            raise InputError(
                f"{what} must be a number, got a date", file=file, sheet=sheet, cell=cell
            )
        if isinstance(value, int | float):
            return float(value)
        try:
            number = float(str(value).replace(",", "").strip())
        except ValueError:
            raise InputError(
                f"{what} must be a number, got {value!r}", file=file, sheet=sheet, cell=cell
            ) from None
        if not math.isfinite(number):
            raise InputError(
                f"{what} must be a number, got {value!r}", file=file, sheet=sheet, cell=cell
            )
        return number
    if dtype is DType.DATE:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return from_excel_serial(float(value)).date()
            except ValueError as error:
                raise InputError(
                    f"{what} is no date: {error}", file=file, sheet=sheet, cell=cell
                ) from None
        try:
            return dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise InputError(
                f"{what} must be a date, got {value!r}", file=file, sheet=sheet, cell=cell
            ) from None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


# The reader takes a block only from the workbook's own names: an analyst's
# input read from a column guessed by its header could land on the wrong
# company or year, so a name that is missing is an error (or, reading an older
# template, an absent column), never a guess.
def _named(locator: Locator[NamedRange], name: str) -> NamedRange | None:
    found = locator.named(name)
    return None if isinstance(found, Missing) else found


def _require(locator: Locator[NamedRange], name: str, file: Path | None) -> NamedRange:
    found = locator.named(name)
    if isinstance(found, Missing):
        raise InputError(found.message(), file=file)
    return found


def _table(
    spec: TableSheet, values: _Values, locator: Locator[NamedRange], strict: bool
) -> pd.DataFrame:
    file = values.file
    code_range = _require(locator, spec.range_name("code"), file)
    codes = values.column(code_range)
    keep = [i for i, code in enumerate(codes) if not is_blank(code)]
    index: list[str] = []
    seen: dict[str, str] = {}
    for i in keep:
        code = str(codes[i]).strip()
        cell = code_range.cell(i)
        if code in seen:
            raise InputError(
                f"code {code} appears twice (also in {seen[code]})",
                file=file,
                sheet=code_range.sheet,
                cell=cell,
            )
        seen[code] = cell
        index.append(code)
    columns: dict[str, list[Any]] = {}
    for column in spec.columns:
        if column.key == "code":
            continue
        name = spec.range_name(column.key)
        if not strict and _named(locator, name) is None:
            continue
        block = _require(locator, name, file)
        cells = values.column(block)
        what = f"{column.header('en', _PLACEHOLDERS)} ({column.key})"
        columns[column.key] = [
            _convert(
                cells[i] if i < len(cells) else None,
                column.dtype,
                file=file,
                sheet=block.sheet,
                cell=block.cell(i),
                what=what,
            )
            for i in keep
        ]
    frame = pd.DataFrame(columns, index=pd.Index(index, name="code"), dtype=object)
    for column in spec.columns:
        if column.key in frame.columns and column.dtype in (DType.NUMBER, DType.INTEGER):
            frame[column.key] = np.array(
                [np.nan if v is None else float(v) for v in frame[column.key]], dtype=np.float64
            )
    return frame


#: Stand-ins for header placeholders in messages ("EPS FY1 (EPS ccy)").
_PLACEHOLDERS = {
    "fy1": "FY1",
    "fy2": "FY2",
    "fy3": "FY3",
    "price_ccy": "price ccy",
    "eps_ccy": "EPS ccy",
}


def _check_inputs(
    sheet: TableSheet,
    frame: pd.DataFrame,
    values: _Values,
    locator: Locator[NamedRange],
    settings: dict[str, Any],
) -> None:
    """Refuse analyst inputs no computation can use, naming the cell.

    A readable cell can still hold what the template's own rules forbid (its
    data validation is easily pasted over): a number no spreadsheet can
    hold (a file written by another program), a target multiple of 0 or less,
    an EPS basis or target year off the list, a rating the workbook's scheme
    does not have. Reports and regeneration would fail on them deep inside a
    computation; here the analyst learns which cell to fix.
    """
    code_range = _named(locator, sheet.range_name("code"))
    if code_range is None or frame.empty:
        return
    offsets = {
        str(code).strip(): i
        for i, code in enumerate(values.column(code_range))
        if not is_blank(code)
    }
    ratings: set[str] | None = None
    with contextlib.suppress(SchemeError, KeyError, TypeError):
        scheme = load_scheme(str(settings.get("scheme") or DEFAULT_SCHEME))
        ratings = {label for lang in ("zh", "en") for label in scheme.labels(lang)}
    for column in sheet.columns_of(Kind.INPUT):
        block = _named(locator, sheet.range_name(column.key))
        if block is None or column.key not in frame.columns:
            continue
        what = f"{column.header('en', _PLACEHOLDERS)} ({column.key})"
        if column.choices == "rating":
            accepted = ratings
        elif column.choices is not None:
            accepted = set(choice_values(column.choices, lang="en", scheme=DEFAULT_SCHEME))
        else:
            accepted = None
        folded = None if accepted is None else {a.casefold(): a for a in accepted}
        for code, value in frame[column.key].items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            problem = None
            if isinstance(value, float) and (beyond := out_of_range(value)) is not None:
                problem = f"is {beyond}"
            elif column.positive and isinstance(value, float) and value <= 0:
                problem = f"must be greater than 0, got {value:g}"
            elif folded is not None and str(value).strip().casefold() not in folded:
                problem = f"is {value!r}; use one of {', '.join(sorted(folded.values()))}"
            if problem:
                raise InputError(
                    f"{what} of {code} {problem}",
                    file=values.file,
                    sheet=block.sheet,
                    cell=block.cell(offsets[str(code)]),
                )


def _settings(
    spec: WorkbookSpec, values: _Values, locator: Locator[NamedRange], strict: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in spec.settings.settings:
        if not strict and _named(locator, item.name) is None:
            continue
        block = _require(locator, item.name, values.file)
        value = values.block(block)[0][0]
        out[item.key] = _convert(
            value,
            item.dtype,
            file=values.file,
            sheet=block.sheet,
            cell=block.cell(),
            what=f"setting {item.labels['en']} ({item.key})",
        )
        if item.dtype is DType.INTEGER and isinstance(out[item.key], float):
            number = out[item.key]
            if not number.is_integer():
                raise InputError(
                    f"setting {item.key} must be a whole number, got {number:g}",
                    file=values.file,
                    sheet=block.sheet,
                    cell=block.cell(),
                )
            out[item.key] = int(number)
    return out


def _benchmarks(values: _Values, locator: Locator[NamedRange], strict: bool) -> dict[str, float]:
    if not strict and (
        _named(locator, SET_BENCH_ER_MARKET) is None or _named(locator, SET_BENCH_ER) is None
    ):
        return {}
    markets_range = _require(locator, SET_BENCH_ER_MARKET, values.file)
    returns_range = _require(locator, SET_BENCH_ER, values.file)
    markets, returns = values.column(markets_range), values.column(returns_range)
    out: dict[str, float] = {}
    for i, market in enumerate(markets):
        if is_blank(market):
            continue
        value = _convert(
            returns[i] if i < len(returns) else None,
            DType.NUMBER,
            file=values.file,
            sheet=returns_range.sheet,
            cell=returns_range.cell(i),
            what=f"expected return of the {market} benchmark",
        )
        beyond = out_of_range(value) if isinstance(value, float) and value == value else None
        if beyond is not None:
            raise InputError(
                f"expected return of the {market} benchmark is {beyond}",
                file=values.file,
                sheet=returns_range.sheet,
                cell=returns_range.cell(i),
            )
        out[str(market)] = 0.0 if value is None else float(value)
    return out


def _sheet_cells(values: _Values, sheet_names: list[str]) -> Callable[[str], GridCells | None]:
    """The locator's view of the workbook's sheets: their cells, read when first asked for."""

    def cells(title: str) -> GridCells | None:
        return GridCells(values.sheet(title)) if title in sheet_names else None

    return cells


def _history(values: _Values, locator: Locator[NamedRange]) -> pd.DataFrame | None:
    needed = (HIST_DATE, HIST_CLOSE, HIST_CLOSE_CODES, HIST_PE, HIST_PE_CODES)
    found = {name: _named(locator, name) for name in needed}
    names = {name: block for name, block in found.items() if block is not None}
    if len(names) < len(needed):
        return None
    date_range = names[HIST_DATE]
    dates = [
        _convert(
            value,
            DType.DATE,
            file=values.file,
            sheet=date_range.sheet,
            cell=date_range.cell(i),
            what="history date",
        )
        for i, value in enumerate(values.column(date_range))
    ]
    parts = []
    for field_name, block_name, codes_name in (
        ("close", HIST_CLOSE, HIST_CLOSE_CODES),
        ("pe_ttm", HIST_PE, HIST_PE_CODES),
    ):
        codes = values.block(names[codes_name])[0]
        block = names[block_name]
        cells = values.block(block)
        for j, code in enumerate(codes):
            if is_blank(code):
                continue
            series = []
            for i, day in enumerate(dates):
                value = cells[i][j] if i < len(cells) else ""
                if day is None or is_blank(value):
                    continue
                number = _convert(
                    value,
                    DType.NUMBER,
                    file=values.file,
                    sheet=block.sheet,
                    cell=block.cell(i, j),
                    what=f"{field_name} of {code}",
                )
                series.append((day, str(code), number))
            if series:
                part = pd.DataFrame(series, columns=["date", "code", field_name])
                parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["date", "code", "close", "pe_ttm"])
    joined = pd.concat(parts, ignore_index=True)
    frame = (
        joined.groupby(["date", "code"], as_index=False, sort=True)
        .agg({c: "last" for c in ("close", "pe_ttm") if c in joined.columns})
        .reindex(columns=["date", "code", "close", "pe_ttm"])
    )
    frame["date"] = pd.to_datetime(frame["date"])
    frame[["close", "pe_ttm"]] = frame[["close", "pe_ttm"]].astype(float)
    return frame


def read_workbook(
    source: Source, *, spec: WorkbookSpec = SPEC, strict: bool = True
) -> WorkbookData:
    """Read a coverage workbook written by :func:`~xlmodels.workbook.write_workbook`.

    Parameters
    ----------
    source : path, binary file object or GuardedWorkbook
        Checked against the safety limits first
        (:func:`~xlmodels.excel.ooxml.guard.read_guarded`) unless already checked.
    spec : WorkbookSpec
        The template the workbook follows (the current one by default).
    strict : bool, default True
        Whether every name of ``spec`` must exist. Regeneration reading an
        older template passes False: a column the workbook lacks is absent
        from the result instead of an error.

    Raises
    ------
    InputError
        Naming the sheet and cell of anything unreadable, or the limit a
        hostile or damaged file breaks.
    FileNotFoundError

    Examples
    --------
    >>> import io
    >>> from xlmodels.sources import sample
    >>> from xlmodels.workbook import write_workbook
    >>> buffer = io.BytesIO()
    >>> _ = write_workbook(buffer, sample.load_inputs())
    >>> data = read_workbook(buffer)
    >>> float(data.analyst.estimates.loc["0700.HK", "target_multiple"]), data.formula_mode
    (20.0, 'sq')
    >>> round(float(data.tables["Coverage"].loc["0700.HK", "pe_fy1"]), 2)
    15.43
    """
    guarded = _guarded(source)
    file, data = guarded.file, guarded.data
    sheet_names, names = _names(guarded)
    values = _Values(data, file)
    locator = Locator(spec, names.get, _sheet_cells(values, sheet_names))
    tables = {
        sheet.name: _table(sheet, values, locator, strict)
        for sheet in spec.table_sheets()
        if strict or _named(locator, sheet.range_name("code")) is not None
    }
    settings = _settings(spec, values, locator, strict)
    estimates_spec = spec.sheet(ESTIMATES_SHEET)
    if estimates_spec.name in tables:
        _check_inputs(estimates_spec, tables[estimates_spec.name], values, locator, settings)
    input_keys = [c.key for c in estimates_spec.columns_of(Kind.INPUT)]
    estimates = tables.get(estimates_spec.name, pd.DataFrame())
    analyst = AnalystInputs(
        estimates=estimates[[k for k in input_keys if k in estimates.columns]].copy(),
        settings={
            item.key: settings[item.key]
            for item in spec.settings.settings
            if item.kind is Kind.INPUT and item.key in settings
        },
        benchmark_expected_returns=_benchmarks(values, locator, strict),
    )
    return WorkbookData(
        file=file,
        sheet_names=sheet_names,
        settings=settings,
        analyst=analyst,
        tables=tables,
        history=_history(values, locator),
        names=names,
    )


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_REFERENCE = re.compile(r"^([A-Z]+)(\d+)$")


#: Element names as expat reports them with ``namespace_separator="}"``.
_EXPAT_ROW = f"{_MAIN[1:]}row"
_EXPAT_CELL = f"{_MAIN[1:]}c"
_EXPAT_FORMULA = f"{_MAIN[1:]}f"
_EXPAT_VALUE = f"{_MAIN[1:]}v"
_EXPAT_INLINE = f"{_MAIN[1:]}is"
#: Bytes of a sheet's XML handed to the parser at a time.
_CHUNK = 1 << 16


def _refuse_entities(name: str, *_: object) -> None:
    raise EntitiesForbidden(name, None, "", "", None, None)


def _refuse_external(
    context: str, base: str | None, system_id: str | None, public_id: str | None
) -> int:
    raise ExternalReferenceForbidden(context, base, system_id, public_id)


class _CellScanner:
    """Expat handlers that note each cell's position, first formula and whether it holds something.

    Element objects are never built: a sheet of a hundred thousand cells is
    scanned several times faster than through ElementTree, with what
    defusedxml refuses (entity declarations, external references) refused.
    """

    def __init__(self) -> None:
        self.found: list[tuple[int, int, str | None]] = []
        self.shared: dict[str, Translator] = {}
        self.row_number = 0
        self.column_number = 0
        self.depth = 0  # of elements open inside the current cell; 0 outside one
        self.reference = ""
        self.type = ""
        self.formula_attributes: dict[str, str] | None = None
        self.formula_text: list[str] = []
        self.formula_closed = True  # its text ends at its first child, as ElementTree's .text
        self.value_text: list[str] | None = None
        self.in_value = False
        self.inline = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self.depth:
            self.depth += 1
            if self.depth == 2 and name == _EXPAT_FORMULA and self.formula_attributes is None:
                self.formula_attributes = attributes
                self.formula_closed = False
            elif self.depth == 2 and name == _EXPAT_VALUE and self.value_text is None:
                self.value_text = []
                self.in_value = True
            elif self.depth == 2 and name == _EXPAT_INLINE:
                self.inline = True
            else:
                self.formula_closed = True
                self.in_value = False
        elif name == _EXPAT_CELL:
            self.depth = 1
            self.reference = attributes.get("r") or ""
            self.type = attributes.get("t", "")
            self.formula_attributes = None
            self.formula_text = []
            self.formula_closed = True
            self.value_text = None
            self.in_value = False
            self.inline = False
        elif name == _EXPAT_ROW:  # a row, like a cell, may leave its position implied
            number = attributes.get("r")
            self.row_number = int(number) if number and number.isdigit() else self.row_number + 1
            self.column_number = 0

    def text(self, data: str) -> None:
        if not self.formula_closed:
            self.formula_text.append(data)
        elif self.in_value:
            assert self.value_text is not None
            self.value_text.append(data)

    def end(self, name: str) -> None:
        if not self.depth:
            return
        self.depth -= 1
        if self.depth == 1:
            self.formula_closed = True
            self.in_value = False
        if self.depth:
            return
        found = _CELL_REFERENCE.match(self.reference)
        if found:
            row, column = int(found[2]), column_number(found[1])
        else:
            row, column = self.row_number, self.column_number + 1
        self.column_number = column
        formula: str | None = None
        if self.formula_attributes is not None:
            formula = "=" + "".join(self.formula_text)
            if self.formula_attributes.get("t") == "shared":
                index = self.formula_attributes.get("si", "")
                cell = cell_name(row, column)
                if index in self.shared:
                    formula = self.shared[index].translate_formula(cell)
                elif formula != "=":
                    self.shared[index] = Translator(formula, cell)
        elif self.type == "inlineStr":
            if not self.inline:
                return
        elif not self.value_text:  # no value, or an empty one
            return
        self.found.append((row, column, formula))


def _stored_cells(stream: IO[bytes]) -> Iterator[tuple[int, int, str | None]]:
    """(row, column, formula) of every cell holding something, as openpyxl counts them.

    A cell holds something when it has a formula, a stored value or an
    inline string; a cell with a style only does not. Formulas shared down
    a column (Excel and LibreOffice save them so) are translated to each
    cell, as openpyxl does.
    """
    scanner = _CellScanner()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True  # one text call per run of text, not one per line
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    parser.CharacterDataHandler = scanner.text
    parser.EntityDeclHandler = _refuse_entities
    parser.UnparsedEntityDeclHandler = _refuse_entities
    parser.ExternalEntityRefHandler = _refuse_external
    try:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
            yield from scanner.found
            scanner.found.clear()
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise ElementTree.ParseError(str(error)) from None
    yield from scanner.found


def read_cells(source: Source) -> dict[str, dict[str, CellContent]]:
    """Every non-empty cell of every sheet: its stored value and its formula.

    For comparing two workbooks cell by cell (is a committed example current,
    what would a regeneration change, was a formula edited or typed over).
    Values come from python-calamine (cached results for formulas); formulas
    are read from each sheet's XML as it streams by (defusedxml refuses
    entity tricks), several times faster than openpyxl's cell objects.
    """
    guarded = _guarded(source)
    file, data = guarded.file, guarded.data
    values = _Values(data, file)
    out: dict[str, dict[str, CellContent]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            for entry in guarded.part.worksheets():
                if entry.part is None:
                    raise KeyError(f"the sheet {entry.name!r} has no part")
                title, part = entry.name, entry.part
                rows = values.sheet(title)
                cells: dict[str, CellContent] = {}
                with package.open(part) as stream:
                    for row, column, formula in _stored_cells(stream):
                        r, c = row - 1, column - 1
                        value = rows[r][c] if r < len(rows) and c < len(rows[r]) else ""
                        cells[cell_name(row, column)] = CellContent(value, formula)
                out[title] = cells
    except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError) as error:
        raise InputError(f"not a readable .xlsx workbook ({error})", file=file) from None
    return out
