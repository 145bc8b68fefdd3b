"""Cell values in plain words, and as the numbers and dates rules compute with."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from xlmodels.excel.cells import cell_text
from xlmodels.validate.loading import CellError

__all__ = ["as_date", "as_int", "as_number", "describe"]


def as_number(value: Any) -> float | None:
    """A cell's value as a float, or None for anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return None if math.isnan(number) else number


def as_int(value: Any) -> int | None:
    """A whole number (Excel stores 2 as 2.0), or None."""
    number = as_number(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def as_date(value: Any) -> dt.date | None:
    """A cell's value as a date, or None when it is not one."""
    if type(value) is dt.date:  # what calamine gives a date cell: History's column
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def describe(value: Any) -> str:
    """A value as a finding's sentence shows it: ``16.5``, ``'n/a'``, ``2024-11-29``, ``#REF!``.

    :func:`xlmodels.excel.cells.cell_text`, with text cut at 40 characters.
    """
    if isinstance(value, CellError):
        return value.code
    return cell_text(value, limit=40)
