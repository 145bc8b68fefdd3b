"""Cached values read with python-calamine equal the core's frames; the reader round-trips."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from tests.workbook_helpers import differences, edge_inputs
from xlmodels import NM, is_nm
from xlmodels.domain.coverage import compute_coverage
from xlmodels.domain.model import CoverageInputs, Settings
from xlmodels.domain.performance import compute_performance, compute_valuation
from xlmodels.errors import InputError
from xlmodels.sources import sample
from xlmodels.template.schema import FIRST_DATA_ROW, Kind
from xlmodels.template.v3 import SPEC
from xlmodels.workbook import read_cells, read_workbook, write_workbook
from xlmodels.workbook.content import localise_inputs
from xlmodels.workbook.writer import CoverageWorksheet


def _sheet_rows(data: bytes, sheet: str) -> dict[str, dict[str, object]]:
    """A table sheet read with python-calamine, keyed by code and column key."""
    spec = SPEC.sheet(sheet)
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    out = {}
    for row in rows[FIRST_DATA_ROW - 1 :]:
        if row and row[0]:
            out[str(row[0])] = {c.key: row[i] for i, c in enumerate(spec.columns)}
    return out


def _expected(value: object) -> object:
    """What a cell shows for a core value: NM as text, missing as empty."""
    if isinstance(value, float) and is_nm(value):
        return "NM"
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return value


COVERAGE_KEYS = (
    *("rating", "close", "market_cap", "eps_fy1", "eps_fy2", "eps_fy3", "pe_fy1", "pe_fy2"),
    *("pe_fy3", "target_price", "upside", "target_eps", "fx", "model_rating"),
)


@pytest.fixture(scope="module", params=["sample-zh", "sample-en", "edge"])
def case(request: pytest.FixtureRequest) -> tuple[CoverageInputs, bytes]:
    inputs = {
        "sample-zh": lambda: sample.load_inputs("zh"),
        "sample-en": lambda: sample.load_inputs("en"),
        "edge": edge_inputs,
    }[request.param]()
    buffer = io.BytesIO()
    write_workbook(buffer, inputs)
    return inputs, buffer.getvalue()


def test_coverage_cells_are_the_core_numbers(case: tuple[CoverageInputs, bytes]) -> None:
    inputs, data = case
    expected = compute_coverage(localise_inputs(inputs, inputs.settings.lang))
    cells = _sheet_rows(data, "Coverage")
    assert list(cells) == list(expected.index)
    pairs = [
        (f"{code}.{key}", _expected(expected.loc[code, key]), cells[code][key])
        for code in expected.index
        for key in COVERAGE_KEYS
    ]
    assert differences(pairs, relative=0) == []


def test_performance_and_valuation_cells_are_the_core_numbers(
    case: tuple[CoverageInputs, bytes],
) -> None:
    inputs, data = case
    localised = localise_inputs(inputs, inputs.settings.lang)
    performance = compute_performance(localised)
    cells = _sheet_rows(data, "Performance")
    assert list(cells) == list(performance.index)
    keys = ("start_close", "end_close", "return", "benchmark_return", "relative_return")
    pairs = [
        (f"{code}.{key}", _expected(performance.loc[code, key]), cells[code][key])
        for code in performance.index
        for key in keys
    ]
    assert differences(pairs, relative=0) == []
    valuation = compute_valuation(localised)
    cells = _sheet_rows(data, "Valuation")
    pairs = [
        (f"{code}.{key}", _expected(valuation.loc[code, key]), cells[code][key])
        for code in valuation.index
        for key in ("first_date", "as_of", "pe_ttm", "percentile", "observations")
    ]
    assert differences(pairs, relative=0) == []


def test_sample_reproduces_the_report_inside_the_workbook() -> None:
    buffer = io.BytesIO()
    write_workbook(buffer, sample.load_inputs())
    coverage = _sheet_rows(buffer.getvalue(), "Coverage")
    assert round(coverage["0700.HK"]["pe_fy1"]) == 15  # type: ignore[call-overload]
    assert round(coverage["0700.HK"]["market_cap"]) == 3_688_428  # type: ignore[call-overload]
    performance = _sheet_rows(buffer.getvalue(), "Performance")
    assert round(performance["3888.HK"]["relative_return"] * 1000) == 200  # type: ignore[operator]
    valuation = _sheet_rows(buffer.getvalue(), "Valuation")
    assert valuation["HSTECH.HI"]["pe_ttm"] == 20.59
    assert valuation["HSTECH.HI"]["label"] == "20.59x | 8.85%"


def test_reader_returns_the_analyst_inputs_and_the_data() -> None:
    inputs = edge_inputs()
    buffer = io.BytesIO()
    write_workbook(buffer, inputs)
    data = read_workbook(buffer)
    assert data.template_version == SPEC.version
    assert (data.formula_mode, data.lang) == ("sq", "en")
    estimates = data.analyst.estimates
    assert list(estimates.index) == list(inputs.universe.index)
    assert list(estimates.columns) == [
        c.key for c in SPEC.sheet("Estimates").columns_of(Kind.INPUT)
    ]
    assert estimates.loc["0700.HK", "eps_fy1"] == 24.1
    assert np.isnan(estimates.loc["600519.SH", "eps_fy1"])
    assert estimates.loc["ABC.O", "rating_override"] == "Reduce"
    assert estimates.loc["ABC.O", "override_reason"] == '=HYPERLINK("http://x","reason")'
    assert data.analyst.settings == {
        "fy1_year": 2024,
        "fy_end_month": 12,
        "fy_end_day": 31,
        "scheme": "csc",
        "percentile_method": "inc",
        "relative_method": "geometric",
        "reporting_currency": None,
    }
    assert data.analyst.benchmark_expected_returns == {"HK": 0.05, "US": 0.0, "A": 0.0}
    assert data.market.loc["0700.HK", "price_date"] == dt.date(2024, 11, 29)
    assert data.universe.loc["ABC.O", "price_currency"] == "USD"
    assert is_nm(data.tables["Coverage"].loc["1111.HK", "pe_fy1"])
    history = data.history
    assert history is not None
    closes = history.dropna(subset=["close"])
    original = inputs.history.dropna(subset=["close"])  # type: ignore[union-attr]
    merged = original.merge(closes, on=["date", "code"], suffixes=("", "_read"))
    assert len(merged) == len(original)
    assert (merged["close"] == merged["close_read"]).all()
    # The holiday inside 0700.HK's series is carried forward on the sheet.
    assert (
        len(closes[closes["code"] == "0700.HK"]) == len(original[original["code"] == "0700.HK"]) + 3
    )


def test_estimates_override_replaces_the_file_estimates() -> None:
    inputs = sample.load_inputs()
    override = inputs.estimates.copy()
    override.loc["0700.HK", "eps_fy1"] = 30.0
    buffer = io.BytesIO()
    content = write_workbook(buffer, inputs, estimates_override=override)
    assert content.tables["Estimates"].column_values["eps_fy1"][0] == 30.0
    data = read_workbook(buffer)
    assert data.analyst.estimates.loc["0700.HK", "eps_fy1"] == 30.0
    assert data.tables["Coverage"].loc["0700.HK", "pe_fy1"] == pytest.approx(398 / (30 * 1.0702))


def test_rewriting_what_was_read_gives_the_same_cells() -> None:
    inputs = edge_inputs()
    first = io.BytesIO()
    write_workbook(first, inputs)
    analyst = read_workbook(first).analyst
    second = io.BytesIO()
    write_workbook(second, inputs, estimates_override=analyst.estimates)
    assert read_cells(first) == read_cells(second)


def test_text_from_outside_stays_text() -> None:
    inputs = edge_inputs()
    universe = inputs.universe.copy()
    universe.loc["0700.HK", "name"] = '=HYPERLINK("http://evil","click")'
    universe.loc["0700.HK", "name_en"] = "@SUM(1)"
    inputs = dataclasses.replace(inputs, universe=universe)
    for lang in ("zh", "en"):
        buffer = io.BytesIO()
        write_workbook(buffer, inputs, lang=lang)
        cells = read_cells(buffer)
        name = cells["Coverage"]["B5"]
        assert name.formula is None
        assert name.value == ('=HYPERLINK("http://evil","click")' if lang == "zh" else "@SUM(1)")
        estimates = SPEC.sheet("Estimates")
        reason = cells["Estimates"][f"{estimates.letter('override_reason')}7"]
        assert reason.formula is None
        assert reason.value == '=HYPERLINK("http://x","reason")'
        notes = cells["Estimates"][f"{estimates.letter('notes')}6"]
        assert notes.value == "-loss"
        assert notes.formula is None


def test_blank_template_round_trips() -> None:
    buffer = io.BytesIO()
    write_workbook(buffer, CoverageInputs.blank(Settings(dt.date(2025, 3, 3), 2025)))
    data = read_workbook(buffer)
    assert data.analyst.estimates.empty
    assert data.settings["fy1_year"] == 2025
    assert data.settings["period_start_row"] is None
    assert all(frame.empty for frame in data.tables.values())


def test_a_failed_write_leaves_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "coverage.xlsx"
    write_workbook(target, sample.load_inputs())
    before = target.read_bytes()

    def broken(self: CoverageWorksheet, *args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(CoverageWorksheet, "_write_cell", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_workbook(target, edge_inputs())
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coverage.xlsx"]


def test_a_new_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "new.xlsx"
    write_workbook(target, sample.load_inputs())
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def _damaged(tmp_path: Path, sheet: str, cell: str, value: object) -> Path:
    import openpyxl

    path = tmp_path / "damaged.xlsx"
    write_workbook(path, sample.load_inputs())
    book = openpyxl.load_workbook(path)
    book[sheet][cell] = value
    book.save(path)
    return path


def test_reader_names_sheet_and_cell_of_text_in_a_number_input(tmp_path: Path) -> None:
    path = _damaged(tmp_path, "Estimates", "E6", "twelve")
    with pytest.raises(InputError) as error:
        read_workbook(path)
    assert error.value.sheet == "Estimates"
    assert error.value.cell == "E6"
    assert "twelve" in str(error.value)


def test_reader_names_a_duplicate_code(tmp_path: Path) -> None:
    path = _damaged(tmp_path, "Estimates", "A6", "0700.HK")
    with pytest.raises(InputError, match="appears twice") as error:
        read_workbook(path)
    assert (error.value.sheet, error.value.cell) == ("Estimates", "A6")


def test_reader_names_a_missing_named_range(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "renamed.xlsx"
    write_workbook(path, sample.load_inputs())
    book = openpyxl.load_workbook(path)
    del book.defined_names["est_eps_fy1"]
    book.save(path)
    with pytest.raises(InputError, match="est_eps_fy1"):
        read_workbook(path)
    partial = read_workbook(path, strict=False)
    assert "eps_fy1" not in partial.analyst.estimates.columns


def test_reader_refuses_what_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="not an Excel workbook: the file holds text"):
        read_workbook(path)


def test_reader_finds_blocks_by_name_after_rows_are_moved(tmp_path: Path) -> None:
    # Sorting Estimates in Excel moves the rows; lookups by code keep each input on its company.
    import openpyxl

    path = tmp_path / "sorted.xlsx"
    write_workbook(path, sample.load_inputs())
    book = openpyxl.load_workbook(path)
    sheet = book["Estimates"]
    first, second = [[c.value for c in sheet[r]] for r in (5, 6)]
    for column, (a, b) in enumerate(zip(first, second, strict=True), start=1):
        sheet.cell(5, column, b)
        sheet.cell(6, column, a)
    book.save(path)
    estimates = read_workbook(path).analyst.estimates
    assert list(estimates.index[:2]) == ["9999.HK", "0700.HK"]
    assert estimates.loc["0700.HK", "eps_fy1"] == 24.1


def test_nm_reads_back_as_the_nm_marker() -> None:
    buffer = io.BytesIO()
    write_workbook(buffer, edge_inputs())
    coverage = read_workbook(buffer).tables["Coverage"]
    assert is_nm(coverage.loc["1111.HK", "target_price"])
    assert coverage["pe_fy1"].dtype == np.float64
    assert pd.isna(coverage.loc["600519.SH", "pe_fy1"])
    assert not is_nm(coverage.loc["600519.SH", "pe_fy1"])
    assert str(NM) == "NM"


def _with_sheet_xml(workbook: bytes, part: str, rows: str) -> bytes:
    """A copy of ``workbook`` whose ``part`` holds ``rows`` as its sheet data."""
    source, out = zipfile.ZipFile(io.BytesIO(workbook)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                text = data.decode("utf-8")
                start, end = text.index("<sheetData"), text.index("</sheetData>")
                data = (text[:start] + f"<sheetData>{rows}" + text[end:]).encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def test_read_cells_reads_what_excel_writes_as_openpyxl_does() -> None:
    # Formulas shared down a column (as Excel and LibreOffice save them), an
    # inline string, a cell whose position is implied, and a styled blank.
    workbook = openpyxl.Workbook()
    workbook.active.title = "Data"
    plain = io.BytesIO()
    workbook.save(plain)
    rows = (
        '<row r="1"><c r="A1"><v>2</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f>'
        "<v>4</v></c></row>"
        '<row r="2"><c r="A2"><v>3</v></c><c r="B2"><f t="shared" si="0"/><v>6</v></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>=not a formula</t></is></c>'
        '<c r="B3"><f t="shared" si="0"/><v>0</v></c><c s="0"/><c><v>7</v></c></row>'
        "<row><c><v>8</v></c></row>"
    )
    data = _with_sheet_xml(plain.getvalue(), "xl/worksheets/sheet1.xml", rows)
    cells = read_cells(io.BytesIO(data))["Data"]
    assert {ref: cell.formula for ref, cell in cells.items()} == {
        "A1": None,
        "B1": "=A1*2",
        "A2": None,
        "B2": "=A2*2",
        "A3": None,
        "B3": "=A3*2",
        "D3": None,
        "A4": None,
    }
    assert cells["A3"].value == "=not a formula"
    assert cells["D3"].value == 7
    full = openpyxl.load_workbook(io.BytesIO(data))["Data"]
    for ref, cell in cells.items():
        expected = full[ref].value
        assert (cell.formula or cell.value) == expected, ref


@pytest.mark.parametrize(
    ("rows", "formulas"),
    [
        # A formula element under a prefix of its own, the root's namespace unprefixed.
        (
            '<row r="1"><c r="A1"><v>2</v></c><c r="B1"><x:f xmlns:x="'
            'http://schemas.openxmlformats.org/spreadsheetml/2006/main">A1*2</x:f><v>4</v></c>'
            "</row>",
            {"B1": "=A1*2"},
        ),
        # Text full of f (each one looked at, then the pattern asked), one formula last.
        (
            "".join(
                f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"fff " * 1500}</t></is></c></row>'
                for r in (1, 2)
            )
            + '<row r="3"><c r="A3"><f>1+1</f><v>2</v></c></row>',
            {"A3": "=1+1"},
        ),
        # f everywhere but never as an element's name: no formula.
        (
            '<row r="1"><c r="A1" t="inlineStr"><is><t>of:f &lt;f</t></is></c></row>',
            {},
        ),
    ],
    ids=["prefixed", "many-f", "no-formula"],
)
def test_read_cells_finds_every_formula_element(rows: str, formulas: dict[str, str]) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Data"
    plain = io.BytesIO()
    workbook.save(plain)
    data = _with_sheet_xml(plain.getvalue(), "xl/worksheets/sheet1.xml", rows)
    cells = read_cells(io.BytesIO(data))["Data"]
    assert {ref: cell.formula for ref, cell in cells.items() if cell.formula} == formulas


def _headers(data: bytes, sheet: str) -> dict[str, object]:
    spec = SPEC.sheet(sheet)
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
        row = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)[3]
    return {c.key: row[i] for i, c in enumerate(spec.columns)}


@pytest.mark.parametrize(
    ("lang", "header"), [("zh", "总市值（百万港元）"), ("en", "Mkt cap (HKD mn)")]
)
def test_market_caps_in_the_reporting_currency_cell_by_cell(lang: str, header: str) -> None:
    buffer = io.BytesIO()
    write_workbook(buffer, edge_inputs(lang=lang, reporting_currency="HKD"), mode="native")
    data = buffer.getvalue()
    assert _headers(data, "Coverage")["market_cap"] == header
    coverage, market = _sheet_rows(data, "Coverage"), _sheet_rows(data, "Market")
    # Hong Kong listings at 1, the A-share at HKD per CNY; the US company has no
    # USD/HKD rate in the inputs: its cap is blank, not a number in USD.
    assert market["0700.HK"]["reporting_fx"] == 1.0
    assert market["600519.SH"]["reporting_fx"] == 1.0702
    assert market["ABC.O"]["reporting_fx"] == ""
    assert coverage["0700.HK"]["market_cap"] == pytest.approx(398.0 * 9267.4)
    assert coverage["600519.SH"]["market_cap"] == pytest.approx(1500.0 * 1256.2 * 1.0702)
    assert coverage["ABC.O"]["market_cap"] == ""
    assert coverage["600519.SH"]["price_currency"] == "CNY"
    assert coverage["ABC.O"]["eps_currency"] == "USD"
    cells = read_cells(io.BytesIO(data))
    setting = SPEC.settings.cell("reporting_currency").split("!")[1].replace("$", "")
    assert cells["Settings"][setting].value == "HKD"


def test_without_a_reporting_currency_caps_stay_in_each_price_currency() -> None:
    buffer = io.BytesIO()
    write_workbook(buffer, edge_inputs(), mode="native")
    data = buffer.getvalue()
    assert _headers(data, "Coverage")["market_cap"] == "Mkt cap (mn)"
    coverage, market = _sheet_rows(data, "Coverage"), _sheet_rows(data, "Market")
    assert coverage["ABC.O"]["market_cap"] == pytest.approx(50.0 * 120.0)  # in USD
    assert {row["reporting_fx"] for row in market.values()} == {""}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_both_names_are_stored_whatever_the_language(lang: str) -> None:
    buffer = io.BytesIO()
    write_workbook(buffer, edge_inputs(lang=lang))
    data = buffer.getvalue()
    market, performance = _sheet_rows(data, "Market"), _sheet_rows(data, "Performance")
    assert (market["0700.HK"]["name"], market["0700.HK"]["name_en"]) == ("腾讯控股", "Tencent")
    hstech = performance["HSTECH.HI"]
    assert (hstech["name_zh"], hstech["name_en"]) == ("恒生科技指数", "Hang Seng TECH")
    shown = "腾讯控股" if lang == "zh" else "Tencent"
    assert _sheet_rows(data, "Coverage")["0700.HK"]["name"] == shown
    assert performance["0700.HK"]["name"] == shown
