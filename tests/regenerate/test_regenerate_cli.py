"""``xlmodels regenerate``: the summary, the JSON, the exit codes, and bad input files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_helpers import Cli
from tests.regenerate_helpers import (
    at,
    beyond,
    read_sample,
    snapshot,
    sq_formula,
    type_into,
    write_inputs,
)

#: Set per test by the autouse fixture below.
_cli: Cli


@pytest.fixture(autouse=True)
def _use_cli(cli: Cli) -> None:
    global _cli
    _cli = cli


def _invoke(arguments: list[str]) -> tuple[int, str, str]:
    result = _cli("regenerate", *arguments)
    return result.exit_code, result.stdout, result.stderr


def _books(tmp_path: Path) -> Path:
    folder = tmp_path / "books"
    folder.mkdir(exist_ok=True)
    return folder


def test_the_summary_lists_each_workbook_with_its_status(tmp_path: Path) -> None:
    folder = _books(tmp_path)
    paths = write_inputs(tmp_path / "inputs")
    code, out, err = _invoke([*paths.arguments(), "--dir", str(folder)])
    assert code == 0, err
    assert "hk-internet.xlsx" in out
    assert "us-internet.xlsx" in out
    assert "2 created, 0 updated, 0 unchanged, 0 skipped, 0 failed" in out
    assert "\x1b[" not in out  # no colour off a terminal
    assert err == ""  # no progress bar off a terminal
    code, out, _ = _invoke([*paths.arguments(), "--dir", str(folder)])
    assert code == 0
    assert "0 created, 0 updated, 2 unchanged, 0 skipped, 0 failed" in out


def test_json_reports_every_workbook_and_conflicts_exit_1(tmp_path: Path) -> None:
    folder = _books(tmp_path)
    paths = write_inputs(tmp_path / "inputs")
    assert _invoke([*paths.arguments(), "--dir", str(folder)])[0] == 0
    type_into(folder / "hk-internet.xlsx", {("Coverage", at("Coverage", "eps_fy1")): 15.0})
    month2 = write_inputs(tmp_path / "month2", price_factor=1.1)
    code, out, _ = _invoke([*month2.arguments(), "--dir", str(folder), "--json"])
    assert code == 1
    report = json.loads(out)
    assert report["dry_run"] is False
    assert report["summary"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "skipped": 0,
        "failed": 1,
    }
    workbooks = {w["file"]: w for w in report["workbooks"]}
    hk = workbooks["hk-internet.xlsx"]
    assert hk["status"] == "failed"
    assert hk["conflicts"] == [
        {
            "kind": "value-over-formula",
            "sheet": "Coverage",
            "cell": at("Coverage", "eps_fy1"),
            "found": "the typed value 15",
            "spec": f"the formula {sq_formula('Coverage', 'eps_fy1')}",
        }
    ]
    assert "changes" not in hk  # the full list is a dry run's
    us = workbooks["us-internet.xlsx"]
    assert us["status"] == "updated"
    assert us["changes_by_sheet"]["Market"] == 3


def test_the_text_summary_lists_conflicts_and_force_keeps_a_backup(tmp_path: Path) -> None:
    folder = _books(tmp_path)
    paths = write_inputs(tmp_path / "inputs")
    _invoke([*paths.arguments(), "--dir", str(folder)])
    type_into(folder / "hk-internet.xlsx", {("Estimates", beyond("Estimates", 7)): "my note"})
    month2 = write_inputs(tmp_path / "month2", price_factor=1.1)
    code, out, _ = _invoke([*month2.arguments(), "--dir", str(folder)])
    assert code == 1
    assert "hk-internet.xlsx: 1 conflict, nothing written" in out
    assert (
        f"Estimates!{beyond('Estimates', 7)} (extra-cell): found 'my note'; the spec has nothing "
        "in this cell"
    ) in out
    code, out, _ = _invoke([*month2.arguments(), "--dir", str(folder), "--force"])
    assert code == 0
    backups = list((folder / ".backups").glob("hk-internet.*.bak.xlsx"))
    assert len(backups) == 1
    assert f"previous file kept as .backups/{backups[0].name}" in out
    assert not list(folder.glob("*.bak.xlsx"))
    # The backup is where a folder search does not look: CI validates the
    # workbooks, not the previous file the analyst's conflict lives on in.
    checked = _cli("validate", folder, "--format", "json")
    assert checked.exit_code == 0, checked.stdout
    assert sorted(Path(f["path"]).name for f in checked.json()["files"]) == [
        "hk-internet.xlsx",
        "us-internet.xlsx",
    ]


def test_dry_run_json_lists_every_changed_cell(tmp_path: Path) -> None:
    folder = _books(tmp_path)
    _invoke([*write_inputs(tmp_path / "inputs").arguments(), "--dir", str(folder)])
    before = snapshot(folder)
    month2 = write_inputs(tmp_path / "month2", price_factor=1.1)
    code, out, _ = _invoke([*month2.arguments(), "--dir", str(folder), "--dry-run", "--json"])
    assert code == 0
    assert snapshot(folder) == before
    report = json.loads(out)
    assert report["dry_run"] is True
    hk = next(w for w in report["workbooks"] if w["file"] == "hk-internet.xlsx")
    assert len(hk["changes"]) == hk["changed_cells"] == sum(hk["changes_by_sheet"].values())
    assert {
        "sheet": "Market",
        "cell": at("Market", "close"),
        "old": 398.0,
        "new": 437.8,
        "old_formula": None,
        "new_formula": None,
        "spilled_from": None,
    } in hk["changes"]
    # A result spilled from the column's formula changes with the month's prices.
    pe6 = next(
        c
        for c in hk["changes"]
        if (c["sheet"], c["cell"]) == ("Coverage", at("Coverage", "pe_fy1", 6))
    )
    assert pe6["spilled_from"] == at("Coverage", "pe_fy1")
    assert pe6["old_formula"] is pe6["new_formula"] is None
    assert pe6["new"] == pytest.approx(pe6["old"] * 1.1)
    code, out, _ = _invoke([*month2.arguments(), "--dir", str(folder), "--dry-run"])
    assert code == 0
    assert "Dry run of" in out
    assert "would be updated" in out
    assert "Market: 6 cells" in out
    assert f"{at('Market', 'close')}: 398 => 437.8" in out
    # Every Coverage cell of the month is listed, or the rest counted.
    listed = re.search(r"Coverage: (\d+) cells\n((?:    .*\n)*)", out)
    assert listed is not None
    lines = listed.group(2).splitlines()
    more = re.search(r"\.\.\. and (\d+) more cells of Coverage", out)
    shown = len(lines) - (1 if more else 0)
    assert shown + (int(more.group(1)) if more else 0) == int(listed.group(1))


def test_a_bad_input_file_is_one_line_exit_2_and_nothing_written(tmp_path: Path) -> None:
    folder = _books(tmp_path)
    paths = write_inputs(tmp_path / "inputs")
    market = pd.read_csv(paths.market, dtype=str, keep_default_na=False)
    market.loc[market["code"] == "9999.HK", "close"] = "n/a"
    market.to_csv(paths.market, index=False)
    code, out, err = _invoke([*paths.arguments(), "--dir", str(folder)])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "market.csv" in err
    assert "row 3" in err
    assert "close" in err
    assert list(folder.iterdir()) == []  # not even the lock file


def test_a_universe_without_coverage_groups_is_exit_2(tmp_path: Path) -> None:
    folder = _books(tmp_path)
    universe = read_sample("universe.csv").drop(columns=["coverage_group"])
    paths = write_inputs(tmp_path / "inputs", universe=universe)
    code, _, err = _invoke([*paths.arguments(), "--dir", str(folder)])
    assert code == 2
    assert "universe.csv" in err
    assert "one workbook per coverage group" in err
    assert list(folder.iterdir()) == []


def test_a_missing_folder_is_exit_2(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path / "inputs")
    code, _, err = _invoke([*paths.arguments(), "--dir", str(tmp_path / "nowhere")])
    assert code == 2
    assert "does not exist" in err
    assert not (tmp_path / "nowhere").exists()


def test_formula_mode_and_language_options(tmp_path: Path) -> None:
    folder = _books(tmp_path)
    paths = write_inputs(tmp_path / "inputs")
    code, out, _ = _invoke(
        [*paths.arguments(), "--dir", str(folder), "--formulas", "native", "--lang", "en"]
    )
    assert code == 0
    assert "native formulas, en" in out
