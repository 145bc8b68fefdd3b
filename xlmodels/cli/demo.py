"""``xlmodels demo``: the whole chain on the bundled sample data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from xlmodels.cli._app import Language, app, consoles, print_text, user_errors

#: Where the demo writes its workbooks unless told otherwise.
DEFAULT_OUT = Path("out")
#: The indexes the reference report quotes in its summary of the month.
REPORT_INDEXES = ("HSTECH.HI", "QNET.GI")


def demo_workbook_names(lang: str) -> dict[str, str]:
    """File name of the demo workbook of each formula mode."""
    suffix = "" if lang == "zh" else f"-{lang}"
    return {"sq": f"coverage-sample{suffix}.xlsx", "native": f"coverage-sample-native{suffix}.xlsx"}


def write_demo_workbooks(folder: Path, lang: str = "zh") -> list[Path]:
    """Write the sample's coverage workbooks (SQ_ and native formulas) into ``folder``."""
    # Imported when run: the other commands and --help never load the inputs or the writer.
    from xlmodels.sources import sample
    from xlmodels.workbook import write_workbook

    folder.mkdir(parents=True, exist_ok=True)
    inputs = sample.load_inputs(lang=lang)
    paths = []
    for mode, name in demo_workbook_names(lang).items():
        path = folder / name
        write_workbook(path, inputs, mode=mode)
        paths.append(path)
    return paths


@app.command()
def demo(
    lang: Annotated[Language, typer.Option("--lang", help="Language of labels.")] = Language.zh,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the table as JSON records.")
    ] = False,
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for the coverage workbooks (created if missing)."),
    ] = DEFAULT_OUT,
    report_out: Annotated[
        Path | None,
        typer.Option(
            "--report-out",
            help="Folder for the month's report files. Default: a 'report' folder in --out.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the whole chain on the bundled sample: table, workbooks, validation, report.

    The sample reproduces a December 2024 internet-sector report: four covered
    companies with EPS in CNY and prices in HKD, converted at the report date's
    HKD per CNY rate, plus the month's movers. The workbooks (one with SQ_
    formulas, one with native Excel formulas) go to --out, ./out by default,
    and are then checked by xlmodels validate, whose outcome is printed.
    Finally the month's report (HTML page, Markdown, tables, charts) is
    written from the SQ_ workbook into --report-out (--out/report by default),
    as xlmodels report does,
    and its statements of the month are printed.
    Sample data, not investment data; the daily series are synthetic.

    Example: [bold]xlmodels demo --lang en --out out[/bold]
    """
    # Imported when run: charts and the report are the heaviest modules of the package.
    from xlmodels.domain.coverage import compute_coverage
    from xlmodels.report.build import write_report
    from xlmodels.report.coverage_table import coverage_display_table
    from xlmodels.report.coverage_workbooks import read_coverage_workbooks
    from xlmodels.report.month import build_month_report
    from xlmodels.report.sentences import month_sentences
    from xlmodels.sources import sample
    from xlmodels.validate import validate_paths
    from xlmodels.validate.formats.text import print_report

    with user_errors():
        inputs = sample.load_inputs(lang=lang.value)
        coverage = compute_coverage(inputs)
        table = coverage_display_table(coverage, inputs.settings)
        paths = write_demo_workbooks(out, lang.value)
    written = ", ".join(str(path) for path in paths)
    # Every workbook the demo writes goes through the validator CI runs.
    report = validate_paths(paths)
    with user_errors():
        # The report reads the workbook back, as it would an analyst's.
        month = build_month_report(
            read_coverage_workbooks(paths[:1]), lang=lang.value, index_codes=REPORT_INDEXES
        )
        report_files = write_report(month, report_out or out / "report")
    statements = month_sentences(month).paragraphs()
    page = next(item.path for item in report_files if item.path.suffix == ".html")
    out_console, err_console = consoles()
    if as_json:
        typer.echo(json.dumps(table.to_dict(orient="records"), ensure_ascii=False, indent=2))
        print_text(f"Coverage workbooks: {written}", err_console)
        print_report(report, err_console)
        print_text(f"Report: {page} ({len(report_files)} files in {page.parent})", err_console)
        raise typer.Exit(report.exit_code)
    title = {"zh": "重点公司盈利预测及投资评级", "en": "Coverage: estimates and ratings"}[
        lang.value
    ]
    view = Table(title=title, caption="Sample data (not investment data)")
    for position, header in enumerate(table.columns):
        view.add_column(header, justify="left" if position < 3 else "right")
    for row in table.itertuples(index=False):
        view.add_row(*(escape(str(cell)) for cell in row))
    out_console.print(view)
    print_text(f"Coverage workbooks: {written}", out_console)
    print_text("Validation (xlmodels validate):", out_console)
    print_report(report, out_console)
    print_text(
        f"Report (xlmodels report): {page} ({len(report_files)} files in {page.parent})",
        out_console,
    )
    for statement in statements:
        print_text(f"  {statement}", out_console)
    raise typer.Exit(report.exit_code)
