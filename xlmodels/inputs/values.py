"""Turning a column's cells into numbers, dates and text, with located errors.

Missing cells are empty or one of the vendors' placeholders (``--``, ``N/A``,
``#N/A ...``). Numbers may carry thousands separators. Dates are ISO
(``2024-11-29``), ``2024/11/29``, ``2024.11.29``, ``20241129``, optionally
followed by a midnight time, or real dates in an Excel file (a bare number
in an Excel date column is read as an Excel date serial). Anything else is
an :class:`~xlmodels.errors.InputError` naming the file, the row and the
column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import numpy.typing as npt

from xlmodels.excel_numbers import out_of_range
from xlmodels.fx import normalise_currency
from xlmodels.inputs.columns import ColumnMatch
from xlmodels.inputs.tables import RawTable

__all__ = [
    "MISSING_TEXTS",
    "is_missing_cell",
    "read_currencies",
    "read_dates",
    "read_numbers",
    "read_texts",
]

#: Cell texts that mean "no value".
MISSING_TEXTS = frozenset({"", "--", "—", "n/a", "na", "nan", "none", "null"})

_DATE_PATTERN = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def is_missing_cell(cell: Any) -> bool:
    """Whether a cell holds no value (empty, NaN or a vendor's placeholder)."""
    if cell is None:
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


def read_numbers(table: RawTable, match: ColumnMatch) -> npt.NDArray[np.float64]:
    """The column as floats (NaN where missing), scaled by its unit.

    Every bad cell of the column is named in the one error raised: text,
    a value below or at 0 where the field must be positive, and a number no
    spreadsheet can hold (beyond 9.99999999999999E+307, or closer to 0 than
    2.2250738585072E-308, before or after scaling).
    """
    cells = table.column(match.position)
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


def _parse_date(cell: Any) -> dt.date | None:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        # A date typed in Excel without a date format is its serial number.
        if 1 <= cell < 2958466 and float(cell).is_integer():
            return _EXCEL_EPOCH + dt.timedelta(days=int(cell))
        return None
    text = str(cell).strip()
    found = _DATE_PATTERN.match(text) or _COMPACT_DATE.match(text)
    if not found:
        return None
    try:
        return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def read_dates(table: RawTable, match: ColumnMatch) -> list[dt.date | None]:
    """The column as dates (None where missing)."""
    cells = table.column(match.position)
    seen: dict[Any, dt.date | None] = {}
    out: list[dt.date | None] = []
    problems = _Problems(table, match)
    for index, cell in enumerate(cells):
        if is_missing_cell(cell):
            out.append(None)
            continue
        key = (type(cell), cell)
        if key not in seen:
            seen[key] = _parse_date(cell)
        value = seen[key]
        if value is None:
            problems.add(index, f"expected a date such as 2024-11-29, got {cell!r}")
        out.append(value)
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


def read_texts(table: RawTable, match: ColumnMatch) -> list[str | None]:
    """The column as text (None where empty), never interpreted as a formula."""
    return [_text(cell) for cell in table.column(match.position)]


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
