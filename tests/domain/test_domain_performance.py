"""The month's returns from start and end closes, one computation for every caller."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from xlmodels.domain.performance import carry_to_period, period_figures, stale_series


def _rows(**changes: list[object]) -> pd.DataFrame:
    rows = {
        "code": ["A", "IDX", "B"],
        "benchmark": ["IDX", None, "IDX"],
        "start_close": [100.0, 50.0, 10.0],
        "end_close": [120.0, 55.0, 9.0],
    }
    return pd.DataFrame(rows | changes)


def test_returns_relative_to_the_benchmark_row() -> None:
    figures = period_figures(_rows(), "arithmetic")
    assert figures["return"].tolist() == pytest.approx([0.2, 0.1, -0.1])
    assert figures["benchmark_return"].iloc[[0, 2]].tolist() == pytest.approx([0.1, 0.1])
    assert math.isnan(figures["benchmark_return"].iloc[1])
    assert figures["relative_return"].iloc[[0, 2]].tolist() == pytest.approx([0.1, -0.2])


def test_geometric_relative_returns_compound() -> None:
    figures = period_figures(_rows(), "geometric")
    assert figures["relative_return"].iloc[0] == pytest.approx(1.2 / 1.1 - 1)


def test_a_repeated_benchmark_code_is_found_at_its_first_row() -> None:
    rows = _rows(
        code=["A", "IDX", "IDX"], benchmark=["IDX", None, None], end_close=[120.0, 55.0, 20.0]
    )
    figures = period_figures(rows, "arithmetic")
    assert figures["benchmark_return"].iloc[0] == pytest.approx(0.1)


def test_a_stale_series_has_no_return_and_gives_none_to_its_followers() -> None:
    figures = period_figures(_rows(stale=[False, True, False]), "arithmetic")
    assert math.isnan(figures["return"].iloc[1])
    assert figures["relative_return"].isna().tolist() == [True, True, True]
    assert figures["return"].iloc[0] == pytest.approx(0.2)


def _shut_at_the_end() -> pd.DataFrame:
    """Hong Kong shut on the last three days New York trades (Lunar New Year 2025)."""
    days = pd.to_datetime(["2024-12-31", "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-31"])
    return pd.DataFrame(
        {"HK": [380.0, 395.0, 397.8, None, None], "US": [15.0, 16.0, 16.5, 16.2, 16.4]},
        index=days,
    )


def test_a_close_is_carried_into_the_row_the_period_end_reads() -> None:
    carried = carry_to_period(_shut_at_the_end(), dt.date(2024, 12, 31), dt.date(2025, 1, 31))
    assert carried["HK"].tolist() == [380.0, 395.0, 397.8, 397.8, 397.8]
    assert carried["US"].tolist() == _shut_at_the_end()["US"].tolist()


def test_an_old_close_is_not_carried_and_stays_stale() -> None:
    panel = _shut_at_the_end()
    # 28 January is 11 days before 8 February: too old to stand for it.
    carried = carry_to_period(panel, None, dt.date(2025, 2, 8))
    assert carried["HK"].isna().tolist()[-2:] == [True, True]
    assert stale_series(carried, None, dt.date(2025, 2, 8)).index.tolist() == ["HK"]


def test_a_row_read_by_two_period_dates_is_carried_only_for_both() -> None:
    panel = _shut_at_the_end().iloc[:4]  # History stops on 29 January
    # 31 January and 9 February both read the 29 January row: 28 January is
    # fresh for the first, 12 days old for the second.
    carried = carry_to_period(panel, dt.date(2025, 1, 31), dt.date(2025, 2, 9))
    assert math.isnan(carried.loc["2025-01-29", "HK"])
    assert "HK" in stale_series(carried, dt.date(2025, 1, 31), dt.date(2025, 2, 9)).index
