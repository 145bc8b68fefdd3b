"""Turning a column's cells into numbers, dates and text, with located errors.

Missing cells are empty or one of the vendors' placeholders (``--``, ``N/A``,
``#N/A ...``). Numbers may carry thousands separators. Dates are ISO
(``2024-11-29``), ``2024/11/29``, ``2024.11.29``, ``20241129``, each
optionally followed by a time of day (``2024-11-29 15:00:00``, the time
dropped), ``2024年11月29日``, ``29-Nov-2024`` (or ``29 Nov 2024``), the
month-first ``11/29/2024`` that Bloomberg and US Excel write, Excel date
serials (a bare whole number), or real dates in an Excel file.

Slash dates with the year last are read month first when the column shows
that order (a day above 12 in second place, ``11/29/2024``) or when told so
(``day_first=False``, ``--month-first``). A column whose every slash date
could be read both ways (``12/02/2024``: 2 December or 12 February) is
refused unless the order is given, since a guess would shift the report's
dates by months. A column that writes them day first (a day above 12 in
front, ``29/11/2024``) is refused with a message naming ``--day-first``;
with it (``day_first=True``) they are read day first, ``D/M/YYYY``, and a
month-first date is refused the same way.
Anything else is an :class:`~xlmodels.errors.InputError` naming the file,
the row and the column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from xlmodels.core.display import MONTH_NAMES
from xlmodels.core.fx import normalise_currency
from xlmodels.excel.cells import from_excel_serial, is_blank
from xlmodels.excel.numbers import LARGEST as _LARGEST
from xlmodels.excel.numbers import SMALLEST as _SMALLEST
from xlmodels.excel.numbers import out_of_range
from xlmodels.sources.columns import ColumnMatch
from xlmodels.sources.raw_tables import RawTable

__all__ = [
    "DAY_FIRST_OPTION",
    "MISSING_TEXTS",
    "MONTH_FIRST_OPTION",
    "is_missing_cell",
    "read_currencies",
    "read_date_codes",
    "read_dates",
    "read_numbers",
    "read_text_codes",
    "read_texts",
]

#: Cell texts that mean "no value".
MISSING_TEXTS = frozenset({"", "--", "—", "n/a", "na", "nan", "none", "null"})

#: A time of day after a date: dropped (a close is a close on its day).
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERN = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CHINESE_DATE = re.compile(rf"^(\d{{4}})\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日?{_TIME}$")
_SLASH_DATE = re.compile(rf"^(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_TIME}$")
_NAMED_MONTH = re.compile(rf"^(\d{{1,2}})[- ]([A-Za-z]{{3,9}})[- ,]+(\d{{4}}){_TIME}$")
_MONTHS = {name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, start=1)}
#: The option that makes slash dates read day first, named in messages.
DAY_FIRST_OPTION = "--day-first"
#: The option that makes slash dates read month first, named in messages.
MONTH_FIRST_OPTION = "--month-first"


def is_missing_cell(cell: Any) -> bool:
    """Whether a cell holds no value: blank, NaN or a vendor's placeholder (``n/a``, ``#N/A``).

    Blank is :func:`~xlmodels.excel.cells.is_blank`; an input file has no NM
    marker, so any NaN is missing here.
    """
    if is_blank(cell):
        return True
    if isinstance(cell, float):
        return math.isnan(cell)
    if isinstance(cell, str):
        text = cell.strip()
        return text.lower() in MISSING_TEXTS or text.upper().startswith("#N/A")
    return False


#: Bad cells of one column named in one message; the count covers the rest.
_LISTED = 8


class _Problems:
    """The bad cells of one column, reported together in one error.

    An analyst fixing an export wants every bad row of a column at once,
    not one per run; the error's ``row`` is the first of them.
    """

    def __init__(self, table: RawTable, match: ColumnMatch) -> None:
        self.table, self.match = table, match
        self.found: list[tuple[int, str]] = []

    def add(self, index: int, message: str) -> None:
        self.found.append((self.table.row_numbers[index], message))

    def raise_any(self) -> None:
        if not self.found:
            return
        first_row, first = self.found[0]
        if len(self.found) == 1:
            raise self.table.error(first, row=first_row, column=self.match.header)
        shown = "; ".join(f"row {row}: {message}" for row, message in self.found[:_LISTED])
        more = len(self.found) - _LISTED
        tail = f"; and {more} more rows" if more > 0 else ""
        raise self.table.error(
            f"{len(self.found)} rows of this column need fixing: {shown}{tail}",
            row=first_row,
            column=self.match.header,
        )


def _numbers(cells: Sequence[Any] | npt.NDArray[Any]) -> npt.NDArray[np.float64] | None:
    """The cells as floats at once, when every one is a number, NaN or number text; else None.

    Text is read by Python's ``float`` (the reading the cell-by-cell rule
    applies to clean numbers); anything else (an empty or placeholder
    cell, a thousands separator, a boolean) leaves the column to that rule.
    """
    if isinstance(cells, np.ndarray) and cells.dtype == np.float64:
        return cells
    array = np.asarray(cells, dtype=object)
    blank = array == ""
    if blank.any():
        array = array.copy()
        array[blank] = np.nan
    kind = pd.api.types.infer_dtype(array, skipna=False)
    if kind not in ("floating", "integer", "mixed-integer-float", "string"):
        return None
    try:
        return array.astype(np.float64)
    except (ValueError, TypeError, OverflowError):
        return None


def _within_limits(values: npt.NDArray[np.float64]) -> bool:
    """Whether every number (NaN aside) is one a spreadsheet holds: finite, within its range."""
    if not len(values):
        return True
    # fmin and fmax pass over NaN: two reductions, no copy, decide a column of one sign.
    low, high = np.fmin.reduce(values), np.fmax.reduce(values)
    if np.isinf(low) or np.isinf(high) or max(-low, high) > _LARGEST:
        return False
    if low > 0 or high < 0:
        return not min(abs(low), abs(high)) < _SMALLEST
    magnitude = np.abs(values)
    positive = np.where(magnitude > 0, magnitude, np.inf)
    return not np.fmin.reduce(positive, initial=np.inf) < _SMALLEST


def _clean_numbers(
    values: npt.NDArray[np.float64], match: ColumnMatch
) -> npt.NDArray[np.float64] | None:
    """The numbers scaled by the column's unit, or None if any breaks a rule of the column."""
    if len(values) == 0:
        return values.copy()
    if not _within_limits(values):
        return None
    if match.field.positive and np.fmin.reduce(values) <= 0:
        return None
    if match.multiplier != 1.0:
        scaled = values * match.multiplier
        return scaled if _within_limits(scaled) else None
    return values.copy()


