"""Display formatting: the only place where numbers are rounded.

Functions return full precision; tables, sentences and cells format through
these helpers so that "NM", missing values and percentage points look the
same everywhere.
"""

from __future__ import annotations

import math
from typing import Any

from xlmodels.markers import is_nm

__all__ = ["MISSING_TEXT", "format_number", "format_percent", "format_points", "is_blank"]

#: What a missing value shows as in a text table.
MISSING_TEXT = "-"


def is_blank(value: Any) -> bool:
    """Missing (None or NaN) but not NM."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return not is_nm(value)
    return False


def format_number(value: Any, decimals: int = 0, thousands: bool = True) -> str:
    """``3688428.0`` -> ``"3,688,428"``; NM -> ``"NM"``; missing -> ``"-"``.

    >>> format_number(3688427.99), format_number(15.43, 1), format_number(float("nan"))
    ('3,688,428', '15.4', '-')
    """
    if is_nm(value):
        return "NM"
    if is_blank(value):
        return MISSING_TEXT
    return f"{float(value):{',' if thousands else ''}.{decimals}f}"


def format_percent(value: Any, decimals: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: ``0.1674`` -> ``"16.7%"``.

    >>> format_percent(0.1674), format_percent(-0.0324, signed=True)
    ('16.7%', '-3.2%')
    """
    if is_nm(value):
        return "NM"
    if is_blank(value):
        return MISSING_TEXT
    sign = "+" if signed else ""
    return f"{float(value) * 100:{sign}.{decimals}f}%"


def format_points(value: Any, decimals: int = 1, unit: str = "pct") -> str:
    """A difference of fractions in percentage points: ``0.1998`` -> ``"20.0pct"``.

    The sign is kept; sentences that say "outperformed"/"underperformed"
    format the absolute value instead.

    >>> format_points(0.19985), format_points(-0.00106)
    ('20.0pct', '-0.1pct')
    """
    if is_nm(value):
        return "NM"
    if is_blank(value):
        return MISSING_TEXT
    return f"{float(value) * 100:.{decimals}f}{unit}"
