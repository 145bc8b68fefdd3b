"""Rules that need no coverage spec, on small workbooks made with openpyxl.

openpyxl saves formulas without results, which is itself one of the cases
the validator must handle; where a test needs a saved result (an error value
a formula shows), it is written into the XML directly.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from validate_helpers import replace_in_part, rewrite_zip, simple_workbook

from xlmodels.excel.error_values import ERROR_VALUES
from xlmodels.excel.formulas import (
    error_literals,
    external_reference,
    normalize,
    relative_shape,
)
from xlmodels.excel.references import parse_reference
from xlmodels.validate import Finding, validate_file


def _findings(path: Path, rule: str) -> list[Finding]:
    return [finding for finding in validate_file(path).findings if finding.rule == rule]


def _cells(path: Path, rule: str) -> list[str]:
    return [finding.location for finding in _findings(path, rule)]


def test_relative_shapes_compare_formulas_across_rows() -> None:
    assert relative_shape("=B5*$C$1", 5, 4) == relative_shape("=B9*$C$1", 9, 4)
    assert relative_shape("=B5*$C$1", 5, 4) != relative_shape("=B8*$C$1", 9, 4)
    assert relative_shape('=IF(A5="B5",1,0)', 5, 2) == 'IF(RC[-1]="B5",1,0)'
    # Names with digits, function names with digits and numbers are not references.
    assert relative_shape("=set_fy1_year+LOG10(A1)+9.99E+307", 1, 1) == (
        "SET_FY1_YEAR+LOG10(RC)+9.99E+307"
    )
    assert normalize("= sum( a1 , _xlfn.STDEV.S(B1) )") == "SUM(A1,STDEV.S(B1))"
    # LibreOffice saves the logical constants as calls; text is left alone.
    assert normalize('=(A1=FALSE())*(B1=true())&"TRUE()"') == '(A1=FALSE)*(B1=TRUE)&"TRUE()"'
    assert normalize("=ISTRUE()+MY.FALSE()") == "ISTRUE()+MY.FALSE()"


def test_error_literals_and_external_references_outside_text() -> None:
    assert error_literals("=Sheet1!#REF!+1") == ["#REF!"]
    assert error_literals('=IF(A1="#REF!",1,2)') == []
    assert external_reference("=[1]Prices!A1*2")
    assert external_reference("='[model.xlsx]Prices'!A1")
    assert not external_reference('="[1]"&A1')


def test_every_error_value_starts_with_a_hash() -> None:
    # error_literals passes over a formula without "#" at once: it must miss none.
    assert all(code.startswith("#") for code in ERROR_VALUES)
    assert error_literals("=A1+#n/a") == ["#N/A"]
    assert parse_reference("'My ''Sheet'''!$A$1") == ("My 'Sheet'", 1, 1, 1, 1)


def test_error_values_shown_or_written_into_formulas(tmp_path: Path) -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        sheet = workbook["Data"]
        sheet["B2"] = "=A1/0"
        sheet["B3"] = "=SUM(#REF!)"
        sheet["C1"] = "#N/A"
        sheet["C1"].data_type = "s"  # text that looks like an error is not one

    source = simple_workbook(tmp_path / "source.xlsx", build)
    # Give B2 the result Excel would save with it.
    target = replace_in_part(
        source,
        tmp_path / "errors.xlsx",
        "xl/worksheets/sheet1.xml",
        '<c r="B2"><f>A1/0</f><v /></c>',
        '<c r="B2" t="e"><f>A1/0</f><v>#DIV/0!</v></c>',
    )
    findings = _findings(target, "integrity.error-value")
    assert [f.location for f in findings] == ["Data!B2", "Data!B3"]
    assert "#DIV/0!" in findings[0].message
    assert "#REF!" in findings[1].message
    # Each fix explains the error its cell holds, not #REF! whatever it is.
    assert findings[0].fix.startswith("#DIV/0! means a division by zero")
    assert "#REF!" not in findings[0].fix
    assert findings[1].fix.startswith("#REF! means the formula refers to cells that were deleted")


@pytest.mark.parametrize(
    ("codes", "starts"),
    [
        (["#N/A"], ["#N/A means a lookup found nothing"]),
        (["#NAME?"], ["#NAME? means an unknown function or name"]),
        (["#VALUE!"], ["#VALUE! means a value of the wrong kind"]),
        (["#N/A", "#REF!", "#N/A"], ["#N/A means", "#REF! means"]),
        (["#BUSY!"], ["Recalculate the workbook in a current Excel"]),
    ],
)
def test_the_fix_of_an_error_value_explains_that_error(codes: list[str], starts: list[str]) -> None:
    from xlmodels.validate.rules.integrity import error_hint

    hint = error_hint(codes)
    for start in starts:
        assert hint.count(start) == 1
    assert hint.startswith(starts[0])


def test_an_error_typed_as_a_value_in_a_sheet_without_formulas(tmp_path: Path) -> None:
    source = simple_workbook(tmp_path / "source.xlsx")
    target = replace_in_part(
        source,
        tmp_path / "typed-error.xlsx",
        "xl/worksheets/sheet1.xml",
        '<c r="A3" t="n"><v>3</v></c>',
        '<c r="A3" t="e"><v>#N/A</v></c>',
    )
    assert _cells(target, "integrity.error-value") == ["Data!A3"]


def test_a_formula_unlike_its_neighbours(tmp_path: Path) -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        sheet = workbook.create_sheet("Model")
        for row in range(1, 8):
            sheet.cell(row, 1, row)
            sheet.cell(row, 2, f"=A{row}*2")
        sheet["B4"] = "=A4*3"  # a different multiplier
        sheet["B8"] = "=SUM(B1:B7)"  # a total row: only one neighbour, not flagged

    path = simple_workbook(tmp_path / "shapes.xlsx", build)
    findings = _findings(path, "integrity.inconsistent-formula")
    assert [f.location for f in findings] == ["Model!B4"]
    assert "=A4*3" in findings[0].message


def test_hidden_sheets_calculation_settings_macros_and_links(tmp_path: Path) -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        workbook.create_sheet("Scratch").sheet_state = "hidden"
        workbook.create_sheet("Secret").sheet_state = "veryHidden"
        workbook.calculation.calcMode = "manual"
        workbook.calculation.iterate = True
        workbook["Data"]["B1"] = "=[1]Prices!A1*2"

    source = simple_workbook(tmp_path / "source.xlsx", build)
    link = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        b'schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
        b'Target="file:///C:/models/prices.xlsx" TargetMode="External"/></Relationships>'
    )
    path = rewrite_zip(
        source,
        tmp_path / "flags.xlsm",
        lambda name, data: data,
        extra={
            "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really a VBA project",
            "xl/externalLinks/externalLink1.xml": b"<externalLink/>",
            "xl/externalLinks/_rels/externalLink1.xml.rels": link,
        },
    )
    report = validate_file(path)
    by_rule = {}
    for finding in report.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    assert [f.location for f in by_rule["integrity.hidden-sheet"]] == ["Scratch", "Secret"]
    assert "very hidden" in by_rule["integrity.hidden-sheet"][1].message
    assert by_rule["integrity.manual-calculation"][0].location == ""
    assert by_rule["integrity.iterative-calculation"][0].severity.value == "error"
    macros = by_rule["integrity.macros"][0]
    assert macros.severity.value == "warning"
    assert "xlwings" in macros.message
    links = by_rule["integrity.external-link"]
    assert len(links) == 1
    assert links[0].location == "Data!B1"
    assert "C:/models/prices.xlsx" in links[0].message


def test_a_broken_defined_name(tmp_path: Path) -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        from openpyxl.workbook.defined_name import DefinedName

        workbook.defined_names["cov_close"] = DefinedName("cov_close", attr_text="#REF!")
        workbook.defined_names["fine"] = DefinedName("fine", attr_text="Data!$A$1:$A$5")

    path = simple_workbook(tmp_path / "names.xlsx", build)
    findings = _findings(path, "structure.broken-name")
    assert len(findings) == 1
    assert "'cov_close'" in findings[0].message


def test_formulas_saved_without_results_are_noticed(tmp_path: Path) -> None:
    path = simple_workbook(
        tmp_path / "uncached.xlsx", lambda wb: wb["Data"].cell(1, 2, "=A1*2") and None
    )
    findings = _findings(path, "file.no-cached-values")
    assert len(findings) == 1
    assert findings[0].location == "Data!B1"
    assert findings[0].severity.value == "info"


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_each_hidden_state_is_one_finding(tmp_path: Path, state: str) -> None:
    path = simple_workbook(
        tmp_path / f"{state}.xlsx",
        lambda wb: setattr(wb.create_sheet("X"), "sheet_state", state),
    )
    assert _cells(path, "integrity.hidden-sheet") == ["X"]
