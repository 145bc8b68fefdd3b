"""The coverage table as Markdown, CSV and XLSX, and the report's files."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from xlmodels.core.fx import FxTable
from xlmodels.domain.model import CoverageInputs
from xlmodels.errors import InputError
from xlmodels.report.build import FORMATS, parse_formats, report_markdown, write_report
from xlmodels.report.coverage_table import DisplayRules
from xlmodels.report.month import MonthReport, build_month_report
from xlmodels.report.sentences import month_sentences
from xlmodels.report.tables import (
    csv_text,
    markdown_table,
    printed_coverage,
    printed_movers,
    write_xlsx,
)
from xlmodels.sources import sample
from xlmodels.workbook import write_workbook

TENCENT_ROW = "| 0700.HK | 腾讯控股 | 优于大市 | 398.0 | 3,688,428 | 24.10 | 26.30 | 15 | 14 |"


@pytest.fixture(scope="module")
def report() -> MonthReport:
    return build_month_report(sample.load_inputs())


def _with_name(report: MonthReport, code: str, name: object) -> MonthReport:
    group = report.groups[0]
    coverage = group.coverage.copy()
    coverage.loc[code, "name"] = name
    return dataclasses.replace(report, groups=(dataclasses.replace(group, coverage=coverage),))


def _by_market(inputs: CoverageInputs, estimates: pd.DataFrame) -> list[CoverageInputs]:
    """The sample as two coverage workbooks: Hong Kong, then US."""
    groups = []
    for market in ("HK", "US"):
        codes = inputs.universe.index[inputs.universe["market"] == market]
        groups.append(
            dataclasses.replace(
                inputs,
                universe=inputs.universe.loc[codes],
                market=inputs.market.loc[codes],
                estimates=estimates.loc[estimates.index.intersection(codes)],
            )
        )
    return groups


def test_markdown_table_in_the_reference_layout(report: MonthReport) -> None:
    lines = markdown_table(printed_coverage(report.groups[0])).splitlines()
    assert lines[0] == (
        "| 公司代码 | 公司名称 | 投资评级 | 昨收盘（港元） | 总市值（百万港元） "
        "| EPS 2024E（人民币） | EPS 2025E（人民币） | PE 2024E（x） | PE 2025E（x） |"
    )
    assert lines[1] == "|---|---|---|---:|---:|---:|---:|---:|---:|"
    assert lines[2] == TENCENT_ROW
    assert len(lines) == 2 + 4


def test_pe_with_one_decimal_by_setting(report: MonthReport) -> None:
    table = printed_coverage(report.groups[0], DisplayRules(pe_decimals=1))
    assert table.text.iloc[0, -2:].tolist() == ["15.4", "14.1"]


def test_english_table_has_english_names_and_units() -> None:
    report = build_month_report(sample.load_inputs(), lang="en")
    table = printed_coverage(report.groups[0])
    assert table.text.columns[3:5].tolist() == ["Close (HKD)", "Mkt cap (HKD mn)"]
    assert table.text.iloc[0, :3].tolist() == ["0700.HK", "Tencent", "Outperform"]


def test_csv_has_a_byte_order_mark_and_reads_back_as_printed(
    report: MonthReport, tmp_path: Path
) -> None:
    path = tmp_path / "coverage.csv"
    write_report(report, tmp_path, ["csv"])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    table = printed_coverage(report.groups[0])
    assert rows[0] == [c.header for c in table.columns]
    assert rows[1] == TENCENT_ROW.strip("| ").split(" | ")


def test_csv_and_xlsx_never_store_a_name_as_a_formula(report: MonthReport, tmp_path: Path) -> None:
    hostile = _with_name(report, "0700.HK", '=HYPERLINK("http://x","y")')
    assert "'=HYPERLINK" in csv_text(printed_coverage(hostile.groups[0]))
    path = tmp_path / "coverage.xlsx"
    write_xlsx(path, hostile)
    cell = load_workbook(path).worksheets[0]["B3"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","y")'


def test_xlsx_stores_numbers_with_the_display_rules(report: MonthReport, tmp_path: Path) -> None:
    path = tmp_path / "coverage.xlsx"
    write_xlsx(path, report)
    book = load_workbook(path)
    assert book.sheetnames == ["HK Internet _ US Internet", "行情回顾", "估值"]
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[2]]
    assert headers[:5] == [
        "公司代码",
        "公司名称",
        "投资评级",
        "昨收盘（港元）",
        "总市值（百万港元）",
    ]
    assert sheet["A2"].fill.fgColor.rgb.endswith("1F3864")
    assert sheet["A2"].font.bold
    tencent = {h: c for h, c in zip(headers, sheet[3], strict=True)}
    assert tencent["昨收盘（港元）"].value == 398.0
    assert tencent["昨收盘（港元）"].number_format == "#,##0.0"
    assert round(tencent["总市值（百万港元）"].value) == 3_688_428
    assert tencent["总市值（百万港元）"].number_format == "#,##0"
    assert tencent["EPS 2024E（人民币）"].number_format == "#,##0.00"
    assert round(tencent["PE 2024E（x）"].value, 2) == 15.43
    assert tencent["PE 2024E（x）"].number_format == "#,##0"
    # Chinese headers get room: two columns per character.
    assert sheet.column_dimensions["E"].width >= 2 * len("总市值（百万港元）")
    assert sheet.freeze_panes == "C3"


def test_a_loss_making_year_prints_nm(tmp_path: Path) -> None:
    inputs = sample.load_inputs()
    estimates = inputs.estimates.copy()
    estimates.loc["0700.HK", "eps_fy1"] = -1.5  # a loss: PE is not meaningful
    report = build_month_report(dataclasses.replace(inputs, estimates=estimates))
    assert printed_coverage(report.groups[0]).text.iloc[0, -2] == "NM"
    path = tmp_path / "coverage.xlsx"
    write_xlsx(path, report)
    sheet = load_workbook(path).worksheets[0]
    assert sheet["H2"].value == "PE 2024E（x）"
    assert sheet["H3"].value == "NM"
    assert sheet["F3"].value == -1.5


def test_xlsx_month_sheet_holds_movers_in_pct(report: MonthReport, tmp_path: Path) -> None:
    path = tmp_path / "coverage.xlsx"
    write_xlsx(path, report)
    sheet = load_workbook(path)["行情回顾"]
    rows = {row[3].value: row for row in sheet.iter_rows(min_row=3) if row[3].value}
    weibo = rows["WB.O"]
    assert round(weibo[5].value, 4) == 0.0608
    assert weibo[5].number_format == "#,##0.0%"
    assert round(weibo[8].value, 1) == -0.1
    assert weibo[8].number_format == '#,##0.0"pct"'
    valuation = load_workbook(path)["估值"]
    assert valuation["E3"].value == 20.59
    assert round(valuation["F3"].value, 4) == 0.0885


def test_formats_are_repeatable_or_comma_separated() -> None:
    assert parse_formats(["md, html", "csv", "md"]) == ("md", "html", "csv")
    assert parse_formats([]) == FORMATS
    with pytest.raises(InputError, match="unknown format 'pdf'"):
        parse_formats(["md,pdf"])


def test_write_report_writes_every_format(report: MonthReport, tmp_path: Path) -> None:
    written = write_report(report, tmp_path / "out")
    names = [f.path.name for f in written]
    assert names == [
        "report.md",
        "report.html",
        "coverage.xlsx",
        "coverage.csv",
        "movers-hk.png",
        "movers-us.png",
        "pe-hstech-hi.png",
        "movers-hk.svg",
        "movers-us.svg",
        "pe-hstech-hi.svg",
    ]
    assert all(f.path.stat().st_size > 0 for f in written)
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert TENCENT_ROW in markdown
    assert "![2024 年 11 月港股个股涨跌幅（%）](movers-hk.png)" in markdown
    assert "微博跑输 0.1pct" in markdown


def test_two_groups_give_one_csv_each(tmp_path: Path) -> None:
    inputs = sample.load_inputs()
    estimates = inputs.estimates.copy()
    # Give the US names estimates so that both groups have a coverage table.
    for code in ("SE.N", "AMZN.O", "WB.O"):
        estimates.loc[code] = estimates.loc["0700.HK"]
    report = build_month_report(_by_market(inputs, estimates))
    written = write_report(report, tmp_path, ["csv", "xlsx"])
    assert [f.path.name for f in written] == [
        "coverage.xlsx",
        "coverage-1-hk-internet.csv",
        "coverage-2-us-internet.csv",
    ]
    us = (tmp_path / "coverage-2-us-internet.csv").read_text(encoding="utf-8-sig")
    assert us.splitlines()[0].split(",")[3] == "昨收盘（美元）"
    assert load_workbook(tmp_path / "coverage.xlsx").sheetnames[:2] == [
        "HK Internet",
        "US Internet",
    ]


def test_an_output_path_that_is_a_file_is_refused(report: MonthReport, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    with pytest.raises(InputError, match="is not a folder"):
        write_report(report, target, ["md"])


def test_eps_and_pe_headers_carry_their_units(report: MonthReport) -> None:
    headers = [c.header for c in printed_coverage(report.groups[0]).columns]
    assert "EPS 2024E（人民币）" in headers
    assert "PE 2025E（x）" in headers


def test_movers_tables_give_each_decliner_its_outperformance(report: MonthReport) -> None:
    hong_kong = printed_movers(report)[0]
    assert hong_kong.title == "港股"
    rows = hong_kong.text.set_index("code")
    # The decliners are not in the sentences, only in the tables and charts.
    assert rows.loc["9988.HK", ["list", "return", "relative"]].tolist() == [
        "下跌",
        "-12.4%",
        "-9.2pct",
    ]
    assert rows.loc["3888.HK", "relative"] == "20.0pct"
    markdown = markdown_table(hong_kong)
    assert (
        "| 下跌 | 1 | 9988.HK | 阿里巴巴-SW | -12.4% | 恒生科技指数 | -3.2% | -9.2pct |" in markdown
    )


def test_a_group_without_estimates_is_said_not_printed_empty(tmp_path: Path) -> None:
    inputs = sample.load_inputs()
    report = build_month_report(_by_market(inputs, inputs.estimates))
    written = write_report(report, tmp_path, ["md", "html", "csv", "xlsx"])
    assert [f.path.name for f in written if f.format == "csv"] == ["coverage-1-hk-internet.csv"]
    note = "US Internet：暂无盈利预测（无公司填写 FY1 EPS），不列入本表。"
    assert note in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert note in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "（）" not in (tmp_path / "report.md").read_text(encoding="utf-8")
    sheet = load_workbook(tmp_path / "coverage.xlsx")["US Internet"]
    assert sheet["A2"].value == note


def test_markdown_links_svg_pictures_when_png_is_not_written(
    report: MonthReport, tmp_path: Path
) -> None:
    write_report(report, tmp_path, ["md", "svg"])
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "(movers-hk.svg)" in markdown
    assert (tmp_path / "movers-hk.svg").exists()


def test_a_month_without_closes_says_so() -> None:
    inputs = dataclasses.replace(sample.load_inputs(), history=None)
    report = build_month_report(inputs)
    markdown = report_markdown(report, month_sentences(report))
    assert "工作簿中没有本月的收盘数据（History 表），行情回顾与图表从略。" in markdown
    assert TENCENT_ROW in markdown


def _hk_and_us_rated() -> CoverageInputs:
    """The sample with EPS for a US company too: one table of HKD and USD listings."""
    inputs = sample.load_inputs()
    estimates = inputs.estimates.copy()
    estimates.loc["AMZN.O", ["eps_fy1", "eps_fy2"]] = [5.2, 6.0]
    return dataclasses.replace(inputs, estimates=estimates)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_table_of_several_currencies_gives_each_row_its_own(lang: str) -> None:
    report = build_month_report(_hk_and_us_rated(), lang=lang)
    table = printed_coverage(report.groups[0])
    headers = table.text.columns.tolist()
    assert not [h for h in headers if "/" in h]
    price, eps = ("股价货币", "EPS货币") if lang == "zh" else ("Price ccy", "EPS ccy")
    rows = table.text.set_index(headers[0])
    assert rows.loc["AMZN.O", [price, eps]].tolist() == ["USD", "USD"]
    assert rows.loc["0700.HK", [price, eps]].tolist() == ["HKD", "CNY"]
    close = "昨收盘" if lang == "zh" else "Close"
    assert rows.loc["AMZN.O", close] == "207.9"  # in USD, its own currency
    assert ("总市值（百万）" if lang == "zh" else "Mkt cap (mn)") in headers


def test_market_caps_in_the_reporting_currency() -> None:
    inputs = _hk_and_us_rated()
    settings = dataclasses.replace(inputs.settings, reporting_currency="HKD")
    fx = FxTable({("CNY", "HKD"): 1.0702, ("USD", "HKD"): 7.78})
    report = build_month_report(dataclasses.replace(inputs, settings=settings, fx=fx))
    table = printed_coverage(report.groups[0])
    rows = table.text.set_index("公司代码")
    assert "总市值（百万港元）" in table.text.columns
    shares = inputs.market.loc["AMZN.O", "shares_mn"]
    expected = 207.89 * shares * 7.78
    assert rows.loc["AMZN.O", "总市值（百万港元）"] == f"{expected:,.0f}"
    assert rows.loc["0700.HK", "总市值（百万港元）"] == "3,688,428"
    # Without the USD rate the US cap is missing, never printed in USD.
    assert not inputs.fx.has("USD", "HKD")
    missing = dataclasses.replace(inputs, settings=settings)
    rows = printed_coverage(build_month_report(missing).groups[0]).text.set_index("公司代码")
    assert rows.loc["AMZN.O", "总市值（百万港元）"] == "-"


@pytest.mark.parametrize(("written", "printed"), [("zh", "en"), ("en", "zh")])
def test_a_workbook_reports_names_in_the_other_language(
    tmp_path: Path, written: str, printed: str
) -> None:
    from xlmodels.report.coverage_workbooks import read_coverage_workbooks, workbook_warnings

    path = tmp_path / f"{written}.xlsx"
    write_workbook(path, sample.load_inputs(lang=written))
    (inputs,) = read_coverage_workbooks([path])
    report = build_month_report([inputs], lang=printed)
    names = printed_coverage(report.groups[0]).text.set_index(
        "公司代码" if printed == "zh" else "Code"
    )
    name = "公司名称" if printed == "zh" else "Company"
    assert names.loc["0700.HK", name] == ("腾讯控股" if printed == "zh" else "Tencent")
    sentences = " ".join(month_sentences(report).paragraphs())
    assert ("恒生科技指数" if printed == "zh" else "Hang Seng TECH") in sentences
    assert ("Kingsoft" in sentences) == (printed == "en")
    assert not [w for w in workbook_warnings([path], [inputs], printed) if "name" in w]
