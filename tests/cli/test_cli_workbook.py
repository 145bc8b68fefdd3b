"""The workbook commands, the committed example workbooks, and the Coverage rendering."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from tests.cli_helpers import Cli
from tests.workbook_helpers import libreoffice_convert, libreoffice_profile
from xlmodels.cli.demo import demo_workbook_names, write_demo_workbooks
from xlmodels.sources.sample import sample_path
from xlmodels.template.v3 import SPEC
from xlmodels.workbook import read_cells, read_workbook

ROOT = Path(__file__).resolve().parents[2]


def test_template_writes_a_blank_workbook(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    result = cli(
        "template",
        "--out",
        str(out),
        "--lang",
        "en",
        "--formulas",
        "native",
        "--report-date",
        "2025-03-31",
    )
    assert result.exit_code == 0, result.output
    data = read_workbook(out)
    assert data.formula_mode == "native"
    assert data.lang == "en"
    assert data.settings["fy1_year"] == 2025
    assert all(frame.empty for frame in data.tables.values())
    assert openpyxl.load_workbook(out).sheetnames == SPEC.sheet_names()


def test_template_refuses_a_file_that_is_not_xlsx(cli: Cli, tmp_path: Path) -> None:
    result = cli("template", "--out", str(tmp_path / "template.xls"))
    assert result.exit_code == 2
    assert ".xlsx" in result.output
    assert not (tmp_path / "template.xls").exists()


def _sample_inputs() -> list[str]:
    """The bundled universe, market and estimates files as build options."""
    files = {"universe": "universe.csv", "market": "market.csv", "estimates": "estimates.csv"}
    return [
        item for option, name in files.items() for item in (f"--{option}", str(sample_path(name)))
    ]


def test_build_writes_one_filled_workbook(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "coverage.xlsx"
    result = cli(
        "build",
        *_sample_inputs(),
        "--history",
        str(sample_path("history.csv")),
        "--indexes",
        str(sample_path("indexes.csv")),
        "--out",
        str(out),
        "--lang",
        "en",
        "--report-date",
        "2024-12-02",
        "--percentile-method",
        "strict",
        "--data-note",
        "Sample data.",
    )
    assert result.exit_code == 0, result.output
    assert "9 companies" in result.output
    data = read_workbook(out)
    assert data.settings["report_date"].isoformat() == "2024-12-02"
    assert data.settings["period_start"].isoformat() == "2024-10-31"
    assert data.settings["data_note"] == "Sample data."
    assert data.tables["Coverage"].loc["0700.HK", "rating"] == "Outperform"
    assert round(float(data.tables["Valuation"].loc["HSTECH.HI", "percentile"]), 4) == 0.0885


def test_build_refuses_an_unknown_scheme(cli: Cli, tmp_path: Path) -> None:
    result = cli(
        "build",
        *_sample_inputs(),
        "--out",
        str(tmp_path / "x.xlsx"),
        "--scheme",
        "nope",
    )
    assert result.exit_code == 2
    assert "guosen" in result.output


def test_help_teaches_with_examples(cli: Cli) -> None:
    for command in ("template", "build", "demo"):
        result = cli(command, "--help")
        assert result.exit_code == 0
        assert "xlmodels " + command in result.output


def test_demo_writes_the_workbooks_and_says_where(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo", "--out", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert "腾讯控股" in result.output
    for name in demo_workbook_names("zh").values():
        assert (tmp_path / "demo" / name).is_file()
        assert name in result.output


@pytest.mark.parametrize("name", list(demo_workbook_names("zh").values()))
def test_the_committed_example_workbooks_are_current(tmp_path: Path, name: str) -> None:
    write_demo_workbooks(tmp_path)
    committed = ROOT / "workbooks" / name
    assert committed.is_file(), (
        f"run: xlmodels demo --out workbooks --report-out out/report ({name} is missing)"
    )
    # Cells, formulas, cached values and names; not bytes, which depend on the writer's version.
    assert read_cells(committed) == read_cells(tmp_path / name), (
        f"{name} is stale: regenerate it with "
        "`xlmodels demo --out workbooks --report-out out/report`"
    )
    assert read_workbook(committed).names == read_workbook(tmp_path / name).names


@pytest.mark.libreoffice
def test_the_coverage_sheet_renders_to_pdf(soffice: str, tmp_path: Path) -> None:
    workbook = ROOT / "workbooks" / demo_workbook_names("zh")["sq"]
    profile = libreoffice_profile(tmp_path / "profile", recalculate=False)
    # One page per sheet, so page 2 is Coverage (after the Guide).
    target = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
    (pdf,) = libreoffice_convert(soffice, profile, [workbook], tmp_path, target)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)
    assert len(pages) == len(SPEC.sheets)
    assert len(data) > 20_000
