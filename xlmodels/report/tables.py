"""The report's tables as Markdown, HTML, XLSX and CSV.

Every format renders the same layout, :func:`coverage_columns` of
:mod:`xlmodels.report.coverage_table`, with the same display rules: text
formats print the strings of :func:`coverage_display_table`; the workbook
stores the numbers themselves with the Excel number format that prints them
the same way, so an analyst can still compute with them.

CSV is written as UTF-8 with a byte-order mark: Excel opens a CSV without
one in the machine's legacy code page (GBK on a Chinese Windows, Windows-1252
elsewhere) and garbles every Chinese name; the mark makes it read UTF-8.
"""

from __future__ import annotations

import csv
import html
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from xlmodels.core.display import (
    excel_number_format,
    format_number,
    format_percent,
    format_points,
    shows_as_missing,
)
from xlmodels.core.markers import is_nm
from xlmodels.report.coverage_table import (
    DisplayRules,
    TableColumn,
    coverage_columns,
    coverage_display_table,
    coverage_rows,
)
from xlmodels.report.month import CoverageGroup, MonthReport
from xlmodels.report.revisions import EstimateRevisions, revisions_columns, revisions_title

__all__ = [
    "CSV_ENCODING",
    "PrintedTable",
    "coverage_title",
    "csv_text",
    "html_table",
    "markdown_table",
    "movers_headers",
    "movers_title",
    "no_coverage_note",
    "no_month_note",
    "printed_coverage",
    "printed_movers",
    "printed_revisions",
    "write_csv",
    "write_xlsx",
]

#: UTF-8 with a byte-order mark, so that Excel reads Chinese text correctly.
CSV_ENCODING = "utf-8-sig"

HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=12)
NOTE_FONT = Font(italic=True, color="595959", size=9)
THIN = Side(style="thin", color="BFBFBF")

# A leading =, +, - or @ makes Excel read a CSV or typed cell as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def coverage_title(lang: str) -> str:
    """The coverage table's title, as the report prints it."""
    return "重点公司盈利预测及投资评级" if lang == "zh" else "Coverage: estimates and ratings"


@dataclass(frozen=True)
class PrintedTable:
    """A printed table (a group's coverage, a market's movers): columns, rows, strings."""

    title: str
    columns: tuple[TableColumn, ...]
    rows: pd.DataFrame
    text: pd.DataFrame


def no_coverage_note(title: str, lang: str) -> str:
    """What the report prints for a group without a single company with estimates.

    Such a group (movers monitored for the month, no EPS entered yet) has no
    row for the coverage table; saying so beats an empty table.
    """
    if lang == "zh":
        return f"{title}：暂无盈利预测（无公司填写 FY1 EPS），不列入本表。"
    return f"{title}: no company has an FY1 EPS estimate yet; not in the table."


def printed_coverage(group: CoverageGroup, rules: DisplayRules | None = None) -> PrintedTable:
    """A coverage group's table in the reference layout."""
    rows = coverage_rows(group.coverage)
    return PrintedTable(
        title=group.title,
        columns=coverage_columns(rows, group.settings, rules),
        rows=rows,
        text=coverage_display_table(group.coverage, group.settings, rules),
    )


#: The movers lists of a market, as the tables label them (zh, en).
_MOVER_LISTS = (("gainers", "前列", "Top"), ("decliners", "下跌", "Decliners"))


def movers_headers(lang: str) -> list[str]:
    """Headers of a market's movers table: list, rank, stock, returns, relative."""
    if lang == "zh":
        return ["类别", "排名", "代码", "名称", "单月涨跌幅", "基准", "基准涨跌幅", "超额收益"]
    return [
        "List",
        "Rank",
        "Code",
        "Company",
        "Return",
        "Benchmark",
        "Benchmark return",
        "Relative",
    ]


def movers_title(market_name: str, lang: str) -> str:
    """Caption of a market's movers table."""
    if lang == "zh":
        return f"{market_name}：本月表现前列与下跌个股"
    return f"{market_name}: the month's top performers and decliners"


