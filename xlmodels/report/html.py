"""The month's report as one self-contained HTML page.

The page puts the month's statements, the coverage tables and the pictures
together. It is a single file that can be mailed or archived: the pictures
are embedded as SVG data URIs (their text drawn as outlines, so they look the
same without the fonts), the style sheet is inline, and the page loads
nothing and runs no script. A print style lays it out for A4.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from xlmodels.core.display import format_date
from xlmodels.report.coverage_table import DisplayRules
from xlmodels.report.month import MonthReport
from xlmodels.report.revisions import revisions_title
from xlmodels.report.sentences import MonthSentences
from xlmodels.report.tables import (
    coverage_title,
    html_table,
    movers_title,
    no_coverage_note,
    no_month_note,
    printed_coverage,
    printed_movers,
    printed_revisions,
)

if TYPE_CHECKING:  # matplotlib is loaded only when pictures are drawn
    from xlmodels.report.charts import Picture

__all__ = ["HTML_LANG", "page_title", "report_html", "svg_data_uri"]

#: The page's ``lang`` attribute by report language (Simplified Chinese).
HTML_LANG = {"zh": "zh-Hans", "en": "en"}

_STYLE = """
:root { color-scheme: light; }
body {
  margin: 0 auto; max-width: 60rem; padding: 1.5rem 1.25rem 3rem;
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC",
    "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif;
  color: #1a1a1a; background: #fff; line-height: 1.7; font-size: 15px;
}
h1 { font-size: 1.5rem; margin: 0 0 .25rem; color: #1f3864; }
h2 { font-size: 1.15rem; margin: 2rem 0 .75rem; padding-bottom: .25rem;
  border-bottom: 2px solid #1f3864; color: #1f3864; }
.meta { color: #595959; font-size: .85rem; margin: 0; }
.note { color: #595959; font-style: italic; }
.review p, .review li { margin: .4rem 0; }
.review ol { padding-left: 1.5rem; }
.table-wrap { overflow-x: auto; margin: 0 0 1.25rem; }
table.coverage { border-collapse: collapse; width: 100%; font-size: .85rem; }
table.coverage caption { text-align: left; font-weight: 600; padding: .25rem 0; }
table.coverage th { background: #1f3864; color: #fff; font-weight: 600; padding: .4rem .5rem;
  vertical-align: bottom; word-break: keep-all; }
table.coverage td { padding: .35rem .5rem; border-bottom: 1px solid #d9d9d9;
  white-space: nowrap; }
table.coverage tbody tr:nth-child(even) td { background: #f3f6fb; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.text { text-align: left; }
figure { margin: 1rem 0 1.75rem; }
figure img { display: block; width: 100%; height: auto; border: 1px solid #e5e5e5; }
figcaption { font-size: .85rem; color: #404040; margin-top: .35rem; }
footer { margin-top: 2.5rem; font-size: .8rem; color: #595959;
  border-top: 1px solid #d9d9d9; padding-top: .5rem; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  figure, table.coverage, .review li { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  table.coverage th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def svg_data_uri(svg: str) -> str:
    """An SVG document as a ``data:`` URI for an ``<img>``."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def page_title(report: MonthReport) -> str:
    """``2024 年 11 月行情回顾`` / ``November 2024 market review``."""
    end = report.period_end
    if report.lang == "zh":
        return f"{end.year} 年 {end.month} 月行情回顾"
    return f"{format_date(end, 'en').split(' ', 1)[1]} market review"


def _labels(lang: str) -> dict[str, str]:
    if lang == "zh":
        return {
            "review": "行情回顾",
            "figures": "图表",
            "figure": "图{n}：{title}",
            "meta": "报告日期：{date}　统计区间：{start} 至 {end}",
        }
    return {
        "review": "The month",
        "figures": "Charts",
        "figure": "Figure {n}: {title}",
        "meta": "Report date: {date} · Period: {start} to {end}",
    }


def report_html(
    report: MonthReport,
    sentences: MonthSentences,
    pictures: Sequence[Picture],
    rules: DisplayRules | None = None,
) -> str:
    """The whole page, as a string of HTML5."""
    lang = report.lang
    labels = _labels(lang)
    esc = html.escape
    settings = report.settings
    title = page_title(report)
    start = settings.period_start
    assert start is not None  # a MonthReport always has its period
    meta = labels["meta"].format(
        date=format_date(settings.report_date, lang),
        start=start.isoformat(),
        end=report.period_end.isoformat(),
    )
    review = [f"<p>{esc(sentences.indexes)}</p>"] if sentences.indexes else []
    markets = [text for _, text in sentences.markets if text]
    if markets:
        review.append("<ol>" + "".join(f"<li>{esc(text)}</li>" for text in markets) + "</ol>")
    review.extend(f"<p>{esc(text)}</p>" for text in sentences.valuation)
    if not review:
        review.append(f'<p class="note">{esc(no_month_note(lang))}</p>')
    for movers in printed_movers(report):
        movers_caption = movers_title(movers.title, lang)
        review.append(f'<div class="table-wrap">{html_table(movers, movers_caption)}</div>')
    tables = []
    for group in report.groups:
        table = printed_coverage(group, rules)
        if table.rows.empty:
            tables.append(f'<p class="note">{esc(no_coverage_note(table.title, lang))}</p>')
            continue
        caption = table.title if len(report.groups) > 1 else None
        tables.append(f'<div class="table-wrap">{html_table(table, caption)}</div>')
    revisions = ""
    if report.revisions is not None:
        listed = report.revisions
        body = (
            f'<div class="table-wrap">{html_table(printed_revisions(listed))}</div>'
            if listed.lines
            else f'<p class="note">{esc(listed.empty_note())}</p>'
        )
        notes = "".join(f'<p class="note">{esc(note)}</p>' for note in listed.notes())
        revisions = (
            f'<section class="revisions"><h2>{esc(revisions_title(lang))}</h2>'
            f"{body}{notes}</section>\n"
        )
    figures = []
    for number, picture in enumerate(pictures, start=1):
        caption = labels["figure"].format(n=number, title=picture.title)
        figures.append(
            "<figure>"
            f'<img src="{svg_data_uri(picture.svg)}" alt="{esc(picture.title)}" '
            f'width="{picture.width}" height="{picture.height}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )
    charts = (
        f"<section><h2>{esc(labels['figures'])}</h2>{''.join(figures)}</section>\n"
        if figures
        else ""
    )
    note = f"<footer><p>{esc(settings.data_note)}</p></footer>" if settings.data_note else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{HTML_LANG.get(lang, lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f'<header><h1>{esc(title)}</h1><p class="meta">{esc(meta)}</p></header>\n<main>\n'
        f'<section class="review"><h2>{esc(labels["review"])}</h2>{"".join(review)}</section>\n'
        f"<section><h2>{esc(coverage_title(lang))}</h2>{''.join(tables)}</section>\n"
        f"{revisions}{charts}</main>\n{note}\n</body>\n</html>\n"
    )
