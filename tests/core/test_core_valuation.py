"""Unit tests of the multiples: PE (forward, TTM, LYR), blended EPS, PEG, market cap."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

import xlmodels as xm


class TestPe:
    def test_converts_eps_into_the_price_currency(self) -> None:
        assert xm.pe(398.0, 24.1, fx=1.0702) == pytest.approx(398.0 / (24.1 * 1.0702))

    def test_fx_defaults_to_one(self) -> None:
        assert xm.pe(100.0, 5.0) == 20.0

    @pytest.mark.parametrize("eps", [0.0, -0.01, -5.0])
    def test_eps_of_zero_or_less_is_not_meaningful(self, eps: float) -> None:
        assert xm.pe(100.0, eps) is xm.NM

    @pytest.mark.parametrize("missing", [None, float("nan"), np.nan])
    def test_missing_eps_gives_missing_not_nm(self, missing: object) -> None:
        result = xm.pe(100.0, missing)
        assert math.isnan(result)
        assert not xm.is_nm(result)

    def test_missing_price_gives_missing(self) -> None:
        assert xm.is_missing(xm.pe(None, 2.0))

    @pytest.mark.parametrize("price", [0.0, -1.0])
    def test_price_of_zero_or_less_raises_naming_price(self, price: float) -> None:
        with pytest.raises(ValueError, match=r"price must be greater than 0, got"):
            xm.pe(price, 2.0)

    def test_fx_of_zero_raises_naming_fx(self) -> None:
        with pytest.raises(ValueError, match=r"^fx must be greater than 0"):
            xm.pe(10.0, 2.0, fx=0.0)

    def test_text_raises_naming_argument_and_value(self) -> None:
        with pytest.raises(ValueError, match=r"eps: expected a number, got the text 'n/a'"):
            xm.pe(10.0, "n/a")

    def test_text_inside_a_list_names_its_position(self) -> None:
        with pytest.raises(ValueError, match=r"eps\[1\]: expected a number, got the text 'x'"):
            xm.pe([10.0, 11.0], [1.0, "x"])

    def test_booleans_are_rejected(self) -> None:
        with pytest.raises(ValueError, match="boolean"):
            xm.pe(10.0, True)
        with pytest.raises(ValueError, match="booleans"):
            xm.pe(np.array([10.0]), np.array([True]))

    def test_negative_price_in_a_series_names_the_index_label(self) -> None:
        prices = pd.Series([10.0, -3.0], index=["0700.HK", "9999.HK"])
        with pytest.raises(ValueError, match=r"price\['9999.HK'\] must be greater than 0, got -3"):
            xm.pe(prices, 1.0)

    def test_arrays_broadcast_against_scalars(self) -> None:
        result = xm.pe(np.array([100.0, 50.0]), np.array([5.0, -1.0]), 2.0)
        assert isinstance(result, np.ndarray)
        assert result[0] == 10.0
        assert xm.is_nm(result).tolist() == [False, True]

    def test_two_dimensional_broadcast(self) -> None:
        prices = np.array([[100.0], [200.0]])
        eps = np.array([[5.0, 10.0]])
        np.testing.assert_allclose(xm.pe(prices, eps), [[20.0, 10.0], [40.0, 20.0]])

    def test_shapes_that_do_not_broadcast_raise(self) -> None:
        with pytest.raises(ValueError, match=r"do not broadcast: price \(3,\), eps \(2,\)"):
            xm.pe([1.0, 2.0, 3.0], [1.0, 2.0])

    def test_pandas_in_gives_pandas_out_with_the_index(self) -> None:
        index = pd.Index(["0700.HK", "9999.HK"], name="code")
        result = xm.pe(pd.Series([398.0, 134.4], index=index), pd.Series([24.1, 11.2], index=index))
        assert isinstance(result, pd.Series)
        assert result.index.equals(index)

    def test_pandas_inputs_with_different_indexes_are_refused(self) -> None:
        prices = pd.Series([398.0, 134.4], index=["0700.HK", "9999.HK"])
        eps = pd.Series([11.2, 24.1], index=["9999.HK", "0700.HK"])
        with pytest.raises(ValueError, match="different indexes"):
            xm.pe(prices, eps)

    def test_dataframe_in_gives_dataframe_out(self) -> None:
        eps = pd.DataFrame({"fy1": [24.1, 11.2], "fy2": [26.3, -1.0]}, index=["A", "B"])
        result = xm.pe(pd.Series([398.0, 134.4], index=["A", "B"]).to_frame().to_numpy(), eps)
        assert isinstance(result, pd.DataFrame)
        assert list(result.columns) == ["fy1", "fy2"]
        assert bool(xm.is_nm(result.loc["B", "fy2"]))

    def test_lists_with_none_are_missing_elements(self) -> None:
        result = xm.pe([10.0, 10.0], [None, 2.0])
        assert math.isnan(result[0])
        assert result[1] == 5.0


class TestPeTtm:
    def test_sums_the_last_four_quarters(self) -> None:
        assert xm.pe_ttm(398.0, [9.9, 5.8, 6.0, 6.4, 6.9]) == pytest.approx(398.0 / 25.1)

    def test_one_row_per_company(self) -> None:
        quarters = pd.DataFrame([[1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, -9.0]], index=["A", "B"])
        result = xm.pe_ttm(pd.Series([40.0, 10.0], index=["A", "B"]), quarters, fx=2.0)
        assert result["A"] == 5.0
        assert xm.is_nm(result["B"])

    def test_a_missing_quarter_among_the_four_gives_missing(self) -> None:
        assert xm.is_missing(xm.pe_ttm(10.0, [1.0, 1.0, None, 1.0]))

    def test_fewer_than_four_quarters_raises(self) -> None:
        with pytest.raises(ValueError, match="at least 4 quarters, got 3"):
            xm.pe_ttm(10.0, [1.0, 1.0, 1.0])


def test_pe_lyr_is_price_over_last_reported_eps() -> None:
    assert xm.pe_lyr(398.0, 20.1, fx=1.07) == pytest.approx(398.0 / (20.1 * 1.07))
    assert xm.pe_lyr(398.0, -1.0) is xm.NM


class TestBlendedEps:
    def test_weights_fy1_by_the_share_still_ahead(self) -> None:
        assert xm.blended_eps(24.1, 26.3, 0.25) == pytest.approx(0.25 * 24.1 + 0.75 * 26.3)

    @pytest.mark.parametrize("weight", [-0.1, 1.5])
    def test_weight_outside_zero_one_raises(self, weight: float) -> None:
        with pytest.raises(ValueError, match="fy1_remaining"):
            xm.blended_eps(1.0, 2.0, weight)

    def test_fy1_remaining_counts_days(self) -> None:
        weight = xm.fy1_remaining(dt.date(2024, 12, 2), dt.date(2024, 12, 31))
        # 2024 is a leap year: 366 days from 2023-12-31 to 2024-12-31.
        assert weight == pytest.approx(29 / 366)

    def test_fy1_remaining_of_a_year_ending_on_29_february(self) -> None:
        # The year began where the last one ended: 2023-02-28, 366 days before.
        weight = xm.fy1_remaining(dt.date(2024, 1, 15), dt.date(2024, 2, 29))
        assert weight == pytest.approx(45 / 366)

    def test_fy1_remaining_names_an_argument_that_is_not_a_date(self) -> None:
        with pytest.raises(ValueError, match="as_of must be a date"):
            xm.fy1_remaining("2024-01-15", dt.date(2024, 12, 31))  # type: ignore[arg-type]

    def test_fy1_remaining_outside_the_year_raises(self) -> None:
        with pytest.raises(ValueError, match="outside the fiscal year"):
            xm.fy1_remaining(dt.date(2025, 1, 2), dt.date(2024, 12, 31))


class TestPeg:
    def test_divides_by_growth_in_percent(self) -> None:
        assert xm.peg(15.0, 0.15) == pytest.approx(1.0)

    @pytest.mark.parametrize("growth", [0.0, -0.05])
    def test_growth_of_zero_or_less_is_nm(self, growth: float) -> None:
        assert xm.peg(15.0, growth) is xm.NM

    def test_nm_pe_gives_nm(self) -> None:
        assert xm.peg(xm.pe(10.0, -1.0), 0.2) is xm.NM


class TestMarketCap:
    def test_price_times_shares(self) -> None:
        assert xm.market_cap(398.0, 9267.407) == pytest.approx(3_688_427.99, abs=0.01)

    def test_shares_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match="shares must be greater than 0"):
            xm.market_cap(10.0, 0.0)


def test_a_denormal_eps_gives_nm_not_infinity() -> None:
    assert xm.pe(1.0, 2.2e-311) is xm.NM
    assert bool(xm.is_nm(xm.pe(np.array([1.0, 1.0]), np.array([2.2e-311, 1.0]))[0]))


class TestMissingWinsOverNm:
    """Missing input gives missing output, even where another input would give NM."""

    @pytest.mark.parametrize(
        "call",
        [
            lambda: xm.pe(float("nan"), -1.0),
            lambda: xm.pe(100.0, -1.0, fx=float("nan")),
            lambda: xm.peg(float("nan"), -0.1),
            lambda: xm.peg(xm.NM, float("nan")),
            lambda: xm.target_price(-1.0, float("nan")),
            lambda: xm.target_price(-1.0, 20.0, fx=float("nan")),
            lambda: xm.upside(-5.0, float("nan")),
            lambda: xm.upside(xm.NM, float("nan")),
        ],
        ids=["pe", "pe-fx", "peg", "peg-nm", "tp", "tp-fx", "upside", "upside-nm"],
    )
    def test_scalar(self, call: object) -> None:
        result = call()  # type: ignore[operator]
        assert math.isnan(result)
        assert not xm.is_nm(result)

    def test_element_by_element(self) -> None:
        result = xm.pe(np.array([100.0, np.nan, 100.0]), np.array([-1.0, -1.0, 5.0]))
        assert xm.is_nm(result).tolist() == [True, False, False]
        assert np.isnan(result[1])
        assert result[2] == 20.0

    def test_broadcast(self) -> None:
        result = xm.upside(np.array([xm.NM, xm.NM, 5.0]), np.array([[np.nan], [4.0]]))
        assert xm.is_nm(result).tolist() == [[False, False, False], [True, True, False]]


class TestPandasAlignment:
    """A Series against a DataFrame lines up with its rows, as pandas does."""

    index = pd.Index(["0700.HK", "9999.HK"], name="code")

    def test_price_per_company_against_eps_per_company_and_year(self) -> None:
        price = pd.Series([398.0, 134.4], self.index)
        eps = pd.DataFrame({"2024E": [24.1, 11.2], "2025E": [26.3, 12.0]}, self.index)
        result = xm.pe(price, eps, fx=1.0702)
        assert isinstance(result, pd.DataFrame)
        assert result.index.equals(self.index)
        assert list(result.columns) == ["2024E", "2025E"]
        assert result.loc["9999.HK", "2025E"] == pytest.approx(134.4 / (12.0 * 1.0702))

    def test_one_column_frame_is_never_crossed_with_a_series(self) -> None:
        price = pd.Series([398.0, 134.4], self.index)
        eps = pd.DataFrame({"fy1": [24.1, 11.2]}, self.index)
        result = xm.pe(price, eps)
        assert result.shape == (2, 1)
        assert result["fy1"].tolist() == pytest.approx([398.0 / 24.1, 134.4 / 11.2])

    def test_relative_return_frame_against_benchmark_series(self) -> None:
        stocks = pd.DataFrame({"a": [0.10, 0.20], "b": [0.0, 0.05]}, self.index)
        benchmark = pd.Series([0.05, 0.01], self.index)
        result = xm.relative_return(stocks, benchmark)
        assert result.loc["9999.HK"].tolist() == pytest.approx([0.19, 0.04])
