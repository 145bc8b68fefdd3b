"""Regenerating one coverage group's workbook, up to the bytes to write.

A job reads the existing workbook (if any) with the spec of its template
version, lists what regeneration could not carry (conflicts), carries its
analyst inputs through the template migrations, merges them with the
group's fresh data, builds the new workbook in memory and compares it with
the old one cell by cell (:func:`read_existing`, then :func:`rewrite`; a
roll, :mod:`xlmodels.regenerate.roll`, runs the same two steps on the
workbook's own data with its estimates rolled). It writes nothing: the batch runner
(:mod:`xlmodels.regenerate.batch`) writes what jobs return, so a job may
run in a worker process that is killed at any moment without leaving
anything behind.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from xlmodels.core.ratings import SchemeError
from xlmodels.errors import InputError
from xlmodels.excel.ooxml.guard import CheckedBytes, read_guarded
from xlmodels.regenerate.carry import (
    CarriedInputs,
    MergedInputs,
    carried_from_workbook,
    merge_inputs,
)
from xlmodels.regenerate.lock import owner_file
from xlmodels.regenerate.plan import GroupPlan
from xlmodels.regenerate.results import Status, WorkbookResult
from xlmodels.revisions.snapshot import Snapshot, snapshot_of
from xlmodels.runtime.collector import collector_paused
from xlmodels.template.migrations import TemplateVersionError, migrate, reading_spec
from xlmodels.template.schema import WorkbookSpec
from xlmodels.template.v3 import SPEC, TEMPLATE_VERSION
from xlmodels.workbook.built_cells import BuiltCells
from xlmodels.workbook.cell_diff import CellChange, changes_by_sheet, diff_cells
from xlmodels.workbook.conflicts import Conflict, find_conflicts, leaving_conflicts
from xlmodels.workbook.content import WorkbookContent, build_content
from xlmodels.workbook.identify import defined_names, identify
from xlmodels.workbook.own_sheets import OwnSheet, read_own_sheets
from xlmodels.workbook.reader import WorkbookData, read_workbook
from xlmodels.workbook.stored_cells import SheetCells, StoredWorkbook, read_cells
from xlmodels.workbook.writer import render

__all__ = [
    "ExistingWorkbook",
    "FileStamp",
    "Job",
    "JobOptions",
    "JobOutcome",
    "failed",
    "in_use",
    "read_existing",
    "rewrite",
    "run_guarded",
    "run_job",
]

#: Errors that describe a workbook or an input a person can fix; anything else is a bug.
_EXPECTED = (InputError, SchemeError, TemplateVersionError, OSError)


@dataclass(frozen=True)
class JobOptions:
    """What the command line asks of every workbook.

    ``mode``, ``lang`` and ``data_note`` of None keep each workbook's own.
    """

    mode: str | None = None
    lang: str | None = None
    data_note: str | None = None
    force: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class FileStamp:
    """Size, modification time and inode of a file, to tell whether it changed since it was read."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileStamp:
        status = os.stat(path)
        return cls(status.st_size, status.st_mtime_ns, status.st_ino)


@dataclass(frozen=True)
class Job:
    """One coverage group to regenerate."""

    plan: GroupPlan
    options: JobOptions


@dataclass(frozen=True)
class JobOutcome:
    """A job's result, and the workbook to write if there is one.

    ``content`` is None when there is nothing to write (a dry run, an
    unchanged or failed workbook). ``stamp`` is the existing file as the
    job read it: the writer leaves the file alone if it changed since.
    ``backup`` asks the writer to keep the previous file first (a forced
    update over conflicts). ``snapshot`` is the workbook's estimates as
    regenerated, for the revision store; None when nothing is regenerated.
    """

    result: WorkbookResult
    target: Path
    content: bytes | None = None
    stamp: FileStamp | None = None
    backup: bool = False
    snapshot: Snapshot | None = None


@dataclass(frozen=True)
class _Rendered:
    """A regenerated workbook: its bytes, its cells as a reader will find them, its content."""

    data: bytes
    cells: dict[str, SheetCells]
    content: WorkbookContent


def _rendered(
    merged: MergedInputs,
    own_sheets: Sequence[OwnSheet] = (),
    previous: Mapping[str, SheetCells] | None = None,
) -> _Rendered:
    """The regenerated workbook's bytes and its cells as a reader will find them.

    The cells are recorded as the workbook is written (rows equal to those
    of ``previous``, the workbook being regenerated, are kept once); only
    where a value's reading cannot be reproduced exactly
    (:mod:`xlmodels.workbook.built_cells`) are the bytes read back. The
    workbook is written through a temporary file, as xlsxwriter writes a
    file, part by part: in memory its History would be held whole as text.
    """
    content = build_content(merged.inputs, mode=merged.mode, lang=merged.lang)
    recorder = BuiltCells(previous)
    with tempfile.TemporaryDirectory(prefix="xlmodels-") as scratch:
        path = Path(scratch) / "regenerated.xlsx"
        render(path, content, own_sheets, recorder)
        data = path.read_bytes()
    cells = recorder.cells()
    return _Rendered(data, cells if cells is not None else read_cells(io.BytesIO(data)), content)


