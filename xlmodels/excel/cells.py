"""Values as cells hold them: blanks, Excel date serials, cached formula results, text widths.

A formula's cached result is what the formula itself would show: a number,
the text ``"NM"`` where the core marks a result not meaningful, and ``""``
where an input is missing (every spec formula guards a blank input that way).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

import numpy as np

from xlmodels.core.markers import is_missing, is_nm

__all__ = [
    "EXCEL_EPOCH",
    "LAST_SERIAL",
    "cached_result",
    "cell_text",
    "display_width",
    "excel_fixed",
    "excel_serial",
    "from_excel_serial",
    "is_blank",
]

#: Day 0 of Excel's 1900 date system from 1900-03-01 on (serial 61 is 1900-03-01).
EXCEL_EPOCH: Final = dt.datetime(1899, 12, 30)
# Before 1900-03-01 Excel counts from one day later: it believes 1900 was a
# leap year (as Lotus 1-2-3 did), so its serial 60 is a 1900-02-29 that never was.
_EARLY_EPOCH: Final = dt.datetime(1899, 12, 31)
_FIRST_DAY: Final = dt.datetime(1900, 1, 1)
_MARCH_1900: Final = dt.datetime(1900, 3, 1)
_MICROSECONDS_A_DAY: Final = 86_400_000_000
#: The last day Excel's 1900 date system has (9999-12-31).
LAST_SERIAL: Final = 2_958_465


#: Plain date and time values (exactly these types: pandas' NaT is a datetime too).
_DATES = (dt.date, dt.datetime, dt.time)


def is_blank(value: Any) -> bool:
    """Whether a cell value is blank: the one rule of what "nothing there" is.

    Blank is ``None`` (an empty cell), text of nothing or of spaces only
    (``""`` is also what a guarded formula shows for missing input), and a
    missing number or date: NaN, ``NaT`` or ``pandas.NA``. The NM marker is
    *not* blank (it is a result, "not meaningful"), and neither is ``0``,
    ``False`` or an error value.

    Parameters
    ----------
    value : Any
        One cell's value, as a reader, the core or an input file gives it.

    Returns
    -------
    bool

    Examples
    --------
    >>> from xlmodels import NM
    >>> [is_blank(v) for v in (None, "", "  ", float("nan"))]
    [True, True, True, True]
    >>> import pandas as pd
    >>> is_blank(pd.NaT), is_blank(pd.NA)
    (True, True)
    >>> is_blank(NM), is_blank(0), is_blank(0.0), is_blank("NM"), is_blank(False)
    (False, False, False, False, False)
    """
    # Cheap checks first: the validator asks this of every cell of a sheet.
    if value is None:
        return True
    kind = type(value)
    if kind is str:
        return not value.strip()
    if kind is float:
        return value != value and not is_nm(value)
    if kind is int or kind is bool or kind in _DATES:
        return False
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(is_missing(value))
    except (TypeError, ValueError):  # an array or a value pandas cannot judge is not one cell
        return False


def excel_serial(moment: dt.date | dt.datetime) -> float:
    """Excel's serial number of a date or datetime, exact to the microsecond.

    The 1900 date system as Excel (and every file library) counts it: serial
    1 is 1900-01-01, 59 is 1900-02-28, 60 the fictitious 1900-02-29 and 61
    1900-03-01. A time alone is a serial below 1 (day 0 is 1899-12-30, as COM
    hands it over, or 1899-12-31, Excel's "1900-01-00"). A time zone is dropped:
    a cell holds the wall-clock time.

    Raises
    ------
    ValueError
        For a moment before 1899-12-30: Excel has no serial for it.

    Examples
    --------
    >>> excel_serial(dt.date(2024, 11, 29)), excel_serial(dt.datetime(2024, 12, 2, 18))
    (45625.0, 45628.75)
    >>> excel_serial(dt.date(1900, 2, 28)), excel_serial(dt.date(1900, 3, 1))
    (59.0, 61.0)
    """
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day)
    moment = moment.replace(tzinfo=None)
    if moment >= _MARCH_1900:
        elapsed = moment - EXCEL_EPOCH
    elif moment >= _FIRST_DAY:
        elapsed = moment - _EARLY_EPOCH
    elif moment >= EXCEL_EPOCH:
        elapsed = moment - moment.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        raise ValueError(f"{moment:%Y-%m-%d} is before 1900, where Excel's dates begin")
    microseconds = (elapsed.seconds * 1_000_000) + elapsed.microseconds
    return elapsed.days + microseconds / _MICROSECONDS_A_DAY


def from_excel_serial(serial: float) -> dt.datetime:
    """The moment of an Excel serial number, exact to the microsecond.

    The inverse of :func:`excel_serial`: a serial below 1 is a time on
    1899-12-30; serials 1 to 59 are January and February 1900. A serial is
    a double, which holds every microsecond up to 2079-06-05 (serial 65,535);
    later moments come back to the microsecond the double holds.

    Raises
    ------
    ValueError
        For serial 60 (1900-02-29, a day that never was), a negative serial,
        one after 9999-12-31, NaN or an infinity.

    Examples
    --------
    >>> from_excel_serial(45625)
    datetime.datetime(2024, 11, 29, 0, 0)
    >>> from_excel_serial(45628.75), from_excel_serial(1).date()
    (datetime.datetime(2024, 12, 2, 18, 0), datetime.date(1900, 1, 1))
    """
    if not math.isfinite(serial) or not 0 <= serial < LAST_SERIAL + 1:
        raise ValueError(f"{serial!r} is no date of Excel's (serials run 0 to {LAST_SERIAL})")
    if 60 <= serial < 61:
        raise ValueError(f"{serial!r} is 1900-02-29, a day Excel counts but the calendar never had")
    days = math.floor(serial)
    # serial - days is exact in binary, so rounding finds the microsecond the writer meant.
    fraction = dt.timedelta(microseconds=round((serial - days) * _MICROSECONDS_A_DAY))
    if days == 0:
        return EXCEL_EPOCH + fraction
    epoch = EXCEL_EPOCH if serial >= 61 else _EARLY_EPOCH
    return epoch + dt.timedelta(days=days) + fraction


def cell_text(value: Any, *, blank: str = "(blank)", limit: int | None = None) -> str:
    """A cell's value as a message or a diff shows it to a person.

    The one way a value is written into a sentence: NM as ``NM``, a blank
    (:func:`is_blank`) as ``blank``, booleans as Excel shows them, a date
    without its midnight, numbers to ten significant digits (with thousands
    separators from 10,000), text quoted (cut to ``limit`` characters), an
    error value as its code. Figures in reports are rounded by
    :mod:`xlmodels.core.display` instead; :func:`excel_fixed` is Excel's own
    ``TEXT()``.

    Examples
    --------
    >>> from xlmodels import NM
    >>> [cell_text(v) for v in (16.5, 3688427.5, NM, None, True, "n/a")]
    ['16.5', '3,688,427.5', 'NM', '(blank)', 'TRUE', "'n/a'"]
    >>> cell_text(dt.datetime(2024, 11, 29)), cell_text("", blank="(empty)")
    ('2024-11-29', '(empty)')
    >>> cell_text("a long note typed in a cell", limit=10)
    "'a long ...'"
    """
    if isinstance(value, float | np.floating) and bool(is_nm(float(value))):
        return "NM"
    if is_blank(value):
        return blank
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number) or abs(number) >= 1e15:
            return repr(number)
        return f"{number:,.10g}" if abs(number) >= 10_000 else f"{number:.10g}"
    if isinstance(value, str):
        if limit is not None and len(value) > limit:
            value = value[: max(limit - 3, 0)] + "..."
        return repr(value)
    return str(value)


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
    if is_blank(value):
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