def no_month_note(lang: str) -> str:
    """What the month's review says when no workbook has closes for the period."""
    if lang == "zh":
        return "工作簿中没有本月的收盘数据（History 表），行情回顾与图表从略。"
    return (
        "The workbooks hold no closes for the month (History sheet): "
        "the month's review and the charts are left out."
    )


def printed_movers(report: MonthReport) -> list[PrintedTable]:
    """Each market's top performers and decliners, with their outperformance.

    One table per market (titled with the market's name): the top performers
    the sentences name, then every stock that fell, worst first; returns in
    %, outperformance of each stock's own benchmark in pct.
    """
    zh = report.lang == "zh"
    keys = ("list", "rank", "code", "name", "return", "benchmark", "benchmark_return", "relative")
    kinds = ("text", "number", "text", "text", "number", "text", "number", "number")
    columns = tuple(
        TableColumn(key, header, kind=kind)
        for key, header, kind in zip(keys, movers_headers(report.lang), kinds, strict=True)
    )
    tables = []
    for market in report.markets:
        rows = []
        for attribute, zh_label, en_label in _MOVER_LISTS:
            frame: pd.DataFrame = getattr(market, attribute)
            for code, mover in frame.iterrows():
                rows.append(
                    {
                        "list": zh_label if zh else en_label,
                        "rank": format_number(mover["rank"]),
                        "code": str(code),
                        "name": str(mover["name"]),
                        "return": format_percent(mover["return"]),
                        "benchmark": str(mover["benchmark_name"]),
                        "benchmark_return": format_percent(mover["benchmark_return"]),
                        "relative": format_points(mover["relative_return"]),
                    }
                )
        text = pd.DataFrame(rows, columns=list(keys))
        tables.append(PrintedTable(market.name, columns, text, text))
    return tables


def printed_revisions(revisions: EstimateRevisions) -> PrintedTable:
    """The estimate revisions as a printed table (one row per change)."""
    text = revisions.text_table()
    return PrintedTable(
        revisions_title(revisions.lang), revisions_columns(revisions.lang), text, text
    )


def markdown_table(table: PrintedTable) -> str:
    """A GitHub-flavoured Markdown table, numbers right-aligned."""

    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    header = "| " + " | ".join(cell(c.header) for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if c.kind == "number" else "---" for c in table.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.text.to_numpy()]
    return "\n".join([header, rule, *body])


def html_table(table: PrintedTable, caption: str | None = None) -> str:
    """An HTML ``<table>`` (escaped), numbers in ``class="num"`` cells."""
    kinds = ["num" if c.kind == "number" else "text" for c in table.columns]
    head = "".join(
        f'<th scope="col" class="{kind}">{html.escape(c.header)}</th>'
        for c, kind in zip(table.columns, kinds, strict=True)
    )
    rows = []
    for values in table.text.to_numpy():
        cells = "".join(
            f'<td class="{kind}">{html.escape(str(value))}</td>'
            for value, kind in zip(values, kinds, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="coverage">{title}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _guard(text: str) -> str:
    """A text cell that Excel will not run as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_text(table: PrintedTable) -> str:
    """The printed table as CSV text (header row, then one row per company)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in table.columns])
    for values in table.text.to_numpy():
        writer.writerow(
            [
                _guard(str(v)) if c.kind == "text" else str(v)
                for v, c in zip(values, table.columns, strict=True)
            ]
        )
    return buffer.getvalue()


def write_csv(path: Path, table: PrintedTable) -> None:
    """Write :func:`csv_text` as UTF-8 with a byte-order mark (see the module notes)."""
    path.write_text(csv_text(table), encoding=CSV_ENCODING, newline="")


def _display_width(text: str) -> int:
    # Chinese characters take two columns of a spreadsheet's default font.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(sheet: Worksheet, row: int, column: int) -> Cell:
    cell = sheet.cell(row=row, column=column)
    assert isinstance(cell, Cell)  # the report's sheets merge no cells
    return cell