def read_numbers(table: RawTable, match: ColumnMatch) -> npt.NDArray[np.float64]:
    """The column as floats (NaN where missing), scaled by its unit.

    Every bad cell of the column is named in the one error raised: text,
    a value below or at 0 where the field must be positive, and a number no
    spreadsheet can hold (beyond 9.99999999999999E+307, or closer to 0 than
    2.2250738585072E-308, before or after scaling). A column of clean
    numbers is read at once; any other is read cell by cell.
    """
    cells = table.column(match.position)
    numbers = _numbers(cells)
    if numbers is not None:
        clean = _clean_numbers(numbers, match)
        if clean is not None:
            return clean
    out = np.empty(len(cells), dtype=np.float64)
    problems = _Problems(table, match)
    for index, cell in enumerate(cells):
        value = math.nan
        if isinstance(cell, bool):
            problems.add(index, f"expected a number, got {cell!r}")
        elif isinstance(cell, int | float):
            value = float(cell)
        elif not is_missing_cell(cell):
            text = str(cell).strip().replace(",", "").replace(" ", "")
            try:
                value = float(text)
            except ValueError:
                problems.add(index, f"expected a number, got {cell!r}")
            else:
                if not math.isfinite(value):
                    problems.add(index, f"expected a number, got {cell!r}")
                    value = math.nan
        if value == value and (beyond := out_of_range(value)) is not None:
            problems.add(index, beyond)
            value = math.nan
        elif match.field.positive and value <= 0:
            problems.add(index, f"must be a number above 0, got {cell!r}")
        elif value == value and match.multiplier != 1.0:
            scaled = value * match.multiplier
            if (beyond := out_of_range(scaled)) is not None:
                unit = f"x{match.multiplier:g}"
                problems.add(index, f"{cell!r} in the column's unit ({unit}): {beyond}")
        out[index] = value
    problems.raise_any()
    if match.multiplier != 1.0:
        out *= match.multiplier
    return out


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _parse_date(cell: Any, day_first: bool | None = None) -> dt.date | str | None:
    """The cell's date; None when it is no date; a message when the slash order is wrong."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        # A date typed in Excel without a date format is its serial number.
        if 1 <= cell < 2958466 and float(cell).is_integer():
            return _serial_date(float(cell))
        return None
    text = str(cell).strip()
    found = _DATE_PATTERN.match(text) or _COMPACT_DATE.match(text) or _CHINESE_DATE.match(text)
    if found:
        return _date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    named = _NAMED_MONTH.match(text)
    if named:
        month = _MONTHS.get(named.group(2)[:3].lower())
        return None if month is None else _date(int(named.group(3)), month, int(named.group(1)))
    slash = _SLASH_DATE.match(text)
    if slash:
        first, second, year = (int(part) for part in slash.groups())
        month, day = (second, first) if day_first else (first, second)
        if month > 12 and day <= 12:
            if day_first:
                return (
                    f"{text!r} is month first (M/D/YYYY), but {DAY_FIRST_OPTION} reads "
                    "slash dates day first: leave that option out for this file"
                )
            return (
                f"{text!r} is day first (D/M/YYYY); slash dates are read month first "
                f"(M/D/YYYY) unless you set {DAY_FIRST_OPTION}"
            )
        return _date(year, month, day)
    if len(text) == 5 and text.isdigit():
        # A serial number saved as text (a CSV of Excel's values): five digits
        # are the days of 1927 to 2173; a shorter number is no date.
        return _serial_date(float(text))
    return None


def _serial_date(serial: float) -> dt.date | None:
    """The date of a whole Excel serial; None for 1900-02-29, which never was."""
    try:
        return from_excel_serial(serial).date()
    except ValueError:
        return None


def _spelled(text: str, day_first: bool) -> str:
    """A slash date read one way, spelt without ambiguity: ``2 December 2024``."""
    date = _parse_date(text, day_first)
    if not isinstance(date, dt.date):
        return repr(text)
    return f"{date.day} {MONTH_NAMES[date.month - 1]} {date.year}"


def _ambiguous_slash_date(cells: list[Any]) -> tuple[int, str] | None:
    """The first slash date that reads both ways, unless another shows the order.

    ``12/02/2024`` is 2 December or 12 February; ``11/29/2024`` (or
    ``29/11/2024``) settles the order for the whole column.
    """
    first_ambiguous: tuple[int, str] | None = None
    for index, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue
        slash = _SLASH_DATE.match(cell.strip())
        if slash is None:
            continue
        first, second = int(slash.group(1)), int(slash.group(2))
        if first > 12 or second > 12:
            return None  # the order shows (a wrong one is refused cell by cell)
        if first != second and first_ambiguous is None:
            readings = (_parse_date(cell, day_first=False), _parse_date(cell, day_first=True))
            if all(isinstance(reading, dt.date) for reading in readings):
                first_ambiguous = (index, cell.strip())  # else refused as no date
    return first_ambiguous


def _distinct_texts(
    cells: Sequence[Any] | npt.NDArray[Any],
) -> tuple[list[Any], npt.NDArray[np.intp]] | None:
    """The distinct cells of a column of text, in order of first appearance, and each cell's.

    None for a column holding anything but text (Excel's typed cells):
    ``1``, ``1.0`` and ``True`` are equal in Python but not the same cell.
    """
    array = np.asarray(cells, dtype=object)
    if len(array) == 0 or pd.api.types.infer_dtype(array, skipna=False) != "string":
        return None
    codes, uniques = pd.factorize(array)
    return list(uniques), codes


def read_date_codes(
    table: RawTable, match: ColumnMatch
) -> tuple[list[dt.date | None], npt.NDArray[np.intp]]:
    """The column's distinct dates and, for each cell, the position of its own among them.

    The same reading as :func:`read_dates`, each distinct text read once:
    a history of millions of rows holds a few thousand dates.
    """
    distinct = table.distinct(match.position)
    cells = table.column(match.position) if distinct is None else []
    distinct = distinct or _distinct_texts(cells)
    if distinct is None:
        dates = _read_dates(table, match, list(cells))
        return dates, np.arange(len(dates), dtype=np.intp)
    uniques, codes = distinct
    dates = _read_dates(table, match, uniques, codes)
    return dates, codes


def read_dates(table: RawTable, match: ColumnMatch) -> list[dt.date | None]:
    """The column as dates (None where missing).

    Slash dates are read as ``table.day_first`` says, or as the column shows
    when it says nothing (see the module docstring).
    """
    dates, codes = read_date_codes(table, match)
    return [dates[code] for code in codes]


#: A day written as ISO 8601 writes it, with nothing around: ``2024-11-29``.
_ISO_DAY = re.compile(r"[1-9]\d{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])")


def _iso_days(cells: list[Any]) -> list[dt.date | None] | None:
    """The cells as dates at once where every one is an ISO day that exists; else None.

    What :func:`_parse_date` reads them as (the pattern leaves it no other
    reading), for the column of a long history's thousands of dates; any
    other column, or a day that never was, is read cell by cell.
    """
    if not cells or not all(isinstance(cell, str) and _ISO_DAY.fullmatch(cell) for cell in cells):
        return None
    try:
        days: list[dt.date | None] = np.array(cells, dtype="datetime64[D]").tolist()
    except ValueError:  # 2023-02-29: refused, with its row, cell by cell
        return None
    return days


def _read_dates(
    table: RawTable,
    match: ColumnMatch,
    cells: list[Any],
    codes: npt.NDArray[np.intp] | None = None,
) -> list[dt.date | None]:
    """Each of ``cells`` as a date; ``codes`` maps the column's rows to them when they are distinct.

    Problems name the rows of the column: every row holding a bad cell.
    """

    def rows_of(index: int) -> list[int]:
        if codes is None:
            return [index]
        return [int(row) for row in np.flatnonzero(codes == index)]

    iso = _iso_days(cells)
    if iso is not None:
        return iso
    seen: dict[Any, dt.date | str | None] = {}
    out: list[dt.date | None] = []
    problems = _Problems(table, match)
    if table.day_first is None and _ambiguous_slash_date(cells) is not None:
        # The first ambiguous date by row: distinct cells in order of first appearance.
        order = list(range(len(cells))) if codes is None else [int(u) for u in pd.unique(codes)]
        ambiguous = _ambiguous_slash_date([cells[u] for u in order])
        assert ambiguous is not None
        position, text = ambiguous
        index = order[position]
        month_first, day_first = (_spelled(text, order) for order in (False, True))
        raise table.error(
            f"{text!r} is {month_first} read month first and {day_first} read day first, "
            f"and no date of the column shows which: set "
            f"{MONTH_FIRST_OPTION} (M/D/YYYY) or {DAY_FIRST_OPTION} (D/M/YYYY)",
            row=table.row_numbers[rows_of(index)[0]],
            column=match.header,
        )
    bad: list[tuple[int, str]] = []
    for index, cell in enumerate(cells):
        if is_missing_cell(cell):
            out.append(None)
            continue
        key = (type(cell), cell)
        if key not in seen:
            seen[key] = _parse_date(cell, table.day_first)
        value = seen[key]
        if isinstance(value, str):
            bad.extend((row, value) for row in rows_of(index))
            out.append(None)
            continue
        if value is None:
            message = (
                f"expected a date such as 2024-11-29, 2024/11/29, 2024年11月29日, "
                f"29-Nov-2024 or 11/29/2024, got {cell!r}"
            )
            bad.extend((row, message) for row in rows_of(index))
        out.append(value)
    for row, message in sorted(bad, key=lambda item: item[0]):
        problems.add(row, message)
    problems.raise_any()
    return out


def _text(cell: Any) -> str | None:
    # Text keeps words such as "NA" or "none"; only vendors' empty markers are missing.
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return None
    if isinstance(cell, str) and (cell.strip() == "--" or cell.strip().startswith("#N/A")):
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    text = str(cell).strip()
    return text or None


def read_text_codes(
    table: RawTable, match: ColumnMatch
) -> tuple[list[str | None], npt.NDArray[np.intp]]:
    """The column's distinct texts and, for each cell, the position of its own among them."""
    distinct = table.distinct(match.position)
    cells = table.column(match.position) if distinct is None else []
    distinct = distinct or _distinct_texts(cells)
    if distinct is None:
        return [_text(cell) for cell in cells], np.arange(len(cells), dtype=np.intp)
    uniques, codes = distinct
    return [_text(cell) for cell in uniques], codes


def read_texts(table: RawTable, match: ColumnMatch) -> list[str | None]:
    """The column as text (None where empty), never interpreted as a formula."""
    texts, codes = read_text_codes(table, match)
    return [texts[code] for code in codes]


def read_currencies(table: RawTable, match: ColumnMatch) -> list[str | None]:
    """The column as ISO currency codes (``人民币`` -> ``CNY``)."""
    out: list[str | None] = []
    problems = _Problems(table, match)
    for index, text in enumerate(read_texts(table, match)):
        if text is None:
            out.append(None)
            continue
        code = normalise_currency(text)
        if not re.fullmatch(r"[A-Z]{3}", code):
            problems.add(index, f"expected a currency code such as HKD, got {text!r}")
        out.append(code)
    problems.raise_any()
    return out
