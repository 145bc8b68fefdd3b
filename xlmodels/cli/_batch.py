"""What the commands that rewrite workbooks print: ``regenerate`` and ``roll``.

Both run :func:`~xlmodels.regenerate.batch.run_batch` and report a
:class:`~xlmodels.regenerate.results.BatchResult` per folder: a progress bar
on a terminal, a table of every workbook with its status and reason, what
the revision history recorded, and each workbook's details (conflicts,
differences, notes, backups and, for a dry run, the cells that would change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple

from rich.markup import escape
from rich.table import Table

from xlmodels.cli._app import consoles, print_error, print_text
from xlmodels.runtime.printable import printable

if TYPE_CHECKING:  # the batch's modules are imported when a command runs
    from xlmodels.regenerate import BatchResult, RevisionsRecorded, WorkbookResult

__all__ = [
    "SHOWN",
    "Progress",
    "more",
    "print_batch",
    "print_details",
    "print_revisions",
    "print_workbooks",
    "progress",
]

#: Lines of conflicts, differences or changes shown per workbook; --json lists them all.
SHOWN = 20
#: Cells listed per sheet by a dry run's text output; --json lists every one.
CHANGES_PER_SHEET = 10
#: Characters shown of each side of a change (a long formula keeps its result).
SIDE = 72
#: Style of each status (a :class:`~xlmodels.regenerate.Status`, whose values these are).
STYLES = {
    "created": "green",
    "updated": "green",
    "unchanged": "dim",
    "skipped": "yellow",
    "failed": "bold red",
}


class Progress(NamedTuple):
    """The callbacks a batch reports to: workbooks about to run (per folder), each one done."""

    on_start: Callable[[int], None]
    on_result: Callable[[WorkbookResult], None]


@contextmanager
def progress(label: str) -> Iterator[Progress]:
    """Callbacks that drive a progress bar on standard error, only when it is a terminal.

    ``on_start`` may be called once per folder: the bar's total grows with each.
    """
    if not consoles().err.is_terminal:
        yield Progress(lambda total: None, lambda result: None)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=consoles().err,
        transient=True,
    )
    task = bar.add_task(label, total=0, last="")
    planned = 0

    def start(total: int) -> None:
        nonlocal planned
        planned += total
        bar.update(task, total=planned)

    def advance(result: WorkbookResult) -> None:
        bar.update(task, advance=1, last=escape(result.file))

    with bar:
        yield Progress(start, advance)


def clip(text: str) -> str:
    """One side of a change, shortened in the middle so both ends stay readable."""
    if len(text) <= SIDE:
        return text
    half = (SIDE - 3) // 2
    return f"{text[:half]}...{text[-half:]}"


def more(count: int) -> str:
    return f"  ... and {count} more (--json lists them all)"


def print_details(result: WorkbookResult, dry_run: bool) -> None:
    from xlmodels.regenerate import Status

    out = consoles().out

    def say(line: str) -> None:  # Rich markup; never wrapped mid-word by Rich
        out.print(line, soft_wrap=True)

    name = escape(result.file)
    if result.conflicts:
        count = len(result.conflicts)
        what = "kept in the backup" if result.status is Status.UPDATED else "nothing written"
        say(f"\n[bold]{name}[/bold]: {count} conflict{'s' if count != 1 else ''}, {what}")
        for conflict in result.conflicts[:SHOWN]:
            say(f"  {escape(conflict.line())}")
        if len(result.conflicts) > SHOWN:
            say(more(len(result.conflicts) - SHOWN))
    if result.differences:
        say(
            f"\n[bold]{name}[/bold]: the estimates file differs in "
            f"{len(result.differences)} cells (the workbook's values are kept)"
        )
        for difference in result.differences[:SHOWN]:
            say(f"  {escape(difference.line())}")
        if len(result.differences) > SHOWN:
            say(more(len(result.differences) - SHOWN))
    for note in result.notes:
        say(f"{name}: {escape(note)}")
    if result.filled:
        cells = "cell" if result.filled == 1 else "cells"
        say(f"{name}: {result.filled} blank input {cells} filled from the estimates file")
    if result.backup:
        say(f"{name}: previous file kept as {escape(result.backup)}")
    if dry_run and result.changes_by_sheet:
        say(f"\n[bold]{name}[/bold]: {result.changed_cells} cells would change")
        by_sheet: dict[str, list[str]] = {}
        for change in result.changes:
            shown = by_sheet.setdefault(change.sheet, [])
            if len(shown) < CHANGES_PER_SHEET:
                if change.spilled_from is not None:
                    old, new = clip(change.old_value_text), clip(change.new_value_text)
                    shown.append(
                        f"{change.cell}: {old} => {new} (spilled from {change.spilled_from})"
                    )
                elif change.same_formula:
                    # Same formula, new inputs: the result is what changes.
                    old, new = clip(change.old_value_text), clip(change.new_value_text)
                    shown.append(f"{change.cell}: {old} => {new} (formula unchanged)")
                else:
                    old, new = clip(change.old_text), clip(change.new_text)
                    shown.append(f"{change.cell}: {old} => {new}")
        for sheet, count in result.changes_by_sheet.items():
            say(f"  {escape(sheet)}: {count} cells")
            for line in by_sheet.get(sheet, []):
                say(f"    {escape(line)}")
            if count > len(by_sheet.get(sheet, [])):
                say(
                    f"    ... and {count - len(by_sheet.get(sheet, []))} more cells of "
                    f"{escape(sheet)} (--json lists every cell)"
                )


def print_workbooks(
    title: str, workbooks: Sequence[WorkbookResult], counts: dict[str, int], dry_run: bool
) -> None:
    """The title (a path to copy, outside the table), a table of every workbook, the counts."""
    from xlmodels.regenerate import Status

    console = consoles().out
    print_text(title, console)
    table = Table()
    for header in ("Workbook", "Group", "Status"):
        table.add_column(header, no_wrap=True)
    table.add_column("Details")
    for workbook in workbooks:
        style = STYLES[workbook.status]
        status = f"would be {workbook.status}" if dry_run else str(workbook.status)
        if dry_run and workbook.status in (Status.SKIPPED, Status.FAILED):
            status = str(workbook.status)
        table.add_row(
            escape(printable(workbook.file)),
            escape(printable(workbook.group or "")),
            f"[{style}]{status}[/{style}]",
            escape(printable(workbook.reason)),
        )
    console.print(table)
    shown = ", ".join(f"{count} {status}" for status, count in counts.items())
    print_text(f"would be: {shown}" if dry_run else shown, console)


def print_revisions(recorded: RevisionsRecorded | None) -> None:
    """What a run recorded in a folder's revision history, or why it could not."""
    console = consoles().out
    if recorded is not None and recorded.error is None and recorded.run is None:
        print_text("the revision history is unchanged", console)
    elif recorded is not None and recorded.error is None:
        print_text(
            f"recorded {recorded.workbooks} workbook{'s' if recorded.workbooks != 1 else ''} "
            f"in the revision history ({recorded.store}, run {recorded.run})",
            console,
        )
    elif recorded is not None:
        print_error(f"the revision history was not recorded: {recorded.error}")


def print_batch(
    title: str,
    batch: BatchResult,
    dry_run: bool,
    each: Callable[[WorkbookResult], None] | None = None,
) -> None:
    """One folder's outcome: the workbooks table, clean-up, revisions, then each workbook.

    ``each`` prints what a command adds for a workbook (the roll's moved years)
    before its details.
    """
    print_workbooks(title, batch.workbooks, batch.counts(), dry_run)
    if batch.temporary_files_removed:
        print_text(
            f"removed {batch.temporary_files_removed} temporary files an interrupted run left",
            consoles().out,
        )
    print_revisions(batch.revisions)
    for workbook in batch.workbooks:
        if each is not None:
            each(workbook)
        print_details(workbook, dry_run)
