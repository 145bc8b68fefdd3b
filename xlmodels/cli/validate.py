"""``xlmodels validate``: check workbooks for CI and pre-commit."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from xlmodels.cli._app import EXIT_USAGE, app, consoles, print_error, user_errors
from xlmodels.errors import os_error_message


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"
    sarif = "sarif"


@app.command()
def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Workbooks, folders (searched for *.xlsx and *.xlsm) or globs.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Report format.")
    ] = OutputFormat.text,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file instead of stdout."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            # Help is Rich markup: unescaped, the table name would read as a tag and vanish.
            help=f"TOML settings file (default: {escape('[tool.xlmodels.validate]')} of the "
            "nearest pyproject.toml).",
        ),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="Processes to use; 0 means one per core.")
    ] = 1,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="List the rules and exit.")
    ] = False,
) -> None:
    """Check coverage workbooks against the spec and the core's numbers.

    Exit codes: 0 no error-level finding; 1 error-level findings; 2 a file could
    not be read, or bad usage. Nothing is ever written to the workbooks.

    Example: [bold]xlmodels validate workbooks/ --format sarif -o validate.sarif[/bold]
    """
    # Imported here, not at the top: --help and the other commands never pay for them.
    from xlmodels.validate import all_rules, expand_paths, load_config, rules_table, validate_paths
    from xlmodels.validate.formats import render
    from xlmodels.validate.formats.text import print_report
    from xlmodels.workbook.atomic import atomic_path

    with user_errors():
        settings = load_config(config)
        if list_rules:
            typer.echo(rules_table(settings), nl=False)
            return
        if not paths:
            print_error("give at least one workbook, folder or glob")
            raise typer.Exit(EXIT_USAGE)
        files = expand_paths(paths)
        if output is not None:
            _refuse_to_overwrite(output, files)
        report = validate_paths(files, settings, jobs=jobs)
    if not report.files:
        print_error("no .xlsx or .xlsm workbook found")
        raise typer.Exit(EXIT_USAGE)
    if output_format is OutputFormat.text and output is None:
        print_report(report, consoles().out)
    else:
        text = render(report, output_format.value, all_rules())
        if output is None:
            typer.echo(text, nl=False)
        else:
            try:
                with atomic_path(output) as temporary:
                    temporary.write_text(text, encoding="utf-8")
            except OSError as error:  # a folder, a missing folder, a full disk, no permission
                reason = os_error_message(error, named=False)
                print_error(f"cannot write the report to {output}: {reason}")
                raise typer.Exit(EXIT_USAGE) from None
    raise typer.Exit(report.exit_code)


def _refuse_to_overwrite(output: Path, files: list[Path]) -> None:
    """Exit 2 when the report would be written over a workbook being validated."""
    if not output.exists():
        return  # a validated file exists, so a missing one is none of them
    for path in files:
        try:
            same = os.path.samefile(output, path)  # links and case-insensitive names too
        except OSError:
            continue
        if same:
            print_error(
                f"--output {output} is a workbook being validated; write the report to another file"
            )
            raise typer.Exit(EXIT_USAGE)
