"""The Typer application and the error handling every command shares."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Annotated, Any, NamedTuple, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from xlmodels import __version__
from xlmodels.errors import InputError, SchemeError, os_error_message
from xlmodels.runtime.printable import printable

#: Exit code for unusable input or bad usage (1 is reserved for findings).
EXIT_USAGE = 2

#: Width of a console that is not a terminal (a pipe, a file, a CI log): wide
#: enough that Rich never wraps a line, so paths and messages stay whole.
UNLIMITED_WIDTH = 100_000


class Consoles(NamedTuple):
    """The two consoles of one command call."""

    out: Console  #: standard output: tables, reports, results
    err: Console  #: standard error: progress, warnings, errors


def _console(stderr: bool) -> Console:
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:
        # Off a terminal Rich would wrap at COLUMNS or 80 and cut table cells;
        # a log or a pipe has no width, so nothing is wrapped or cut.
        console.width = UNLIMITED_WIDTH
    return console


_current: ContextVar[Consoles | None] = ContextVar("xlmodels_consoles", default=None)


def consoles() -> Consoles:
    """Standard output and standard error of the current command call.

    Made afresh for each call of the command line, never at import: whether a
    stream is a terminal, its width and its colours are decided by where this
    call writes, which a pipe or a test runner changes between calls of one
    process.
    """
    made = _current.get()
    if made is None:
        made = Consoles(_console(stderr=False), _console(stderr=True))
        _current.set(made)
    return made


def print_error(message: str, *, console: Console | None = None) -> None:
    """Print ``error: message`` on standard error as one unwrapped line."""
    (console or consoles().err).print(
        f"[bold red]error:[/bold red] {escape(printable(message))}", soft_wrap=True
    )


def print_warning(message: str) -> None:
    """Print ``warning: message`` on standard error as one unwrapped line."""
    consoles().err.print(
        f"[bold yellow]warning:[/bold yellow] {escape(printable(message))}", soft_wrap=True
    )


def print_text(text: str, console: Console | None = None) -> None:
    """Print plain text (no markup) as it is: a path or a message a user may copy.

    Rich neither wraps nor cuts it; a terminal folds a long line visually,
    and copying it gives the line back whole. Bytes of a file name that are
    not UTF-8 are shown as ``\xff`` (:func:`~xlmodels.runtime.printable.printable`).
    """
    (console or consoles().out).print(printable(text), markup=False, soft_wrap=True)


#: Click's base of usage errors, wherever this Typer release keeps Click.
_ClickException: type[Exception] = next(
    base for base in typer.BadParameter.__mro__ if base.__name__ == "ClickException"
)


class _Commands(TyperGroup):
    """Typer's group, with usage errors printed as plain lines.

    Typer prints a usage error in a box that Rich wraps at the terminal width,
    splitting a path or a message mid-word; a user must be able to copy both.
    """

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        token = _current.set(None)  # this call's consoles, made when first used
        try:
            if not standalone_mode:
                return super().main(args, prog_name, complete_var, standalone_mode, **extra)
            try:
                code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            except _ClickException as error:
                if type(error).__name__ != "NoArgsIsHelpError":  # else the help is printed
                    _print_usage_error(error)
                sys.exit(getattr(error, "exit_code", EXIT_USAGE))
            except typer.Abort:
                print_error("aborted")
                sys.exit(1)
            sys.exit(code if isinstance(code, int) else 0)
        finally:
            _current.reset(token)


def _print_usage_error(error: Exception) -> None:
    console = consoles().err
    context: Any = getattr(error, "ctx", None)
    if context is not None:
        print_text(context.get_usage(), console)
        if context.command.get_help_option(context) is not None:
            help_option = context.help_option_names[0]
            print_text(f"Try '{context.command_path} {help_option}' for help.", console)
    message = error.format_message() if hasattr(error, "format_message") else str(error)
    # Typer validates choices through pydantic, whose prefix says nothing to a user.
    message = message.replace(": Value error, ", ": ")
    print_error(message, console=console)


app = typer.Typer(
    cls=_Commands,
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
        print_text(f"xlmodels {__version__}")
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
    """Print a user's mistake, or what the operating system refused, as one line and exit 2.

    Never a traceback: an input error names the file, sheet and cell; an
    operating-system error (:func:`~xlmodels.errors.os_error_message`) names
    the file and says why in plain words.
    """
    try:
        yield
    except (InputError, SchemeError) as error:
        # Messages quote settings tables ([tool.xlmodels.validate]) and file names
        # that Rich would otherwise take for markup and drop.
        print_error(str(error))
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as error:
        # A missing file, a full disk, a read-only folder, a name the file
        # system refuses: the file and the reason, in one line.
        print_error(os_error_message(error))
        raise typer.Exit(EXIT_USAGE) from None


def main() -> None:
    """Console-script entry point."""
    app(prog_name="xlmodels")


if __name__ == "__main__":  # pragma: no cover
    main()
