"""``xlmodels report``: files written, and one clear line for every bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.cli_helpers import Cli
from xlmodels.template.v3 import SPEC


def test_sample_report_writes_the_chosen_formats_and_lists_them(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    arguments = ["report", "--sample", "--out", out, "--format", "md,csv", "-f", "xlsx"]
    result = cli(*arguments, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["coverage.csv", "coverage.xlsx", "report.md"]
    # The folder is printed whole on one line, whatever its length, for a user to copy.
    assert f"Files written to {out}" in result.lines("stdout")
    for name in ("report.md", "coverage.xlsx", "coverage.csv"):
        assert name in result.stdout
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "while Weibo underperformed it by 0.1pct" in markdown


def test_the_files_written_as_json(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("report", "--sample", "-o", out, "-f", "md,png", "--lang", "en", "--json")
    assert result.exit_code == 0, result.output
    listing = result.json()
    assert listing["folder"] == str(out)
    files = {Path(item["path"]): item for item in listing["files"]}
    assert set(files) == set(out.iterdir())
    assert {item["format"] for item in files.values()} == {"md", "png"}
    assert all(item["bytes"] == path.stat().st_size for path, item in files.items())


def test_quoted_indexes_and_pe_decimals(cli: Cli, tmp_path: Path) -> None:
    result = cli(
        "report",
        "--sample",
        "-o",
        str(tmp_path),
        "-f",
        "md",
        "--index",
        "HSTECH.HI",
        "--index",
        "QNET.GI",
        "--pe-decimals",
        "1",
    )
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert (
        "11 月恒生科技指数单月下跌 3.2%。同期，纳斯达克互联网指数录得上涨，单月涨幅为 9.2%。"
        in (markdown)
    )
    assert "| 15.4 | 14.1 |" in markdown


def _error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


def test_a_missing_workbook_is_one_line_and_exit_2(cli: Cli, tmp_path: Path) -> None:
    result = cli("report", str(tmp_path / "nope.xlsx"), "-o", str(tmp_path))
    assert result.exit_code == 2
    assert _error_line(result.output).endswith("nope.xlsx: no such file")


def test_a_file_that_is_not_a_workbook(cli: Cli, tmp_path: Path) -> None:
    text = tmp_path / "notes.xlsx"
    text.write_text("not a spreadsheet", encoding="utf-8")
    result = cli("report", str(text), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    # The validator's words for the same file.
    assert "not an Excel workbook: the file holds text" in _error_line(result.output)


def test_a_workbook_that_is_not_a_coverage_workbook(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "budget.xlsx"
    book = Workbook()
    book.active.title = "Budget"  # type: ignore[union-attr]
    book.save(path)
    result = cli("report", str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    line = _error_line(result.output)
    assert "is not a coverage workbook: it has no sheet 'Coverage'" in line


def test_a_workbook_with_the_sheets_but_not_the_contents_is_refused(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "coverage.xlsx"
    book = Workbook()
    for position, name in enumerate(SPEC.sheet_names()):
        if position == 0:
            book.active.title = name  # type: ignore[union-attr]
        else:
            book.create_sheet(name)
    book.save(path)
    result = cli("report", str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "coverage.xlsx" in _error_line(result.output)
    assert not (tmp_path / "out").exists()


def test_report_from_the_demo_workbook_says_what_the_sample_says(cli: Cli, tmp_path: Path) -> None:
    from xlmodels.report.coverage_workbooks import read_coverage_workbooks
    from xlmodels.report.month import build_month_report
    from xlmodels.report.sentences import month_sentences
    from xlmodels.sources import sample

    workbook = Path(__file__).resolve().parents[2] / "workbooks" / "coverage-sample.xlsx"
    from_workbook = build_month_report(read_coverage_workbooks([workbook]), lang="zh")
    from_inputs = build_month_report([sample.load_inputs("zh")], lang="zh")
    assert month_sentences(from_workbook) == month_sentences(from_inputs)
    result = cli("report", str(workbook), "-o", str(tmp_path), "-f", "md")
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "跑赢恒生科技指数 20.0pct、12.3pct、11.0pct" in markdown
    assert "微博跑输 0.1pct" in markdown


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "give one or more coverage workbooks, or --sample"),
        (["--sample", "--format", "pdf"], "unknown format 'pdf'"),
        (["--sample", "--index", "HSI.HI"], "index 'HSI.HI' is not among"),
    ],
)
def test_usage_mistakes_are_one_line_and_exit_2(
    cli: Cli, arguments: list[str], message: str, tmp_path: Path
) -> None:
    result = cli("report", *arguments, "-o", str(tmp_path))
    assert result.exit_code == 2
    assert message in _error_line(result.output)


def test_an_output_folder_that_is_a_file(cli: Cli, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("x", encoding="utf-8")
    result = cli("report", "--sample", "-o", str(taken), "-f", "md")
    assert result.exit_code == 2
    assert "is not a folder" in _error_line(result.output)


def test_help_names_the_formats(cli: Cli) -> None:
    result = cli("report", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.replace("│", " ").split())
    assert "--format" in text
    assert "md, html, xlsx, csv, png, svg" in text


def test_warnings_name_the_workbook_and_what_the_report_leaves_out(
    cli: Cli, tmp_path: Path
) -> None:
    from xlmodels.sources import sample

    data = {
        name: str(sample.sample_path(f"{name}.csv")) for name in ("universe", "market", "estimates")
    }
    workbook = tmp_path / "no-history.xlsx"
    built = cli(
        "build",
        "--universe",
        data["universe"],
        "--market",
        data["market"],
        "--estimates",
        data["estimates"],
        "--out",
        str(workbook),
    )
    assert built.exit_code == 0, built.output
    result = cli(
        "report",
        str(workbook),
        str(tmp_path / "." / "no-history.xlsx"),
        "--lang",
        "en",
        "-o",
        str(tmp_path / "out"),
        "-f",
        "md",
    )
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "no-history.xlsx is given twice; it is read once" in output
    assert "no daily closes in its History sheet" in output
    assert "written in Chinese" in output
    assert "--lang en" in output
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert markdown.count("| 0700.HK |") == 1
    assert "The workbooks hold no closes for the month" in markdown
