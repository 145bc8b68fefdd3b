"""``xlmodels revisions``: the history of every estimate in a folder of workbooks."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from xlmodels.cli._app import app, consoles, print_text, user_errors

if TYPE_CHECKING:  # the history's modules are imported when the command runs
    from xlmodels.revisions.history import Revision, RevisionHistory


class RevisionsFormat(StrEnum):
    text = "text"
    json = "json"
    md = "md"


def _heading(revision: Revision) -> str:
    record, previous = revision.record, revision.previous
    when = record.recorded_at.strftime("%Y-%m-%d %H:%M")
    since = previous.recorded_at.strftime("%Y-%m-%d %H:%M")
    report = f", report date {record.report_date}" if record.report_date else ""
    return f"{when} {record.workbook} (run {record.run_id}{report}; since {since})"


def _groups(history: RevisionHistory) -> list[tuple[str, list[Revision]]]:
    groups: list[tuple[str, list[Revision]]] = []
    for revision in history.revisions:
        heading = _heading(revision)
        if not groups or groups[-1][0] != heading:
            groups.append((heading, []))
        groups[-1][1].append(revision)
    return groups


def _markdown(history: RevisionHistory) -> str:
    lines = ["# Estimate revisions", ""]
    if not history.revisions:
        return "\n".join([*lines, "No revisions recorded.", ""])
    lines += [
        "| Recorded | Workbook | Code | Company | Change | Old | New | % |",
        "|---|---|---|---|---|---:|---:|---:|",
    ]
    for revision in history.revisions:
        change = revision.change
        company = change.company if change is not None else revision.company
        cells = [
            revision.record.recorded_at.strftime("%Y-%m-%d %H:%M"),
            revision.record.workbook,
            company.code if company else "",
            (company.name or "") if company else "",
            change.label if change is not None else revision.event,
            change.old_text if change is not None else "",
            change.new_text if change is not None else "",
            change.change_text if change is not None else "",
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join([*lines, ""])


@app.command()
def revisions(
    folder: Annotated[
        Path,
        typer.Argument(
            help="The folder of coverage workbooks (its revision history is kept there).",
            show_default=False,
        ),
    ],
    since: Annotated[
        dt.datetime | None,
        typer.Option(
            "--since", formats=["%Y-%m-%d"], help="Only changes recorded on or after this date."
        ),
    ] = None,
    code: Annotated[
        str | None,
        typer.Option("--code", help="Only changes of this company (0700.HK, 700 HK...)."),
    ] = None,
    output_format: Annotated[
        RevisionsFormat,
        typer.Option("--format", "-f", help="text (one change a line), json or md (Markdown)."),
    ] = RevisionsFormat.text,
) -> None:
    """List what changed between the records of every workbook: the history of each estimate.

    Every xlmodels regenerate records, with the time, each workbook whose
    analyst inputs or computed outputs changed since its latest record, in
    the folder's revision history (.xlmodels-revisions.sqlite). This lists,
    run by run, what changed since the workbook's previous record: EPS per
    year, target PE and year, rating override and reason, notes, settings
    and benchmark expected returns, companies added and removed, and the
    target prices and ratings that moved.

    Exit codes: 0 listed (even when nothing changed); 2 the folder has no
    revision history or it cannot be read, or bad usage.

    Example: [bold]xlmodels revisions coverage/ --since 2024-12-01 --code 0700.HK[/bold]
    """
    with user_errors():
        if not folder.is_dir():
            raise FileNotFoundError(f"no such folder: {folder}")
        from xlmodels.revisions.history import list_revisions

        history = list_revisions(folder, since=since.date() if since else None, code=code)
    if output_format is RevisionsFormat.json:
        typer.echo(json.dumps(history.as_dict(), ensure_ascii=False, indent=2, default=str))
        return
    if output_format is RevisionsFormat.md:
        typer.echo(_markdown(history), nl=False)
        return
    console = consoles().out
    print_text(f"Revision history: {history.store} ({history.runs} runs recorded)", console)
    if not history.revisions:
        print_text("No revisions recorded" + (" for this selection." if since or code else "."))
        return
    for heading, listed in _groups(history):
        print_text(heading, console)
        for revision in listed:
            print_text(f"  {revision.line()}", console)
