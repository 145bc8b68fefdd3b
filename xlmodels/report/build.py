"""Write the month's report files into a folder.

:func:`write_report` turns a :class:`~xlmodels.report.month.MonthReport`
into the files the team publishes from, in the formats asked for:

=======  ==========================================================
``md``   ``report.md``: statements, coverage tables, revisions, picture links
``html`` ``report.html``: the self-contained page
``xlsx`` ``coverage.xlsx``: coverage tables, the month, valuations, revisions
``csv``  ``coverage.csv`` (one per coverage group when there are several)
``png``  ``movers-<market>.png``, ``pe-<code>.png``
``svg``  the same pictures as SVG
=======  ==========================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from xlmodels.errors import InputError
from xlmodels.report.coverage_table import DisplayRules
from xlmodels.report.formats import FORMATS
from xlmodels.report.html import page_title, report_html
from xlmodels.report.month import MonthReport
from xlmodels.report.revisions import revisions_title
from xlmodels.report.sentences import MonthSentences, SentenceRules, month_sentences
from xlmodels.report.tables import (
    coverage_title,
    markdown_table,
    movers_title,
    no_coverage_note,
    no_month_note,
    printed_coverage,
    printed_movers,
    printed_revisions,
    write_csv,
    write_xlsx,
)
from xlmodels.workbook.atomic import atomic_path

if TYPE_CHECKING:  # matplotlib is loaded only when pictures are drawn
    from xlmodels.report.charts import Picture

__all__ = ["FORMATS", "WrittenFile", "parse_formats", "report_markdown", "write_report"]


@dataclass(frozen=True)
class WrittenFile:
    """A file :func:`write_report` wrote, with what it holds."""

    path: Path
    format: str
    description: str


def parse_formats(values: Iterable[str] | None) -> tuple[str, ...]:
    """Formats from repeated and/or comma-separated values; none given means all.

    >>> parse_formats(["md,html", "csv"]), parse_formats(None) == FORMATS
    (('md', 'html', 'csv'), True)
    """
    chosen: list[str] = []
    for value in values or ():
        for item in value.split(","):
            name = item.strip().lower()
            if not name:
                continue
            if name not in FORMATS:
                raise InputError(
                    f"unknown format {item.strip()!r}: choose from {', '.join(FORMATS)}"
                )
            if name not in chosen:
                chosen.append(name)
    if values and not chosen:
        raise InputError(f"--format is empty: choose from {', '.join(FORMATS)}")
    return tuple(chosen) if chosen else FORMATS


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def report_markdown(
    report: MonthReport,
    sentences: MonthSentences,
    pictures: Sequence[tuple[Picture, str]] = (),
    rules: DisplayRules | None = None,
) -> str:
    """The report as Markdown; ``pictures`` are (picture, relative file name) to link."""
    zh = report.lang == "zh"
    lines = [f"# {page_title(report)}", "", f"## {'行情回顾' if zh else 'The month'}", ""]
    if sentences.indexes:
        lines += [sentences.indexes, ""]
    for number, (_, text) in enumerate(sentences.markets, start=1):
        if text:
            lines.append(f"{number}. {text}")
    lines += ["", *(f"{text}\n" for text in sentences.valuation)]
    if not (sentences.indexes or report.markets or sentences.valuation):
        lines += [no_month_note(report.lang), ""]
    for movers in printed_movers(report):
        lines += [f"**{movers_title(movers.title, report.lang)}**", "", markdown_table(movers), ""]
    lines += [f"## {coverage_title(report.lang)}", ""]
    for group in report.groups:
        table = printed_coverage(group, rules)
        if table.rows.empty:
            lines += [no_coverage_note(table.title, report.lang), ""]
            continue
        if len(report.groups) > 1:
            lines += [f"**{table.title}**", ""]
        lines += [markdown_table(table), ""]
    if report.revisions is not None:
        revisions = report.revisions
        lines += [f"## {revisions_title(report.lang)}", ""]
        if revisions.lines:
            lines += [markdown_table(printed_revisions(revisions)), ""]
        else:
            lines += [revisions.empty_note(), ""]
        for note in revisions.notes():
            lines += [f"_{note}_", ""]
    if pictures:
        lines += [f"## {'图表' if zh else 'Charts'}", ""]
        for picture, name in pictures:
            lines += [f"![{picture.title}]({name})", ""]
    if report.settings.data_note:
        lines += [f"_{report.settings.data_note}_", ""]
    return "\n".join(lines).rstrip() + "\n"


def _write_text(path: Path, text: str) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_report(
    report: MonthReport,
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
    rules: DisplayRules | None = None,
    sentence_rules: SentenceRules | None = None,
) -> list[WrittenFile]:
    """Write the report's files into ``out_dir`` (created if needed).

    Returns the files written, in order. Existing files of the same names
    are replaced, each atomically (:func:`~xlmodels.workbook.atomic.atomic_path`):
    a full disk or a killed run leaves the previous file, never half of one.

    Raises
    ------
    OSError
        When a file cannot be written (a full disk, a read-only folder);
        the files written before it are complete.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError(f"unknown format {unknown[0]!r}: choose from {', '.join(FORMATS)}")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} exists and is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    zh = report.lang == "zh"
    sentences = month_sentences(report, sentence_rules)
    needs_pictures = bool({"html", "png", "svg"} & set(formats))
    pictures = []
    if needs_pictures:
        # Imported here: matplotlib is the heaviest import, and md/csv/xlsx need none of it.
        from xlmodels.report.charts import report_pictures

        pictures = report_pictures(report)
    written: list[WrittenFile] = []

    def record(path: Path, fmt: str, description: str) -> None:
        written.append(WrittenFile(path, fmt, description))

    for fmt in FORMATS:
        if fmt not in formats:
            continue
        if fmt == "md":
            picture_format = next((f for f in ("png", "svg") if f in formats), None)
            links = [(p, f"{p.key}.{picture_format}") for p in pictures] if picture_format else []
            path = out_dir / "report.md"
            _write_text(path, report_markdown(report, sentences, links, rules))
            record(path, fmt, "月报（Markdown）" if zh else "Report (Markdown)")
        elif fmt == "html":
            path = out_dir / "report.html"
            _write_text(path, report_html(report, sentences, pictures, rules))
            record(path, fmt, "月报网页（自包含）" if zh else "Report page (self-contained)")
        elif fmt == "xlsx":
            path = out_dir / "coverage.xlsx"
            with atomic_path(path) as temporary:
                write_xlsx(temporary, report, rules)
            record(path, fmt, "覆盖表、行情与估值" if zh else "Coverage, month and valuation")
        elif fmt == "csv":
            single = len(report.groups) == 1
            for number, group in enumerate(report.groups, start=1):
                table = printed_coverage(group, rules)
                if table.rows.empty:
                    continue  # report.md and report.html say the group has no estimates
                slug = _slug(group.title)
                name = (
                    "coverage.csv"
                    if single
                    else f"coverage-{number}{'-' + slug if slug else ''}.csv"
                )
                path = out_dir / name
                with atomic_path(path) as temporary:
                    write_csv(temporary, table)
                record(
                    path,
                    fmt,
                    f"{coverage_title(report.lang)}（{group.title}）"
                    if zh
                    else (f"{coverage_title(report.lang)} ({group.title})"),
                )
        else:
            for picture in pictures:
                path = out_dir / f"{picture.key}.{fmt}"
                with atomic_path(path) as temporary:
                    if fmt == "png":
                        temporary.write_bytes(picture.png)
                    else:
                        temporary.write_text(picture.svg, encoding="utf-8")
                record(path, fmt, picture.title)
    return written
