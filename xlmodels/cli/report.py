"""``xlmodels report``: the month's report files from coverage workbooks."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from xlmodels.cli._app import (
    EXIT_USAGE,
    Language,
    app,
    consoles,
    print_error,
    print_text,
    print_warning,
    user_errors,
)
from xlmodels.errors import InputError
from xlmodels.report.formats import FORMATS
from xlmodels.runtime.printable import printable_data

if TYPE_CHECKING:  # the report's modules are imported when the command runs
    from xlmodels.report.month import MonthReport
    from xlmodels.report.revisions import EstimateRevisions


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _inside(path: Path, folder: Path) -> Path:
    """``path`` relative to ``folder`` when it lies inside it."""
    try:
        return path.relative_to(folder)
    except ValueError:
        return path


def _revisions(paths: list[Path], lang: str, month: MonthReport) -> EstimateRevisions | None:
    """The month's estimate revisions; a revision history that cannot be read is a warning.

    The report itself does not depend on the history: a damaged store leaves
    the section out and says why, rather than stop the month's report.
    """
    from xlmodels.report.revisions import report_revisions
    from xlmodels.revisions.store import StoreError

    names = {str(code): str(name) for code, name in month.performance["label"].items()}
    try:
        return report_revisions(paths, lang, names)
    except StoreError as error:
        print_warning(f"estimate revisions left out: {error}")
        return None


@app.command()
def report(
    workbooks: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="WORKBOOK...",
            help="Coverage workbooks, one per coverage group (for example HK and US).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the files into.")
    ] = Path("report"),
    lang: Annotated[Language, typer.Option("--lang", help="Language of the report.")] = Language.zh,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            help=f"Formats to write, repeatable or comma-separated: {', '.join(FORMATS)}. "
            "Default: all.",
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", min=1, max=20, help="Top performers named per market.")
    ] = 3,
    index: Annotated[
        list[str] | None,
        typer.Option(
            "--index",
            help="Index quoted in the month's summary, repeatable or comma-separated, in "
            "order. Default: every index with a return, benchmarks first.",
            show_default=False,
        ),
    ] = None,
    pe_decimals: Annotated[
        int, typer.Option("--pe-decimals", min=0, max=1, help="Decimals of PE in the table.")
    ] = 0,
    use_sample: Annotated[
        bool,
        typer.Option("--sample", help="Use the bundled sample (the reference report's month)."),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="List the files written as JSON: path, format, bytes."),
    ] = False,
) -> None:
    """Write the month's report: coverage table, statements and charts.

    Reads each coverage workbook, then writes into --out: report.md,
    report.html (one self-contained page), coverage.xlsx, coverage.csv (UTF-8
    with BOM, one per group), and the movers and PE-TTM charts as PNG and
    SVG. Prints the files it wrote. When the workbooks' folder keeps a
    revision history (xlmodels regenerate records one), the report adds the
    month's estimate revisions: EPS, target price and rating changes.

    A month the workbooks cannot compute (a History that stops before the
    period end: regenerate them with the month's closes first) is refused
    with exit code 2, naming the codes: no return is stated that is not
    the month's.

    Example: [bold]xlmodels report --sample --lang en --format html,png[/bold]
    """
    # Imported when run: charts and the report are the heaviest modules of the package.
    from xlmodels.report.build import parse_formats, write_report
    from xlmodels.report.coverage_table import DisplayRules
    from xlmodels.report.coverage_workbooks import (
        distinct_workbooks,
        read_coverage_workbooks,
        workbook_warnings,
    )
    from xlmodels.report.fonts import FontNotFoundError
    from xlmodels.report.month import build_month_report
    from xlmodels.sources import sample

    if use_sample == bool(workbooks):
        print_error("give one or more coverage workbooks, or --sample (not both)")
        raise typer.Exit(EXIT_USAGE)
    with user_errors():
        try:
            chosen = parse_formats(formats)
            if use_sample:
                inputs = [sample.load_inputs(lang.value)]
            else:
                paths, repeats = distinct_workbooks(workbooks or [])
                for path in repeats:
                    print_warning(f"{path} is given twice; it is read once")
                inputs = read_coverage_workbooks(paths)
                for message in workbook_warnings(paths, inputs, lang.value):
                    print_warning(message)
            month = build_month_report(
                inputs, lang=lang.value, top_n=top, index_codes=_split(index)
            )
            if not use_sample:
                month = replace(month, revisions=_revisions(paths, lang.value, month))
            written = write_report(month, out, chosen, DisplayRules(pe_decimals=pe_decimals))
        except FontNotFoundError as error:
            raise InputError(str(error)) from None
    if as_json:
        files = [
            {
                "path": str(item.path),
                "format": item.format,
                "content": item.description,
                "bytes": item.path.stat().st_size,
            }
            for item in written
        ]
        listing = printable_data({"folder": str(out), "files": files})
        typer.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    zh = lang is Language.zh
    out_console = consoles().out
    # The folder is printed whole on its own line, and the table holds only file
    # names: a table cell would wrap or cut a long path that a user must copy.
    print_text(f"{'已写入' if zh else 'Files written to'} {out}", out_console)
    view = Table()
    view.add_column("文件" if zh else "File", no_wrap=True)
    view.add_column("格式" if zh else "Format", no_wrap=True)
    view.add_column("内容" if zh else "Content")
    view.add_column("大小" if zh else "Size", justify="right", no_wrap=True)
    for item in written:
        view.add_row(
            escape(str(_inside(item.path, out))),
            item.format,
            escape(item.description),
            f"{item.path.stat().st_size:,} B",
        )
    out_console.print(view)
