"""``xlmodels roll`` from the command line: JSON, dry runs, exit codes, messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import Cli
from tests.regenerate_helpers import GROUPS, rolling_books, snapshot
from xlmodels.workbook import read_workbook

HK, US = GROUPS["HK Internet"], GROUPS["US Internet"]


@pytest.fixture
def books(tmp_path: Path) -> Path:
    return rolling_books(tmp_path)


def test_json_lists_each_workbook_with_its_years_and_moves(cli: Cli, books: Path) -> None:
    result = cli("roll", books, "--json")
    assert result.exit_code == 0, result.output
    listing = result.json()
    assert listing["summary"]["updated"] == 2
    assert listing["dry_run"] is False
    hk = next(w for w in listing["workbooks"] if w["file"] == HK)
    assert hk["status"] == "updated"
    assert hk["path"] == str(books / HK)
    assert hk["roll"]["from_year"] == 2024
    assert hk["roll"]["to_year"] == 2025
    assert hk["roll"]["target_moved_a_year"] == ["9999.HK"]
    tencent = next(c for c in hk["roll"]["companies"] if c["code"] == "0700.HK")
    assert [(m["from"], m["to"], m["year"], m["eps"]) for m in tencent["moved"]] == [
        ("eps_fy1", "eps_lyr", 2024, 24.1),
        ("eps_fy2", "eps_fy1", 2025, 26.3),
        ("eps_fy3", "eps_fy2", 2026, 29.0),
    ]
    assert hk["roll"]["eps_lyr_kept"] is True
    assert tencent["target_year"] == {"from": "FY2", "to": "FY1"}
    [recorded] = listing["revisions"]
    assert recorded["workbooks"] == 2
    assert recorded["error"] is None
    assert read_workbook(books / HK).settings["fy1_year"] == 2025


def test_a_dry_run_shows_the_years_and_moves_and_writes_nothing(cli: Cli, books: Path) -> None:
    before = snapshot(books)
    text = cli("roll", books / HK, "--dry-run")
    assert text.exit_code == 0, text.output
    assert "nothing was written" in text.text
    assert "hk-internet.xlsx: FY1 2024 -> 2025" in text.text
    assert "0700.HK: 2024E 24.1 FY1 -> LYR, 2025E 26.3 FY2 -> FY1, 2026E 29 FY3 -> FY2" in text.text
    assert "9999.HK" in text.text
    assert "target PE on FY1: 2024E -> 2025E" in text.text
    listing = cli("roll", books, "--dry-run", "--json").json()
    assert listing["dry_run"] is True
    cells = next(w for w in listing["workbooks"] if w["file"] == HK)["changes"]
    assert any(c["sheet"] == "Settings" and c["new"] == 2025 for c in cells)
    assert snapshot(books) == before


def test_a_second_run_does_nothing_and_says_why(cli: Cli, books: Path) -> None:
    assert cli("roll", books).exit_code == 0
    again = cli("roll", books, "--to", "2025")
    assert again.exit_code == 0
    assert "FY1 is 2025 already: nothing to roll" in again.text


def test_a_refused_roll_exits_1_naming_the_way_forward(cli: Cli, books: Path) -> None:
    before = snapshot(books)
    result = cli("roll", books, "--to", "2026")
    assert result.exit_code == 1
    assert "roll one year at a time (--to 2025 first)" in result.text
    assert snapshot(books) == before


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.xlsx"], "no such file or folder"),
        (["notes.txt"], "not a coverage workbook (an .xlsx file) to roll"),
        (["empty"], "no coverage workbook (.xlsx) in this folder"),
    ],
)
def test_a_path_that_is_no_workbook_exits_2_and_writes_nothing(
    cli: Cli, books: Path, arguments: list[str], message: str
) -> None:
    (books / "notes.txt").write_text("not a workbook", encoding="utf-8")
    (books / "empty").mkdir()
    before = snapshot(books)
    result = cli("roll", books / HK, *(books / a for a in arguments))
    assert result.exit_code == 2
    assert message in result.stderr
    assert snapshot(books) == before


def test_a_year_outside_the_settings_range_is_a_usage_error(cli: Cli, books: Path) -> None:
    assert cli("roll", books, "--to", "1066").exit_code == 2


def test_help_teaches_the_roll(cli: Cli) -> None:
    result = cli("roll", "--help")
    assert result.exit_code == 0
    for phrase in ("FY2 becomes FY1", "EPS LYR", "--to", "--dry-run", "one year at a time"):
        assert phrase in result.text


def test_a_workbook_open_in_excel_fails_the_run_by_name_unless_skip_open(
    cli: Cli, books: Path
) -> None:
    (books / f"~${HK}").write_bytes(b"")
    result = cli("roll", books)
    assert result.exit_code == 1
    assert f"{books / HK} was not rolled" in result.stderr
    assert "--skip-open" in result.stderr
    assert read_workbook(books / HK).settings["fy1_year"] == 2024
    assert read_workbook(books / US).settings["fy1_year"] == 2025
    accepted = cli("roll", books, "--skip-open", "--json")
    assert accepted.exit_code == 0
    [skipped] = [w for w in accepted.json()["workbooks"] if w["status"] == "skipped"]
    assert skipped["file"] == HK
    assert skipped["in_use"] is True
