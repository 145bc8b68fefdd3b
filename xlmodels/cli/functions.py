"""``xlmodels functions``: the reference of the SQ_ Excel functions."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from xlmodels.cli._app import app, consoles


class Format(StrEnum):
    """How to print the reference."""

    table = "table"
    json = "json"
    markdown = "markdown"


@app.command()
def functions(
    output_format: Annotated[
        Format,
        typer.Option(
            "--format",
            help="table (for reading), json or markdown (for tools; markdown: the manual's table).",
        ),
    ] = Format.table,
) -> None:
    """List the SQ_ Excel functions: signature, description, argument docs.

    The reference is read from the functions themselves (the module Excel
    loads), so it is what the Function Wizard shows.

    Example: [bold]xlmodels functions --format markdown[/bold]
    """
    from udfs import reference  # the functions need only the base install

    entries = reference.reference()
    if output_format is Format.json:
        typer.echo(json.dumps([entry.as_dict() for entry in entries], ensure_ascii=False, indent=2))
        return
    if output_format is Format.markdown:
        typer.echo(reference.markdown_table(entries), nl=False)
        return
    view = Table(title="SQ_ Excel functions", caption=f"Category: {entries[0].category}")
    view.add_column("Function", no_wrap=True)
    view.add_column("Description")
    view.add_column("Arguments")
    for entry in entries:
        arguments = "\n".join(
            f"[bold]{a.name}[/bold]{' (optional)' if a.optional else ''}: {_plain(a.doc)}"
            for a in entry.arguments
        )
        view.add_row(_plain(entry.signature), _plain(entry.description), arguments)
    consoles().out.print(view)


def _plain(text: str) -> str:
    # Signatures and docs contain brackets ("[fx]") that Rich would read as markup.
    return escape(text)
