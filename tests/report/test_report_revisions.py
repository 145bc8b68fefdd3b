"""The report's "盈利预测调整 / Estimate revisions" section, from the revision store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from tests.cli_helpers import Cli
from tests.regenerate_helpers import regenerate, write_inputs
from tests.revisions_helpers import type_estimate
from xlmodels.report.revisions import RevisionLine, baseline_of, report_revisions
from xlmodels.revisions.snapshot import Snapshot, snapshot_of
from xlmodels.revisions.store import STORE_NAME, read_records, record_run
from xlmodels.sources import sample
from xlmodels.workbook import write_workbook


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A regenerated folder in which Tencent's FY2 EPS was then revised from 26.3 to 27.1."""
    books = tmp_path / "books"
    books.mkdir()
    paths = write_inputs(tmp_path / "inputs")
    regenerate(books, paths)
    type_estimate(books / "hk-internet.xlsx", "0700.HK", "eps_fy2", 27.1)
    regenerate(books, paths)
    return books


def _report(cli: Cli, folder: Path, out: Path, *extra: str) -> None:
    workbooks = [str(folder / "hk-internet.xlsx"), str(folder / "us-internet.xlsx")]
    result = cli("report", *workbooks, "--out", str(out), "--format", "md,html,xlsx", *extra)
    assert result.exit_code == 0, result.output


def _section(markdown: str, title: str) -> str:
    found = re.search(rf"^## {title}\n(.*?)(?=^## |\Z)", markdown, re.S | re.M)
    assert found, markdown
    return found.group(1)


def test_the_report_lists_the_revised_eps(cli: Cli, folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    _report(cli, folder, out)
    section = _section((out / "report.md").read_text(encoding="utf-8"), "盈利预测调整")
    rows = [line for line in section.splitlines() if line.startswith("| 0700.HK")]
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    assert ["0700.HK", "腾讯控股", "EPS 2025E", "26.30", "27.10", "+3.0%"] in cells
    # 20x FY2 EPS: the target price moved by as much, and nothing else is listed.
    assert [row[2] for row in cells] == ["EPS 2025E", "目标价"]
    assert cells[1][5] == "+3.0%"
    page = (out / "report.html").read_text(encoding="utf-8")
    html_section = page.split('<section class="revisions">', 1)[1].split("</section>", 1)[0]
    assert "盈利预测调整" in html_section
    assert '<td class="text">0700.HK</td>' in html_section
    assert "26.30" in html_section
    assert "27.10" in html_section
    assert "+3.0%" in html_section
    book = openpyxl.load_workbook(out / "coverage.xlsx")
    sheet = book["盈利预测调整"]
    values = [row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0] == "0700.HK"]
    assert values[0][:5] == ("0700.HK", "腾讯控股", "EPS 2025E", 26.3, 27.1)
    assert values[0][5] == pytest.approx(27.1 / 26.3 - 1)


