"""The Typer application and the error handling every command shares."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from xlmodels import __version__
from xlmodels.errors import InputError
from xlmodels.ratings import SchemeError

app = typer.Typer(
    name="xlmodels",
    help=(
        "Equity-research models: SQ_ Excel functions, standard coverage workbooks, "
        "validation and monthly report outputs.\n\n"
        "Start with [bold]xlmodels demo[/bold]: it runs the whole chain on the bundled "
        "sample data."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: Standard output (tables, reports) and standard error (progress, messages).
# Off a terminal (a pipe, a CI log) Rich would wrap tables at 80 columns; let
# them take the width they need instead.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 240)
errors = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 240)

#: Exit code for unusable input or bad usage (1 is reserved for findings).
EXIT_USAGE = 2

F = TypeVar("F", bound=Callable[..., object])


class Language(StrEnum):
    """Language of labels, headers, ratings and sentences."""

    zh = "zh"
    en = "en"


class FormulaMode(StrEnum):
    """Formula dialect of a coverage workbook."""

    sq = "sq"
    native = "native"


def _version(value: bool) -> None:
    if value:
        console.print(f"xlmodels {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Equity-research models for Excel."""


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a user's mistake as one line and exit 2, instead of a traceback."""
    try:
        yield
    except (InputError, SchemeError, FileNotFoundError, PermissionError) as error:
        # Messages quote settings tables ([tool.xlmodels.validate]) and file names
        # that Rich would otherwise take for markup and drop.
        errors.print(
            f"[bold red]error:[/bold red] {escape(str(error))}", markup=True, soft_wrap=True
        )
        raise typer.Exit(EXIT_USAGE) from None


def main() -> None:
    """Console-script entry point."""
    app(prog_name="xlmodels")


if __name__ == "__main__":  # pragma: no cover
    main()
