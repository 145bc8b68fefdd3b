"""Planted defects: one defect per workbook, and each rule fires exactly where it was planted.

Every case starts from a clean coverage workbook written by the workbook
writer from the bundled sample (formulas with their saved results) and
changes it in one place, mostly by editing the XML inside the zip so that
the other saved results stay as they were. A case names the findings its
defect must produce (rule -> locations); any other error-level finding
fails the test, except where a case says which knock-on findings its
defect legitimately causes (a negative share count makes the shown market
cap disagree with the inputs).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.formula import ArrayFormula

from tests.workbook_helpers import libreoffice_convert, libreoffice_profile
from xlmodels.excel.ooxml.package import read_workbook_part
from xlmodels.excel.ooxml.safety import inspect_package
from xlmodels.sources import sample
from xlmodels.template.schema import column_letter
from xlmodels.template.v3 import SPEC
from xlmodels.validate import Finding, Severity, validate_file, validate_paths
from xlmodels.validate.config import ValidateConfig
from xlmodels.workbook import write_workbook

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def clean() -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, sample.load_inputs(lang="zh"), mode="sq")
    return buffer.getvalue()


def _parts(data: bytes) -> dict[str, str]:
    """Sheet name -> its part in the package."""
    package = inspect_package(data, ValidateConfig().limits)
    return {s.name: s.part for s in read_workbook_part(package).sheets if s.part}


Edit = Callable[[str], str]


def cell(ref: str, build: Callable[[str, str], str]) -> Edit:
    """Replace cell ``ref``: ``build(attributes, formula_xml)`` returns its new content.

    ``attributes`` keeps the cell's style; ``formula_xml`` is its ``<f>`` element or "".
    """

    def edit(xml: str) -> str:
        pattern = re.compile(rf'<c r="{ref}"((?: [a-z]+="[^"]*")*?)(?:/>|>(.*?)</c>)', re.S)
        match = pattern.search(xml)
        assert match, f"no cell {ref}"
        attributes = re.sub(r' t="[^"]*"', "", match.group(1))
        formula = re.search(r"<f\b[^>]*>.*?</f>", match.group(2) or "")
        new = build(attributes, formula.group(0) if formula else "")
        return xml[: match.start()] + f'<c r="{ref}"{new}' + xml[match.end() :]

    return edit


def number(value: float, keep_formula: bool = False) -> Callable[[str, str], str]:
    return lambda attrs, f: f"{attrs}>{f if keep_formula else ''}<v>{value!r}</v></c>"


def text(value: str, keep_formula: bool = False) -> Callable[[str, str], str]:
    if keep_formula:
        return lambda attrs, f: f'{attrs} t="str">{f}<v>{value}</v></c>'
    return lambda attrs, f: f'{attrs} t="inlineStr"><is><t>{value}</t></is></c>'


def plant(
    data: bytes,
    sheets: dict[str, list[Edit]] | None = None,
    workbook: list[tuple[str, str]] | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    parts = {_parts(data)[name]: edits for name, edits in (sheets or {}).items()}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename in parts:
                xml = content.decode("utf-8")
                for edit in parts[info.filename]:
                    xml = edit(xml)
                content = xml.encode("utf-8")
            if info.filename == "xl/workbook.xml":
                xml = content.decode("utf-8")
                for old, new in workbook or []:
                    assert old in xml, old
                    xml = xml.replace(old, new, 1)
                content = xml.encode("utf-8")
            target.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def change_formula(ref: str, old: str, new: str) -> Edit:
    """Edit the text of a cell's formula, keeping its saved result."""

    def edit(xml: str) -> str:
        match = re.search(rf'<c r="{ref}"[^>]*>(<f\b[^>]*>.*?</f>)', xml, re.S)
        assert match, f"no formula in {ref}"
        assert old in match.group(1), f"{old!r} not in {ref}"
        start, end = match.span(1)
        return xml[:start] + match.group(1).replace(old, new, 1) + xml[end:]

    return edit


def blank(ref: str) -> Edit:
    """Empty cell ``ref``, keeping its style."""
    return cell(ref, lambda attrs, f: f"{attrs}/>")


def clear_row(sheet: str, row: int) -> list[Edit]:
    """Empty every spec column of ``row``: a row cleared instead of deleted."""
    return [blank(f"{column_letter(i)}{row}") for i in range(len(SPEC.sheet(sheet).columns))]