def test_the_english_report_has_the_section_in_english(
    cli: Cli, folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    _report(cli, folder, out, "--lang", "en")
    section = _section((out / "report.md").read_text(encoding="utf-8"), "Estimate revisions")
    assert "| EPS 2025E | 26.30 | 27.10 | +3.0% |" in section
    assert "| Target price |" in section
    assert "Estimate revisions" in openpyxl.load_workbook(out / "coverage.xlsx").sheetnames


def test_a_revision_typed_since_the_last_regeneration_is_listed_too(
    cli: Cli, tmp_path: Path
) -> None:
    books = tmp_path / "books"
    books.mkdir()
    regenerate(books, write_inputs(tmp_path / "inputs"))
    type_estimate(books / "hk-internet.xlsx", "0700.HK", "rating_override", "中性")
    out = tmp_path / "report"
    _report(cli, books, out)
    section = _section((out / "report.md").read_text(encoding="utf-8"), "盈利预测调整")
    assert "| 0700.HK | 腾讯控股 | 投资评级 | 优于大市 | 中性 | 下调 |" in section


def test_without_a_revision_history_there_is_no_section(cli: Cli, tmp_path: Path) -> None:
    books = tmp_path / "books"
    books.mkdir()
    regenerate(books, write_inputs(tmp_path / "inputs"))
    (books / STORE_NAME).unlink()
    out = tmp_path / "report"
    _report(cli, books, out)
    assert "盈利预测调整" not in (out / "report.md").read_text(encoding="utf-8")
    assert "盈利预测调整" not in openpyxl.load_workbook(out / "coverage.xlsx").sheetnames


def test_no_revision_says_so(cli: Cli, tmp_path: Path) -> None:
    books = tmp_path / "books"
    books.mkdir()
    regenerate(books, write_inputs(tmp_path / "inputs"))
    out = tmp_path / "report"
    _report(cli, books, out)
    section = _section((out / "report.md").read_text(encoding="utf-8"), "盈利预测调整")
    assert "本期无盈利预测调整。" in section


def test_the_baseline_is_the_last_record_of_an_earlier_report_date(tmp_path: Path) -> None:
    base = snapshot_of(sample.load_inputs(), workbook="hk.xlsx")
    tencent = base.companies["0700.HK"]

    def with_eps(value: float, report_date: str) -> Snapshot:
        company = dataclasses.replace(tencent, inputs={**tencent.inputs, "eps_fy2": value})
        return dataclasses.replace(
            base, report_date=report_date, companies={**base.companies, "0700.HK": company}
        )

    day = dt.datetime(2024, 11, 1, 9, 0)
    months = [
        (26.0, "2024-10-31"),
        (26.3, "2024-11-29"),
        (26.5, "2024-12-31"),
        (27.1, "2024-12-31"),
    ]
    for offset, (value, report_date) in enumerate(months):
        record_run(
            tmp_path,
            [with_eps(value, report_date)],
            command="regenerate",
            now=day + dt.timedelta(days=offset),
        )
    records = read_records(tmp_path)
    chosen = baseline_of(records, "2024-12-31")
    assert chosen is not None
    assert chosen.snapshot.companies["0700.HK"].inputs["eps_fy2"] == 26.3
    first = baseline_of(records, "2024-10-31")
    assert first is not None
    assert first.run_id == 1
    # The sample's report date is 2024-12-02: its baseline is the November record.
    workbook = tmp_path / "hk.xlsx"
    write_workbook(workbook, sample.load_inputs())
    type_estimate(workbook, "0700.HK", "eps_fy2", 27.1)
    revisions = report_revisions([workbook], "en")
    assert revisions is not None
    eps = [line for line in revisions.lines if line.kind == "eps"]
    assert [(line.old, line.new) for line in eps] == [(26.3, 27.1)]


def test_a_damaged_history_leaves_the_section_out_with_a_warning(
    cli: Cli, folder: Path, tmp_path: Path
) -> None:
    (folder / STORE_NAME).write_bytes(b"not a database")
    out = tmp_path / "report"
    workbooks = [str(folder / "hk-internet.xlsx"), str(folder / "us-internet.xlsx")]
    result = cli("report", *workbooks, "--out", str(out), "--format", "md")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.lines("stderr") if line.startswith("warning:")]
    assert any("estimate revisions left out" in line and STORE_NAME in line for line in warnings)
    assert "盈利预测调整" not in (out / "report.md").read_text(encoding="utf-8")


def test_a_target_that_becomes_not_meaningful_prints_nm(cli: Cli, tmp_path: Path) -> None:
    books = tmp_path / "books"
    books.mkdir()
    regenerate(books, write_inputs(tmp_path / "inputs"))
    # A loss in the target year: the target price is not meaningful, not missing.
    type_estimate(books / "hk-internet.xlsx", "0700.HK", "eps_fy2", -1.0)
    out = tmp_path / "report"
    _report(cli, books, out)
    section = _section((out / "report.md").read_text(encoding="utf-8"), "盈利预测调整")
    assert "| 0700.HK | 腾讯控股 | 目标价 | 562.93 | NM |  |" in section
    sheet = openpyxl.load_workbook(out / "coverage.xlsx")["盈利预测调整"]
    target = next(row for row in sheet.iter_rows(values_only=True) if row[2] == "目标价")
    assert target[3:5] == (pytest.approx(562.9252, abs=1e-3), "NM")


def test_a_change_that_rounds_to_zero_prints_without_a_sign() -> None:
    texts = [
        RevisionLine(
            "0700.HK", "腾讯控股", "目标价", 87.94, 87.96, change, "target_price"
        ).change_text("zh")
        for change in (0.0002, -0.0004, 0.03, -0.012)
    ]
    assert texts == ["0.0%", "0.0%", "+3.0%", "-1.2%"]


def test_a_tiny_revision_is_listed_as_0_0_percent(cli: Cli, tmp_path: Path) -> None:
    books = tmp_path / "books"
    books.mkdir()
    regenerate(books, write_inputs(tmp_path / "inputs"))
    # 26.30 to 26.301: the EPS prints the same and its change rounds to zero.
    type_estimate(books / "hk-internet.xlsx", "0700.HK", "eps_fy2", 26.301)
    out = tmp_path / "report"
    _report(cli, books, out)
    section = _section((out / "report.md").read_text(encoding="utf-8"), "盈利预测调整")
    assert "| 0700.HK | 腾讯控股 | EPS 2025E | 26.30 | 26.30 | 0.0% |" in section
    assert "+0.0%" not in section
