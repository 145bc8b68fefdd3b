"""Golden tests: the reference report's printed figures, recomputed by the core.

The report (December 2024 internet-sector monthly) prints PE as whole numbers,
EPS in CNY against HKD prices, market caps in HKD millions, and the month's
outperformance in pct computed from unrounded returns. The bundled sample
data holds the report's inputs; these tests recompute its outputs.
"""

from __future__ import annotations

import pandas as pd
import pytest

import xlmodels as xm
from xlmodels.domain.coverage import compute_coverage
from xlmodels.sources import sample

# 重点公司盈利预测及投资评级 and the month's figures, as printed (bundled with the package).
PRINTED = sample.load_printed_coverage()
PRINTED_MONTH = sample.load_printed_month()
PRINTED_TABLE = {
    # code: (close, market cap HKD mn, EPS 2024E, EPS 2025E, PE 2024E, PE 2025E)
    str(code): (
        float(row["close"]),
        int(row["market_cap_mn"]),
        float(row["eps_2024e"]),
        float(row["eps_2025e"]),
        int(row["pe_2024e"]),
        int(row["pe_2025e"]),
    )
    for code, row in PRINTED.iterrows()
}
# "跑赢恒生科技指数 20.0pct、12.3pct、11.0pct" and "跑赢纳斯达克指数 14.8pct、5.3pct、-0.1pct".
PRINTED_OUTPERFORMANCE_PCT = PRINTED_MONTH["outperformance_pct"].dropna().to_dict()
PRINTED_RETURNS_PCT = PRINTED_MONTH["return_pct"].to_dict()


def test_the_bundled_printed_figures_are_the_reports() -> None:
    # Guards the data files themselves: the figures quoted in the report's text.
    assert PRINTED_TABLE["0700.HK"] == (398.0, 3_688_428, 24.1, 26.3, 15, 14)
    assert len(PRINTED_TABLE) == 4
    assert list(PRINTED_OUTPERFORMANCE_PCT.values()) == [20.0, 12.3, 11.0, 14.8, 5.3, -0.1]
    assert PRINTED["fx_eps_to_price"].unique().tolist() == [1.0702]


@pytest.fixture(scope="module")
def coverage() -> pd.DataFrame:
    return compute_coverage(sample.load_inputs())


@pytest.fixture(scope="module")
def month() -> pd.DataFrame:
    closes = sample.load_month_closes()
    universe = sample.load_inputs().universe
    table = pd.DataFrame({"return": xm.period_return(closes["start_close"], closes["end_close"])})
    table["benchmark"] = universe["benchmark"].reindex(table.index)
    return table


@pytest.mark.parametrize("code", list(PRINTED_TABLE))
@pytest.mark.parametrize("year", ["fy1", "fy2"])
def test_all_eight_pe_cells_of_the_coverage_table_round_to_the_printed_integers(
    coverage: pd.DataFrame, code: str, year: str
) -> None:
    printed = PRINTED_TABLE[code][4 if year == "fy1" else 5]
    assert round(coverage.loc[code, f"pe_{year}"]) == printed


def test_without_fx_conversion_no_pe_cell_matches_the_table() -> None:
    # The report's trap: HKD prices over CNY EPS. Unconverted, all eight cells are wrong.
    for close, _, eps1, eps2, pe1, pe2 in PRINTED_TABLE.values():
        assert round(xm.pe(close, eps1)) != pe1
        assert round(xm.pe(close, eps2)) != pe2


@pytest.mark.parametrize("code", list(PRINTED_TABLE))
def test_market_caps_in_hkd_millions_round_to_the_printed_figures(
    coverage: pd.DataFrame, code: str
) -> None:
    assert round(coverage.loc[code, "market_cap"]) == PRINTED_TABLE[code][1]


def test_every_covered_company_has_its_printed_rating_under_the_guosen_scheme(
    coverage: pd.DataFrame,
) -> None:
    assert coverage.loc[PRINTED.index, "rating"].tolist() == PRINTED["rating"].tolist()


def test_the_sample_fx_rate_is_the_printed_tables(coverage: pd.DataFrame) -> None:
    assert coverage.loc[PRINTED.index, "fx"].tolist() == PRINTED["fx_eps_to_price"].tolist()


@pytest.mark.parametrize("code", list(PRINTED_RETURNS_PCT))
def test_month_returns_round_to_the_printed_percentages(month: pd.DataFrame, code: str) -> None:
    assert round(month.loc[code, "return"] * 100, 1) == PRINTED_RETURNS_PCT[code]


@pytest.mark.parametrize("code", list(PRINTED_OUTPERFORMANCE_PCT))
def test_six_outperformance_figures_in_pct_from_unrounded_returns(
    month: pd.DataFrame, code: str
) -> None:
    benchmark = month.loc[code, "benchmark"]
    relative = xm.relative_return(month.loc[code, "return"], month.loc[benchmark, "return"])
    assert round(relative * 100, 1) == PRINTED_OUTPERFORMANCE_PCT[code]


def test_kingsoft_outperformance_is_20_0_not_the_19_9_of_rounded_returns(
    month: pd.DataFrame,
) -> None:
    rounded = round(month.loc["3888.HK", "return"] * 100, 1) - round(
        month.loc["HSTECH.HI", "return"] * 100, 1
    )
    assert round(rounded, 1) == 19.9
    exact = xm.relative_return(month.loc["3888.HK", "return"], month.loc["HSTECH.HI", "return"])
    assert round(exact * 100, 1) == 20.0


def test_top_three_movers_per_market_are_the_ones_the_report_names(month: pd.DataFrame) -> None:
    stocks = month[~month.index.str.endswith((".HI", ".GI"))]
    bench = stocks["benchmark"].map(month["return"])
    hong_kong = stocks.index.str.endswith(".HK")
    hk = xm.top_movers(stocks.loc[hong_kong, "return"], bench[hong_kong], n=3)
    us = xm.top_movers(stocks.loc[~hong_kong, "return"], bench[~hong_kong], n=3)
    assert hk.index.tolist() == ["3888.HK", "9999.HK", "0268.HK"]
    assert us.index.tolist() == ["SE.N", "AMZN.O", "WB.O"]
    assert (hk["relative_return"] * 100).round(1).tolist() == [20.0, 12.3, 11.0]
    assert (us["relative_return"] * 100).round(1).tolist() == [14.8, 5.3, -0.1]


def test_hang_seng_tech_pe_ttm_is_20_59x_at_the_8_85_percentile_since_launch() -> None:
    history = sample.load_history()
    pe_ttm = history.dropna(subset=["pe_ttm"]).set_index("date")["pe_ttm"]
    assert pe_ttm.index[0] == pd.Timestamp("2020-07-27")
    assert pe_ttm.loc["2024-12-02"] == 20.59
    rank = xm.percentile_rank(pe_ttm, method="strict")
    assert round(rank * 100, 2) == 8.85
