"""Percentile ranks: Excel's PERCENTRANK.INC/EXC exactly, and the strict and weak shares."""

from __future__ import annotations

import math

import numpy as np
import pytest

import xlmodels as xm

# Microsoft's documented example of PERCENTRANK.INC.
EXCEL_DATA = [13, 12, 11, 8, 4, 3, 2, 1, 1, 1]


@pytest.mark.parametrize(
    ("value", "excel"),
    [(2, 0.333), (4, 0.555), (8, 0.666), (5, 0.583)],
)
def test_inc_equals_excel_documented_examples(value: float, excel: float) -> None:
    assert xm.percentile_rank(EXCEL_DATA, value) == excel


def test_inc_truncates_rather_than_rounds() -> None:
    # 2/3 is 0.6667 rounded, but Excel shows 0.666.
    assert xm.percentile_rank([1, 2, 3, 4], 3) == 0.666


def test_inc_significance_is_a_parameter() -> None:
    assert xm.percentile_rank(EXCEL_DATA, 5, significance=1) == 0.5
    assert xm.percentile_rank(EXCEL_DATA, 5, significance=None) == pytest.approx(5.25 / 9)


def test_inc_of_the_minimum_and_maximum() -> None:
    assert xm.percentile_rank(EXCEL_DATA, 1) == 0.0
    assert xm.percentile_rank(EXCEL_DATA, 13) == 1.0


@pytest.mark.parametrize("value", [0.5, 14])
def test_inc_outside_the_range_is_missing_like_excel_na(value: float) -> None:
    assert math.isnan(xm.percentile_rank(EXCEL_DATA, value))


def test_exc_equals_excel_formula() -> None:
    # PERCENTRANK.EXC(data, 4): (5 smaller + 1) / (10 + 1) = 0.5454 -> 0.545
    assert xm.percentile_rank(EXCEL_DATA, 4, method="exc") == 0.545


def test_strict_and_weak_shares() -> None:
    history = [1.0, 2.0, 2.0, 3.0]
    assert xm.percentile_rank(history, 2.0, method="strict") == 0.25
    assert xm.percentile_rank(history, 2.0, method="weak") == 0.75


def test_default_value_is_the_last_of_the_history() -> None:
    history = [18.0, 25.0, 30.0, 22.0, np.nan]
    assert xm.percentile_rank(history, method="strict") == 0.25


def test_many_values_at_once() -> None:
    result = xm.percentile_rank([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 3.0, 5.0], method="strict")
    assert result.tolist() == [0.0, 0.4, 0.8]


def test_unknown_method_names_the_accepted_ones() -> None:
    with pytest.raises(ValueError, match="'inc', 'exc', 'strict', 'weak'"):
        xm.percentile_rank([1.0, 2.0], 1.0, method="mean")


def test_empty_history_raises() -> None:
    with pytest.raises(ValueError, match="history has no values"):
        xm.percentile_rank([None, None], 1.0)


def test_two_dimensional_history_is_refused() -> None:
    with pytest.raises(ValueError, match="one-dimensional"):
        xm.percentile_rank([[1.0, 2.0], [3.0, 4.0]], 1.0)
