"""Generated workbooks opened with openpyxl and checked against the spec."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook as OpenpyxlWorkbook
from openpyxl.worksheet.formula import ArrayFormula

from tests.workbook_helpers import edge_inputs
from xlmodels.core.ratings import load_scheme
from xlmodels.domain.model import CoverageInputs, Settings
from xlmodels.sources import sample
from xlmodels.template.schema import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    Kind,
    RowContext,
    SpillContext,
    TableSheet,
    choice_values,
    column_letter,
)
from xlmodels.template.v3 import SPEC, XLWINGS_UDF_KEY
from xlmodels.workbook import write_workbook
from xlmodels.workbook.content import header_labels, localise_inputs
from xlmodels.workbook.styles import FORMULA_FONT, INPUT_FONT


def _write(folder: Path, name: str, inputs: CoverageInputs, **options: str) -> Path:
    path = folder / name
    write_workbook(path, inputs, **options)  # type: ignore[arg-type]
    return path


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("structure")
    blank = CoverageInputs.blank(Settings(dt.date(2024, 12, 2), 2024))
    return {
        "zh-sq": _write(folder, "zh-sq.xlsx", sample.load_inputs("zh")),
        "en-native": _write(folder, "en-native.xlsx", sample.load_inputs("en"), mode="native"),
        "edge-en-sq": _write(folder, "edge.xlsx", edge_inputs()),
        "blank-en": _write(folder, "blank.xlsx", blank, lang="en", mode="native"),
    }


@pytest.fixture(scope="module")
def books(written: dict[str, Path]) -> dict[str, OpenpyxlWorkbook]:
    return {name: openpyxl.load_workbook(path) for name, path in written.items()}


def test_sheets_follow_the_spec_in_tab_order(books: dict[str, OpenpyxlWorkbook]) -> None:
    for book in books.values():
        assert book.sheetnames == SPEC.sheet_names()
    assert books["zh-sq"].active.title == "Coverage"


@pytest.mark.parametrize(("name", "lang"), [("zh-sq", "zh"), ("en-native", "en")])
def test_headers_are_the_spec_headers_in_the_workbook_language(
    books: dict[str, OpenpyxlWorkbook], name: str, lang: str
) -> None:
    book = books[name]
    labels = header_labels(localise_inputs(sample.load_inputs(), lang), lang)
    for sheet in SPEC.table_sheets():
        row = [c.value for c in book[sheet.name][HEADER_ROW]][: len(sheet.columns)]
        assert row == [column.header(lang, labels) for column in sheet.columns]
        assert book[sheet.name]["A1"].value == sheet.titles[lang]
    coverage = [c.value for c in book["Coverage"][HEADER_ROW]]
    # Each row's currencies are columns of their own: no header names a mix of them.
    assert not any("/" in str(header) for header in coverage)
    assert ("昨收盘" in coverage) == (lang == "zh")
    assert ("总市值（百万）" in coverage) == (lang == "zh")
    assert ("股价货币" in coverage) == ("EPS货币" in coverage) == (lang == "zh")
    assert ("Price currency" in coverage) == (lang == "en")
    assert ("PE 2024E (x)" in coverage) == (lang == "en")


@pytest.mark.parametrize("name", ["zh-sq", "en-native"])
def test_no_header_of_any_sheet_names_a_mix_of_currencies(
    books: dict[str, OpenpyxlWorkbook], written: dict[str, Path], name: str
) -> None:
    import re

    # The sample mixes HKD and USD listings with CNY and USD EPS.
    currency = r"(?:港元|美元|人民币|HKD|USD|CNY)"
    pair = re.compile(rf"{currency}\s*/\s*{currency}")
    book = books[name]
    for sheet in SPEC.table_sheets():
        headers = [str(c.value) for c in book[sheet.name][HEADER_ROW] if c.value is not None]
        assert not [h for h in headers if pair.search(h)], sheet.name
    # Each row says its own: the saved results of the currency columns.
    coverage = SPEC.sheet("Coverage")
    saved = openpyxl.load_workbook(written[name], data_only=True)["Coverage"]
    rows = {r[0]: r for r in saved.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)}
    price, eps = coverage.position("price_currency"), coverage.position("eps_currency")
    assert (rows["0700.HK"][price], rows["0700.HK"][eps]) == ("HKD", "CNY")
    assert (rows["AMZN.O"][price], rows["AMZN.O"][eps]) == ("USD", "USD")


def test_every_column_and_setting_has_its_named_range(written: dict[str, Path]) -> None:
    content_rows = {"Coverage": 9, "Estimates": 9, "Market": 9, "Performance": 12, "Valuation": 1}
    book = openpyxl.load_workbook(written["zh-sq"])
    names = book.defined_names
    for sheet in SPEC.table_sheets():
        for column in sheet.columns:
            name = sheet.range_name(column.key)
            expected = sheet.data_range(column.key, content_rows[sheet.name])
            assert names[name].attr_text == expected, name
    for setting in SPEC.settings.settings:
        assert names[setting.name].attr_text == SPEC.settings.cell(setting.key)
    blocks = SPEC.settings.blocks(markets=2, tiers=3)
    for name, reference in blocks.names("Settings").items():
        assert names[name].attr_text == reference
    assert names["hist_date"].attr_text == "'History'!$A$5:$A$1123"
    assert names["hist_close_codes"].attr_text == "'History'!$B$4:$M$4"
    assert names["hist_pe"].attr_text == "'History'!$N$5:$N$1123"


def test_blank_template_defines_every_name_over_one_row(books: dict[str, OpenpyxlWorkbook]) -> None:
    book = books["blank-en"]
    names = book.defined_names
    for sheet in SPEC.table_sheets():
        for column in sheet.columns:
            assert names[sheet.range_name(column.key)].attr_text == sheet.data_range(column.key, 0)
    for setting in SPEC.settings.settings:
        assert setting.name in names
    assert book["Coverage"]["A5"].value is None
    assert book["Estimates"]["E5"].font.color.rgb == "FF" + INPUT_FONT[1:]
    assert book["Settings"]["B5"].value == SPEC.version


def _validations(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, tuple[str, str]]:
    out = {}
    for validation in sheet.data_validations.dataValidation:
        for cells in str(validation.sqref).split():
            out[cells] = (validation.type, validation.formula1)
    return out


def test_inputs_have_their_validation(books: dict[str, OpenpyxlWorkbook]) -> None:
    book = books["edge-en-sq"]
    estimates = SPEC.sheet("Estimates")
    rules = _validations(book["Estimates"])
    last = FIRST_DATA_ROW + 6 - 1
    for column in estimates.columns_of(Kind.INPUT):
        letter = estimates.letter(column.key)
        cells = f"{letter}{FIRST_DATA_ROW}:{letter}{last}"
        if column.choices:
            values = choice_values(column.choices, lang="en", scheme="csc")
            assert rules[cells] == ("list", '"' + ",".join(values) + '"'), column.key
        elif column.dtype == "number":
            assert rules[cells][0] == "decimal", column.key
        else:
            assert cells not in rules
    rating, target = estimates.letter("rating_override"), estimates.letter("target_multiple")
    ratings = rules[f"{rating}{FIRST_DATA_ROW}:{rating}{last}"][1]
    assert ratings == '"Buy,Accumulate,Neutral,Reduce,Sell,Not rated"'
    assert rules[f"{target}{FIRST_DATA_ROW}:{target}{last}"] == ("decimal", "0")  # above 0
    settings = _validations(book["Settings"])
    scheme_cell = SPEC.settings.cell("scheme").split("!")[1].replace("$", "")
    assert settings[scheme_cell][0] == "list"
    assert "guosen" in settings[scheme_cell][1]
    month = SPEC.settings.cell("fy_end_month").split("!")[1].replace("$", "")
    assert settings[month] == ("whole", "1")


def test_inputs_are_blue_and_unlocked_formulas_black_and_locked(
    books: dict[str, OpenpyxlWorkbook],
) -> None:
    book = books["zh-sq"]
    for sheet in SPEC.table_sheets():
        worksheet = book[sheet.name]
        assert worksheet.protection.sheet, sheet.name
        assert not worksheet.protection.password
        for column in sheet.columns:
            cell = worksheet[f"{sheet.letter(column.key)}{FIRST_DATA_ROW}"]
            colour = cell.font.color.rgb if cell.font.color is not None else None
            if column.kind is Kind.INPUT:
                assert colour == "FF" + INPUT_FONT[1:], (sheet.name, column.key)
                assert cell.protection.locked is False
            else:
                assert colour == "FF" + FORMULA_FONT[1:], (sheet.name, column.key)
                assert cell.protection.locked is True
            if column.number_format:
                assert cell.number_format == column.number_format, (sheet.name, column.key)
    settings = book["Settings"]
    for item in SPEC.settings.settings:
        cell = settings[SPEC.settings.cell(item.key).split("!")[1].replace("$", "")]
        assert cell.protection.locked is (item.kind is not Kind.INPUT), item.key


@pytest.mark.parametrize("mode", ["sq", "native"])
def test_formulas_are_the_spec_formulas_of_the_mode(written: dict[str, Path], mode: str) -> None:
    book = openpyxl.load_workbook(written["zh-sq" if mode == "sq" else "en-native"])
    for sheet in SPEC.table_sheets():
        worksheet = book[sheet.name]
        rows = worksheet.max_row - FIRST_DATA_ROW + 1
        for column in sheet.columns_of(Kind.FORMULA):
            letter = sheet.letter(column.key)
            if column.spills(mode):
                # One formula for the column, at its first row, spilling over the rest.
                anchor = worksheet[f"{letter}{FIRST_DATA_ROW}"].value
                assert isinstance(anchor, ArrayFormula), (sheet.name, column.key)
                spilled = f"{letter}{FIRST_DATA_ROW}:{letter}{worksheet.max_row}"
                assert anchor.ref == (spilled if rows > 1 else f"{letter}{FIRST_DATA_ROW}")
                context = SpillContext(SPEC, sheet, FIRST_DATA_ROW, rows=rows)
                assert anchor.text == column.spill_formula(context)
                below = worksheet[f"{letter}{FIRST_DATA_ROW + 1}"]
                assert below.data_type != "f", (sheet.name, column.key)
                continue
            for row in (FIRST_DATA_ROW, FIRST_DATA_ROW + 1):
                if sheet.name == "Valuation" and row > FIRST_DATA_ROW:
                    continue
                expected = column.formula_for(mode, RowContext(SPEC, sheet, row))
                assert worksheet[f"{letter}{row}"].value == expected
    assert any(
        "SQ_" in str(getattr(cell.value, "text", cell.value))
        for row in book["Coverage"].iter_rows()
        for cell in row
    ) == (mode == "sq")


def test_coverage_is_an_excel_table_in_native_mode(books: dict[str, OpenpyxlWorkbook]) -> None:
    coverage: TableSheet = SPEC.sheet("Coverage")
    worksheet = books["en-native"]["Coverage"]
    table = worksheet.tables[coverage.table_name]
    last = column_letter(len(coverage.columns) - 1)
    assert table.ref == f"A{HEADER_ROW}:{last}{HEADER_ROW + 9}"
    headers = [c.value for c in worksheet[HEADER_ROW]][: len(coverage.columns)]
    assert [c.name for c in table.tableColumns] == headers


def test_sq_computed_sheets_are_filtered_ranges(books: dict[str, OpenpyxlWorkbook]) -> None:
    # Excel tables cannot hold spilled formulas: the header row carries an autofilter.
    book = books["zh-sq"]
    for sheet in SPEC.table_sheets():
        worksheet = book[sheet.name]
        if not sheet.spilled("sq"):
            assert worksheet.auto_filter.ref is None, sheet.name
            continue
        assert not worksheet.tables, sheet.name
        last = column_letter(len(sheet.columns) - 1)
        assert worksheet.auto_filter.ref == f"A{HEADER_ROW}:{last}{worksheet.max_row}"


def test_panes_are_frozen_below_headers_and_right_of_code_and_name(
    books: dict[str, OpenpyxlWorkbook],
) -> None:
    book = books["zh-sq"]
    for sheet in SPEC.table_sheets():
        assert book[sheet.name].freeze_panes == f"C{FIRST_DATA_ROW}"
    assert book["History"].freeze_panes == f"B{FIRST_DATA_ROW}"


def test_columns_fit_chinese_names(books: dict[str, OpenpyxlWorkbook]) -> None:
    worksheet = books["zh-sq"]["Coverage"]
    # 阿里巴巴-SW: five Chinese characters (ten columns) and three more.
    assert worksheet.column_dimensions["B"].width >= 13
    english = books["en-native"]["Coverage"]
    assert english.column_dimensions["B"].width < worksheet.column_dimensions["B"].width + 10


def test_charts_are_native_excel_charts(books: dict[str, OpenpyxlWorkbook]) -> None:
    book = books["edge-en-sq"]
    assert len(book["Performance"]._charts) == 1
    # One PE-TTM history per series: the index and the company.
    assert len(book["Valuation"]._charts) == 2


def test_settings_hold_values_and_the_two_blocks(books: dict[str, OpenpyxlWorkbook]) -> None:
    book = books["edge-en-sq"]
    settings = book["Settings"]
    spec = SPEC.settings

    def value(key: str) -> object:
        return settings[spec.cell(key).split("!")[1].replace("$", "")].value

    assert value("template_version") == SPEC.version
    assert value("lang") == "en"
    assert value("formula_mode") == "sq"
    assert value("scheme") == "csc"
    assert value("report_date") == dt.datetime(2024, 12, 2)
    blocks = spec.blocks(markets=3, tiers=5)
    markets = [
        settings[f"A{r}"].value for r in range(blocks.bench_first_row, blocks.bench_last_row + 1)
    ]
    assert markets == ["HK", "US", "A"]
    assert settings[f"B{blocks.bench_first_row}"].value == 0.05
    assert settings[f"B{blocks.bench_first_row}"].protection.locked is False
    scheme = load_scheme("csc")
    labels = [
        settings[f"A{r}"].value for r in range(blocks.tier_first_row, blocks.tier_last_row + 1)
    ]
    assert labels == [tier.en for tier in scheme.tiers]
    bounds = [settings[f"B{r}"].value for r in range(blocks.tier_first_row, blocks.tier_last_row)]
    assert bounds == [tier.above for tier in scheme.tiers[:-1]]
    inclusive = [
        settings[f"C{r}"].value for r in range(blocks.tier_first_row, blocks.tier_last_row)
    ]
    assert inclusive == [tier.inclusive for tier in scheme.tiers[:-1]]


def test_history_layout(books: dict[str, OpenpyxlWorkbook]) -> None:
    history = books["zh-sq"]["History"]
    assert history["A4"].value == SPEC.history.date_header["zh"]
    assert history["B3"].value == SPEC.history.close_group["zh"]
    assert history["B4"].value == "0700.HK"
    assert history["N3"].value == SPEC.history.pe_group["zh"]
    assert history["N4"].value == "HSTECH.HI"
    assert history["A5"].value == dt.datetime(2020, 7, 27)
    assert history["B5"].value is None  # the closes start later than the PE series
    first_pe = sample.load_history().dropna(subset=["pe_ttm"]).iloc[0]
    assert history["N5"].value == first_pe["pe_ttm"]
    assert history["A5"].number_format == SPEC.history.date_format


def test_xlwings_conf_and_guide(books: dict[str, OpenpyxlWorkbook]) -> None:
    conf = books["zh-sq"]["xlwings.conf"]
    assert conf["A1"].value == XLWINGS_UDF_KEY
    assert conf["B1"].value == SPEC.xlwings_udf_modules
    assert conf["A2"].value is None  # the add-in reads keys down to the first blank
    guide = books["zh-sq"]["Guide"]
    text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert sample.DATA_NOTE in text
    assert "sq" in text
    history_note = books["zh-sq"]["History"]["A2"].value
    assert "synthetic" in history_note


def test_document_date_is_the_report_date(books: dict[str, OpenpyxlWorkbook]) -> None:
    assert books["zh-sq"].properties.created == dt.datetime(2024, 12, 2)
    props = {p.name: p.value for p in books["zh-sq"].custom_doc_props.props}
    assert props["xlmodels_template_version"] == SPEC.version
    assert props["xlmodels_formula_mode"] == "sq"


def test_the_same_inputs_give_the_same_bytes() -> None:
    first, second = io.BytesIO(), io.BytesIO()
    write_workbook(first, sample.load_inputs())
    write_workbook(second, sample.load_inputs())
    assert first.getvalue() == second.getvalue()


def test_empty_text_results_are_stored_as_text_like_excel(written: dict[str, Path]) -> None:
    with zipfile.ZipFile(written["zh-sq"]) as archive:
        coverage = archive.read("xl/worksheets/sheet2.xml").decode("utf-8")
    # EPS 2026E of Tencent is blank: a formula whose cached result is "".
    fy3 = SPEC.sheet("Coverage").letter("eps_fy3")
    cell = coverage.split(f'<c r="{fy3}5"', 1)[1].split("</c>", 1)[0]
    assert 't="str"' in cell
    assert cell.endswith("<v></v>")


def test_the_fast_cell_writer_writes_what_xlsxwriter_writes() -> None:
    import xlsxwriter

    from xlmodels.workbook.writer import CoverageWorksheet

    sheets = {}
    for name, cls in (("plain", None), ("ours", CoverageWorksheet)):
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet("S", worksheet_class=cls)
        money = book.add_format({"num_format": "#,##0.00"})
        for row, value in enumerate([398.0, 0.1 + 0.2, 1e-7, -3.0, 12345678901234567.0, 7]):
            sheet.write_number(row, 0, value, money)
            sheet.write_number(row, 1, value)
        sheet.write_formula(0, 2, "=A1*2", money, 796.0)
        sheet.write_string(0, 3, "text", money)
        book.close()
        with zipfile.ZipFile(buffer) as archive:
            sheets[name] = archive.read("xl/worksheets/sheet1.xml")
    assert sheets["ours"] == sheets["plain"]


# Functions every Excel since 2007 knows; anything newer must carry Excel's _xlfn. prefix.
_LEGACY_FUNCTIONS = {
    "COUNT",
    "COUNTIF",
    "DATE",
    "IF",
    "INDEX",
    "ISNUMBER",
    "ISTEXT",
    "LEN",
    "MATCH",
    "MAX",
    "MIN",
    "ROWS",
    "SUMPRODUCT",
    "TEXT",
    "TRUNC",
}


@pytest.mark.parametrize("mode", ["sq", "native"])
def test_newer_functions_carry_the_xlfn_prefix(mode: str) -> None:
    import re

    formulas = [
        column.formula_for(mode, RowContext(SPEC, sheet, FIRST_DATA_ROW))
        for sheet in SPEC.table_sheets()
        for column in sheet.columns_of(Kind.FORMULA)
    ] + [
        item.formula.build(mode, RowContext(SPEC, None, FIRST_DATA_ROW))
        for item in SPEC.settings.settings
        if item.formula is not None
    ]
    for formula in formulas:
        for name in re.findall(r"([A-Za-z_][A-Za-z0-9_.]*)\(", formula):
            assert (
                name in _LEGACY_FUNCTIONS
                or name.startswith("_xlfn.")
                or (mode == "sq" and name.startswith("SQ_"))
            ), (name, formula)


def test_date_inputs_get_date_validation(tmp_path: Path) -> None:
    import dataclasses

    settings = SPEC.settings
    dated = tuple(
        dataclasses.replace(item, kind=Kind.INPUT) if item.key == "report_date" else item
        for item in settings.settings
    )
    spec = dataclasses.replace(
        SPEC,
        sheets=tuple(
            dataclasses.replace(sheet, settings=dated) if sheet is settings else sheet
            for sheet in SPEC.sheets
        ),
    )
    path = tmp_path / "dated.xlsx"
    write_workbook(path, sample.load_inputs(), spec=spec)
    book = openpyxl.load_workbook(path)
    cell = spec.settings.cell("report_date").split("!")[1].replace("$", "")
    assert _validations(book["Settings"])[cell][0] == "date"
    assert book["Settings"][cell].protection.locked is False