def copy_value(source: str, target: str) -> Edit:
    """Give ``target`` the value ``source`` holds (a number)."""

    def edit(xml: str) -> str:
        match = re.search(rf'<c r="{source}"[^>]*><v>([^<]*)</v>', xml)
        assert match, f"no value in {source}"
        return cell(target, number(float(match.group(1))))(xml)

    return edit


COVERAGE = SPEC.sheet("Coverage")
ESTIMATES = SPEC.sheet("Estimates")
MARKET = SPEC.sheet("Market")


def at(sheet: str, key: str, row: int = 5) -> str:
    return f"{SPEC.sheet(sheet).letter(key)}{row}"


def loc(sheet: str, ref: str) -> str:
    return f"{sheet}!{ref}"


#: The clean workbook's upside and target-price ranges (nine companies), and a PE's arguments.
_UPSIDE = COVERAGE.data_range("upside", 9).split("!")[1]
_TARGET = COVERAGE.data_range("target_price", 9).split("!")[1]
_REPORTING = SPEC.settings.cell("reporting_currency").split("!")[1].replace("$", "")
#: The spilled PE FY1 formula's arguments: the close, EPS FY1 and FX columns' nine rows.
_PE_ARGS = ",".join(
    f"{at('Coverage', key, 5)}:{at('Coverage', key, 13)}" for key in ("close", "eps_fy1", "fx")
)


@dataclass
class Defect:
    planted: Callable[[bytes], bytes]
    expected: dict[str, set[str]]
    #: Locations (Sheet!Cell or Sheet!row:N) where knock-on error findings are expected.
    knock_on: set[str] = field(default_factory=set)
    config: ValidateConfig = field(default_factory=ValidateConfig)


def _coverage_row(row: int) -> set[str]:
    return {f"Coverage!row:{row}"}


UNCONVERTED_PE = round(398.0 / 24.1, 4)  # Tencent's PE on CNY EPS against an HKD price

