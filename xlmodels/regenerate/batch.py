"""Regenerating a folder: the lock, the jobs, and the only place that writes.

:func:`regenerate_folder` is what ``xlmodels regenerate`` runs, and
:func:`run_batch` the part of it every command that rewrites workbooks
shares (``xlmodels roll`` too, :mod:`xlmodels.regenerate.roll`). It takes the
folder's lock (:mod:`xlmodels.regenerate.lock`), removes the temporary files
an interrupted run left, matches workbooks to coverage groups
(:mod:`xlmodels.regenerate.plan`), runs one job per group
(:mod:`xlmodels.regenerate.job`), in worker processes when ``jobs`` > 1,
and writes what the jobs return.

Only this process writes, and every write replaces its file atomically (a
temporary file in the same folder, then a rename;
:func:`~xlmodels.workbook.atomic.atomic_path`): a run killed at any moment
leaves each workbook as it was or as regenerated, never half-written, and a
worker that outlives a killed run has nothing to write with. Before
replacing a workbook the runner checks that nobody opened it in Excel and
that it is still the file the job read.

When the workbooks are written, and still under the folder's lock, the
runner records every workbook it created, updated or found unchanged in
the folder's revision store (:mod:`xlmodels.revisions.store`), in one
transaction: a run killed before that transaction commits leaves the
previous record, and the next run records what the workbooks then hold.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import multiprocessing
import shutil
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol, TypeVar

from xlmodels.domain.model import CoverageInputs
from xlmodels.errors import os_error_message
from xlmodels.regenerate.job import FileStamp, Job, JobOptions, JobOutcome, failed, run_job
from xlmodels.regenerate.lock import DEFAULT_WAIT, folder_lock, owner_file
from xlmodels.regenerate.plan import (
    BACKUP_FOLDER,
    BACKUP_SUFFIX,
    GroupPlan,
    coverage_groups,
    plan_folder,
    temporary_files,
)
from xlmodels.regenerate.results import BatchResult, RevisionsRecorded, Status, WorkbookResult
from xlmodels.revisions.snapshot import Snapshot
from xlmodels.revisions.store import STORE_NAME, StoreError, record_run
from xlmodels.runtime.workers import process_pool
from xlmodels.template.schema import FORMULA_MODES
from xlmodels.workbook.atomic import atomic_path
from xlmodels.workbook.content import LANGUAGES

__all__ = [
    "DEFAULT_WAIT",
    "BatchOptions",
    "RegenerateOptions",
    "backup_path",
    "regenerate_folder",
    "run_batch",
]


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch of workbook jobs (a regeneration or a roll) in one folder.

    Attributes
    ----------
    jobs : int
        Workbooks worked on at once, each in its own process when above 1.
    dry_run : bool
        List what would change, cell by cell, and write nothing.
    force : bool
        Write workbooks with conflicts too, keeping each previous file as a
        timestamped backup in the ``.backups`` folder beside it.
    wait : float
        Seconds to wait for another run in the folder to finish.
    skip_open : bool
        Accept that a workbook open in Excel (or changed during the run) is
        skipped: the run still succeeds. Without it such a run exits 1.
    """

    jobs: int = 1
    dry_run: bool = False
    force: bool = False
    wait: float = DEFAULT_WAIT
    skip_open: bool = False

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise ValueError(f"jobs must be 1 or more, got {self.jobs}")
        if self.wait < 0:
            raise ValueError(f"wait must be 0 or more seconds, got {self.wait}")


@dataclass(frozen=True)
class RegenerateOptions(BatchOptions):
    """How to regenerate a folder: :class:`BatchOptions` and what to write.

    Attributes
    ----------
    mode, lang : str, optional
        Formula mode and language to write; default each workbook's own
        (``sq`` and the inputs' language for a new one).
    data_note : str, optional
        Provenance shown in every workbook; default each workbook's own.
    """

    mode: str | None = None
    lang: str | None = None
    data_note: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.mode is not None and self.mode not in FORMULA_MODES:
            raise ValueError(f"mode must be one of {', '.join(FORMULA_MODES)}, got {self.mode!r}")
        if self.lang is not None and self.lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {self.lang!r}")


