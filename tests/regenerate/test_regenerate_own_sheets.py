"""The analyst's own sheets survive regeneration, or stop it naming what cannot be carried."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.hyperlink import Hyperlink

from tests.regenerate_helpers import (
    by_file,
    regenerate,
    snapshot,
    v1_fixture_inputs,
    write_inputs,
)
from tests.workbook_helpers import libreoffice_convert, libreoffice_profile
from xlmodels.regenerate import ConflictKind, RegenerateOptions, Status, regenerate_folder
from xlmodels.sources import SettingsChoices, load_inputs
from xlmodels.workbook.stored_cells import read_cells

BOOK = "hk-internet.xlsx"
FIXTURE_V1 = Path(__file__).parents[1] / "fixtures" / "coverage-v1.xlsx"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    books = tmp_path / "books"
    books.mkdir()
    assert regenerate(books, write_inputs(tmp_path / "inputs"), mode="native").exit_code == 0
    return books


def _month2(folder: Path) -> Any:
    return write_inputs(folder.parent / "month2", price_factor=1.1)


def _add_model(workbook: openpyxl.Workbook) -> None:
    """A model sheet as an analyst builds one: text, numbers, formulas, formats, names."""
    sheet = workbook.create_sheet("Model")
    sheet["A1"] = "Tencent SOTP"
    sheet.merge_cells("A1:C1")
    sheet["A1"].font = Font(bold=True, size=14, color="FF1F4E79")
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet["A2"], sheet["B2"] = "Games", 1250.5
    sheet["A3"], sheet["B3"] = "Ads", 480
    sheet["A4"], sheet["B4"] = "Total", "=B2+B3"
    sheet["B4"].number_format = "#,##0.0"
    sheet["B4"].fill = PatternFill("solid", fgColor="FFFFF2CC")
    sheet["B4"].border = Border(top=Side(style="thin"), bottom=Side(style="double"))
    sheet["A5"], sheet["B5"] = "Last close", "=Coverage!D5"
    sheet["A6"], sheet["B6"] = "Checked", True
    sheet["A7"], sheet["B7"] = "As of", dt.datetime(2024, 11, 29)
    sheet["B7"].number_format = "yyyy-mm-dd"
    sheet["A8"] = "A long note that wraps onto several lines of the cell"
    sheet["A8"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet["C2"] = ArrayFormula("C2:C3", "=B2:B3*2")
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["D"].hidden = True
    sheet.row_dimensions[8].height = 45
    sheet.freeze_panes = "B2"
    sheet.sheet_properties.tabColor = "FF70AD47"
    workbook.defined_names["sotp_total"] = DefinedName("sotp_total", attr_text="Model!$B$4")
    sheet.defined_names["games"] = DefinedName("games", attr_text="Model!$B$2")


def _edit(path: Path, change: Any) -> None:
    workbook = openpyxl.load_workbook(path)
    change(workbook)
    workbook.save(path)


def _shown(value: Any) -> Any:
    return value.text if isinstance(value, ArrayFormula) else value


def _model(path: Path) -> dict[str, Any]:
    """What the Model sheet holds, read back with openpyxl."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Model"]
    return {
        "values": {
            cell.coordinate: (
                cell.value.text if isinstance(cell.value, ArrayFormula) else cell.value
            )
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        },
        "array": sheet["C2"].value.ref if isinstance(sheet["C2"].value, ArrayFormula) else None,
        "merged": sorted(str(block) for block in sheet.merged_cells.ranges),
        "width_a": round(sheet.column_dimensions["A"].width, 1),
        "hidden_d": bool(sheet.column_dimensions["D"].hidden),
        "height_8": sheet.row_dimensions[8].height,
        "freeze": sheet.freeze_panes,
        "title_font": (sheet["A1"].font.b, sheet["A1"].font.sz, sheet["A1"].font.color.rgb[-6:]),
        "title_align": sheet["A1"].alignment.horizontal,
        "total_format": sheet["B4"].number_format,
        "total_fill": sheet["B4"].fill.fgColor.rgb[-6:],
        "total_border": (sheet["B4"].border.top.style, sheet["B4"].border.bottom.style),
        "date_format": sheet["B7"].number_format,
        "wrap": (sheet["A8"].alignment.wrap_text, sheet["A8"].alignment.vertical),
        "names": sorted(
            [(name, value.attr_text) for name, value in workbook.defined_names.items()]
            + [(name, value.attr_text) for name, value in sheet.defined_names.items()]
        ),
        "tab": sheet.sheet_properties.tabColor.rgb[-6:],
        "position": workbook.sheetnames.index("Model"),
    }


def _own_names(model: dict[str, Any]) -> list[tuple[str, str]]:
    return [(name, text) for name, text in model["names"] if name in ("games", "sotp_total")]


