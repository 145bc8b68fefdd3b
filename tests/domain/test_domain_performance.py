"""The month's returns from start and end closes, one computation for every caller."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from xlmodels.domain.performance import period_figures


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