def backup_path(target: Path, now: dt.datetime) -> Path:
    """A backup path in the ``.backups`` folder beside ``target`` that no file has yet.

    The folder is hidden so that ``validate`` on the workbooks' folder (and
    CI, and pre-commit) does not take a backup for a workbook to check.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = backup_path(folder / "hk-internet.xlsx", dt.datetime(2026, 11, 25, 10, 15))
    >>> path.parent.name, path.name
    ('.backups', 'hk-internet.2026-11-25T101500.bak.xlsx')
    """
    stamp = now.strftime("%Y-%m-%dT%H%M%S")
    suffix = 1
    while True:
        extra = "" if suffix == 1 else f"-{suffix}"
        candidate = target.parent / BACKUP_FOLDER / f"{target.stem}.{stamp}{extra}{BACKUP_SUFFIX}"
        if not candidate.exists():
            return candidate
        suffix += 1


def _keep_backup(target: Path) -> Path:
    (target.parent / BACKUP_FOLDER).mkdir(exist_ok=True)
    backup = backup_path(target, dt.datetime.now())
    # Written atomically too: a run killed while copying leaves no half backup.
    with atomic_path(backup) as temporary:
        shutil.copyfile(target, temporary)
        shutil.copystat(target, temporary)
    return backup


def _commit(outcome: JobOutcome) -> WorkbookResult:
    """Write a job's workbook, unless someone else took the file meanwhile."""
    result, target, content = outcome.result, outcome.target, outcome.content
    if content is None:
        return result
    try:
        if outcome.stamp is None:
            if target.exists():
                return replace(
                    result,
                    status=Status.SKIPPED,
                    reason="a file of this name appeared during the run; left as it is",
                    in_use=True,
                )
        else:
            owner = owner_file(target)
            if owner is not None:
                return replace(
                    result,
                    status=Status.SKIPPED,
                    reason=f"opened in Excel or LibreOffice during the run ({owner.name}); "
                    "close it and run again",
                    in_use=True,
                )
            if not target.exists() or FileStamp.of(target) != outcome.stamp:
                return replace(
                    result,
                    status=Status.SKIPPED,
                    reason="the file changed while it was being regenerated; run again",
                    in_use=True,
                )
            if outcome.backup:
                backup = _keep_backup(target)
                result = replace(result, backup=f"{BACKUP_FOLDER}/{backup.name}")
        with atomic_path(target) as temporary:
            temporary.write_bytes(content)
    except OSError as error:
        reason = f"cannot write the workbook: {os_error_message(error)}"
        return replace(result, status=Status.FAILED, reason=reason)
    return result


#: Why a workbook failed when its worker process died, even alone.
_WORKER_DIED = (
    "the process working on this workbook stopped (out of memory, or a crash in a "
    "workbook reader); the file is likely damaged or hostile"
)


class PlannedJob(Protocol):
    """A job of a batch: whatever it does, it names the workbook it is for."""

    @property
    def plan(self) -> GroupPlan: ...


J = TypeVar("J", bound=PlannedJob)


def _outcomes(
    jobs: Sequence[J], workers: int, runner: Callable[[J], JobOutcome]
) -> Iterator[JobOutcome]:
    """Each job's outcome as it completes, in worker processes when ``workers`` > 1.

    A worker that dies breaks the whole pool, and every job still pending
    with it: those jobs are run again, each in a process of its own, so that
    only the workbook that kills its process fails. ``runner`` and the jobs
    go to fresh interpreters: the runner is a module-level function and the
    jobs plain data.
    """
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield runner(job)
        return
    # Fresh interpreters rather than forks: the parent runs a progress thread,
    # and a fork taken while a thread holds a lock can hang the child.
    context = multiprocessing.get_context("spawn")
    # Workers end with this process: a killed run leaves none behind.
    executor = process_pool(min(workers, len(jobs)), context)
    broken: list[J] = []
    try:
        futures = {executor.submit(runner, job): job for job in jobs}
        for future in concurrent.futures.as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                broken.append(futures[future])
            except Exception as error:  # the outcome could not come back: that workbook fails
                yield failed(
                    futures[future].plan,
                    f"the worker process failed ({type(error).__name__}: {error})",
                )
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    for job in broken:
        alone = process_pool(1, context)
        try:
            yield alone.submit(runner, job).result()
        except BrokenProcessPool:
            yield failed(job.plan, _WORKER_DIED)
        finally:
            alone.shutdown(wait=True, cancel_futures=True)


def _remove_temporaries(folder: Path) -> int:
    removed = 0
    backups = folder / BACKUP_FOLDER
    for place in (folder, backups) if backups.is_dir() else (folder,):
        for path in temporary_files(place):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed


def regenerate_folder(
    folder: str | Path,
    inputs: CoverageInputs,
    options: RegenerateOptions | None = None,
    *,
    universe_file: Path | None = None,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[WorkbookResult], None] | None = None,
) -> BatchResult:
    """Create or refresh one workbook per coverage group of ``inputs`` in ``folder``.

    Parameters
    ----------
    folder : path
        An existing folder of coverage workbooks.
    inputs : CoverageInputs
        The whole universe with its market data, FX, indexes, history and
        (optionally) estimates, as :func:`~xlmodels.sources.load_inputs`
        reads them; every company needs a coverage group.
    options : RegenerateOptions
    universe_file : Path, optional
        Named in the message when a company has no coverage group.
    on_start : callable, optional
        Called once with the number of workbooks about to be reported.
    on_result : callable, optional
        Called with each workbook's result as it is known (for a progress bar).

    Returns
    -------
    BatchResult
        Every workbook's outcome, by file name.

    Raises
    ------
    FileNotFoundError
        When ``folder`` does not exist.
    InputError
        When a company has no coverage group (nothing is written).
    FolderBusy
        When another regeneration holds the folder for longer than ``options.wait``.
    """
    options = options or RegenerateOptions()
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no such folder: {folder}")
    coverage_groups(inputs, universe_file)  # a missing group is the inputs' fault: stop first
    job_options = JobOptions(
        mode=options.mode,
        lang=options.lang,
        data_note=options.data_note,
        force=options.force,
        dry_run=options.dry_run,
    )

    def prepare() -> tuple[list[Job], list[WorkbookResult]]:
        plan = plan_folder(folder, inputs, universe_file)
        strays = [
            WorkbookResult(stray.path.name, stray.group, Status.SKIPPED, stray.reason)
            for stray in plan.strays
        ]
        return [Job(group, job_options) for group in plan.groups], strays

    return run_batch(
        folder,
        options,
        prepare,
        run_job,
        command="regenerate",
        on_start=on_start,
        on_result=on_result,
    )


def run_batch(
    folder: Path,
    options: BatchOptions,
    prepare: Callable[[], tuple[Sequence[J], Sequence[WorkbookResult]]],
    runner: Callable[[J], JobOutcome],
    *,
    command: str,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[WorkbookResult], None] | None = None,
) -> BatchResult:
    """Run jobs on the workbooks of one folder under its lock, write what they return, record it.

    This is the one place that writes workbooks, for every command that
    rewrites them (``regenerate``, ``roll``): under the folder's lock it
    removes the temporary files an interrupted run left, asks ``prepare``
    for the jobs (and the results of files it passes over), runs them with
    ``runner`` (in worker processes when ``options.jobs`` > 1), writes each
    workbook atomically unless someone took the file meanwhile (a backup
    first for a forced update), and records the workbooks in the folder's
    revision store as a run of ``command``. A dry run writes nothing, not
    even the lock file.

    Raises
    ------
    FolderBusy
        When another run holds the folder for longer than ``options.wait``.
    """
    with folder_lock(folder, options.wait, create=not options.dry_run):
        removed = 0 if options.dry_run else _remove_temporaries(folder)
        jobs, passed_over = prepare()
        results: list[WorkbookResult] = []
        if on_start is not None:
            on_start(len(jobs) + len(passed_over))

        def report(result: WorkbookResult) -> None:
            results.append(result)
            if on_result is not None:
                on_result(result)

        for result in passed_over:
            report(result)
        snapshots: list[Snapshot] = []
        for outcome in _outcomes(jobs, options.jobs, runner):
            if options.dry_run:
                report(outcome.result)
                continue
            result = _commit(outcome)
            report(result)
            if outcome.snapshot is not None and result.status in _RECORDED:
                snapshots.append(outcome.snapshot)
        recorded = None if options.dry_run else _record(folder, snapshots, command)
    return BatchResult(
        folder=folder,
        dry_run=options.dry_run,
        workbooks=tuple(sorted(results, key=lambda r: r.file)),
        temporary_files_removed=removed,
        skip_open=options.skip_open,
        revisions=recorded,
    )


#: Workbooks whose file, after the run, holds what the job computed.
_RECORDED = (Status.CREATED, Status.UPDATED, Status.UNCHANGED)


def _record(folder: Path, snapshots: list[Snapshot], command: str) -> RevisionsRecorded | None:
    """Record the run in the folder's revision store; a failure is reported, not raised.

    The workbooks are written by now: a store that cannot be written must not
    hide that, so its error is part of the result (and fails the run).
    """
    if not snapshots:
        return None
    snapshots = sorted(snapshots, key=lambda snapshot: snapshot.workbook)
    try:
        recorded = record_run(folder, snapshots, command=command)
    except (StoreError, OSError, ValueError) as error:
        return RevisionsRecorded(STORE_NAME, None, 0, str(error))
    return RevisionsRecorded(STORE_NAME, recorded.run, len(recorded.workbooks))
