"""``xlmodels diff``: what changed between two coverage workbooks, in the analyst's terms."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from xlmodels.cli._app import app, consoles, print_text, user_errors


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    md = "md"


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier coverage workbook.", show_default=False)],
    new: Annotated[Path, typer.Argument(help="The later coverage workbook.", show_default=False)],
    output_format: Annotated[
        DiffFormat,
        typer.Option("--format", "-f", help="text (one change a line), json or md (Markdown)."),
    ] = DiffFormat.text,
) -> None:
    """Show what changed between two coverage workbooks: estimates, not cells.

    Lists, per company, every analyst input that changed (EPS per year,
    target PE and year, rating override and reason, notes) with old, new and
    the change in %; companies added and removed; settings and benchmark
    expected returns; the PE, target price, upside and rating that moved as
    a consequence; the market refresh summarised (prices, FX, history rows);
    and formulas edited or typed over, or sheets added. Workbooks of
    template v1 and v2, in Chinese or English, compare with each other.

    Exit codes, as diff: 0 no difference; 1 differences; 2 a file could not
    be read, or bad usage.

    Example: [bold]xlmodels diff last-month/hk-internet.xlsx hk-internet.xlsx[/bold]
    """
    # Imported when run: --help and the other commands never load the workbook readers.
    from xlmodels.revisions.render import diff_json, diff_lines, diff_markdown
    from xlmodels.revisions.workbooks import diff_workbooks

    with user_errors():
        result = diff_workbooks(old, new)
    if output_format is DiffFormat.json:
        typer.echo(diff_json(result))
    elif output_format is DiffFormat.md:
        typer.echo(diff_markdown(result), nl=False)
    else:
        console = consoles().out
        for line in diff_lines(result):
            print_text(line, console)
    raise typer.Exit(result.exit_code)
