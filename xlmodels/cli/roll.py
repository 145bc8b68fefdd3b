"""``xlmodels roll``: roll coverage workbooks one fiscal year after the companies' results."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from xlmodels.cli._app import app, consoles, print_error, user_errors
from xlmodels.cli._batch import (
    SHOWN,
    more,
    print_batch,
    progress,
)
from xlmodels.regenerate.lock import DEFAULT_WAIT
from xlmodels.runtime.printable import printable_data

if TYPE_CHECKING:  # the roll's modules are imported when the command runs
    from xlmodels.domain.roll import EstimatesRoll
    from xlmodels.regenerate.results import WorkbookResult
    from xlmodels.regenerate.roll import RollOptions, RollResult

#: How a roll's slots read in a line: the column key, then its label.
_SLOTS = {"eps_fy1": "FY1", "eps_fy2": "FY2", "eps_fy3": "FY3", "eps_lyr": "LYR"}


def roll_lines(roll: EstimatesRoll) -> list[str]:
    """One line per company: each EPS with its year and where it moved, and the target year.

    >>> import pandas as pd
    >>> from xlmodels.domain.roll import roll_estimates
    >>> frame = pd.DataFrame({"eps_fy1": [24.1], "eps_fy2": [26.3], "eps_fy3": [None],
    ...     "eps_lyr": [None], "target_year": ["FY1"]}, index=["0700.HK"])
    >>> roll_lines(roll_estimates(frame, 2024))
    ['0700.HK: 2024E 24.1 FY1 -> LYR, 2025E 26.3 FY2 -> FY1; target PE on FY1: 2024E -> 2025E']
    """
    years = roll.source_years()
    lines = []
    for company in roll.companies:
        if not company.moved and company.target_year is None:
            continue  # nothing of it moved
        moves = [
            f"{years.get(source, '')}E {value:g} {_SLOTS[source]} -> "
            + (_SLOTS[target] if target is not None else "dropped")
            for source, target, value in company.moved
        ]
        parts = [", ".join(moves) if moves else "no EPS"]
        if company.target_moved:
            parts.append(f"target PE on FY1: {roll.from_year}E -> {roll.to_year}E")
        elif company.target_year == ("blended", "blended"):
            parts.append(f"target PE blended, now of {roll.to_year}E and {roll.to_year + 1}E")
        elif company.target_year is not None and company.target_year[0] != company.target_year[1]:
            old, new = company.target_year
            parts.append(f"target PE on {old} -> {new} (the same year)")
        if company.no_fy1:
            parts.append("no FY1 EPS now: type it")
        lines.append(f"{company.code}: " + "; ".join(parts))
    return lines


def _print_roll(result: WorkbookResult) -> None:
    if result.roll is None:
        return
    out = consoles().out
    roll = result.roll
    name = escape(result.file)
    out.print(f"\n[bold]{name}[/bold]: FY1 {roll.from_year} -> {roll.to_year}", soft_wrap=True)
    lines = roll_lines(roll)
    for line in lines[:SHOWN]:
        out.print(f"  {escape(line)}", soft_wrap=True)
    if len(lines) > SHOWN:
        out.print(more(len(lines) - SHOWN), soft_wrap=True)


def _print_summary(result: RollResult) -> None:
    for batch in result.batches:
        title = (
            f"Dry run of the roll in {batch.folder}: nothing was written"
            if result.dry_run
            else f"Roll in {batch.folder}"
        )
        print_batch(title, batch, result.dry_run, each=_print_roll)


@app.command()
def roll(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Coverage workbooks, or folders whose workbooks are all rolled.",
            show_default=False,
        ),
    ],
    to: Annotated[
        int | None,
        typer.Option(
            "--to",
            min=1990,
            max=2200,
            help="The FY1 year to roll to: one year after a workbook's FY1 rolls it, its FY1 "
            "itself does nothing. Default: the fiscal year in progress on each workbook's "
            "report date.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Show what would change (FY1 before and after, each EPS that moves, the "
            "cells); write nothing.",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Roll workbooks with conflicts too, keeping each previous file as a "
            "timestamped backup in the .backups folder beside it.",
        ),
    ] = False,
    skip_open: Annotated[
        bool,
        typer.Option(
            "--skip-open",
            help="Exit 0 even if a workbook open in Excel (or changed during the run) was "
            "skipped. Without it such a run exits 1, naming the workbook.",
        ),
    ] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Workbooks rolled at once.")] = 1,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            min=0,
            help="Seconds to wait for a regeneration or roll of the same folder to finish.",
        ),
    ] = DEFAULT_WAIT,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the outcome as JSON (a dry run's every cell).")
    ] = False,
) -> None:
    """Roll coverage workbooks one fiscal year, after the companies' annual results.

    In each workbook FY2 becomes FY1, FY3 becomes FY2, FY3 is left blank to
    fill in, the old FY1 EPS is kept as the last reported year (EPS LYR),
    and Settings' FY1 year moves on by one: headers (EPS 2025E), PE, target
    prices, upside and ratings follow the new FY1 and FY2. A target PE on
    FY2 moves to FY1 (the same year); one on FY1 stays on FY1, now a year
    later, and is listed. Every other input, note and sheet of your own is
    kept; the revision history records the run as a roll.

    A workbook rolls one year at a time, and only when it needs it: without
    --to, when its FY1 has ended by its report date; with --to, when FY1 is
    the year before. A workbook already at that FY1 is left alone, so a
    second run does nothing; --to two years ahead, or back, is refused for
    that workbook. Writes are atomic, under the folder's lock, as for
    regenerate. Exit code 0 when every workbook is rolled or has nothing to
    roll; 1 when one was refused, failed, stopped by conflicts or skipped
    (unless --skip-open), or the revision history could not be written; 2
    for bad usage or a path that is not a workbook (nothing is written).

    Example:

      [bold]xlmodels roll coverage/ --to 2025 --dry-run[/bold]
    """
    # Imported when run: --help and the other commands never load the readers and writers.
    from xlmodels.regenerate.roll import RollOptions

    with user_errors():
        options = RollOptions(
            jobs=jobs, dry_run=dry_run, force=force, wait=wait, skip_open=skip_open, to=to
        )
        result = _run(paths, options)
    if as_json:
        listing = printable_data(result.as_dict())
        sys.stdout.write(json.dumps(listing, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_summary(result)
    if not result.skip_open:
        for folder, skipped in result.skipped:
            print_error(
                f"{folder / skipped.file} was not rolled ({skipped.reason}); "
                "--skip-open accepts a skipped workbook"
            )
    raise typer.Exit(result.exit_code)


def _run(paths: list[Path], options: RollOptions) -> RollResult:
    from xlmodels.regenerate.roll import roll_workbooks

    with progress("rolling") as bar:
        return roll_workbooks(paths, options, on_start=bar.on_start, on_result=bar.on_result)