def _snapshot(plan: GroupPlan, merged: MergedInputs, rendered: _Rendered) -> Snapshot:
    """The regenerated workbook's estimates, as the revision store records them.

    Its figures are those the workbook was just built with, not computed again.
    """
    return snapshot_of(
        merged.inputs,
        workbook=plan.target.name,
        template_version=TEMPLATE_VERSION,
        formula_mode=merged.mode,
        coverage_group=plan.group,
        built=rendered.content,
    )


def _counted(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    parts = ", ".join(f"{sheet} {count}" for sheet, count in counts.items())
    return f"{total} cell{'s' if total != 1 else ''} changed ({parts})"


def _create(job: Job) -> JobOutcome:
    plan, options = job.plan, job.options
    assert plan.inputs is not None, "a new workbook is made from fresh inputs"
    merged = merge_inputs(
        plan.inputs, None, mode=options.mode, lang=options.lang, data_note=options.data_note
    )
    rendered = _rendered(merged)
    changes: list[CellChange] = []
    if options.dry_run:
        changes = diff_cells({}, rendered.cells)
    companies = len(merged.inputs.universe)
    result = WorkbookResult(
        plan.target.name,
        plan.group,
        Status.CREATED,
        f"new workbook: {companies} compan{'y' if companies == 1 else 'ies'}, "
        f"{merged.mode} formulas, {merged.lang}",
        changes_by_sheet=changes_by_sheet(changes),
        changes=tuple(changes),
    )
    if options.dry_run:
        return JobOutcome(result, plan.target)
    return JobOutcome(
        result, plan.target, rendered.data, snapshot=_snapshot(plan, merged, rendered)
    )


def in_use(plan: GroupPlan) -> JobOutcome | None:
    """A skipped outcome when the workbook is open in Excel or LibreOffice, else None."""
    owner = owner_file(plan.target)
    if owner is None:
        return None
    return JobOutcome(
        WorkbookResult(
            plan.target.name,
            plan.group,
            Status.SKIPPED,
            f"open in Excel or LibreOffice ({owner.name} beside it): close it, or delete "
            "that file if nobody has the workbook open, and run again",
            in_use=True,
        ),
        plan.target,
    )


@dataclass(frozen=True)
class ExistingWorkbook:
    """An existing workbook as a job reads it, before anything is merged into it.

    Attributes
    ----------
    stamp : FileStamp
        The file as read: the writer leaves it alone if it changes meanwhile.
    content : bytes
        The file's bytes, to tell an unchanged workbook.
    version : int
        Its template version.
    spec : WorkbookSpec
        The spec it was read with (its own version's).
    data : WorkbookData
        What it holds; its ``tables`` the Estimates alone when read for a
        regeneration (``tables=False``).
    cells : dict
        Every stored cell, to list what changes.
    own : list of OwnSheet
        The sheets the template does not have.
    conflicts : list of Conflict
        What regeneration cannot carry, found so far.
    carried : CarriedInputs
        Its analyst inputs, migrated to the current template version.
    """

    stamp: FileStamp
    content: bytes
    version: int
    spec: WorkbookSpec
    data: WorkbookData
    cells: dict[str, SheetCells]
    own: list[OwnSheet]
    conflicts: list[Conflict]
    carried: CarriedInputs


def read_existing(
    target: Path, *, history: bool = True, tables: bool = True, checked: CheckedBytes | None = None
) -> ExistingWorkbook:
    """Read a workbook with the spec of its template version, and carry its inputs forward.

    ``history=False`` leaves its History sheet unread (the inputs carry no
    history), for a regeneration given a history file that replaces it.
    ``tables=False`` keeps the frame of its Estimates sheet alone, whose
    analyst inputs are carried: a regeneration rebuilds every other table
    from fresh data (their cells are still read and checked), where a roll
    rebuilds the workbook from its own.
    ``checked`` is what the safety checks learnt when the plan read the file
    (:attr:`GroupPlan.checked`): bytes that changed since are checked again.

    Raises
    ------
    InputError
        When the workbook is not a readable coverage workbook (naming the cell).
    TemplateVersionError
        When its template is newer than this xlmodels, or unknown.
    """
    stamp = FileStamp.of(target)
    guarded = read_guarded(target, known=checked)
    identity = identify(target, guarded)
    if identity.version is None:
        raise InputError("the workbook has no template version", file=target)
    _, defined = defined_names(guarded, target)
    spec = reading_spec(identity.version, {n.name for n in defined if n.scope is None})
    # One read serves the inputs, the cells and the conflict checks.
    stored = StoredWorkbook(guarded)
    kept = None if tables else [spec.by_prefix("est").name]
    data = read_workbook(stored, spec=spec, history=history, tables=kept)
    cells = stored.cells()
    own = read_own_sheets(guarded, spec.sheet_names(), cells)
    conflicts: list[Conflict] = find_conflicts(spec, data, cells, defined, own)
    carried = migrate(carried_from_workbook(data, spec))
    return ExistingWorkbook(
        stamp, guarded.data, identity.version, spec, data, cells, own, conflicts, carried
    )


def rewrite(
    plan: GroupPlan, options: JobOptions, existing: ExistingWorkbook, merged: MergedInputs
) -> JobOutcome:
    """The outcome of writing ``merged`` over an existing workbook: unchanged, updated or stopped.

    The analyst's own sheets are carried; conflicts (what the new workbook
    cannot carry) stop it unless ``options.force``, which keeps the old file
    as a backup; a dry run lists every changed cell and writes nothing.
    """
    target, spec, data, cells = plan.target, existing.spec, existing.data, existing.cells
    name, group = target.name, plan.group
    conflicts = [*existing.conflicts, *leaving_conflicts(spec, data, cells, merged.leaving)]
    # A sheet named like one a newer template adds stays in the backup (a conflict).
    reserved = {name.casefold() for name in SPEC.sheet_names()}
    carried_sheets = [sheet for sheet in existing.own if sheet.name.casefold() not in reserved]
    rendered = _rendered(merged, carried_sheets, cells)
    content, new_cells = rendered.data, rendered.cells
    migrated = existing.version if existing.version < TEMPLATE_VERSION else None
    base = WorkbookResult(
        name,
        group,
        Status.UNCHANGED,
        "same content",
        differences=merged.differences,
        filled=len(merged.filled),
        notes=merged.notes,
        migrated_from=migrated,
    )
    snapshot = None if options.dry_run else _snapshot(plan, merged, rendered)
    if content == existing.content:
        return JobOutcome(base, target, snapshot=snapshot)
    changes = diff_cells(cells, new_cells)
    counts = changes_by_sheet(changes)
    listed = tuple(changes) if options.dry_run else ()
    if not changes and not conflicts:
        return JobOutcome(
            replace(base, reason="same cells; the file is left as it is"), target, snapshot=snapshot
        )
    plural = "s" if len(conflicts) != 1 else ""
    if conflicts and not options.force:
        result = replace(
            base,
            status=Status.FAILED,
            reason=f"stopped by {len(conflicts)} conflict{plural}: nothing written "
            "(--force proceeds and keeps the previous file as a backup)",
            conflicts=tuple(conflicts),
            changes_by_sheet=counts,
            changes=listed,
        )
        return JobOutcome(result, target)
    reason = _counted(counts)
    if migrated is not None:
        reason += f"; upgraded from template v{migrated}"
    if conflicts:
        reason += f"; {len(conflicts)} conflict{plural} overridden"
    result = replace(
        base,
        status=Status.UPDATED,
        reason=reason,
        conflicts=tuple(conflicts),
        changes_by_sheet=counts,
        changes=listed,
    )
    if options.dry_run:
        return JobOutcome(result, target)
    return JobOutcome(
        result, target, content, existing.stamp, backup=bool(conflicts), snapshot=snapshot
    )


def _refresh(job: Job) -> JobOutcome:
    plan, options = job.plan, job.options
    busy = in_use(plan)
    if busy is not None:
        return busy
    assert plan.inputs is not None, "a regeneration job has fresh inputs"
    # The workbook's own History is carried only when no history file replaces it.
    existing = read_existing(
        plan.target, history=plan.inputs.history is None, tables=False, checked=plan.checked
    )
    merged = merge_inputs(
        plan.inputs,
        existing.carried,
        mode=options.mode,
        lang=options.lang,
        data_note=options.data_note,
    )
    return rewrite(plan, options, existing, merged)


def failed(plan: GroupPlan, reason: str) -> JobOutcome:
    """The outcome of a workbook that failed, untouched, for ``reason``."""
    return JobOutcome(
        WorkbookResult(plan.target.name, plan.group, Status.FAILED, reason), plan.target
    )


def run_guarded(plan: GroupPlan, work: Callable[[], JobOutcome]) -> JobOutcome:
    """``work()``, with a problem of the workbook or its inputs as that workbook's failure.

    An unreadable cell, a newer template, an unknown rating scheme fail this
    workbook only, with the problem as its reason; a bug fails it too, as an
    internal error to report, and never stops the rest of a batch.
    """
    if plan.problem is not None:
        return failed(plan, plan.problem)
    try:
        # Millions of cells come and go without a reference cycle among them.
        with collector_paused():
            return work()
    except _EXPECTED as error:
        reason = str(error)
        if isinstance(error, InputError):
            # The summary names the file already; keep the sheet and cell.
            reason = str(
                InputError(
                    error.message,
                    sheet=error.sheet,
                    cell=error.cell,
                    row=error.row,
                    column=error.column,
                )
            )
        return failed(plan, reason)
    except Exception as error:  # a bug must not stop the other workbooks of the batch
        return failed(plan, f"internal error ({type(error).__name__}: {error}); please report it")


def run_job(job: Job) -> JobOutcome:
    """Regenerate one group's workbook in memory; never raises, never writes.

    A problem of the workbook or its inputs (an unreadable cell, a newer
    template, an unknown rating scheme) fails this workbook only, with the
    problem as its reason.
    """
    plan = job.plan
    return run_guarded(plan, lambda: _refresh(job) if plan.exists else _create(job))
