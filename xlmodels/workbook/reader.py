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
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from xlmodels.core.markers import NM
from xlmodels.core.ratings import DEFAULT_SCHEME, SchemeError, load_scheme
from xlmodels.errors import InputError
from xlmodels.excel.cells import from_excel_serial, is_blank
from xlmodels.excel.numbers import out_of_range
from xlmodels.excel.ooxml.guard import GuardedWorkbook
from xlmodels.excel.references import cell_name, parse_reference
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
from xlmodels.template.v3 import SPEC
from xlmodels.workbook.stored_cells import SheetValues, Source, StoredWorkbook, guarded_source

__all__ = [
    "AnalystInputs",
    "NamedRange",
    "WorkbookData",
    "named_range",
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
def _names(guarded: GuardedWorkbook) -> tuple[list[str], dict[str, NamedRange]]:
    """The sheet names in tab order and the workbook-level names that are one sheet's block."""
    names: dict[str, NamedRange] = {}
    for name, defined in guarded.part.workbook_names().items():
        block = named_range(name, defined.text)
        if block is not None:
            names[name] = block
    return guarded.part.sheet_names, names


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
    spec: TableSheet,
    values: SheetValues,
    locator: Locator[NamedRange],
    strict: bool,
    frame: bool = True,
) -> pd.DataFrame | None:
    """The table sheet's rows by code, every cell converted to its column's type.

    ``frame=False`` checks every cell all the same, and returns None.
    """
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
        what = f"{column.label()} ({column.key})"
        converted: list[Any] = []
        for i in keep:
            try:
                value = _convert(
                    cells[i] if i < len(cells) else None,
                    column.dtype,
                    file=file,
                    sheet=block.sheet,
                    cell="",
                    what=what,
                )
            except InputError as error:
                # The cell is named only when there is something to say about it.
                raise InputError(
                    error.message, file=file, sheet=block.sheet, cell=block.cell(i)
                ) from None
            converted.append(value)
        columns[column.key] = converted
    return _frame(spec, columns, index) if frame else None


def _frame(spec: TableSheet, columns: dict[str, list[Any]], index: list[str]) -> pd.DataFrame:
    """The table's columns as one frame: numbers as floats (NaN where blank), the rest as objects.

    Each kind is one two-dimensional block, and the two are joined in the
    columns' order: a frame built column by column, or one replacing its
    columns' types one at a time, cost more than reading the cells.
    """
    numeric = {
        column.key for column in spec.columns if column.dtype in (DType.NUMBER, DType.INTEGER)
    }
    number_keys = [key for key in columns if key in numeric]
    object_keys = [key for key in columns if key not in numeric]
    code_index = pd.Index(index, name="code")
    numbers = np.full((len(index), len(number_keys)), np.nan)
    for j, key in enumerate(number_keys):
        numbers[:, j] = [np.nan if v is None else float(v) for v in columns[key]]
    objects = np.empty((len(index), len(object_keys)), dtype=object)
    for j, key in enumerate(object_keys):
        objects[:, j] = columns[key]
    frames = [
        # Objects stay objects: a column of text must not become a string dtype.
        pd.DataFrame(objects, index=code_index, columns=pd.Index(object_keys), dtype=object),
        pd.DataFrame(numbers, index=code_index, columns=pd.Index(number_keys)),
    ]
    kept = [frame for frame in frames if len(frame.columns)]
    if len(kept) == 1:
        return kept[0]
    if not kept:
        return frames[0]
    joined = [*object_keys, *number_keys]
    position = {key: j for j, key in enumerate(joined)}
    return pd.concat(kept, axis=1).take([position[key] for key in columns], axis=1)