def _text_cell(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    cell = _cell(sheet, row, column)
    cell.value = text
    # openpyxl turns any string starting with "=" into a formula; names and
    # codes come from outside files, so they are always stored as text.
    cell.data_type = "s"
    return cell


def _number_cell(sheet: Worksheet, row: int, column: int, value: Any, number_format: str) -> Cell:
    cell = _cell(sheet, row, column)
    if is_nm(value):
        cell.value = "NM"
        cell.alignment = Alignment(horizontal="right")
    elif not shows_as_missing(value):
        cell.value = float(value)
        cell.number_format = number_format
    return cell


def _header_row(sheet: Worksheet, row: int, headers: Sequence[str]) -> None:
    for column, header in enumerate(headers, start=1):
        cell = _text_cell(sheet, row, column, header)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=THIN)


def _fit_columns(sheet: Worksheet, first_row: int = 2, last_row: int | None = None) -> None:
    """Widen each column to its widest cell, counting a Chinese character as two.

    Rows outside ``first_row``..``last_row`` (the title, a note) may
    overflow to the right instead.
    """
    for index, cells in enumerate(sheet.iter_cols(min_row=first_row, max_row=last_row), start=1):
        widths = [8]
        for cell in cells:
            if isinstance(cell.value, str):
                widths.append(_display_width(cell.value))
            elif isinstance(cell.value, int | float):
                widths.append(len(f"{cell.value:,.2f}") + 1)
            elif cell.value is not None:
                widths.append(10)
        letter = _cell(sheet, first_row, index).column_letter
        sheet.column_dimensions[letter].width = min(max(widths) + 2, 60)


def _coverage_sheet(sheet: Worksheet, table: PrintedTable, lang: str, note: str) -> None:
    _text_cell(sheet, 1, 1, f"{coverage_title(lang)} ({table.title})").font = TITLE_FONT
    if table.rows.empty:
        _text_cell(sheet, 2, 1, no_coverage_note(table.title, lang)).font = NOTE_FONT
        return
    _header_row(sheet, 2, [c.header for c in table.columns])
    for offset, code in enumerate(table.rows.index):
        row = 3 + offset
        for position, column in enumerate(table.columns, start=1):
            if column.key == "code":
                _text_cell(sheet, row, position, str(code))
            elif column.kind == "text":
                value = table.rows.loc[code, column.key]
                _text_cell(sheet, row, position, "-" if shows_as_missing(value) else str(value))
            else:
                _number_cell(
                    sheet,
                    row,
                    position,
                    table.rows.loc[code, column.key],
                    excel_number_format(column.decimals, column.thousands),
                )
    if note:
        _text_cell(sheet, 4 + len(table.rows), 1, note).font = NOTE_FONT
    sheet.freeze_panes = "C3"
    _fit_columns(sheet, 2, 2 + len(table.rows))


def _month_sheet(sheet: Worksheet, report: MonthReport) -> None:
    zh = report.lang == "zh"
    _text_cell(sheet, 1, 1, "行情回顾" if zh else "The month").font = TITLE_FONT
    index_headers = ["代码", "指数", "单月涨跌幅"] if zh else ["Code", "Index", "Return"]
    _header_row(sheet, 2, index_headers)
    row = 3
    for move in report.indexes:
        _text_cell(sheet, row, 1, move.code)
        _text_cell(sheet, row, 2, move.name)
        _number_cell(sheet, row, 3, move.period_return, excel_number_format(1, suffix="%"))
        row += 1
    row += 1
    _header_row(sheet, row, ["市场" if zh else "Market", *movers_headers(report.lang)])
    for market in report.markets:
        for attribute, zh_label, en_label in _MOVER_LISTS:
            frame: pd.DataFrame = getattr(market, attribute)
            for code, mover in frame.iterrows():
                row += 1
                values = [market.name, zh_label if zh else en_label]
                for column, value in enumerate(values, start=1):
                    _text_cell(sheet, row, column, value)
                rank = _cell(sheet, row, 3)
                rank.value = int(mover["rank"])
                rank.alignment = Alignment(horizontal="center")
                _text_cell(sheet, row, 4, str(code))
                _text_cell(sheet, row, 5, str(mover["name"]))
                _number_cell(sheet, row, 6, mover["return"], excel_number_format(1, suffix="%"))
                _text_cell(sheet, row, 7, str(mover["benchmark_name"]))
                _number_cell(
                    sheet, row, 8, mover["benchmark_return"], excel_number_format(1, suffix="%")
                )
                # Percentage points, as the report prints them ("20.0pct").
                relative = mover["relative_return"]
                points = relative if shows_as_missing(relative) else float(relative) * 100
                _number_cell(sheet, row, 9, points, excel_number_format(1, suffix='"pct"'))
    _fit_columns(sheet)


