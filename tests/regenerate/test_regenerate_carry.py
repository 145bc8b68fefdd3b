"""Regeneration refreshes data and carries every analyst input, cell by cell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from tests.regenerate_helpers import (
    at,
    bench_at,
    by_file,
    read_sample,
    regenerate,
    setting_at,
    type_into,
    write_inputs,
)
from xlmodels.core.ratings import load_scheme
from xlmodels.regenerate import Status
from xlmodels.workbook import read_workbook


def _input_cells_by_reference(path: Path) -> dict[str, dict[str, Any]]:
    """Every non-empty unlocked (analyst) cell by sheet and reference, read with openpyxl."""
    workbook = openpyxl.load_workbook(path)
    out: dict[str, dict[str, Any]] = {}
    for sheet in workbook.worksheets:
        cells = {
            cell.coordinate: cell.value
            for row in sheet.iter_rows()
            for cell in row
            if not cell.protection.locked and cell.value is not None
        }
        if cells:
            out[sheet.title] = cells
    return out


def _created(tmp_path: Path) -> Path:
    folder = tmp_path / "books"
    folder.mkdir()
    result = regenerate(folder, write_inputs(tmp_path / "inputs"))
    assert result.exit_code == 0
    return folder


# Analyst edits after the first regeneration: every kind of input cell.
#: The HK workbook's Settings blocks: one market, and the Guosen scheme's three tiers.
HK_BLOCKS = {"markets": 1, "tiers": 3}
EDITS = {
    ("Estimates", at("Estimates", "eps_fy1")): 25.3,  # EPS FY1 of 0700.HK
    ("Estimates", at("Estimates", "eps_fy3")): 30.1,  # EPS FY3 (blank in the estimates file)
    ("Estimates", at("Estimates", "eps_lyr")): 16.5,  # EPS LYR (blank in the estimates file)
    # A rating override (a CSC label: the scheme changes too) and its reason.
    ("Estimates", at("Estimates", "rating_override")): "增持",
    ("Estimates", at("Estimates", "override_reason")): "Valuation stretched after the rally",
    # 3888.HK, a company without estimates.
    ("Estimates", at("Estimates", "eps_basis", 9)): "reported",
    ("Estimates", at("Estimates", "eps_fy1", 9)): 1.02,
    ("Estimates", at("Estimates", "eps_fy2", 9)): 1.31,
    ("Estimates", at("Estimates", "target_multiple", 9)): 18.0,
    ("Estimates", at("Estimates", "target_year", 9)): "blended",
    ("Estimates", at("Estimates", "notes", 9)): "Initiated this month",
    ("Settings", setting_at("fy1_year")): 2025,
    ("Settings", setting_at("scheme")): "csc",
    ("Settings", setting_at("percentile_method")): "weak",
    ("Settings", setting_at("relative_method")): "geometric",
    ("Settings", bench_at(**HK_BLOCKS)): 0.08,  # benchmark expected return, HK
}


def _check_edit_positions(path: Path) -> None:
    # The edit table above names cells; make sure they are the cells it says.
    data = read_workbook(path)
    names = data.names
    for key in ("eps_lyr", "eps_fy1", "eps_fy3", "rating_override"):
        assert names[f"est_{key}"].cell(0) == at("Estimates", key)
    assert list(data.tables["Estimates"].index).index("3888.HK") == 4
    for key in ("fy1_year", "scheme", "percentile_method", "relative_method"):
        assert names[f"set_{key}"].cell() == setting_at(key)
    assert names["set_bench_er"].cell(0) == bench_at(**HK_BLOCKS)
    assert names["set_bench_er_market"].cell(0) == bench_at(**HK_BLOCKS, column="A")
    assert pd.isna(data.tables["Estimates"].loc["0700.HK", "eps_lyr"])  # blank before the edit


def test_new_prices_refresh_the_data_and_keep_every_analyst_input(tmp_path: Path) -> None:
    folder = _created(tmp_path)
    path = folder / "hk-internet.xlsx"
    _check_edit_positions(path)
    type_into(path, EDITS)
    typed = _input_cells_by_reference(path)
    # New prices, and no estimates file: the workbook's inputs are the only ones.
    result = regenerate(
        folder, write_inputs(tmp_path / "month2", price_factor=1.1, estimates=False)
    )
    outcome = by_file(result)["hk-internet.xlsx"]
    assert outcome.status is Status.UPDATED, outcome
    assert outcome.conflicts == ()
    assert _input_cells_by_reference(path) == typed
    data = read_workbook(path)
    market = read_sample("market.csv").set_index("code")
    assert data.tables["Market"].loc["0700.HK", "close"] == round(
        float(market.loc["0700.HK", "close"]) * 1.1, 2
    )
    # The carried inputs drive the computed numbers: CSC labels, FY1 2025, HK's 8%.
    assert data.settings["scheme"] == "csc"
    assert data.settings["fy1_year"] == 2025
    assert data.analyst.benchmark_expected_returns == {"HK": 0.08}
    assert data.tables["Coverage"].loc["0700.HK", "rating"] == "增持"
    coverage = data.tables["Coverage"]
    upside = float(coverage.loc["3888.HK", "upside"])
    assert coverage.loc["3888.HK", "model_rating"] == load_scheme("csc").rate(upside, 0.08)


def test_the_estimates_file_fills_only_what_the_workbook_lacks(tmp_path: Path) -> None:
    folder = _created(tmp_path)
    path = folder / "hk-internet.xlsx"
    type_into(
        path,
        {
            ("Estimates", at("Estimates", "eps_fy1")): 25.3,
            ("Estimates", at("Estimates", "target_multiple")): None,
        },
    )
    estimates = read_sample("estimates.csv")
    more = pd.DataFrame(
        [
            {
                "code": "3888.HK",
                "eps_basis": "reported",
                "eps_fy1": "1.1",
                "eps_fy2": "1.3",
                "target_multiple": "22",
                "target_year": "FY2",
                "rating_override": "Outperform",
                "override_reason": "Cloud margin",
            }
        ]
    )
    estimates = pd.concat([estimates, more], ignore_index=True).fillna("")
    # 0700.HK: the file still says EPS FY1 24.1 (the analyst typed 25.3) and
    # gives FY3 29.0 and target PE 20 (the analyst cleared it).
    estimates.loc[estimates["code"] == "0700.HK", "eps_fy3"] = "29.0"
    result = regenerate(folder, write_inputs(tmp_path / "month2", estimates=estimates))
    outcome = by_file(result)["hk-internet.xlsx"]
    assert outcome.status is Status.UPDATED, outcome
    data = read_workbook(path).analyst.estimates
    assert data.loc["0700.HK", "eps_fy1"] == 25.3  # the typed value wins
    assert data.loc["0700.HK", "eps_fy3"] == 29.0  # a blank cell is filled
    assert data.loc["0700.HK", "target_multiple"] == 20.0  # so is a cleared one
    assert data.loc["3888.HK", "eps_fy1"] == 1.1  # a company the workbook had blank
    assert data.loc["3888.HK", "rating_override"] == "优于大市"  # in the workbook's language
    assert data.loc["9999.HK", "eps_fy1"] == 11.2  # nothing to do: same value
    differences = [(d.code, d.field, d.workbook, d.file) for d in outcome.differences]
    assert differences == [("0700.HK", "eps_fy1", 25.3, 24.1)]
    assert outcome.filled == 2 + 7


def test_mode_and_language_are_kept_unless_asked(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, write_inputs(tmp_path / "inputs"), mode="native", lang="en")
    data = read_workbook(folder / "hk-internet.xlsx")
    assert (data.formula_mode, data.lang) == ("native", "en")
    assert data.tables["Estimates"].loc["0700.HK", "name"] == "Tencent"
    regenerate(folder, write_inputs(tmp_path / "month2", price_factor=1.02))
    data = read_workbook(folder / "hk-internet.xlsx")
    assert (data.formula_mode, data.lang) == ("native", "en")
    regenerate(folder, write_inputs(tmp_path / "month2", price_factor=1.02), lang="zh")
    data = read_workbook(folder / "hk-internet.xlsx")
    assert (data.formula_mode, data.lang) == ("native", "zh")
    assert data.tables["Estimates"].loc["0700.HK", "name"] == "腾讯控股"


def test_without_a_history_file_each_workbook_keeps_its_history(tmp_path: Path) -> None:
    folder = _created(tmp_path)
    before = read_workbook(folder / "hk-internet.xlsx").history
    result = regenerate(folder, write_inputs(tmp_path / "month2", price_factor=1.1, history=False))
    outcome = by_file(result)["hk-internet.xlsx"]
    assert outcome.status is Status.UPDATED
    assert any("history is kept" in note for note in outcome.notes)
    after = read_workbook(folder / "hk-internet.xlsx").history
    assert before is not None
    assert after is not None
    pd.testing.assert_frame_equal(before, after)


def test_the_data_note_is_kept_unless_given(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, write_inputs(tmp_path / "inputs"), data_note="Vendor snapshot.")
    regenerate(folder, write_inputs(tmp_path / "month2", price_factor=1.1))
    assert read_workbook(folder / "hk-internet.xlsx").settings["data_note"] == "Vendor snapshot."


def test_a_setting_no_workbook_can_be_written_with_fails_that_workbook(tmp_path: Path) -> None:
    folder = _created(tmp_path)
    path = folder / "hk-internet.xlsx"
    type_into(path, {("Settings", setting_at("percentile_method")): "median"})
    before = path.read_bytes()
    result = regenerate(folder, write_inputs(tmp_path / "month2", price_factor=1.1))
    outcome = by_file(result)["hk-internet.xlsx"]
    assert outcome.status is Status.FAILED
    assert outcome.reason == (
        "sheet 'Settings': the setting percentile_method is 'median'; use one of "
        "inc, exc, strict, weak"
    )
    assert path.read_bytes() == before
    assert by_file(result)["us-internet.xlsx"].status is Status.UPDATED
