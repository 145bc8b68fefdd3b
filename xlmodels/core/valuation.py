"""Earnings multiples: PE (forward, TTM, LYR), blended EPS, PEG, market cap.

All functions broadcast their arguments like numpy, return scalars for scalar
inputs and pandas objects (index kept) for pandas inputs. Missing inputs give
missing results; a multiple on earnings of zero or less is :data:`~xlmodels.NM`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from xlmodels.core.arguments import Arguments, FloatArray
from xlmodels.core.markers import is_nm, mark_nm

__all__ = [
    "blended_eps",
    "fy1_remaining",
    "market_cap",
    "pe",
    "pe_lyr",
    "pe_ttm",
    "peg",
]


#: Earnings (x fx) at or below this count as zero for a multiple.
_NEGLIGIBLE_EARNINGS = 1e-290


def _multiple(
    price: FloatArray, earnings: FloatArray, fx: FloatArray, price_may_be_missing: bool = True
) -> FloatArray:
    denominator = np.asarray(np.multiply(earnings, fx), dtype=np.float64)
    # Earnings this close to zero are zero: the multiple would overflow to
    # infinity for any real share price, and an infinite PE means nothing.
    not_meaningful = denominator <= _NEGLIGIBLE_EARNINGS
    shape = np.broadcast_shapes(price.shape, denominator.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if denominator.shape == shape:
            # Divide in place: a second full-size buffer costs as much as the division.
            result = np.divide(price, denominator, out=denominator)
        else:
            result = np.asarray(price / denominator, dtype=np.float64)
    if not_meaningful.any():
        mark_nm(result, not_meaningful, unless_missing=(price,) if price_may_be_missing else ())
    return result


def pe(price: Any, eps: Any, fx: Any = 1.0) -> Any:
    """Price-to-earnings multiple on one year's EPS.

    ``PE = price / (eps x fx)``

    Parameters
    ----------
    price : float or array-like
        Share price in the price currency (for example HKD). Must be > 0.
    eps : float or array-like
        Earnings per share for the year in question, in the EPS currency
        (for example RMB). EPS <= 0 gives :data:`~xlmodels.NM`.
    fx : float or array-like, default 1.0
        Units of the price currency per unit of the EPS currency (HKD per
        RMB). Must be > 0. Forgetting it is the classic error: Tencent at
        HKD 398.0 on RMB 24.1 is 15.4x converted, not 16.5x.

    Returns
    -------
    float, NM, numpy.ndarray or pandas object
        The multiple in times (x). Missing price or EPS gives NaN.

    Examples
    --------
    >>> round(pe(398.0, 24.1, fx=1.0702), 2)
    15.43
    >>> pe(100.0, -2.0)
    NM
    """
    args = Arguments(price, eps, fx)
    p = args.number("price", price, positive=True)
    e = args.number("eps", eps)
    f = args.number("fx", fx, positive=True)
    return args.wrap(_multiple(p, e, f, args.may_be_missing("price")), "pe")


def pe_ttm(price: Any, quarterly_eps: Any, fx: Any = 1.0) -> Any:
    """PE on trailing-twelve-month EPS: the sum of the last four quarters.

    ``PE_TTM = price / (sum(quarterly_eps[-4:]) x fx)``

    Parameters
    ----------
    price : float or array-like
        Share price in the price currency. Must be > 0.
    quarterly_eps : array-like, last axis = quarters, most recent last
        At least four quarters; only the last four count. A missing value
        among those four makes the result missing (a TTM figure on three
        quarters would flatter the multiple by a third).
    fx : float or array-like, default 1.0
        Price-currency units per EPS-currency unit.

    Returns
    -------
    float, NM, numpy.ndarray or pandas object
        One multiple per row of ``quarterly_eps``; NM when the TTM EPS <= 0.

    Examples
    --------
    >>> round(pe_ttm(398.0, [5.2, 5.8, 6.0, 6.4, 6.9]), 2)
    15.86
    """
    args = Arguments(price, fx)
    p = args.number("price", price, positive=True)
    quarters = args.number("quarterly_eps", quarterly_eps, series_axis=True)
    if quarters.ndim == 0 or quarters.shape[-1] < 4:
        count = 1 if quarters.ndim == 0 else quarters.shape[-1]
        raise ValueError(f"quarterly_eps needs at least 4 quarters, got {count}")
    ttm = quarters[..., -4:].sum(axis=-1)
    f = args.number("fx", fx, positive=True)
    return args.wrap(_multiple(p, ttm, f, args.may_be_missing("price")), "pe_ttm")


def pe_lyr(price: Any, last_annual_eps: Any, fx: Any = 1.0) -> Any:
    """Static PE (LYR): price over the last *reported* annual EPS.

    ``PE_LYR = price / (last reported annual EPS x fx)``

    The arithmetic is :func:`pe`'s; the name records which EPS went in, so a
    table never mixes a static multiple with a forward one unawares.

    Parameters
    ----------
    price : float or array-like
        Share price in the price currency. Must be > 0.
    last_annual_eps : float or array-like
        EPS of the last fiscal year with published accounts, EPS currency.
    fx : float or array-like, default 1.0
        Price-currency units per EPS-currency unit.

    Examples
    --------
    >>> round(pe_lyr(398.0, 20.1, fx=1.07), 2)
    18.51
    """
    args = Arguments(price, last_annual_eps, fx)
    p = args.number("price", price, positive=True)
    e = args.number("last_annual_eps", last_annual_eps)
    f = args.number("fx", fx, positive=True)
    return args.wrap(_multiple(p, e, f, args.may_be_missing("price")), "pe_lyr")


def blended_eps(eps_fy1: Any, eps_fy2: Any, fy1_remaining: Any) -> Any:
    """Blended forward (NTM) EPS: a time-weighted mix of FY1 and FY2.

    ``EPS_blended = w x EPS_FY1 + (1 - w) x EPS_FY2`` with ``w`` the share of
    fiscal year 1 still ahead (Bloomberg's "BF" convention).

    Parameters
    ----------
    eps_fy1, eps_fy2 : float or array-like
        EPS of the current and the next fiscal year, same currency.
    fy1_remaining : float or array-like in [0, 1]
        Fraction of FY1 not yet elapsed; see :func:`fy1_remaining`.

    Examples
    --------
    >>> round(blended_eps(24.1, 26.3, 0.25), 2)
    25.75
    """
    args = Arguments(eps_fy1, eps_fy2, fy1_remaining)
    e1 = args.number("eps_fy1", eps_fy1)
    e2 = args.number("eps_fy2", eps_fy2)
    w = args.number("fy1_remaining", fy1_remaining, nonnegative=True)
    if (w > 1).any():
        raise ValueError(f"fy1_remaining must be between 0 and 1, got {np.nanmax(w):g}")
    return args.wrap(np.asarray(w * e1 + (1 - w) * e2, dtype=np.float64), "eps_blended")


def fy1_remaining(as_of: dt.date, fiscal_year_end: dt.date) -> float:
    """Share of the current fiscal year still ahead, by calendar days.

    ``w = days from as_of to fiscal_year_end / days in that fiscal year``

    The fiscal year starts where the previous one ended: the same day a year
    earlier, or the last day of February when the year ends on 29 February.

    Examples
    --------
    >>> round(fy1_remaining(dt.date(2024, 12, 2), dt.date(2024, 12, 31)), 4)
    0.0792
    >>> round(fy1_remaining(dt.date(2024, 1, 15), dt.date(2024, 2, 29)), 4)
    0.123
    """
    as_of = _as_date("as_of", as_of)
    fiscal_year_end = _as_date("fiscal_year_end", fiscal_year_end)
    start = _a_year_before(fiscal_year_end)
    if not start <= as_of <= fiscal_year_end:
        raise ValueError(
            f"as_of {as_of.isoformat()} is outside the fiscal year ending "
            f"{fiscal_year_end.isoformat()}"
        )
    return (fiscal_year_end - as_of).days / (fiscal_year_end - start).days


def _as_date(name: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"{name} must be a date, got {value!r}")


def _a_year_before(day: dt.date) -> dt.date:
    if day.month == 2 and day.day == 29:
        return dt.date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def peg(pe: Any, eps_growth: Any) -> Any:
    """PEG ratio: the PE divided by EPS growth in percent.

    ``PEG = PE / (eps_growth x 100)``

    Parameters
    ----------
    pe : float or array-like
        The multiple (times). An NM multiple gives NM.
    eps_growth : float or array-like
        EPS growth as a fraction (0.15 for 15%). Growth <= 0 gives NM.

    Examples
    --------
    >>> round(peg(15.4, 0.12), 3)
    1.283
    >>> peg(15.4, -0.05)
    NM
    """
    args = Arguments(pe, eps_growth)
    multiple = args.number("pe", pe)
    growth = args.number("eps_growth", eps_growth)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.asarray(multiple / (growth * 100.0), dtype=np.float64)
    mark_nm(
        result,
        (growth <= 0) | is_nm(multiple) | (multiple <= 0),
        unless_missing=(multiple, growth),
    )
    return args.wrap(result, "peg")


def market_cap(price: Any, shares: Any) -> Any:
    """Market capitalisation: price times shares outstanding.

    ``market cap = price x shares``; the unit follows ``shares``: shares in
    millions give the market cap in millions of the price currency.

    Examples
    --------
    >>> round(market_cap(398.0, 9267.4))
    3688425
    """
    args = Arguments(price, shares)
    p = args.number("price", price, positive=True)
    s = args.number("shares", shares, positive=True)
    return args.wrap(np.asarray(p * s, dtype=np.float64), "market_cap")
