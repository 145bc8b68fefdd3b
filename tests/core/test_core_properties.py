"""Invariants of the core, checked on generated data (hypothesis)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import xlmodels as xm
from xlmodels.core.percentile import PERCENTILE_METHODS

prices = st.floats(min_value=0.01, max_value=1e5, allow_nan=False)
positive_eps = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)
any_eps = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)
fx_rates = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)
returns = st.floats(min_value=-0.99, max_value=10.0, allow_nan=False)
histories = arrays(
    np.float64,
    st.integers(min_value=2, max_value=60),
    elements=st.floats(min_value=1.0, max_value=100.0, allow_nan=False),
)


@given(prices, positive_eps, fx_rates)
def test_pe_times_eps_times_fx_gives_back_the_price(price: float, eps: float, fx: float) -> None:
    assert np.isclose(xm.pe(price, eps, fx) * eps * fx, price, rtol=1e-12)


@given(prices, any_eps, fx_rates)
def test_pe_is_never_negative_or_infinite(price: float, eps: float, fx: float) -> None:
    result = xm.pe(price, eps, fx)
    assert xm.is_nm(result) or (np.isfinite(result) and result > 0)


@given(returns)
def test_a_stock_against_itself_has_zero_relative_return(r: float) -> None:
    assert xm.relative_return(r, r) == 0.0
    assert abs(xm.relative_return(r, r, "geometric")) < 1e-12


@given(prices, prices)
def test_upside_to_the_target_then_back_gives_the_target(target: float, price: float) -> None:
    assert np.isclose(price * (1 + xm.upside(target, price)), target, rtol=1e-12)


@given(
    histories,
    st.floats(min_value=1.0, max_value=100.0),
    st.sampled_from(PERCENTILE_METHODS),
)
def test_percentile_is_a_fraction(history: np.ndarray, value: float, method: str) -> None:
    result = xm.percentile_rank(history, value, method=method)
    assert np.isnan(result) or 0.0 <= result <= 1.0


@given(histories, st.sampled_from(PERCENTILE_METHODS))
def test_percentile_is_monotone_in_the_value(history: np.ndarray, method: str) -> None:
    values = np.linspace(history.min(), history.max(), 25)
    ranks = xm.percentile_rank(history, values, method=method, significance=None)
    assert np.all(np.diff(ranks) >= -1e-12)


@given(
    st.lists(st.floats(min_value=-1.0, max_value=2.0, allow_nan=False), min_size=2, max_size=40),
    st.sampled_from(["guosen", "csc", "cms", "ubs"]),
)
def test_rating_is_monotone_in_expected_return(expected: list[float], scheme_id: str) -> None:
    scheme = xm.load_scheme(scheme_id)
    order = {label: rank for rank, label in enumerate(scheme.labels("en"))}
    ordered = np.sort(np.asarray(expected))
    ranks = [order[label] for label in xm.rate(ordered, scheme=scheme, lang="en")]
    # Labels are listed best first, so a higher return never earns a larger rank.
    assert all(later <= earlier for earlier, later in itertools.pairwise(ranks))


@given(prices, positive_eps, fx_rates)
def test_nm_survives_pandas_round_trips(price: float, eps: float, fx: float) -> None:
    import pandas as pd

    frame = pd.DataFrame({"pe": xm.pe(np.array([price, price]), np.array([eps, -eps]), fx)})
    copied = pd.concat([frame, frame]).reset_index(drop=True)
    assert xm.is_nm(copied["pe"]).tolist() == [False, True, False, True]
