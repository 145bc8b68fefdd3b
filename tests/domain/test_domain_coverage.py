"""The coverage figures: one computation for the writer, the reports and the validator."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd

from xlmodels.core.markers import is_nm
from xlmodels.domain.coverage import compute_coverage, coverage_figures
from xlmodels.domain.model import CoverageInputs
from xlmodels.sources import sample
from xlmodels.template.schema import FIRST_DATA_ROW, HEADER_ROW
from xlmodels.template.v3 import SPEC
from xlmodels.workbook import write_workbook

CODE = "0700.HK"


def _overridden(override: str, reason: str | None = "results below plan") -> CoverageInputs:
    inputs = sample.load_inputs(lang="en")
    estimates = inputs.estimates.copy()
    estimates["rating_override"] = estimates["rating_override"].astype(object)
    estimates["override_reason"] = estimates["override_reason"].astype(object)
    estimates.loc[CODE, "rating_override"] = override
    estimates.loc[CODE, "override_reason"] = reason
    return replace(inputs, estimates=estimates)


def test_an_override_typed_with_spaces_is_the_rating_without_them() -> None:
    table = compute_coverage(_overridden(" Underperform "))
    assert table.loc[CODE, "model_rating"] == "Outperform"
    assert table.loc[CODE, "rating"] == "Underperform"


def test_an_override_of_spaces_alone_is_no_override() -> None:
    table = compute_coverage(_overridden("   ", None))
    assert table.loc[CODE, "rating"] == table.loc[CODE, "model_rating"] == "Outperform"


def _cell(path: Path, sheet: str, code: str, header: str) -> object:
    """The saved value in ``sheet``'s ``header`` column on ``code``'s row."""
    rows = list(openpyxl.load_workbook(path, data_only=True)[sheet].iter_rows(values_only=True))
    headers = rows[HEADER_ROW - 1]
    (row,) = [r for r in rows[FIRST_DATA_ROW - 1 :] if r[0] == code]
    return row[headers.index(header)]


def test_the_workbook_shows_the_override_without_its_spaces(tmp_path: Path) -> None:
    # The rating formula shows the override cell as it is: the cell, the
    # formula's cached result and the validator must all read the same label.
    path = tmp_path / "override.xlsx"
    write_workbook(path, _overridden(" Underperform "))
    assert _cell(path, SPEC.sheet("Estimates").name, CODE, "Rating override") == "Underperform"
    assert _cell(path, SPEC.sheet("Coverage").name, CODE, "Rating") == "Underperform"


def _rows(**changes: list[object]) -> pd.DataFrame:
    rows = {
        "market": ["HK", "HK"],
        "fx": [1.1, 1.1],
        "close": [440.0, 440.0],
        "shares_mn": [9300.0, 9300.0],
        "eps_lyr": [22.0, 22.0],
        "eps_fy1": [25.0, 25.0],
        "eps_fy2": [28.0, 28.0],
        "eps_fy3": [31.0, 31.0],
        "target_multiple": [20.0, 20.0],
        "target_year": ["FY2", "blended"],
        "rating_override": [None, None],
    }
    return pd.DataFrame(rows | changes)


def test_rows_with_the_same_inputs_get_the_same_figures_whatever_their_order() -> None:
    figures = coverage_figures(
        _rows(target_year=["FY2", "FY2"]),
        fy1_weight=0.5,
        scheme="guosen",
        lang="en",
        benchmark_expected_returns={"HK": 0.05},
    )
    assert figures.iloc[0].equals(figures.iloc[1])
    # 28 x 20 x 1.1 = 616 against a close of 440: 40% upside, 35% above the benchmark.
    assert math.isclose(figures.loc[0, "target_price"], 616.0)
    assert math.isclose(figures.loc[0, "upside"], 0.4)
    assert figures.loc[0, "benchmark_return"] == 0.05


def test_a_row_without_a_target_gets_the_not_rated_label_it_is_given() -> None:
    figures = coverage_figures(
        _rows(target_multiple=[math.nan, 20.0]),
        fy1_weight=0.25,
        scheme="guosen",
        lang="en",
        benchmark_expected_returns={},
        not_rated="n/r",
    )
    assert math.isnan(figures.loc[0, "target_price"])
    assert figures.loc[0, "model_rating"] == figures.loc[0, "rating"] == "n/r"
    # blended with a quarter of FY1 ahead: 0.25 x 25 + 0.75 x 28.
    assert math.isclose(figures.loc[1, "target_eps"], 27.25)


def test_pe_lyr_is_the_close_over_the_last_reported_eps_in_the_price_currency() -> None:
    figures = coverage_figures(
        _rows(eps_lyr=[22.0, -3.0]),
        fy1_weight=0.5,
        scheme="guosen",
        lang="en",
        benchmark_expected_returns={},
    )
    # 440 / (22 x 1.1) = 18.18x; a loss in the reported year is not meaningful, as for FY1.
    assert math.isclose(figures.loc[0, "pe_lyr"], 440.0 / (22.0 * 1.1))
    assert is_nm(figures.loc[1, "pe_lyr"])


def test_a_blank_eps_lyr_leaves_pe_lyr_missing_and_the_rest_unchanged() -> None:
    inputs = sample.load_inputs(lang="en")
    without = inputs.estimates.drop(columns=["eps_lyr"])
    blank = compute_coverage(replace(inputs, estimates=without))
    typed = inputs.estimates.copy()
    typed.loc[CODE, "eps_lyr"] = 16.0
    given = compute_coverage(replace(inputs, estimates=typed))
    assert blank["pe_lyr"].isna().all()
    fx = given.loc[CODE, "fx"]
    assert math.isclose(given.loc[CODE, "pe_lyr"], given.loc[CODE, "close"] / (16.0 * fx))
    others = [c for c in blank.columns if c not in ("eps_lyr", "pe_lyr")]
    pd.testing.assert_frame_equal(blank[others], given[others])