def test_a_sheet_made_with_openpyxl_is_carried_whole(folder: Path) -> None:
    _edit(folder / BOOK, _add_model)
    before = _model(folder / BOOK)
    result = regenerate(folder, _month2(folder))
    outcome = by_file(result)[BOOK]
    assert outcome.status is Status.UPDATED, outcome
    assert outcome.conflicts == ()
    after = _model(folder / BOOK)
    assert _own_names(after) == [("games", "Model!$B$2"), ("sotp_total", "Model!$B$4")]
    assert {k: v for k, v in after.items() if k != "names"} == {
        k: v for k, v in before.items() if k != "names"
    }
    assert after["values"]["B5"] == "=Coverage!D5"
    assert after["values"]["B7"] == dt.datetime(2024, 11, 29)
    assert after["array"] == "C2:C3"
    assert after["merged"] == ["A1:C1"]
    assert after["title_font"] == (True, 14.0, "1F4E79")
    assert after["total_fill"] == "FFF2CC"


def test_own_sheets_keep_their_places_in_the_tab_order(folder: Path) -> None:
    def add(workbook: openpyxl.Workbook) -> None:
        workbook.create_sheet("Read me", 0)["A1"] = "Start here"
        after_coverage = workbook.sheetnames.index("Coverage") + 1
        workbook.create_sheet("Model", after_coverage)["A1"] = 1.5

    _edit(folder / BOOK, add)
    before = openpyxl.load_workbook(folder / BOOK, read_only=True).sheetnames
    outcome = by_file(regenerate(folder, _month2(folder)))[BOOK]
    assert outcome.status is Status.UPDATED, outcome
    after = openpyxl.load_workbook(folder / BOOK, read_only=True).sheetnames
    assert after == before
    assert after[0] == "Read me"
    assert after[after.index("Coverage") + 1] == "Model"


def test_a_carried_sheet_is_left_alone_the_next_month(folder: Path) -> None:
    _edit(folder / BOOK, _add_model)
    month2 = _month2(folder)
    assert by_file(regenerate(folder, month2))[BOOK].status is Status.UPDATED
    before = snapshot(folder)
    again = by_file(regenerate(folder, month2))[BOOK]
    assert again.status is Status.UNCHANGED, again
    assert snapshot(folder)[BOOK] == before[BOOK]


def test_a_formula_saved_without_its_result_gets_none_made_up(folder: Path) -> None:
    _edit(folder / BOOK, _add_model)  # openpyxl saves formulas without their results
    regenerate(folder, _month2(folder))
    workbook = openpyxl.load_workbook(folder / BOOK, data_only=True)
    # No number stands in for a result nobody computed: Excel computes it on open.
    assert workbook["Model"]["B4"].value in ("", None)
    assert workbook["Model"]["B5"].value in ("", None)
    assert workbook["Model"]["B2"].value == 1250.5


def test_a_chart_on_an_own_sheet_stops_the_workbook_and_force_keeps_it_in_the_backup(
    folder: Path,
) -> None:
    def add(workbook: openpyxl.Workbook) -> None:
        _add_model(workbook)
        chart = BarChart()
        chart.add_data(Reference(workbook["Model"], min_col=2, min_row=2, max_row=3))
        workbook["Model"].add_chart(chart, "E2")

    _edit(folder / BOOK, add)
    before = snapshot(folder)
    outcome = by_file(regenerate(folder, _month2(folder)))[BOOK]
    assert outcome.status is Status.FAILED
    assert [(c.kind, c.sheet) for c in outcome.conflicts] == [(ConflictKind.EXTRA_SHEET, "Model")]
    assert "chart" in outcome.conflicts[0].found
    assert snapshot(folder)[BOOK] == before[BOOK]

    forced = by_file(regenerate(folder, _month2(folder), force=True))[BOOK]
    assert forced.status is Status.UPDATED
    (backup,) = (folder / ".backups").iterdir()
    assert openpyxl.load_workbook(backup)["Model"]._charts
    # The rest of the sheet is carried; only the chart stays behind in the backup.
    assert _model(folder / BOOK)["values"]["B4"] == "=B2+B3"


@pytest.mark.parametrize(
    ("change", "part"),
    [
        (
            lambda sheet: setattr(sheet["B2"], "hyperlink", "https://example.com/report"),
            "hyperlinks on cells that are not text",
        ),
        (
            lambda sheet: sheet.conditional_formatting.add(
                "B2:B3", CellIsRule(operator="lessThan", formula=["0"], font=Font(color="FFFF0000"))
            ),
            "conditional formatting",
        ),
        (
            # A whole-number rule "between" with no bounds: Excel would not write it.
            lambda sheet: sheet.add_data_validation(DataValidation(type="whole", sqref="B2")),
            "data validation it cannot write again",
        ),
        (
            lambda sheet: setattr(sheet["D9"], "value", "#N/A"),
            "an error value typed as a constant (D9 #N/A)",
        ),
    ],
)
def test_what_cannot_be_carried_is_named(folder: Path, change: Any, part: str) -> None:
    def add(workbook: openpyxl.Workbook) -> None:
        _add_model(workbook)
        change(workbook["Model"])

    _edit(folder / BOOK, add)
    outcome = by_file(regenerate(folder, _month2(folder)))[BOOK]
    assert outcome.status is Status.FAILED
    assert [c.sheet for c in outcome.conflicts] == ["Model"]
    assert outcome.conflicts[0].found.startswith(part)


