"""Target prices (multiple, sum of the parts, DCF) and upside to them.

A target price that would be zero or negative (a multiple on losses, net debt
larger than the parts, a DCF of a cash-burning business) is reported as
:data:`~xlmodels.NM`: it is not a price anyone can publish.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy_financial as npf

from xlmodels.core.arguments import Arguments, FloatArray
from xlmodels.core.markers import is_nm, mark_nm

__all__ = [
    "segment_value",
    "stake_value",
    "target_price",
    "target_price_dcf",
    "target_price_sotp",
    "upside",
]


def target_price(eps: Any, target_multiple: Any, fx: Any = 1.0) -> Any:
    """Target price by the multiple method.

    ``TP = target_multiple x eps x fx``

    Parameters
    ----------
    eps : float or array-like
        EPS of the chosen year (or a blended EPS, see
        :func:`~xlmodels.blended_eps`), in the EPS currency. EPS <= 0 gives NM.
    target_multiple : float or array-like
        Target PE in times. Must be > 0.
    fx : float or array-like, default 1.0
        Price-currency units per EPS-currency unit, so the target comes out
        in the price currency.

    Examples
    --------
    >>> round(target_price(26.3, 18.0, fx=1.0702), 1)
    506.6
    """
    args = Arguments(eps, target_multiple, fx)
    e = args.number("eps", eps)
    m = args.number("target_multiple", target_multiple, positive=True)
    f = args.number("fx", fx, positive=True)
    result = np.asarray(m * e * f, dtype=np.float64)
    mark_nm(result, e <= 0, unless_missing=(m, f))
    return args.wrap(result, "target_price")


def segment_value(metric: Any, multiple: Any) -> Any:
    """Value of one business segment: a metric times its multiple.

    ``segment value = metric x multiple`` (for example EBITDA x EV/EBITDA,
    or net profit x PE). Units follow ``metric``.

    Examples
    --------
    >>> segment_value(120.0, 15.0)
    1800.0
    """
    args = Arguments(metric, multiple)
    m = args.number("metric", metric)
    x = args.number("multiple", multiple, nonnegative=True)
    return args.wrap(np.asarray(m * x, dtype=np.float64), "segment_value")


def stake_value(equity_value: Any, holding: Any) -> Any:
    """Value of a stake in another company: its equity value times the holding.

    ``stake value = equity value x holding`` with ``holding`` a fraction.

    Examples
    --------
    >>> stake_value(50_000.0, 0.25)
    12500.0
    """
    args = Arguments(equity_value, holding)
    v = args.number("equity_value", equity_value, nonnegative=True)
    h = args.number("holding", holding, nonnegative=True)
    if (h > 1).any():
        raise ValueError(f"holding must be a fraction between 0 and 1, got {np.nanmax(h):g}")
    return args.wrap(np.asarray(v * h, dtype=np.float64), "stake_value")


def target_price_sotp(
    segment_values: Any,
    net_debt: Any,
    shares: Any,
    holding_discount: Any = 0.0,
    fx: Any = 1.0,
) -> Any:
    """Target price by sum of the parts.

    ``TP = (sum(segment_values) x (1 - holding_discount) - net_debt) / shares x fx``

    Parameters
    ----------
    segment_values : array-like, last axis = segments
        Values of the segments (see :func:`segment_value` and
        :func:`stake_value`) in the reporting currency, same unit as
        ``net_debt``. A 2-D input values one company per row. A missing
        segment makes the result missing rather than silently smaller.
    net_debt : float or array-like
        Net debt (negative for net cash), same currency and unit.
    shares : float or array-like
        Shares outstanding, in the unit that turns the values into a per-share
        figure (values in millions over shares in millions). Must be > 0.
    holding_discount : float or array-like, default 0
        Conglomerate discount on the gross asset value, a fraction in [0, 1).
    fx : float or array-like, default 1.0
        Price-currency units per reporting-currency unit.

    Examples
    --------
    >>> round(target_price_sotp([1800.0, 900.0], 300.0, 40.0, holding_discount=0.2), 2)
    46.5
    """
    args = Arguments(net_debt, shares, holding_discount, fx)
    segments = args.number("segment_values", segment_values, series_axis=True)
    if segments.ndim == 0:
        segments = segments[None]
    debt = args.number("net_debt", net_debt)
    count = args.number("shares", shares, positive=True)
    discount = args.number("holding_discount", holding_discount, nonnegative=True)
    if (discount >= 1).any():
        raise ValueError(
            f"holding_discount must be a fraction below 1, got {np.nanmax(discount):g}"
        )
    rate = args.number("fx", fx, positive=True)
    gross = segments.sum(axis=-1)
    result = np.asarray((gross * (1 - discount) - debt) / count * rate, dtype=np.float64)
    mark_nm(result, result <= 0)
    return args.wrap(result, "target_price")


def _present_value(flows: FloatArray, rate: float, growth: float) -> float:
    # Cash flows arrive at the end of years 1..n, so npv gets a zero at t = 0.
    explicit = float(npf.npv(rate, np.concatenate(([0.0], flows))))
    terminal = flows[-1] * (1 + growth) / (rate - growth)
    return explicit + float(-npf.pv(rate, len(flows), 0.0, terminal))


def target_price_dcf(
    free_cash_flows: Any,
    discount_rate: Any,
    terminal_growth: Any,
    net_cash: Any,
    shares: Any,
    fx: Any = 1.0,
) -> Any:
    """Target price by discounted free cash flow with a Gordon terminal value.

    ``EV = sum(FCF_t / (1 + r)^t, t = 1..n) + FCF_n x (1 + g) / (r - g) / (1 + r)^n``

    ``TP = (EV + net_cash) / shares x fx``

    Present values come from :func:`numpy_financial.npv` and
    :func:`numpy_financial.pv`.

    Parameters
    ----------
    free_cash_flows : array-like, last axis = years
        Explicit free cash flows at the end of years 1..n (reporting currency,
        same unit as ``net_cash``). A 2-D input values one company per row.
    discount_rate : float or array-like
        Annual discount rate (WACC) as a fraction; must exceed -1.
    terminal_growth : float or array-like
        Perpetual growth after year n, a fraction strictly below the discount
        rate (otherwise the Gordon value is infinite or negative).
    net_cash : float or array-like
        Net cash (negative for net debt) added to the enterprise value.
    shares : float or array-like
        Shares outstanding in the unit of the values. Must be > 0.
    fx : float or array-like, default 1.0
        Price-currency units per reporting-currency unit.

    Examples
    --------
    >>> round(target_price_dcf([100.0, 110.0, 120.0], 0.09, 0.03, 250.0, 100.0), 2)
    21.18
    """
    args = Arguments(discount_rate, terminal_growth, net_cash, shares, fx)
    flows = args.number("free_cash_flows", free_cash_flows, series_axis=True)
    if flows.ndim == 0:
        flows = flows[None]
    if flows.shape[-1] == 0:
        raise ValueError("free_cash_flows needs at least one year")
    rate = args.number("discount_rate", discount_rate)
    growth = args.number("terminal_growth", terminal_growth)
    cash = args.number("net_cash", net_cash)
    count = args.number("shares", shares, positive=True)
    conversion = args.number("fx", fx, positive=True)
    if (rate <= -1).any():
        raise ValueError(f"discount_rate must be above -1, got {np.nanmin(rate):g}")
    too_fast = growth >= rate
    if too_fast.any():
        g, r = np.broadcast_arrays(growth, rate)
        at = np.flatnonzero(np.broadcast_to(too_fast, g.shape))[0]
        raise ValueError(
            f"terminal_growth ({g.reshape(-1)[at]:g}) must be below discount_rate "
            f"({r.reshape(-1)[at]:g}): the Gordon terminal value is undefined otherwise"
        )
    rows_shape = np.broadcast_shapes(flows.shape[:-1], rate.shape, growth.shape)
    flows_b = np.broadcast_to(flows, (*rows_shape, flows.shape[-1]))
    rate_b = np.broadcast_to(rate, rows_shape)
    growth_b = np.broadcast_to(growth, rows_shape)
    enterprise = np.empty(rows_shape, dtype=np.float64)
    for index in np.ndindex(rows_shape):
        enterprise[index] = _present_value(
            flows_b[index], float(rate_b[index]), float(growth_b[index])
        )
    result = np.asarray((enterprise + cash) / count * conversion, dtype=np.float64)
    mark_nm(result, result <= 0)
    return args.wrap(result, "target_price")


def upside(target_price: Any, price: Any) -> Any:
    """Upside (or downside) from the current price to the target.

    ``upside = target_price / price - 1``, a fraction (0.25 is 25%).

    Parameters
    ----------
    target_price : float or array-like
        Target price in the price currency. An NM target gives NM.
    price : float or array-like
        Current price, same currency. Must be > 0.

    Examples
    --------
    >>> round(upside(506.6, 398.0), 4)
    0.2729
    """
    args = Arguments(target_price, price)
    target = args.number("target_price", target_price)
    current = args.number("price", price, positive=True)
    result = np.asarray(np.divide(target, current), dtype=np.float64)
    np.subtract(result, 1.0, out=result)
    # One reduction settles the usual case, every target a positive number: a
    # NaN minimum (missing or NM targets) or one at or below 0 needs the masks.
    lowest = target.min() if target.size else 1.0
    if np.isnan(lowest) or lowest <= 0:
        not_meaningful = target <= 0
        if np.isnan(lowest):
            not_meaningful |= is_nm(target)
    else:
        not_meaningful = np.zeros((), dtype=bool)
    if not_meaningful.any():
        missing = (current,) if args.may_be_missing("price") else ()
        mark_nm(result, not_meaningful, unless_missing=missing)
    return args.wrap(result, "upside")
