"""``xlmodels template``: a blank coverage workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from xlmodels.cli._app import FormulaMode, Language, app, print_text, user_errors
from xlmodels.cli._options import check_output, scheme_option


@app.command()
def template(
    out: Annotated[Path, typer.Option("--out", "-o", help="The .xlsx file to write.")],
    lang: Annotated[
        Language, typer.Option("--lang", help="Language of titles, headers and ratings.")
    ] = Language.zh,
    formulas: Annotated[
        FormulaMode,
        typer.Option(
            "--formulas",
            help="sq: the firm's SQ_ functions (xlwings add-in); native: plain Excel.",
        ),
    ] = FormulaMode.sq,
    report_date: Annotated[
        dt.datetime | None,
        typer.Option(
            "--report-date",
            formats=["%Y-%m-%d"],
            help="Report date: sets FY1 and the file's date. Default: today.",
        ),
    ] = None,
    scheme: scheme_option = "guosen",
) -> None:
    """Write a blank coverage workbook: the whole template, no company.

    Every sheet, header, setting, named range, drop-down list and
    protection is there, ready for a universe to be added by build or
    regenerate.

    Examples:

      [bold]xlmodels template --out coverage-template.xlsx[/bold]

      [bold]xlmodels template --out template-en.xlsx --lang en --formulas native[/bold]
    """
    # Imported when run: --help and the other commands never load the writer.
    from xlmodels.domain.model import CoverageInputs, Settings
    from xlmodels.sources import default_fy1_year
    from xlmodels.workbook import write_workbook

    with user_errors():
        check_output(out)
        day = report_date.date() if report_date else dt.date.today()
        settings = Settings(
            report_date=day, fy1_year=default_fy1_year(day), scheme=scheme, lang=lang.value
        )
        write_workbook(out, CoverageInputs.blank(settings), mode=formulas.value)
    print_text(f"wrote {out} (blank template, {formulas.value} formulas, {lang.value})")
