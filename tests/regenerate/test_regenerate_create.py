"""Regeneration creates one workbook per coverage group and finds it again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.regenerate_helpers import (
    GROUPS,
    by_file,
    read_sample,
    regenerate,
    snapshot,
    write_inputs,
)
from xlmodels.errors import InputError
from xlmodels.regenerate import LOCK_NAME, Status, group_slug
from xlmodels.revisions.store import STORE_NAME
from xlmodels.sources import sample
from xlmodels.template.v3 import TEMPLATE_VERSION
from xlmodels.workbook import read_cells, read_workbook, write_workbook


def test_creates_one_workbook_per_coverage_group(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path / "inputs")
    folder = tmp_path / "books"
    folder.mkdir()
    result = regenerate(folder, paths)
    assert result.exit_code == 0
    assert {w.file: w.status for w in result.workbooks} == {
        name: Status.CREATED for name in GROUPS.values()
    }
    universe = read_sample("universe.csv")
    market = read_sample("market.csv").set_index("code")
    for group, name in GROUPS.items():
        data = read_workbook(folder / name)
        members = universe[universe["coverage_group"] == group]
        assert data.settings["coverage_group"] == group
        assert data.template_version == TEMPLATE_VERSION
        assert data.formula_mode == "sq"
        assert data.lang == "zh"
        assert list(data.tables["Estimates"].index) == list(members["code"])
        closes = data.tables["Market"]["close"]
        assert closes.to_dict() == {
            code: float(market.loc[code, "close"]) for code in members["code"]
        }
        # Only the group's companies and the indexes of its market have a history column.
        history = data.history
        assert history is not None
        indexes = read_sample("indexes.csv")
        own_indexes = set(indexes.loc[indexes["market"] == members["market"].iloc[0], "code"])
        assert set(history["code"]) <= set(members["code"]) | own_indexes
        assert set(members["code"]) <= set(history["code"])
    estimates = read_workbook(folder / "hk-internet.xlsx").analyst.estimates
    assert estimates.loc["0700.HK", "eps_fy1"] == 24.1
    assert estimates.loc["0700.HK", "eps_basis"] == "adjusted"


def test_a_second_run_with_the_same_inputs_changes_nothing(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path / "inputs")
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, paths)
    before = snapshot(folder)
    stamps = {name: os.stat(folder / name).st_mtime_ns for name in GROUPS.values()}
    cells = {name: read_cells(folder / name) for name in GROUPS.values()}
    again = regenerate(folder, paths, jobs=2)
    assert {w.status for w in again.workbooks} == {Status.UNCHANGED}
    assert snapshot(folder) == before
    assert {name: os.stat(folder / name).st_mtime_ns for name in GROUPS.values()} == stamps
    assert {name: read_cells(folder / name) for name in GROUPS.values()} == cells


def test_a_workbook_is_found_by_the_group_it_records_whatever_its_name(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path / "inputs")
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, paths)
    (folder / "hk-internet.xlsx").rename(folder / "Hong Kong names (Nov).xlsx")
    result = regenerate(folder, write_inputs(tmp_path / "inputs2", price_factor=1.05))
    assert by_file(result)["Hong Kong names (Nov).xlsx"].status is Status.UPDATED
    assert not (folder / "hk-internet.xlsx").exists()


def test_a_workbook_that_records_no_group_is_found_by_its_file_name(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    # Built from the whole sample (two groups), it records no coverage group.
    write_workbook(folder / "hk-internet.xlsx", sample.load_inputs())
    assert read_workbook(folder / "hk-internet.xlsx").settings["coverage_group"] is None
    result = regenerate(folder, write_inputs(tmp_path / "inputs"))
    outcome = by_file(result)["hk-internet.xlsx"]
    # The US companies had no analyst inputs: they leave without a conflict.
    assert outcome.status is Status.UPDATED, outcome
    data = read_workbook(folder / "hk-internet.xlsx")
    assert data.settings["coverage_group"] == "HK Internet"
    assert "AMZN.O" not in data.tables["Estimates"].index


def test_a_workbook_whose_group_left_the_universe_is_reported_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, write_inputs(tmp_path / "inputs"))
    before = (folder / "us-internet.xlsx").read_bytes()
    universe = read_sample("universe.csv")
    hong_kong = universe[universe["coverage_group"] == "HK Internet"]
    result = regenerate(folder, write_inputs(tmp_path / "inputs2", universe=hong_kong))
    outcome = by_file(result)["us-internet.xlsx"]
    assert outcome.status is Status.SKIPPED
    assert "'US Internet' is not in the universe" in outcome.reason
    assert (folder / "us-internet.xlsx").read_bytes() == before
    assert result.exit_code == 0


def test_two_workbooks_claiming_one_group_are_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, write_inputs(tmp_path / "inputs"))
    shutil.copy(folder / "hk-internet.xlsx", folder / "hk-internet copy.xlsx")
    before = snapshot(folder)
    result = regenerate(folder, write_inputs(tmp_path / "inputs2", price_factor=1.1))
    failed = [w for w in result.workbooks if w.status is Status.FAILED]
    assert len(failed) == 1
    assert "2 workbooks record this coverage group" in failed[0].reason
    assert result.exit_code == 1
    after = snapshot(folder)
    assert after["hk-internet.xlsx"] == before["hk-internet.xlsx"]
    assert after["hk-internet copy.xlsx"] == before["hk-internet copy.xlsx"]
    assert after["us-internet.xlsx"] != before["us-internet.xlsx"]


def test_groups_with_the_same_slug_get_distinct_files(tmp_path: Path) -> None:
    universe = read_sample("universe.csv")
    universe.loc[universe["coverage_group"] == "US Internet", "coverage_group"] = "HK/Internet"
    assert group_slug("HK Internet") == group_slug("HK/Internet") == "hk-internet"
    folder = tmp_path / "books"
    folder.mkdir()
    first = regenerate(folder, write_inputs(tmp_path / "inputs", universe=universe))
    assert sorted(w.file for w in first.workbooks) == ["hk-internet-2.xlsx", "hk-internet.xlsx"]
    assert read_workbook(folder / "hk-internet-2.xlsx").settings["coverage_group"] == "HK/Internet"
    second = regenerate(folder, write_inputs(tmp_path / "inputs", universe=universe))
    assert {w.status for w in second.workbooks} == {Status.UNCHANGED}


def test_a_company_without_a_coverage_group_stops_the_run_before_anything_is_written(
    tmp_path: Path,
) -> None:
    universe = read_sample("universe.csv")
    universe.loc[universe["code"] == "WB.O", "coverage_group"] = ""
    folder = tmp_path / "books"
    folder.mkdir()
    with pytest.raises(InputError, match=r"WB\.O has none: fill in the coverage_group"):
        regenerate(folder, write_inputs(tmp_path / "inputs", universe=universe))
    assert list(folder.iterdir()) == []


def test_text_from_outside_stays_text_through_regeneration(tmp_path: Path) -> None:
    universe = read_sample("universe.csv")
    universe.loc[universe["code"] == "0700.HK", "name"] = '=HYPERLINK("http://x","Tencent")'
    universe.loc[universe["code"] == "0700.HK", "name_en"] = "@Tencent"
    universe.loc[universe["coverage_group"] == "HK Internet", "coverage_group"] = "=HK+Internet"
    estimates = read_sample("estimates.csv")
    estimates.loc[estimates["code"] == "0700.HK", "notes"] = "=1+1"
    estimates.loc[estimates["code"] == "9999.HK", "notes"] = "+86 10 1234"
    estimates.loc[estimates["code"] == "3690.HK", "notes"] = "-2% vs consensus"
    paths = write_inputs(tmp_path / "inputs", universe=universe, estimates=estimates)
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, paths)
    # The second run carries the notes from the workbook, not from the file.
    result = regenerate(
        folder,
        write_inputs(tmp_path / "inputs2", universe=universe, price_factor=1.1, estimates=False),
    )
    assert result.exit_code == 0, result
    path = folder / f"{group_slug('=HK+Internet')}.xlsx"
    cells = read_cells(path)
    texts = {
        cell.value: cell.formula
        for sheet in cells.values()
        for cell in sheet.values()
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@"
    }
    for text in (
        '=HYPERLINK("http://x","Tencent")',
        "=HK+Internet",
        "=1+1",
        "+86 10 1234",
        "-2% vs consensus",
    ):
        assert text in texts, text
        assert texts[text] is None, text
    data = read_workbook(path)
    assert data.settings["coverage_group"] == "=HK+Internet"
    assert data.analyst.estimates.loc["0700.HK", "notes"] == "=1+1"


def test_the_lock_and_the_revision_store_are_the_only_files_regeneration_adds(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, write_inputs(tmp_path / "inputs"))
    expected = [LOCK_NAME, STORE_NAME, *GROUPS.values()]
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)
    assert (folder / LOCK_NAME).stat().st_size == 0


def test_group_matching_ignores_case_and_spacing(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, write_inputs(tmp_path / "inputs"))
    universe = read_sample("universe.csv")
    universe["coverage_group"] = universe["coverage_group"].str.upper().str.replace(" ", "  ")
    result = regenerate(folder, write_inputs(tmp_path / "inputs2", universe=universe))
    assert sorted(w.file for w in result.workbooks) == sorted(GROUPS.values())
    assert pd.Series([w.status for w in result.workbooks]).eq(Status.UPDATED).all()
