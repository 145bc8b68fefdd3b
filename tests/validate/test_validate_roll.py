"""``data.fy1-not-rolled``: a workbook whose FY1 ended long before its report date is flagged."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from xlmodels.regenerate.roll import RollOptions, roll_workbooks
from xlmodels.sources import sample
from xlmodels.validate import Finding, Severity, ValidateConfig, load_config, validate_file
from xlmodels.workbook import write_workbook
from xlmodels.workbook.reader import read_workbook

RULE = "data.fy1-not-rolled"


def _workbook(
    folder: Path, report_date: dt.date, fy1_year: int = 2024, year_end: tuple[int, int] = (12, 31)
) -> Path:
    inputs = sample.load_inputs()
    settings = replace(
        inputs.settings, report_date=report_date, fy1_year=fy1_year, fiscal_year_end=year_end
    )
    path = folder / f"coverage-{report_date.isoformat()}.xlsx"
    write_workbook(path, replace(inputs, settings=settings))
    return path


def _findings(path: Path, config: ValidateConfig | None = None) -> list[Finding]:
    return [f for f in validate_file(path, config).findings if f.rule == RULE]


@pytest.mark.parametrize(
    ("report_date", "fires"),
    [
        (dt.date(2025, 3, 31), False),  # results season: not yet
        (dt.date(2025, 4, 30), False),  # four months after 31 December, to the day
        (dt.date(2025, 5, 1), True),
        (dt.date(2025, 11, 28), True),
    ],
)
def test_the_warning_fires_only_past_four_months_after_fy1(
    tmp_path: Path, report_date: dt.date, fires: bool
) -> None:
    findings = _findings(_workbook(tmp_path, report_date))
    assert bool(findings) is fires


def test_the_warning_names_the_settings_cell_and_the_command(tmp_path: Path) -> None:
    path = _workbook(tmp_path, dt.date(2025, 5, 1))
    [finding] = _findings(path)
    assert finding.severity is Severity.WARNING
    assert finding.sheet == "Settings"
    settings = read_workbook(path).names["set_fy1_year"]
    assert finding.cell == settings.cell()
    assert f"Settings!{settings.cell()}" in finding.message
    assert "FY1 is still 2024" in finding.message
    assert f"xlmodels roll {path} --to 2025" in finding.message
    assert "--dry-run" in finding.fix


def test_a_rolled_workbook_is_not_flagged(tmp_path: Path) -> None:
    path = _workbook(tmp_path, dt.date(2025, 5, 1))
    result = roll_workbooks([path], RollOptions())
    assert result.exit_code == 0
    assert read_workbook(path).settings["fy1_year"] == 2025
    assert _findings(path) == []


def test_the_delay_is_configurable(tmp_path: Path) -> None:
    path = _workbook(tmp_path, dt.date(2025, 5, 1))
    settings = tmp_path / "validate.toml"
    settings.write_text("roll-after-months = 6\n", encoding="utf-8")
    assert load_config(settings).roll_after_months == 6
    assert _findings(path, load_config(settings)) == []
    assert _findings(path, ValidateConfig(roll_after_months=3))


def test_a_march_year_end_counts_from_the_end_of_march(tmp_path: Path) -> None:
    # FY2025 of a company closing its books on 31 March ended on 2025-03-31.
    assert _findings(_workbook(tmp_path, dt.date(2025, 7, 31), 2025, (3, 31))) == []
    assert _findings(_workbook(tmp_path, dt.date(2025, 8, 1), 2025, (3, 31)))
