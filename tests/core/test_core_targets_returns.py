"""Unit tests of target prices, upside, returns, relative returns, CAGR and movers."""

from __future__ import annotations

import math

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest

import xlmodels as xm


class TestTargetPrice:
    def test_multiple_times_eps_times_fx(self) -> None:
        assert xm.target_price(26.3, 20.0, fx=1.0702) == pytest.approx(20 * 26.3 * 1.0702)

    def test_loss_making_eps_is_nm(self) -> None:
        assert xm.target_price(-1.0, 20.0) is xm.NM

    def test_multiple_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match="target_multiple must be greater than 0"):
            xm.target_price(1.0, 0.0)


class TestSotp:
    def test_formula(self) -> None:
        expected = ((1800 + 900) * (1 - 0.2) - 300) / 40 * 1.1
        result = xm.target_price_sotp([1800.0, 900.0], 300.0, 40.0, 0.2, fx=1.1)
        assert result == pytest.approx(expected)

    def test_segment_helpers(self) -> None:
        parts = [xm.segment_value(120.0, 15.0), xm.stake_value(50_000.0, 0.25)]
        assert parts == [1800.0, 12_500.0]

    def test_one_company_per_row(self) -> None:
        segments = np.array([[100.0, 50.0], [10.0, 5.0]])
        result = xm.target_price_sotp(segments, np.array([0.0, 20.0]), 10.0)
        assert result[0] == 15.0
        assert xm.is_nm(result[1])  # net debt larger than the parts

    def test_missing_segment_gives_missing(self) -> None:
        assert xm.is_missing(xm.target_price_sotp([100.0, None], 0.0, 10.0))

    def test_discount_of_one_or_more_raises(self) -> None:
        with pytest.raises(ValueError, match="holding_discount"):
            xm.target_price_sotp([100.0], 0.0, 10.0, holding_discount=1.0)

    def test_holding_above_one_raises(self) -> None:
        with pytest.raises(ValueError, match="holding must be a fraction"):
            xm.stake_value(100.0, 1.2)


class TestDcf:
    def test_agrees_with_numpy_financial_by_hand(self) -> None:
        flows, rate, growth = [100.0, 110.0, 120.0], 0.09, 0.03
        explicit = npf.npv(rate, [0.0, *flows])
        terminal = 120.0 * 1.03 / (0.09 - 0.03) / 1.09**3
        expected = (explicit + terminal + 250.0) / 100.0
        assert xm.target_price_dcf(flows, rate, growth, 250.0, 100.0) == pytest.approx(expected)

    def test_discounting_by_hand(self) -> None:
        by_hand = sum(f / 1.1**t for t, f in enumerate([50.0, 60.0], start=1))
        by_hand += 60.0 * 1.02 / 0.08 / 1.1**2
        assert xm.target_price_dcf([50.0, 60.0], 0.1, 0.02, 0.0, 1.0) == pytest.approx(by_hand)

    @pytest.mark.parametrize("growth", [0.09, 0.12])
    def test_terminal_growth_at_or_above_discount_rate_raises(self, growth: float) -> None:
        with pytest.raises(ValueError, match=r"terminal_growth .* must be below discount_rate"):
            xm.target_price_dcf([1.0, 2.0], 0.09, growth, 0.0, 1.0)

    def test_vectorized_over_companies(self) -> None:
        flows = np.array([[100.0, 110.0], [10.0, 11.0]])
        result = xm.target_price_dcf(flows, np.array([0.08, 0.1]), 0.02, 0.0, 10.0)
        one = xm.target_price_dcf(flows[1], 0.1, 0.02, 0.0, 10.0)
        assert result.shape == (2,)
        assert result[1] == pytest.approx(one)

    def test_negative_value_is_nm(self) -> None:
        assert xm.target_price_dcf([-10.0, -5.0], 0.1, 0.0, 0.0, 1.0) is xm.NM


class TestUpside:
    def test_target_over_price_minus_one(self) -> None:
        assert xm.upside(506.6, 398.0) == pytest.approx(506.6 / 398.0 - 1)

    def test_nm_target_gives_nm(self) -> None:
        assert xm.upside(xm.target_price(-1.0, 10.0), 100.0) is xm.NM

    def test_missing_target_gives_missing(self) -> None:
        assert xm.is_missing(xm.upside(None, 100.0))

    def test_array_with_nm_and_missing(self) -> None:
        targets = np.array([120.0, float(xm.NM), np.nan])
        result = xm.upside(targets, 100.0)
        assert result[0] == pytest.approx(0.2)
        assert xm.is_nm(result).tolist() == [False, True, False]
        assert xm.is_missing(result).tolist() == [False, False, True]


