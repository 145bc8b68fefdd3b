"""``xlmodels textconv``: workbooks as text for git, checked through real git."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.datavalidation import DataValidation

from tests.cli_helpers import Cli
from tests.revisions_helpers import sample_workbook, type_estimate
from xlmodels.revisions.textconv import textconv_lines

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_V1 = Path(__file__).parents[1] / "fixtures" / "coverage-v1.xlsx"
GIT = shutil.which("git")


def test_a_revised_estimate_changes_exactly_one_line(tmp_path: Path) -> None:
    old = sample_workbook(tmp_path / "old.xlsx")
    new = type_estimate(old, "0700.HK", "eps_fy2", 27.1, out=tmp_path / "new.xlsx")
    before, after = textconv_lines(old), textconv_lines(new)
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [("Estimates 0700.HK eps_fy2 = 26.3", "Estimates 0700.HK eps_fy2 = 27.1")]


def test_the_text_is_the_same_for_a_copy_saved_without_results(tmp_path: Path) -> None:
    old = sample_workbook(tmp_path / "old.xlsx")
    copy = tmp_path / "copy.xlsx"
    openpyxl.load_workbook(old).save(copy)
    assert textconv_lines(old) == textconv_lines(copy)


def test_a_value_typed_over_a_formula_and_what_an_own_sheet_cannot_carry_show(
    tmp_path: Path,
) -> None:
    old = sample_workbook(tmp_path / "old.xlsx")
    workbook = openpyxl.load_workbook(old)
    workbook["Coverage"]["J5"] = 99.0
    scratch = workbook.create_sheet("Scratch")
    scratch["B2"] = "line one\nline two"
    scratch.add_data_validation(DataValidation(type="whole", sqref="B3"))
    broken = tmp_path / "broken.xlsx"
    workbook.save(broken)
    lines = textconv_lines(broken)
    assert any(line.startswith("Integrity Coverage!J5 (value-over-formula)") for line in lines)
    assert any(line.startswith("Integrity Scratch (extra-sheet)") for line in lines)
    assert "Scratch!B2 = line one\\nline two" in lines


def test_a_v1_workbook_prints_through_its_own_layout() -> None:
    lines = textconv_lines(FIXTURE_V1)
    assert lines[0].endswith("template v1")
    assert "Estimates 0700.HK eps_fy2 = 26.3" in lines
    assert "Settings benchmark_expected_return HK = 0.06" in lines
    assert not any(line.startswith("Integrity") for line in lines)


def test_any_other_workbook_prints_its_cells(cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "other.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Data"
    sheet["A1"], sheet["B1"], sheet["A2"] = "price", 398.0, "=B1*2"
    workbook.save(other)
    result = cli("textconv", str(other))
    assert result.exit_code == 0
    lines = result.lines()
    assert {"Data!A1 = price", "Data!B1 = 398", "Data!A2 = =B1*2"} <= set(lines)


def test_a_file_that_is_no_workbook_is_one_line_and_exit_2(cli: Cli, tmp_path: Path) -> None:
    text = tmp_path / "prices.xlsx"
    text.write_text("code,close\n", encoding="utf-8")
    result = cli("textconv", str(text))
    assert result.exit_code == 2
    [line] = result.lines("stderr")
    assert "prices.xlsx" in line


def _git(repository: Path, home: Path, *arguments: str) -> str:
    assert GIT is not None
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GIT_") and key not in ("HOME", "XDG_CONFIG_HOME")
    }
    # Never the user's configuration: a home, a global file and no system file of the test's own.
    environment.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_PAGER="cat",
        PAGER="cat",
    )
    done = subprocess.run(
        [GIT, *arguments],
        cwd=repository,
        env=environment,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done.stdout.decode("utf-8")


@pytest.mark.skipif(GIT is None, reason="needs git")
def test_git_diff_shows_a_revised_estimate_as_one_line_out_and_one_in(tmp_path: Path) -> None:
    home, repository = tmp_path / "home", tmp_path / "repository"
    home.mkdir()
    repository.mkdir()
    _git(repository, home, "init", "--quiet")
    _git(repository, home, "config", "user.name", "Research Operations")
    _git(repository, home, "config", "user.email", "research-ops@example.com")
    # The manual's lines (docs/revisions.md), with this interpreter: no installed script needed.
    (repository / ".gitattributes").write_text("*.xlsx diff=xlmodels\n", encoding="utf-8")
    command = f'"{sys.executable}" -m xlmodels textconv'
    _git(repository, home, "config", "diff.xlmodels.textconv", command)
    workbook = sample_workbook(repository / "hk-internet.xlsx")
    _git(repository, home, "add", ".gitattributes", "hk-internet.xlsx")
    _git(repository, home, "commit", "--quiet", "-m", "November estimates")
    type_estimate(workbook, "0700.HK", "eps_fy2", 27.1)
    shown = _git(repository, home, "diff", "--unified=0", "--", "hk-internet.xlsx")
    changed = [
        line
        for line in shown.splitlines()
        if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))
    ]
    assert changed == ["-Estimates 0700.HK eps_fy2 = 26.3", "+Estimates 0700.HK eps_fy2 = 27.1"]
    _git(repository, home, "commit", "--quiet", "-am", "Tencent FY2 EPS revised")
    history = _git(repository, home, "log", "-p", "--unified=0", "--format=%s")
    assert "+Estimates 0700.HK eps_fy2 = 27.1" in history.splitlines()
    assert "Tencent FY2 EPS revised" in history
