"""Values as cells hold them: Excel date serials, cached formula results, text widths.

A formula's cached result is what the formula itself would show: a number,
the text ``"NM"`` where the core marks a result not meaningful, and ``""``
where an input is missing (every spec formula guards a blank input that way).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from xlmodels.core.markers import is_nm

__all__ = [
    "EXCEL_EPOCH",
    "cached_result",
    "display_width",
    "excel_fixed",
    "excel_serial",
    "from_excel_serial",
    "is_blank",
    "is_blank_value",
]

#: Day 0 of Excel's 1900 date system (serial 1 is 1900-01-01 after Excel's leap-year bug).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def excel_serial(value: dt.date | dt.datetime) -> float:
    """Excel's serial number of a date or datetime.

    >>> excel_serial(dt.date(2024, 11, 29))
    45625.0
    """
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - EXCEL_EPOCH
    return delta.days + delta.seconds / 86400


def from_excel_serial(serial: float) -> dt.date:
    """The date of an Excel serial number (time of day dropped).

    >>> from_excel_serial(45625)
    datetime.date(2024, 11, 29)
    """
    return (EXCEL_EPOCH + dt.timedelta(days=math.floor(serial))).date()


def is_blank(value: Any) -> bool:
    """Nothing typed: None, NaN, or text of spaces only."""
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def is_blank_value(value: Any) -> bool:
    """Missing: None, NaN (but not NM), NaT or pandas NA."""
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value)) and not is_nm(float(value))
    try:
        return bool(value != value)  # NaT and pandas NA are not equal to themselves
    except (TypeError, ValueError):
        return False


def cached_result(value: Any) -> float | str | bool:
    """The cached result of a formula cell for a value the core computed.

    >>> cached_result(15.43), cached_result(float("nan")), cached_result(dt.date(2024, 12, 2))
    (15.43, '', 45628.0)
    >>> from xlmodels import NM
    >>> cached_result(NM)
    'NM'
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float | np.floating):
        if is_nm(float(value)):
            return "NM"
        return "" if np.isnan(value) else float(value)
    if isinstance(value, int | np.integer):
        return float(value)
    if isinstance(value, dt.date):
        return excel_serial(value)
    if is_blank_value(value):
        return ""
    return str(value)


def excel_fixed(value: float, decimals: int, percent: bool = False) -> str:
    """``value`` formatted as Excel's ``TEXT(value, "0.00")`` (or ``"0.00%"``) shows it.

    Excel rounds half away from zero on the decimal digits it displays, not
    half to even on the binary value as Python's format does.

    >>> excel_fixed(0.125, 2), f"{0.125:.2f}", excel_fixed(0.0885, 2, percent=True)
    ('0.13', '0.12', '8.85%')
    """
    number = Decimal(repr(float(value)))
    if percent:
        number *= 100
    text = str(number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    if text.startswith("-") and Decimal(text) == 0:
        text = text[1:]
    return text + ("%" if percent else "")


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: East Asian wide characters count twice.

    >>> display_width("Tencent"), display_width("腾讯控股"), display_width("PE（x）")
    (7, 8, 7)
    """
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