DEFECTS: dict[str, Defect] = {
    "structure.template-version": Defect(
        lambda d: plant(d, {"Settings": [cell("B5", number(1))]}),
        {"structure.template-version": {"Settings!B5"}},
    ),
    "structure.broken-name": Defect(
        lambda d: plant(
            d,
            workbook=[
                (
                    f"<definedName name=\"cov_upside\">'Coverage'!{_UPSIDE}</definedName>",
                    '<definedName name="cov_upside">#REF!</definedName>',
                )
            ],
        ),
        {"structure.broken-name": {""}},
    ),
    "structure.named-range": Defect(
        lambda d: plant(
            d,
            workbook=[
                (
                    f"<definedName name=\"cov_upside\">'Coverage'!{_UPSIDE}</definedName>",
                    f"<definedName name=\"cov_upside\">'Coverage'!{_TARGET}</definedName>",
                )
            ],
        ),
        {"structure.named-range": {"Coverage"}},
    ),
    "structure.header": Defect(
        lambda d: plant(d, {"Coverage": [cell("I4", text("PE"))]}),
        {"structure.header": {"Coverage!I4"}},
    ),
    "integrity.error-value": Defect(
        lambda d: plant(
            d,
            {
                "Coverage": [
                    cell(at("Coverage", "pe_fy2"), lambda a, f: f'{a} t="e">{f}<v>#DIV/0!</v></c>')
                ]
            },
        ),
        {"integrity.error-value": {loc("Coverage", at("Coverage", "pe_fy2"))}},
    ),
    "integrity.formula-overwritten": Defect(
        # Someone typed an EPS by hand over the formula that reads it from Estimates.
        lambda d: plant(d, {"Coverage": [cell(at("Coverage", "eps_fy1"), number(23.0))]}),
        {
            "integrity.formula-overwritten": {loc("Coverage", at("Coverage", "eps_fy1"))},
            "finance.recomputed-mismatch": {loc("Coverage", at("Coverage", "eps_fy1"))},
        },
        knock_on={loc("Coverage", at("Coverage", "pe_fy1"))},
    ),
    "integrity.inconsistent-formula": Defect(
        # The spilled PE drops the FX; its saved results are left as they were.
        lambda d: plant(
            d,
            {
                "Coverage": [
                    change_formula(
                        at("Coverage", "pe_fy1"),
                        f"SQ_PE({_PE_ARGS})",
                        f"{at('Coverage', 'close')}:{at('Coverage', 'close', 13)}/"
                        f"{at('Coverage', 'eps_fy1')}:{at('Coverage', 'eps_fy1', 13)}",
                    )
                ]
            },
        ),
        {"integrity.inconsistent-formula": {loc("Coverage", at("Coverage", "pe_fy1"))}},
    ),
    "integrity.spill": Defect(
        # Someone typed the PE they computed by hand, on the unconverted EPS, into a
        # spilled cell; Excel kept it and shows #SPILL! where the column's formula is.
        lambda d: plant(
            d,
            {
                "Coverage": [
                    cell(
                        at("Coverage", "pe_fy1"),
                        lambda a, f: f'{a} t="e">{f}<v>#SPILL!</v></c>',
                    ),
                    *(blank(at("Coverage", "pe_fy1", row)) for row in range(7, 14)),
                    cell(at("Coverage", "pe_fy1", 6), number(UNCONVERTED_PE)),
                ]
            },
        ),
        {
            "integrity.spill": {loc("Coverage", at("Coverage", "pe_fy1", 6))},
            "integrity.error-value": {loc("Coverage", at("Coverage", "pe_fy1"))},
        },
        # The column shows nothing but the typed PE: every row disagrees with its inputs.
        knock_on={loc("Coverage", at("Coverage", "pe_fy1", row)) for row in range(5, 14)},
    ),
    "integrity.external-link": Defect(
        lambda d: plant(
            d,
            extra={
                "xl/externalLinks/externalLink1.xml": b"<externalLink/>",
                "xl/externalLinks/_rels/externalLink1.xml.rels": (
                    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    b'relationships"><Relationship Id="rId1" Target="prices.xlsx" '
                    b'Type="externalLinkPath" TargetMode="External"/></Relationships>'
                ),
            },
        ),
        {"integrity.external-link": {""}},
    ),
    "integrity.macros": Defect(
        lambda d: plant(d, extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"}),
        {"integrity.macros": {""}},
    ),
    "integrity.hidden-sheet": Defect(
        lambda d: plant(
            d, workbook=[('name="Guide" sheetId="1"', 'name="Guide" state="hidden" sheetId="1"')]
        ),
        {"integrity.hidden-sheet": {"Guide"}},
    ),
    "integrity.manual-calculation": Defect(
        lambda d: plant(d, workbook=[("<calcPr ", '<calcPr calcMode="manual" ')]),
        {"integrity.manual-calculation": {""}},
    ),
    "integrity.iterative-calculation": Defect(
        lambda d: plant(d, workbook=[("<calcPr ", '<calcPr iterate="1" ')]),
        {"integrity.iterative-calculation": {""}},
    ),
    "data.wrong-type": Defect(
        lambda d: plant(d, {"History": [cell("N10", text("n/a"))]}),
        {"data.wrong-type": {"History!N10"}},
    ),
    "data.not-positive": Defect(
        lambda d: plant(d, {"Market": [cell(at("Market", "shares_mn"), number(-9267.407))]}),
        {"data.not-positive": {loc("Market", at("Market", "shares_mn"))}},
        knock_on={loc("Coverage", at("Coverage", "market_cap"))},
    ),
    "data.missing-input": Defect(
        lambda d: plant(
            d, {"Estimates": [cell(at("Estimates", "eps_basis"), lambda a, f: f"{a}/>")]}
        ),
        {"data.missing-input": {loc("Estimates", at("Estimates", "eps_basis"))}},
    ),
    "data.invalid-choice": Defect(
        lambda d: plant(d, {"Estimates": [cell(at("Estimates", "eps_basis", 6), text("diluted"))]}),
        {"data.invalid-choice": {loc("Estimates", at("Estimates", "eps_basis", 6))}},
    ),
    "data.out-of-range": Defect(
        # Bounds of fy1_year are 1990-2200 (no sample company's target is on blended EPS).
        lambda d: plant(
            d, {"Settings": [cell(f"B{SPEC.settings.row_of('fy1_year')}", number(1900))]}
        ),
        {"data.out-of-range": {f"Settings!B{SPEC.settings.row_of('fy1_year')}"}},
    ),
    "data.fy1-not-rolled": Defect(
        # FY1 2023 ended eleven months before the report date (2024-12-02):
        # its estimates should have rolled after the 2023 results.
        lambda d: plant(
            d, {"Settings": [cell(f"B{SPEC.settings.row_of('fy1_year')}", number(2023))]}
        ),
        {"data.fy1-not-rolled": {f"Settings!B{SPEC.settings.row_of('fy1_year')}"}},
    ),
    "data.stale-price": Defect(
        lambda d: plant(d, {"Market": [cell(at("Market", "price_date", 7), number(45595))]}),
        {"data.stale-price": {loc("Market", at("Market", "price_date", 7))}},
    ),
    "data.stale-history": Defect(
        # The period moved a month past History's last date (2024-11-29 to
        # 2024-12-29): every close and the PE-TTM would be a month old.
        lambda d: plant(
            d, {"Settings": [cell(f"B{SPEC.settings.row_of('period_end')}", number(45655))]}
        ),
        {
            "data.stale-history": {
                *(loc("Performance", at("Performance", "return", row)) for row in range(5, 17)),
                loc("Valuation", at("Valuation", "as_of")),
            }
        },
        # The cached month no longer agrees with the moved period.
        knock_on={f"Performance!row:{row}" for row in range(5, 17)},
    ),
    "data.history-order": Defect(
        lambda d: plant(d, {"History": [cell("A10", number(44047)), cell("A11", number(44046))]}),
        {"data.history-order": {"History!A11"}},
    ),
    "data.history-gap": Defect(
        lambda d: plant(d, {"History": [cell("A5", number(44039 - 30))]}),
        {"data.history-gap": {"History!A6"}},
    ),
    "data.duplicate-code": Defect(
        lambda d: plant(d, {"Performance": [cell("A6", text("0700.HK"))]}),
        {"data.duplicate-code": {"Performance!A6"}},
        # The row now claims Tencent's code but still shows NetEase's month.
        knock_on={"Performance!row:6"},
    ),
    "data.blank-row": Defect(
        # A company cleared instead of deleted; a negative close further down.
        lambda d: plant(
            d, {"Market": [*clear_row("Market", 9), cell(at("Market", "close", 11), number(-5.0))]}
        ),
        {
            "data.blank-row": {"Market!A9"},
            "data.not-positive": {loc("Market", at("Market", "close", 11))},
        },
        # Coverage still shows the cleared company's and the close's old numbers.
        knock_on=_coverage_row(9) | _coverage_row(11),
    ),
    "data.missing-fx": Defect(
        lambda d: plant(d, {"Market": [cell(at("Market", "fx", 6), lambda a, f: f"{a}/>")]}),
        {"data.missing-fx": {loc("Market", at("Market", "fx", 6))}},
        knock_on=_coverage_row(6),
    ),
    "data.reporting-fx": Defect(
        # Market caps asked in HKD after the workbook was written: one rate is missing.
        lambda d: plant(
            d,
            {
                "Settings": [cell(_REPORTING, text("HKD"))],
                "Market": [
                    cell(at("Market", "reporting_fx", row), number(1.0))
                    for row in range(5, 14)
                    if row != 6
                ],
            },
        ),
        {"data.reporting-fx": {loc("Market", at("Market", "reporting_fx", 6))}},
        # Its market cap shows the unconverted number the workbook was saved with.
        knock_on=_coverage_row(6),
    ),
    "finance.recomputed-mismatch": Defect(
        lambda d: plant(
            d, {"Coverage": [cell(at("Coverage", "market_cap"), number(3_400_000.0, True))]}
        ),
        {"finance.recomputed-mismatch": {loc("Coverage", at("Coverage", "market_cap"))}},
    ),
    "finance.implied-price": Defect(
        # A stale EPS FY2 result: the PE next to it was computed on another EPS.
        lambda d: plant(d, {"Coverage": [cell(at("Coverage", "eps_fy2"), number(20.0, True))]}),
        {
            "finance.implied-price": {loc("Coverage", at("Coverage", "pe_fy2"))},
            "finance.recomputed-mismatch": {loc("Coverage", at("Coverage", "eps_fy2"))},
        },
    ),
    "finance.return-mismatch": Defect(
        # Tencent's month shown as a gain (it fell 1.8% in the sample).
        lambda d: plant(
            d, {"Performance": [cell(at("Performance", "return"), number(0.018, True))]}
        ),
        {"finance.return-mismatch": {loc("Performance", at("Performance", "return"))}},
    ),
    "finance.rating-mismatch": Defect(
        lambda d: plant(d, {"Coverage": [cell(at("Coverage", "rating"), text("中性", True))]}),
        {"finance.rating-mismatch": {loc("Coverage", at("Coverage", "rating"))}},
    ),
    "finance.override-without-reason": Defect(
        lambda d: plant(
            d,
            {
                "Estimates": [cell(at("Estimates", "rating_override"), text("中性"))],
                "Coverage": [cell(at("Coverage", "rating"), text("中性", True))],
            },
        ),
        {"finance.override-without-reason": {loc("Estimates", at("Estimates", "override_reason"))}},
    ),
}


def _knocked_on(finding: Finding, allowed: set[str]) -> bool:
    if finding.sheet is None or finding.cell is None:
        return False
    row = re.sub(r"[A-Z$]", "", finding.cell.split(":")[0])
    return bool({finding.location, f"{finding.sheet}!row:{row}", f"{finding.sheet}!*"} & allowed)


@pytest.mark.parametrize("rule", sorted(DEFECTS))
def test_each_rule_fires_exactly_where_its_defect_was_planted(
    clean: bytes, tmp_path: Path, rule: str
) -> None:
    path = tmp_path / f"{rule}.xlsx"
    path.write_bytes(DEFECTS[rule].planted(clean))
    assert_findings(path, DEFECTS[rule])


def assert_findings(path: Path, defect: Defect) -> list[Finding]:
    """The defect's findings are exactly where expected, and no other error is reported."""
    report = validate_file(path, defect.config)
    assert not report.unreadable, report.findings
    found: dict[str, set[str]] = {}
    for finding in report.findings:
        found.setdefault(finding.rule, set()).add(finding.location)
    for expected_rule, locations in defect.expected.items():
        assert found.get(expected_rule) == locations, report.findings
    stray = [
        f
        for f in report.findings
        if f.severity is Severity.ERROR
        and f.rule not in defect.expected
        and not _knocked_on(f, defect.knock_on)
    ]
    assert stray == []
    return list(report.findings)


#: Defects below a row cleared inside a table: the rows below it are still checked.
BELOW_A_BLANK_ROW: dict[str, Defect] = {
    "coverage": Defect(
        # A PE typed over, three rows below a cleared company.
        lambda d: plant(
            d,
            {
                "Coverage": [
                    *clear_row("Coverage", 8),
                    cell(at("Coverage", "eps_fy1", 11), number(99.0)),
                ]
            },
        ),
        {
            "data.blank-row": {"Coverage!A8"},
            "integrity.formula-overwritten": {loc("Coverage", at("Coverage", "eps_fy1", 11))},
            "finance.recomputed-mismatch": {loc("Coverage", at("Coverage", "eps_fy1", 11))},
        },
        knock_on={loc("Coverage", at("Coverage", "pe_fy1", 11))},
    ),
    "history": Defect(
        # A date cleared (its closes left), and a date repeated further down.
        lambda d: plant(d, {"History": [blank("A20"), copy_value("A29", "A30")]}),
        {"data.blank-row": {"History!A20"}, "data.history-order": {"History!A30"}},
    ),
}


@pytest.mark.parametrize("case", sorted(BELOW_A_BLANK_ROW))
def test_a_blank_row_does_not_end_a_table(clean: bytes, tmp_path: Path, case: str) -> None:
    path = tmp_path / f"{case}.xlsx"
    path.write_bytes(BELOW_A_BLANK_ROW[case].planted(clean))
    findings = assert_findings(path, BELOW_A_BLANK_ROW[case])
    (blank_row,) = [f for f in findings if f.rule == "data.blank-row"]
    if case == "history":
        assert blank_row.message.startswith("row 20 has values but no date, inside the table")
    else:
        assert blank_row.message.startswith("row 8 is empty, inside the table")
    # The named ranges still cover the rows below the blank one.
    assert not [f for f in findings if f.rule == "structure.named-range"]


def test_adjacent_blank_rows_are_one_finding(clean: bytes, tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    path.write_bytes(
        plant(clean, {"Estimates": [*clear_row("Estimates", 6), *clear_row("Estimates", 7)]})
    )
    (finding,) = [f for f in validate_file(path).findings if f.rule == "data.blank-row"]
    assert finding.location == "Estimates!A6:A7"
    assert finding.message == "rows 6-7 are empty, inside the table, which goes on to row 13"


def test_every_rule_with_a_check_has_a_planted_defect() -> None:
    from xlmodels.validate import all_rules

    checked = {r.id for r in all_rules() if r.check is not None}
    covered = set(DEFECTS) | {"structure.missing-sheet", "file.no-cached-values"}
    assert checked - covered == set()


@pytest.mark.parametrize(("mode", "lang"), [("sq", "zh"), ("native", "en")])
def test_a_clean_workbook_has_no_finding(tmp_path: Path, mode: str, lang: str) -> None:
    path = tmp_path / f"clean-{mode}.xlsx"
    write_workbook(path, sample.load_inputs(lang=lang), mode=mode)
    report = validate_file(path)
    assert report.findings == ()


@pytest.mark.libreoffice
def test_a_native_workbook_saved_by_libreoffice_validates_clean(
    soffice: str, tmp_path: Path
) -> None:
    # LibreOffice writes TRUE and FALSE as TRUE() and FALSE() in the model
    # rating's formula; nothing else it saves differs from the spec's text.
    books = []
    for lang in ("zh", "en"):
        books.append(tmp_path / f"native-{lang}.xlsx")
        write_workbook(books[-1], sample.load_inputs(lang=lang), mode="native")
    profile = libreoffice_profile(tmp_path / "profile", recalculate=False)
    saved = libreoffice_convert(soffice, profile, books, tmp_path / "saved", "xlsx")
    report = validate_paths(saved)
    assert len(report.files) == 2
    assert [f for f in report.findings if f.severity is Severity.ERROR] == []


def test_a_workbook_saved_by_openpyxl_is_checked_from_its_inputs(
    clean: bytes, tmp_path: Path
) -> None:
    # openpyxl keeps formulas and drops every saved result; removing a sheet on
    # the way is the defect.
    source = tmp_path / "source.xlsx"
    source.write_bytes(clean)
    workbook = openpyxl.load_workbook(source)
    del workbook["Guide"]
    workbook["Coverage"]["I6"] = 99.0  # a PE typed over: now the only shown value
    workbook.save(tmp_path / "resaved.xlsx")
    report = validate_file(tmp_path / "resaved.xlsx")
    by_rule: dict[str, set[str]] = {}
    for finding in report.findings:
        by_rule.setdefault(finding.rule, set()).add(finding.location)
    assert by_rule.pop("structure.missing-sheet") == {"Guide"}
    (info,) = by_rule.pop("file.no-cached-values")
    assert info.startswith("Coverage!")
    assert by_rule.pop("integrity.formula-overwritten") == {"Coverage!I6"}
    assert by_rule.pop("finance.recomputed-mismatch") == {"Coverage!I6"}
    assert by_rule == {}


def _resaved(clean: bytes, tmp_path: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    source = tmp_path / "source.xlsx"
    source.write_bytes(clean)
    workbook = openpyxl.load_workbook(source)
    change(workbook)
    workbook.save(tmp_path / "changed.xlsx")
    return tmp_path / "changed.xlsx"


def _shift(text: str, sheet: str, at: int) -> str:
    """References to column ``at`` or right of it, one column right: Excel's column insertion.

    ``sheet`` is the sheet the references are on; references to another
    sheet (``'Market'!$D$5:$D$13``) and text in quotes are left alone.
    """
    cell = r"(\$?)([A-Z]{1,3})(\$?)([0-9]+)"
    reference = re.compile(
        rf"(?<![A-Za-z0-9_.$])((?:'[^']+'|[A-Za-z]+)!)?{cell}(?::{cell})?(?![A-Za-z0-9_(])"
    )

    def move(match: re.Match[str]) -> str:
        prefix = match.group(1)
        if prefix is not None and prefix.rstrip("!").strip("'") != sheet:
            return match.group(0)
        parts = []
        for first in (2, 6):
            if match.group(first + 1) is None:
                continue
            absolute, letters, row_absolute, digits = match.group(
                first, first + 1, first + 2, first + 3
            )
            index = column_index_from_string(letters)
            letters = get_column_letter(index + 1) if index >= at else letters
            parts.append(f"{absolute}{letters}{row_absolute}{digits}")
        return (prefix or "") + ":".join(parts)

    pieces = text.split('"')  # odd pieces are text in quotes
    return '"'.join(p if i % 2 else reference.sub(move, p) for i, p in enumerate(pieces))


def test_data_rules_read_columns_moved_by_an_inserted_column(clean: bytes, tmp_path: Path) -> None:
    # openpyxl moves the cells and leaves the names: each name now covers the
    # column to the left of its own, which structure.named-range reports.
    shares = f"{get_column_letter(MARKET.position('shares_mn') + 2)}11"
    moved = {f"Market!{column_letter(i)}4" for i in range(2, len(MARKET.columns))}
    market, close = at("Market", "market", 4), MARKET.data_range("close", 9)

    def insert(workbook: openpyxl.Workbook) -> None:
        workbook["Market"].insert_cols(3)
        workbook["Market"][shares] = -9267.407

    path = _resaved(clean, tmp_path, insert)
    findings = assert_findings(
        path,
        Defect(
            lambda d: d,
            {
                "structure.header": moved,
                "structure.named-range": {"Market"},
                "data.not-positive": {f"Market!{shares}"},
            },
            # openpyxl keeps the values a formula spilled (it drops formulas' own
            # results): the shown market cap of that row no longer fits its inputs.
            knock_on={loc("Coverage", at("Coverage", "market_cap", 11))},
        ),
    )
    header = next(f for f in findings if f.location == f"Market!{market}")
    assert header.message.endswith(
        f"; that header is now in {get_column_letter(MARKET.position('market') + 2)}4"
    )
    named = {f.message for f in findings if f.rule == "structure.named-range"}
    assert f"the named range 'mkt_close' refers to {close}, not " in " ".join(named)


def test_formulas_moved_with_an_inserted_column_are_checked_where_they_are(
    clean: bytes, tmp_path: Path
) -> None:
    # An insertion as Excel makes it: formulas, spilled ranges and names follow the cells.
    eps_fy1 = f"{get_column_letter(COVERAGE.position('eps_fy1') + 2)}6"

    def insert(workbook: openpyxl.Workbook) -> None:
        sheet = workbook["Coverage"]
        sheet.insert_cols(4)
        for row in sheet.iter_rows():
            for item in row:
                if isinstance(item.value, ArrayFormula):
                    text = _shift(str(item.value.text), "Coverage", 4)
                    ref = _shift(str(item.value.ref), "Coverage", 4)
                    item.value = ArrayFormula(ref, text)
                elif item.data_type == "f":
                    item.value = _shift(str(item.value), "Coverage", 4)
        for defined in workbook.defined_names.values():
            defined.attr_text = _shift(str(defined.attr_text), "Coverage", 4)
        sheet[eps_fy1] = 99.0  # EPS FY1, typed over where the column now is

    path = _resaved(clean, tmp_path, insert)
    assert_findings(
        path,
        Defect(
            lambda d: d,
            {
                "structure.header": {
                    f"Coverage!{column_letter(i)}4" for i in range(3, len(COVERAGE.columns))
                },
                "integrity.formula-overwritten": {f"Coverage!{eps_fy1}"},
                "finance.recomputed-mismatch": {f"Coverage!{eps_fy1}"},
            },
            # The PE FY1 the spill shows for that row was computed on the old EPS.
            knock_on={f"Coverage!{get_column_letter(COVERAGE.position('pe_fy1') + 2)}6"},
        ),
    )


@pytest.mark.parametrize(
    ("sheet", "change", "why"),
    [
        ("Market", lambda s: s.delete_cols(MARKET.position("close") + 1), "no header 'Close'"),
        (
            # A column of an earlier year's EPS before the last reported one: either could be LYR.
            "Estimates",
            lambda s: (s.insert_cols(5), s.cell(4, 5, "EPS 2022A（CNY）")),
            "'EPS LYR' could be column E or F",
        ),
    ],
)
def test_a_sheet_whose_columns_cannot_be_found_is_skipped_in_one_finding(
    clean: bytes, tmp_path: Path, sheet: str, change: Callable[[Any], object], why: str
) -> None:
    path = _resaved(clean, tmp_path, lambda workbook: change(workbook[sheet]))
    report = validate_file(path)
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    assert {f.rule for f in errors} == {"structure.header"}
    assert {f.sheet for f in errors} == {sheet}
    (skipped,) = [f for f in errors if f.cell is None]
    assert skipped.message == (
        f"the spec's columns cannot be found by their headers ({why}), so the data and "
        f"finance checks that read {sheet} were skipped"
    )


def test_a_rating_mismatch_names_the_benchmark_expected_return(
    clean: bytes, tmp_path: Path
) -> None:
    # HK's benchmark expected return raised to 35% after the ratings were computed.
    path = tmp_path / "benchmark.xlsx"
    hk = f"B{SPEC.settings.blocks(markets=2, tiers=3).bench_first_row}"
    path.write_bytes(plant(clean, {"Settings": [cell(hk, number(0.35))]}))
    findings = {f.location: f for f in validate_file(path).findings}
    rating = findings[loc("Coverage", at("Coverage", "rating"))]
    assert rating.rule == "finance.rating-mismatch"
    assert rating.message == (
        "rating of 0700.HK is '优于大市', but the guosen scheme gives '中性' for an upside of "
        "41.4% against the HK benchmark expected return of 35.0% and no override is recorded"
    )
    # A zero benchmark expected return goes unsaid.
    path.write_bytes(DEFECTS["finance.rating-mismatch"].planted(clean))
    (finding,) = [f for f in validate_file(path).findings if f.rule == "finance.rating-mismatch"]
    assert finding.message.endswith("for an upside of 41.4% and no override is recorded")


def test_the_unconverted_pe_is_named_as_such(clean: bytes, tmp_path: Path) -> None:
    path = tmp_path / "pe.xlsx"
    path.write_bytes(
        plant(clean, {"Coverage": [cell(at("Coverage", "pe_fy1"), number(UNCONVERTED_PE, True))]})
    )
    (finding,) = [
        f for f in validate_file(path).findings if f.rule == "finance.recomputed-mismatch"
    ]
    assert "not converted from CNY to HKD" in finding.message
    assert finding.location == loc("Coverage", at("Coverage", "pe_fy1"))


def test_committed_and_demo_workbooks_validate_clean(tmp_path: Path) -> None:
    from xlmodels.cli.demo import write_demo_workbooks

    demo = write_demo_workbooks(tmp_path, "zh")
    committed = sorted((ROOT / "workbooks").glob("*.xls[xm]"))
    report = validate_paths([*committed, *demo])
    assert len(report.files) == len(committed) + len(demo)
    assert [f for f in report.findings if f.severity is not Severity.INFO] == []


def test_an_older_template_says_which_upgrade_applies(clean: bytes, tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(plant(clean, {"Settings": [cell("B5", number(SPEC.version - 1))]}))
    report = validate_file(path)
    (finding,) = [f for f in report.findings if f.rule == "structure.template-version"]
    assert f"template version {SPEC.version - 1} is older than {SPEC.version}" in finding.message
    assert "run xlmodels regenerate to upgrade" in finding.message
    # The checks against the current spec do not run on an older template.
    assert not any(f.rule.startswith(("data.", "finance.")) for f in report.findings)


def test_a_rule_that_fails_is_reported_and_the_batch_goes_on(
    clean: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlmodels.validate import RULES
    from xlmodels.validate.rule import Rule

    def broken(context: object) -> list[object]:
        raise ZeroDivisionError("boom")

    rule = RULES["data.history-gap"]
    monkeypatch.setitem(
        RULES, rule.id, Rule(rule.id, rule.severity, rule.summary, rule.fix, broken, True)
    )
    path = tmp_path / "clean.xlsx"
    path.write_bytes(clean)
    report = validate_paths([path])
    (failure,) = report.files[0].findings
    assert failure.rule == "file.check-failed"
    assert "data.history-gap stopped with ZeroDivisionError: boom" in failure.message
    assert report.exit_code == 2


def test_a_v1_workbook_is_told_which_upgrade_applies() -> None:
    from xlmodels.validate import validate_paths

    fixture = Path(__file__).parents[1] / "fixtures" / "coverage-v1.xlsx"
    report = validate_paths([fixture])
    (finding,) = [f for f in report.findings if f.rule == "structure.template-version"]
    assert "template version 1 is older than 3" in finding.message
    assert "v1 -> v2: adds the EPS basis column" in finding.message