class TestReturns:
    def test_period_return(self) -> None:
        assert xm.period_return(24.85, 29.01) == pytest.approx(29.01 / 24.85 - 1)

    def test_series_return_skips_missing_ends(self) -> None:
        assert xm.series_return([None, 10.0, 11.0, 12.0, None]) == pytest.approx(0.2)

    def test_series_return_of_a_frame_is_per_column(self) -> None:
        frame = pd.DataFrame({"A": [10.0, 12.0], "B": [5.0, 4.0]})
        result = xm.series_return(frame)
        assert result.to_dict() == pytest.approx({"A": 0.2, "B": -0.2})

    def test_series_return_needs_two_prices(self) -> None:
        assert math.isnan(xm.series_return([None, 10.0]))

    def test_return_between_uses_last_close_on_or_before(self) -> None:
        closes = pd.Series(
            [10.0, 10.5, 11.0, 12.1],
            index=pd.to_datetime(["2024-10-30", "2024-10-31", "2024-11-28", "2024-11-29"]),
        )
        assert xm.return_between(closes, "2024-11-01", "2024-11-30") == pytest.approx(
            12.1 / 10.5 - 1
        )

    def test_return_between_refuses_a_start_before_the_data(self) -> None:
        closes = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-11-01", "2024-11-29"]))
        with pytest.raises(ValueError, match="before the first close"):
            xm.return_between(closes, "2024-10-31", "2024-11-29")


class TestRelativeReturn:
    def test_arithmetic_is_the_default(self) -> None:
        assert xm.relative_return(0.061, 0.0621) == pytest.approx(-0.0011)

    def test_geometric(self) -> None:
        assert xm.relative_return(0.10, 0.05, "geometric") == pytest.approx(1.10 / 1.05 - 1)

    def test_unknown_method_names_the_accepted_ones(self) -> None:
        with pytest.raises(ValueError, match="method must be one of 'arithmetic', 'geometric'"):
            xm.relative_return(0.1, 0.0, "log")

    def test_returns_below_minus_one_raise(self) -> None:
        with pytest.raises(ValueError, match="stock_return cannot be below -1"):
            xm.relative_return(-1.5, 0.0)


class TestCagr:
    def test_matches_excel_rri(self) -> None:
        # Excel: =RRI(2, 100, 121) = 0.1
        assert xm.cagr(100.0, 121.0, 2) == pytest.approx(0.1)

    def test_years_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match="years must be greater than 0"):
            xm.cagr(1.0, 2.0, 0)


class TestTopMovers:
    returns = pd.Series({"A": 0.10, "B": -0.05, "C": 0.20, "D": -0.15, "E": np.nan})

    def test_gainers_best_first_with_outperformance(self) -> None:
        table = xm.top_movers(self.returns, 0.02, n=2)
        assert table.index.tolist() == ["C", "A"]
        assert table["relative_return"].tolist() == pytest.approx([0.18, 0.08])
        assert table["rank"].tolist() == [1, 2]

    def test_decliners_are_only_the_fallers_worst_first(self) -> None:
        table = xm.top_movers(self.returns, 0.0, n=None, direction="decliners")
        assert table.index.tolist() == ["D", "B"]

    def test_each_stock_against_its_own_benchmark(self) -> None:
        bench = pd.Series({"A": 0.0, "B": 0.0, "C": 0.3, "D": 0.0, "E": 0.0})
        table = xm.top_movers(self.returns, bench, n=1)
        assert table.loc["C", "relative_return"] == pytest.approx(-0.1)

    def test_a_missing_benchmark_is_named(self) -> None:
        with pytest.raises(ValueError, match="no figure for C"):
            xm.top_movers(self.returns, pd.Series({"A": 0.0, "B": 0.0}))

    def test_bad_n_is_refused(self) -> None:
        with pytest.raises(ValueError, match="n must be a whole number"):
            xm.top_movers(self.returns, 0.0, n=0)
