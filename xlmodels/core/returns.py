"""Period returns, relative returns against a benchmark, and CAGR.

Returns are fractions (0.167 is 16.7%); relative returns in the arithmetic
convention are differences of fractions, which a report prints in
percentage points (0.199 -> "19.9pct"). Nothing here is pre-multiplied by 100.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from xlmodels.core.arguments import Arguments, choice
from xlmodels.core.methods import RELATIVE_METHODS

__all__ = [
    "RELATIVE_METHODS",
    "cagr",
    "period_return",
    "relative_return",
    "return_between",
    "series_return",
]


def period_return(start: Any, end: Any) -> Any:
    """Price return between two prices.

    ``r = end / start - 1``; use adjusted prices so splits and dividends do
    not show up as returns.

    Parameters
    ----------
    start : float or array-like
        Price at the start of the period. Must be > 0.
    end : float or array-like
        Price at the end of the period. Must be >= 0.

    Examples
    --------
    >>> round(period_return(100.0, 116.7), 3)
    0.167
    """
    args = Arguments(start, end)
    first = args.number("start", start, positive=True)
    last = args.number("end", end, nonnegative=True)
    return args.wrap(np.asarray(last / first - 1, dtype=np.float64), "return")


def series_return(prices: Any) -> Any:
    """Return over a price series: last price over first price, minus one.

    Missing values at either end are skipped (a stock that listed mid-period
    returns from its first price); fewer than two prices give NaN.

    Parameters
    ----------
    prices : array-like, pandas Series or DataFrame
        Prices in time order along the first axis. A DataFrame gives one
        return per column.

    Examples
    --------
    >>> round(series_return([100.0, 98.0, 104.5, 116.7]), 3)
    0.167
    """
    args = Arguments()
    values = args.number("prices", prices, positive=True)
    if values.ndim == 0:
        raise ValueError("prices must be a series of at least two prices, got one value")
    valid = ~np.isnan(values)
    count = valid.sum(axis=0)
    first_at = np.argmax(valid, axis=0)
    last_at = values.shape[0] - 1 - np.argmax(valid[::-1], axis=0)
    first = np.take_along_axis(values, np.expand_dims(first_at, 0), axis=0)[0]
    last = np.take_along_axis(values, np.expand_dims(last_at, 0), axis=0)[0]
    result = np.where(count >= 2, last / first - 1, np.nan)
    if isinstance(prices, pd.DataFrame):
        return pd.Series(result, index=prices.columns, name="return")
    return args.wrap(np.asarray(result, dtype=np.float64), "return")


def return_between(
    closes: pd.Series | pd.DataFrame, start: dt.date | str, end: dt.date | str
) -> Any:
    """Return from the close on ``start`` to the close on ``end``.

    Each date takes the last close on or before it, which is how a month's
    return is read off daily closes: the month-end close against the
    previous month-end close, whatever the calendar of holidays.

    Parameters
    ----------
    closes : pandas Series or DataFrame indexed by date, ascending
        Daily closes; a DataFrame gives one return per column.
    start, end : date or ISO date string
        The period's opening and closing dates.

    Examples
    --------
    >>> s = pd.Series([10.0, 11.0, 12.1], index=pd.to_datetime(["2024-10-31", "2024-11-15",
    ...                                                          "2024-11-29"]))
    >>> round(return_between(s, "2024-10-31", "2024-11-30"), 2)
    0.21
    """
    if not isinstance(closes.index, pd.DatetimeIndex):
        raise ValueError("closes must be indexed by date (a pandas DatetimeIndex)")
    if not closes.index.is_monotonic_increasing:
        raise ValueError("closes must be sorted by date, oldest first")
    begin, finish = pd.Timestamp(start), pd.Timestamp(end)
    if finish <= begin:
        raise ValueError(f"end ({finish.date()}) must be after start ({begin.date()})")
    if begin < closes.index[0]:
        raise ValueError(
            f"start {begin.date()} is before the first close ({closes.index[0].date()})"
        )
    opening = closes.loc[:begin].ffill().iloc[-1]
    closing = closes.loc[:finish].ffill().iloc[-1]
    return period_return(opening, closing)


def relative_return(stock_return: Any, benchmark_return: Any, method: str = "arithmetic") -> Any:
    """Return of a stock relative to its benchmark.

    * ``arithmetic`` (default, the Chinese sell-side convention):
      ``stock_return - benchmark_return``, printed in percentage points.
    * ``geometric`` (Morningstar's standard):
      ``(1 + stock_return) / (1 + benchmark_return) - 1``.

    Use unrounded returns: 16.7% against -3.2% prints 19.9pct, while the
    report's 20.0pct comes from the unrounded figures.

    Parameters
    ----------
    stock_return, benchmark_return : float or array-like
        Period returns as fractions; each must be above -1 (a total loss).
    method : {"arithmetic", "geometric"}

    Examples
    --------
    >>> round(relative_return(0.061, 0.062), 4)
    -0.001
    >>> round(relative_return(0.10, 0.05, method="geometric"), 4)
    0.0476
    """
    how = choice("method", method, RELATIVE_METHODS)
    args = Arguments(stock_return, benchmark_return)
    stock = args.number("stock_return", stock_return)
    bench = args.number("benchmark_return", benchmark_return)
    for name, values in (("stock_return", stock), ("benchmark_return", bench)):
        if (values < -1).any():
            raise ValueError(f"{name} cannot be below -1 (-100%), got {np.nanmin(values):g}")
    if how == "arithmetic":
        result = stock - bench
    else:
        if (bench <= -1).any():
            raise ValueError("benchmark_return of -1 (-100%) has no geometric relative return")
        result = (1 + stock) / (1 + bench) - 1
    return args.wrap(np.asarray(result, dtype=np.float64), "relative_return")


def cagr(start: Any, end: Any, years: Any) -> Any:
    """Compound annual growth rate (Excel's RRI).

    ``CAGR = (end / start) ^ (1 / years) - 1``

    Parameters
    ----------
    start : float or array-like
        Starting value. Must be > 0.
    end : float or array-like
        Ending value. Must be >= 0.
    years : float or array-like
        Length of the period in years. Must be > 0.

    Examples
    --------
    >>> round(cagr(100.0, 121.0, 2), 4)
    0.1
    """
    args = Arguments(start, end, years)
    first = args.number("start", start, positive=True)
    last = args.number("end", end, nonnegative=True)
    span = args.number("years", years, positive=True)
    return args.wrap(np.asarray((last / first) ** (1 / span) - 1, dtype=np.float64), "cagr")