def _valuation_sheet(sheet: Worksheet, report: MonthReport) -> None:
    zh = report.lang == "zh"
    _text_cell(sheet, 1, 1, "估值分位" if zh else "Valuation percentiles").font = TITLE_FONT
    headers = (
        ["代码", "名称", "序列起始日", "截至", "PE-TTM", "分位点", "观测数"]
        if zh
        else ["Code", "Name", "Series start", "As of", "PE-TTM", "Percentile", "Observations"]
    )
    _header_row(sheet, 2, headers)
    for offset, (code, item) in enumerate(report.valuation.iterrows()):
        row = 3 + offset
        _text_cell(sheet, row, 1, str(code))
        _text_cell(sheet, row, 2, str(item["label"]))
        for column, key in ((3, "first_date"), (4, "as_of")):
            cell = sheet.cell(row=row, column=column, value=pd.Timestamp(item[key]).date())
            cell.number_format = "yyyy-mm-dd"
        _number_cell(sheet, row, 5, item["pe_ttm"], excel_number_format(2, suffix='"x"'))
        _number_cell(sheet, row, 6, item["percentile"], excel_number_format(2, suffix="%"))
        sheet.cell(row=row, column=7, value=int(item["observations"]))
    _fit_columns(sheet)


def _revisions_sheet(sheet: Worksheet, revisions: EstimateRevisions) -> None:
    _text_cell(sheet, 1, 1, revisions_title(revisions.lang)).font = TITLE_FONT
    _header_row(sheet, 2, [c.header for c in revisions_columns(revisions.lang)])
    row = 2
    for line in revisions.lines:
        row += 1
        _text_cell(sheet, row, 1, line.code)
        _text_cell(sheet, row, 2, line.name)
        _text_cell(sheet, row, 3, line.item)
        for column, value in ((4, line.old), (5, line.new)):
            if isinstance(value, int | float) and not isinstance(value, bool):
                _number_cell(sheet, row, column, value, excel_number_format(2))
            else:
                _text_cell(sheet, row, column, "-" if value is None else str(value))
        if line.kind == "rating":
            _text_cell(sheet, row, 6, line.change_text(revisions.lang))
        elif line.change is not None:
            # A signed percentage, as the text formats print it ("+3.0%").
            _number_cell(sheet, row, 6, line.change, "+0.0%;-0.0%;0.0%")
    if not revisions.lines:
        row += 1
        _text_cell(sheet, row, 1, revisions.empty_note()).font = NOTE_FONT
    for note in revisions.notes():
        row += 1
        _text_cell(sheet, row, 1, note).font = NOTE_FONT
    _fit_columns(sheet, 2, 2 + len(revisions.lines))


def _sheet_title(title: str, used: set[str]) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'") or "Coverage"
    candidate, number = cleaned[:31], 2
    while candidate in used:
        suffix = f" ({number})"
        candidate, number = cleaned[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate)
    return candidate


def write_xlsx(path: Path, report: MonthReport, rules: DisplayRules | None = None) -> None:
    """The coverage tables (one sheet per group), the month's movers and the valuations."""
    book = Workbook()
    used: set[str] = set()
    first = True
    for group in report.groups:
        table = printed_coverage(group, rules)
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = _sheet_title(table.title, used)
        _coverage_sheet(sheet, table, report.lang, report.settings.data_note)
    zh = report.lang == "zh"
    _month_sheet(book.create_sheet(_sheet_title("行情回顾" if zh else "Month", used)), report)
    _valuation_sheet(book.create_sheet(_sheet_title("估值" if zh else "Valuation", used)), report)
    if report.revisions is not None:
        title = _sheet_title(revisions_title(report.lang), used)
        _revisions_sheet(book.create_sheet(title), report.revisions)
    for sheet in book.worksheets:
        # Printed, each sheet fits the width of one landscape page.
        sheet.page_setup.orientation = "landscape"
        sheet.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
    book.save(path)
