"""Display formatting: the only place where numbers are rounded.

Functions return full precision; tables, sentences and cells format through
these helpers so that "NM", missing values and percentage points look the
same everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from xlmodels.core.markers import is_missing, is_nm

__all__ = [
    "CURRENCY_NAMES",
    "MISSING_TEXT",
    "MONTH_NAMES",
    "currency_label",
    "display_sign",
    "excel_number_format",
    "format_date",
    "format_multiple",
    "format_number",
    "format_percent",
    "format_points",
    "shows_as_missing",
]

#: English month names, independent of the process locale.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: How each currency is named in a header, by language.
CURRENCY_NAMES = {
    "zh": {"HKD": "港元", "USD": "美元", "CNY": "人民币"},
    "en": {"HKD": "HKD", "USD": "USD", "CNY": "CNY"},
}


#: What a missing value shows as in a text table.
MISSING_TEXT = "-"


def shows_as_missing(value: Any) -> bool:
    """Whether a figure prints as missing (``-``): it is missing, or an infinity.

    Missing is :func:`~xlmodels.core.markers.is_missing` (None, NaN, NaT, but
    not NM), the rule the Excel layer's blank cell builds on. An infinity
    from an overflow is no figure a reader can use either: it is shown as
    missing, never as ``inf``.

    >>> shows_as_missing(None), shows_as_missing(float("inf")), shows_as_missing(0.0)
    (True, True, False)
    >>> from xlmodels.core.markers import NM
    >>> shows_as_missing(NM), shows_as_missing(float("nan"))
    (False, True)
    """
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(math.isinf(value)) or bool(is_missing(value))
    if isinstance(value, str):
        return False
    try:
        return bool(is_missing(value))
    except (TypeError, ValueError):
        return False


def _unsigned_zero(value: float, decimals: int) -> float:
    """``value``, or 0.0 when it rounds to zero at ``decimals``.

    Python prints ``-0.0004`` at one decimal as ``-0.0``: a sign on a figure
    that reads as nothing, which a reader takes for a loss. A figure that
    rounds to zero prints as a plain 0.
    """
    return 0.0 if round(value, decimals) == 0 else value


def format_number(value: Any, decimals: int = 0, thousands: bool = True) -> str:
    """``3688428.0`` -> ``"3,688,428"``; NM -> ``"NM"``; missing -> ``"-"``.

    >>> format_number(3688427.99), format_number(15.43, 1), format_number(float("nan"))
    ('3,688,428', '15.4', '-')
    >>> format_number(-0.04, 1)
    '0.0'
    """
    if is_nm(value):
        return "NM"
    if shows_as_missing(value):
        return MISSING_TEXT
    shown = _unsigned_zero(float(value), decimals)
    return f"{shown:{',' if thousands else ''}.{decimals}f}"


def format_percent(value: Any, decimals: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: ``0.1674`` -> ``"16.7%"``.

    A figure that rounds to zero prints ``0.0%`` with no sign, even
    ``signed``: it is neither a gain nor a loss.

    >>> format_percent(0.1674), format_percent(-0.0324, signed=True)
    ('16.7%', '-3.2%')
    >>> format_percent(-0.0001), format_percent(0.0001, signed=True)
    ('0.0%', '0.0%')
    """
    if is_nm(value):
        return "NM"
    if shows_as_missing(value):
        return MISSING_TEXT
    shown = _unsigned_zero(float(value) * 100, decimals)
    sign = "+" if signed and shown != 0 else ""
    return f"{shown:{sign}.{decimals}f}%"


def format_points(value: Any, decimals: int = 1, unit: str = "pct") -> str:
    """A difference of fractions in percentage points: ``0.1998`` -> ``"20.0pct"``.

    The sign is kept; sentences that say "outperformed"/"underperformed"
    format the absolute value instead.

    >>> format_points(0.19985), format_points(-0.00106), format_points(-0.0004)
    ('20.0pct', '-0.1pct', '0.0pct')
    """
    if is_nm(value):
        return "NM"
    if shows_as_missing(value):
        return MISSING_TEXT
    return f"{_unsigned_zero(float(value) * 100, decimals):.{decimals}f}{unit}"


def format_multiple(value: Any, decimals: int = 2, suffix: str = "x") -> str:
    """A valuation multiple: ``20.589`` -> ``"20.59x"``.

    >>> format_multiple(20.589), format_multiple(15.43, 0)
    ('20.59x', '15x')
    """
    if is_nm(value):
        return "NM"
    if shows_as_missing(value):
        return MISSING_TEXT
    return f"{_unsigned_zero(float(value), decimals):.{decimals}f}{suffix}"


def display_sign(value: Any, decimals: int = 1, scale: float = 100.0) -> int:
    """The sign of a value *as it prints*: 1, -1, or 0 when it rounds to zero.

    A sentence must choose between "outperformed" and "underperformed" by
    the figure the reader sees: -0.0004 prints as 0.0pct, which is neither.
    ``scale`` is 100 for fractions printed as percentages or pct.

    >>> display_sign(-0.00106), display_sign(-0.0004), display_sign(0.19985)
    (-1, 0, 1)
    """
    if is_nm(value) or shows_as_missing(value):
        raise ValueError(f"a missing or NM value has no sign, got {value!r}")
    shown = round(float(value) * scale, decimals)
    return 0 if shown == 0 else (1 if shown > 0 else -1)


def excel_number_format(decimals: int = 0, thousands: bool = True, suffix: str = "") -> str:
    """The Excel number format that shows what :func:`format_number` prints.

    >>> excel_number_format(0), excel_number_format(2, thousands=False)
    ('#,##0', '0.00')
    >>> excel_number_format(1, suffix='"x"')
    '#,##0.0"x"'
    """
    body = "#,##0" if thousands else "0"
    if decimals > 0:
        body += "." + "0" * decimals
    return body + suffix


def format_date(day: dt.date, lang: str) -> str:
    """A date in running text: ``2024 年 12 月 2 日`` or ``2 December 2024``.

    The Chinese form spaces the figures from the characters, as the
    report's typesetting does.

    >>> format_date(dt.date(2024, 12, 2), "zh"), format_date(dt.date(2024, 12, 2), "en")
    ('2024 年 12 月 2 日', '2 December 2024')
    """
    if lang == "zh":
        return f"{day.year} 年 {day.month} 月 {day.day} 日"
    # Not strftime("%B"): that follows the process locale.
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def currency_label(codes: Iterable[object], lang: str) -> str:
    """The currencies of a column for its header: each once, in order, by name.

    Missing codes are skipped; a code without a name in ``lang`` prints as is.

    >>> currency_label(["HKD", "USD", "HKD", None], "zh")
    '港元/美元'
    >>> currency_label(["HKD", "EUR"], "en")
    'HKD/EUR'
    """
    names = CURRENCY_NAMES[lang]
    unique = [code for code in dict.fromkeys(codes) if isinstance(code, str)]
    return "/".join(names.get(code, code) for code in unique)