def test_validation_comments_and_links_are_carried(folder: Path) -> None:
    def add(workbook: openpyxl.Workbook) -> None:
        _add_model(workbook)
        sheet = workbook["Model"]
        rule = DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="5000",
            sqref="B2:B3 E5",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Revenue",
            error="Between 0 and 5,000",
        )
        sheet.add_data_validation(rule)
        choice = DataValidation(type="list", formula1='"Buy,Hold,Sell"', sqref="D2")
        sheet.add_data_validation(choice)
        sheet["A2"].comment = Comment("From the 3Q call", "analyst")
        sheet["A3"].hyperlink = Hyperlink(
            ref="A3", target="https://example.com/ads", tooltip="Ads deck"
        )
        sheet["A4"].hyperlink = Hyperlink(ref="A4", location="Coverage!A5")

    _edit(folder / BOOK, add)
    outcome = by_file(regenerate(folder, _month2(folder)))[BOOK]
    assert outcome.status is Status.UPDATED, outcome
    sheet = openpyxl.load_workbook(folder / BOOK)["Model"]
    rules = {
        # "between" is the file's default operator: written or left out, it is the same rule.
        str(rule.sqref): (
            rule.type,
            rule.operator or "between",
            rule.formula1,
            rule.formula2,
            rule.error,
        )
        for rule in sheet.data_validations.dataValidation
    }
    assert rules == {
        "B2:B3 E5": ("decimal", "between", "0", "5000", "Between 0 and 5,000"),
        "D2": ("list", "between", '"Buy,Hold,Sell"', None, None),
    }
    assert (sheet["A2"].comment.text, sheet["A2"].comment.author) == ("From the 3Q call", "analyst")
    assert (sheet["A3"].hyperlink.target, sheet["A3"].hyperlink.tooltip) == (
        "https://example.com/ads",
        "Ads deck",
    )
    assert (sheet["A3"].value, sheet["A4"].hyperlink.location) == ("Ads", "Coverage!A5")
    assert by_file(regenerate(folder, _month2(folder)))[BOOK].status is Status.UNCHANGED


def test_a_name_of_your_own_pointing_at_a_template_sheet_is_still_a_conflict(
    folder: Path,
) -> None:
    def add(workbook: openpyxl.Workbook) -> None:
        _add_model(workbook)
        workbook.defined_names["my_close"] = DefinedName("my_close", attr_text="Coverage!$D$5")

    _edit(folder / BOOK, add)
    outcome = by_file(regenerate(folder, _month2(folder)))[BOOK]
    assert [(c.kind, c.sheet) for c in outcome.conflicts] == [
        (ConflictKind.UNKNOWN_NAME, "Coverage")
    ]


@pytest.mark.libreoffice
def test_a_sheet_saved_by_libreoffice_is_carried(
    soffice: str, folder: Path, tmp_path: Path
) -> None:
    _edit(folder / BOOK, _add_model)
    profile = libreoffice_profile(tmp_path / "profile", recalculate=True)
    (saved,) = libreoffice_convert(soffice, profile, [folder / BOOK], tmp_path / "saved", "xlsx")
    (folder / BOOK).write_bytes(saved.read_bytes())
    before = _model(folder / BOOK)
    cached = read_cells(folder / BOOK)["Model"]
    assert cached["B4"].value == pytest.approx(1730.5)  # LibreOffice saved the result
    outcome = by_file(regenerate(folder, _month2(folder)))[BOOK]
    assert outcome.status is Status.UPDATED, outcome
    assert outcome.conflicts == ()
    after = _model(folder / BOOK)
    assert _own_names(after) == _own_names(before)
    assert {k: v for k, v in after.items() if k != "names"} == {
        k: v for k, v in before.items() if k != "names"
    }
    assert read_cells(folder / BOOK)["Model"]["B4"].value == pytest.approx(1730.5)


def test_an_own_sheet_is_carried_through_a_template_upgrade(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    (folder / BOOK).write_bytes(FIXTURE_V1.read_bytes())
    _edit(folder / BOOK, _add_model)
    before = _model(folder / BOOK)
    files = v1_fixture_inputs(tmp_path / "inputs")
    result = regenerate_folder(folder, load_inputs(files, SettingsChoices()), RegenerateOptions())
    (outcome,) = result.workbooks
    assert outcome.status is Status.UPDATED, outcome
    assert outcome.migrated_from == 1
    assert outcome.conflicts == ()
    after = _model(folder / BOOK)
    assert {k: v for k, v in after.items() if k != "names"} == {
        k: v for k, v in before.items() if k != "names"
    }
    assert _own_names(after) == _own_names(before)