def _check_inputs(
    sheet: TableSheet,
    frame: pd.DataFrame,
    values: SheetValues,
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
        what = f"{column.label()} ({column.key})"
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
    spec: WorkbookSpec, values: SheetValues, locator: Locator[NamedRange], strict: bool
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


def _benchmarks(
    values: SheetValues, locator: Locator[NamedRange], strict: bool
) -> dict[str, float]:
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


def _sheet_cells(values: SheetValues, sheet_names: list[str]) -> Callable[[str], GridCells | None]:
    """The locator's view of the workbook's sheets: their cells, read when first asked for."""

    def cells(title: str) -> GridCells | None:
        return GridCells(values.sheet(title)) if title in sheet_names else None

    return cells


_FLOAT_TYPE = np.frompyfunc(type, 1, 1)


def _history_block(
    values: SheetValues,
    block: NamedRange,
    dated: npt.NDArray[np.bool_],
    codes: list[Any],
    field_name: str,
) -> tuple[list[str], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """One History block as (codes, numbers by date and code, which cells hold a number).

    Whole columns are checked at once: a block of plain numbers (every cell
    the writer wrote) is converted by numpy; only a cell holding anything
    else (text, a date, a boolean, "NM") goes through the typed conversion,
    which names its cell when it refuses it.
    """
    kept = [j for j, code in enumerate(codes) if not is_blank(code)]
    rows = len(dated)
    grid = np.empty((rows, len(codes)), dtype=object)
    grid[:] = ""
    cells = values.block(block)
    if cells and codes:
        grid[: len(cells)] = np.array(cells, dtype=object).reshape(len(cells), len(codes))
    grid = grid[:, kept]
    numbers = np.full(grid.shape, np.nan)
    is_float = _FLOAT_TYPE(grid) == float  # noqa: E721 (numpy compares each cell's type)
    is_float &= dated[:, None]
    numbers[is_float] = grid[is_float].astype(np.float64)
    present = is_float.copy()
    others = ~is_float & dated[:, None] & (grid != "")
    for i, k in zip(*np.nonzero(others), strict=True):
        value = grid[i, k]
        if is_blank(value):
            continue
        number = _convert(
            value,
            DType.NUMBER,
            file=values.file,
            sheet=block.sheet,
            cell=block.cell(int(i), kept[k]),
            what=f"{field_name} of {codes[kept[k]]}",
        )
        numbers[i, k] = number
        present[i, k] = True
    return [str(codes[j]) for j in kept], numbers, present


def _history(values: SheetValues, locator: Locator[NamedRange]) -> pd.DataFrame | None:
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
    dated = np.array([day is not None for day in dates], dtype=bool)
    parts = []
    for field_name, block_name, codes_name in (
        ("close", HIST_CLOSE, HIST_CLOSE_CODES),
        ("pe_ttm", HIST_PE, HIST_PE_CODES),
    ):
        codes = values.block(names[codes_name])[0]
        block_codes, numbers, present = _history_block(
            values, names[block_name], dated, codes, field_name
        )
        # Long form, code by code and date by date within a code, as the
        # cells are read: where a code or date repeats, the last value counts.
        columns, days = np.nonzero(present.T)
        if not len(days):
            continue
        parts.append(
            pd.DataFrame(
                {
                    "date": np.array(dates, dtype=object)[days],
                    "code": np.array(block_codes, dtype=object)[columns],
                    field_name: numbers.T[present.T],
                }
            )
        )
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
    source: Source,
    *,
    spec: WorkbookSpec = SPEC,
    strict: bool = True,
    history: bool = True,
    tables: Collection[str] | None = None,
) -> WorkbookData:
    """Read a coverage workbook written by :func:`~xlmodels.workbook.write_workbook`.

    Parameters
    ----------
    source : path, binary file object, GuardedWorkbook or StoredWorkbook
        Checked against the safety limits first
        (:func:`~xlmodels.excel.ooxml.guard.read_guarded`) unless already checked;
        a :class:`~xlmodels.workbook.stored_cells.StoredWorkbook` shares its
        one parse of the cells with the other readers of the same workbook.
    spec : WorkbookSpec
        The template the workbook follows (the current one by default).
    strict : bool, default True
        Whether every name of ``spec`` must exist. Regeneration reading an
        older template passes False: a column the workbook lacks is absent
        from the result instead of an error.
    history : bool, default True
        Whether to read the History sheet into :attr:`WorkbookData.history`;
        a regeneration given a history file replaces it unread (None then).
    tables : collection of str, optional
        The table sheets :attr:`WorkbookData.tables` holds, by name; all by
        default. The cells of every table sheet are read and checked all
        the same: a workbook is refused for the same cell whichever it asks
        for (regeneration, which carries only the analyst inputs, asks for
        the Estimates sheet alone).

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
    guarded = guarded_source(source)
    sheet_names, names = _names(guarded)
    values = (
        source.sheet_values
        if isinstance(source, StoredWorkbook)
        else SheetValues(guarded.data, guarded.file)
    )
    file = guarded.file
    locator = Locator(spec, names.get, _sheet_cells(values, sheet_names))
    estimates_spec = spec.sheet(ESTIMATES_SHEET)
    frames: dict[str, pd.DataFrame] = {}
    for sheet in spec.table_sheets():
        if strict or _named(locator, sheet.range_name("code")) is not None:
            # The analyst inputs come from the Estimates, whether it is asked for or not.
            wanted = tables is None or sheet.name in (*tables, estimates_spec.name)
            frame = _table(sheet, values, locator, strict, frame=wanted)
            if frame is not None:
                frames[sheet.name] = frame
    settings = _settings(spec, values, locator, strict)
    if estimates_spec.name in frames:
        _check_inputs(estimates_spec, frames[estimates_spec.name], values, locator, settings)
    input_keys = [c.key for c in estimates_spec.columns_of(Kind.INPUT)]
    estimates = frames.get(estimates_spec.name, pd.DataFrame())
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
        tables={name: frame for name, frame in frames.items() if tables is None or name in tables},
        history=_history(values, locator) if history else None,
        names=names,
    )
