"""Odd but real files through every command that takes a workbook or an input spreadsheet.

The files are what analysts really send: a coverage workbook saved again by
LibreOffice or by openpyxl, one with a value typed at the far corner of a
sheet, one saved as .ods or as a legacy .xls and renamed, an .xlsb; and
input spreadsheets saved by openpyxl and by LibreOffice as .xls. Each command
either uses the file or refuses it in one line that says what it is and
what to do; none gives a traceback, an "internal error" or an abort.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.cli_helpers import Cli, CliResult
from tests.regenerate_helpers import GROUPS, write_inputs
from tests.validate_helpers import replace_in_part, zip_bytes
from tests.workbook_helpers import libreoffice_convert, libreoffice_profile
from xlmodels.validate import validate_file

STRAY_CELL = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'

#: Name -> words of the refusal, or None for a file every command uses.
WORKBOOKS: dict[str, str | None] = {
    "openpyxl-saved": None,
    "libreoffice-saved": None,
    "far-cell": "cells spread over",
    "ods-renamed": "an OpenDocument spreadsheet (.ods)",
    "xls-renamed": "legacy .xls (Excel 97-2003) workbook",
    "xlsb": "an Excel binary workbook (.xlsb)",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, soffice: str) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    cli = Cli()
    books = folder / "books"
    books.mkdir()
    inputs = write_inputs(folder / "inputs")
    assert cli("regenerate", *inputs.arguments(), "--dir", books).exit_code == 0
    original = books / GROUPS["HK Internet"]
    out: dict[str, Path] = {}
    book = openpyxl.load_workbook(original)
    out["openpyxl-saved"] = folder / "openpyxl-saved.xlsx"
    book.save(out["openpyxl-saved"])
    profile = libreoffice_profile(folder / "profile", recalculate=False)
    for target, name in (
        ("xlsx", "libreoffice-saved"),
        ("ods", "ods-renamed"),
        ("xls", "xls-renamed"),
    ):
        (converted,) = libreoffice_convert(soffice, profile, [original], folder / target, target)
        out[name] = folder / f"{name}.xlsx"
        shutil.copyfile(converted, out[name])
    out["far-cell"] = replace_in_part(
        original, folder / "far-cell.xlsx", "xl/worksheets/sheet1.xml", "</sheetData>", STRAY_CELL
    )
    out["xlsb"] = folder / "xlsb.xlsb"
    out["xlsb"].write_bytes(
        zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01\x00"})
    )
    # Input spreadsheets: the universe as openpyxl and LibreOffice save it.
    universe = pd.read_csv(inputs.universe, dtype=str, keep_default_na=False)
    sheet = openpyxl.Workbook()
    active = sheet.active
    assert active is not None
    active.append(list(universe.columns))
    for row in universe.itertuples(index=False):
        active.append(list(row))
    out["universe.xlsx"] = folder / "universe.xlsx"
    sheet.save(out["universe.xlsx"])
    (out["universe.xls"],) = libreoffice_convert(
        soffice, profile, [out["universe.xlsx"]], folder / "xls-inputs", "xls"
    )
    (out["universe.ods"],) = libreoffice_convert(
        soffice, profile, [out["universe.xlsx"]], folder / "ods-inputs", "ods"
    )
    out["universe-far.xlsx"] = replace_in_part(
        out["universe.xlsx"],
        folder / "universe-far.xlsx",
        "xl/worksheets/sheet1.xml",
        "</sheetData>",
        STRAY_CELL,
    )
    return out


def _one_error(result: CliResult) -> str:
    lines = result.lines("stderr")
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize("name", sorted(WORKBOOKS))
def test_validate(cli: Cli, corpus: dict[str, Path], name: str) -> None:
    result = cli("validate", corpus[name], "--format", "json")
    report = result.json()
    (entry,) = report["files"]
    refusal = WORKBOOKS[name]
    if refusal is None:
        assert result.exit_code in (0, 1), result.output
        assert entry["status"] != "unreadable", entry
    else:
        assert result.exit_code == 2
        assert entry["status"] == "unreadable"
        assert refusal in entry["findings"][0]["message"]


@pytest.mark.parametrize("name", sorted(WORKBOOKS))
def test_report(cli: Cli, corpus: dict[str, Path], name: str, tmp_path: Path) -> None:
    result = cli("report", corpus[name], "-o", tmp_path / "out", "-f", "md,csv", "--lang", "en")
    refusal = WORKBOOKS[name]
    if refusal is None:
        assert result.exit_code == 0, result.output
        markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
        assert "Tencent" in markdown or "腾讯控股" in markdown
    else:
        assert result.exit_code == 2
        line = _one_error(result)
        assert refusal in line
        assert validate_file(corpus[name]).findings[0].message in line


@pytest.mark.parametrize("name", sorted(WORKBOOKS))
def test_regenerate(cli: Cli, corpus: dict[str, Path], name: str, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    workbook = folder / GROUPS["HK Internet"]
    shutil.copyfile(corpus[name], workbook)
    inputs = write_inputs(tmp_path / "inputs", price_factor=1.05)
    result = cli("regenerate", *inputs.arguments(), "--dir", folder, "--json")
    assert result.exit_code in (0, 1), result.output
    outcome = {item["file"]: item for item in result.json()["workbooks"]}
    ours = outcome[workbook.name]
    assert "internal error" not in ours["reason"]
    refusal = WORKBOOKS[name]
    if refusal is None:
        # Saved again by another program: regenerated, or stopped by what it changed.
        assert ours["status"] in ("updated", "unchanged", "failed"), ours
        if ours["status"] == "failed":
            assert ours["conflicts"], ours
    else:
        assert ours["status"] == "failed"
        assert refusal in ours["reason"]
    assert outcome[GROUPS["US Internet"]]["status"] == "created"


@pytest.mark.parametrize(
    ("name", "refusal"),
    [
        ("universe.xlsx", None),
        ("universe.xls", None),
        ("universe.ods", "an OpenDocument spreadsheet (.ods) is not read as an input"),
        ("universe-far.xlsx", "cells spread over"),
    ],
)
def test_build_with_a_spreadsheet_input(
    cli: Cli, corpus: dict[str, Path], name: str, refusal: str | None, tmp_path: Path
) -> None:
    inputs = write_inputs(tmp_path / "inputs")
    arguments = inputs.arguments()
    arguments[arguments.index("--universe") + 1] = str(corpus[name])
    out = tmp_path / "coverage.xlsx"
    result = cli("build", *arguments, "-o", out)
    if refusal is None:
        assert result.exit_code == 0, result.output
        assert not validate_file(out).unreadable
    else:
        assert result.exit_code == 2
        assert refusal in _one_error(result)
        assert not out.exists()


def test_the_xlsb_stand_in_is_a_package_without_a_workbook_part(corpus: dict[str, Path]) -> None:
    # No program here writes .xlsb; the stand-in has what tells one apart.
    with zipfile.ZipFile(corpus["xlsb"]) as archive:
        assert "xl/workbook.bin" in archive.namelist()
        assert "xl/workbook.xml" not in archive.namelist()
