"""Rolling coverage workbooks one fiscal year: what ``xlmodels roll`` runs.

When a company reports its annual results its broker rolls the estimates:
FY2 becomes FY1, FY3 becomes FY2, FY3 is left blank, the old FY1 is kept as
the last reported year, and Settings' FY1 year moves on
(:mod:`xlmodels.domain.roll` says how, and which year to roll to). It is an
analyst's act on one workbook, not a calendar event: ``roll`` takes
workbooks (or folders of them) and rolls each whose FY1 needs it.

A roll is a regeneration from the workbook's own data: the job reads the
workbook as regeneration does (:func:`~xlmodels.regenerate.job.read_existing`:
its template version's spec, conflicts, the analyst's own sheets, the
inputs carried through any template upgrade), rolls the carried estimates
and writes the workbook again from its own Market, History and Settings
(:func:`~xlmodels.regenerate.job.rewrite`), so every header, formula,
defined name and cached result follows the new FY1 and FY2, and every
other input, note and own sheet is kept. The jobs run, write, back up and
record through :func:`~xlmodels.regenerate.batch.run_batch` under each
folder's lock, exactly as regeneration's do; the revision store records the
run as a ``roll``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from xlmodels.domain.model import CoverageInputs
from xlmodels.domain.roll import RollRefused, roll_estimates, roll_years
from xlmodels.errors import InputError
from xlmodels.excel.ooxml.guard import read_guarded
from xlmodels.excel.references import cell_name, column_number
from xlmodels.regenerate.batch import BatchOptions, run_batch
from xlmodels.regenerate.carry import merge_inputs
from xlmodels.regenerate.job import (
    JobOptions,
    JobOutcome,
    failed,
    in_use,
    read_existing,
    rewrite,
    run_guarded,
)
from xlmodels.regenerate.lock import FolderBusy
from xlmodels.regenerate.plan import BACKUP_SUFFIX, GroupPlan, workbook_files
from xlmodels.regenerate.results import BatchResult, Status, WorkbookResult
from xlmodels.template.names import COVERAGE_SHEET, ESTIMATES_SHEET, SETTINGS_SHEET
from xlmodels.template.schema import WorkbookSpec
from xlmodels.workbook.coverage_inputs import coverage_inputs
from xlmodels.workbook.identify import identify
from xlmodels.workbook.own_sheets import OwnSheet
from xlmodels.workbook.reader import WorkbookData

__all__ = [
    "RollJob",
    "RollOptions",
    "RollResult",
    "own_inputs",
    "roll_workbooks",
    "run_roll",
    "year_references",
]


@dataclass(frozen=True)
class RollOptions(BatchOptions):
    """How to roll workbooks: :class:`~xlmodels.regenerate.batch.BatchOptions` and the year.

    Attributes
    ----------
    to : int, optional
        The FY1 to roll to (``--to``): one year after each workbook's FY1,
        or its FY1 itself (nothing to do). Default: the fiscal year in
        progress on each workbook's report date.
    """

    to: int | None = None


@dataclass(frozen=True)
class RollJob:
    """One workbook to roll (plain data: it may go to a worker process)."""

    plan: GroupPlan
    options: JobOptions
    to: int | None = None


def own_inputs(data: WorkbookData) -> CoverageInputs:
    """A workbook's own data as the fresh inputs of its regeneration: everything but estimates.

    The estimates come from the workbook's carried inputs instead (rolled):
    an estimates frame here would fill the FY3 a roll leaves blank.
    """
    inputs = coverage_inputs(data)
    return replace(inputs, estimates=inputs.estimates.iloc[0:0], estimates_fy1_year=None)


def _setting(existing_settings: dict[str, Any], key: str, data: WorkbookData) -> Any:
    value = existing_settings.get(key)
    if value is None:
        raise InputError(
            f"the setting {key} is blank: a roll needs it", file=data.file, sheet=SETTINGS_SHEET
        )
    return value


#: Columns whose fiscal year a roll moves on, with how far after FY1 their year is.
_YEAR_COLUMNS = {"fy1": 0, "fy2": 1, "fy3": 2, "lyr": -1}
#: A sheet-qualified reference in a formula: the sheet, then the columns it spans.
_QUALIFIED = re.compile(
    r"(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[A-Za-z_][A-Za-z0-9_.]*))!"
    r"\$?(?P<c1>[A-Za-z]{1,3})\$?[0-9]*(?::\$?(?P<c2>[A-Za-z]{1,3})\$?[0-9]*)?"
)
#: Own-sheet cells listed per workbook whose formulas read a column a roll moves on.
_LISTED_REFERENCES = 10


def _year_columns(
    spec: WorkbookSpec,
) -> tuple[dict[tuple[str, int], tuple[str, int]], dict[str, tuple[str, int]]]:
    """The columns holding one fiscal year, by (sheet, 1-based column) and by range name:
    each as its label (``Estimates EPS FY1``) and its year's distance from FY1."""
    by_place: dict[tuple[str, int], tuple[str, int]] = {}
    by_name: dict[str, tuple[str, int]] = {}
    for sheet in (spec.sheet(COVERAGE_SHEET), spec.sheet(ESTIMATES_SHEET)):
        for position, column in enumerate(sheet.columns):
            measure, _, slot = column.key.partition("_")
            if measure in ("eps", "pe") and slot in _YEAR_COLUMNS:
                found = (f"{sheet.name} {measure.upper()} {slot.upper()}", _YEAR_COLUMNS[slot])
                by_place[(sheet.name.casefold(), position + 1)] = found
                by_name[sheet.range_name(column.key).casefold()] = found
    return by_place, by_name


def year_references(own: Sequence[OwnSheet], spec: WorkbookSpec, from_year: int) -> list[str]:
    """Notes on formulas of the analyst's own sheets that read a column whose year moves.

    Such a formula keeps its reference through a roll: one reading the FY1
    column reads the new FY1, a year later. That is right when it meant the
    slot and wrong when it meant the year, which only the analyst knows.
    """
    by_place, by_name = _year_columns(spec)
    named = re.compile(
        r"(?<![A-Za-z0-9_.])(" + "|".join(map(re.escape, by_name)) + r")(?![A-Za-z0-9_.(])",
        re.IGNORECASE,
    )
    notes: list[str] = []
    for sheet in own:
        for cell in sheet.cells:
            if cell.formula is None:
                continue
            read: dict[str, int] = {}
            for match in _QUALIFIED.finditer(cell.formula):
                target = (match["quoted"] or "").replace("''", "'") or match["plain"]
                ends = (column_number(match["c1"]), column_number(match["c2"] or match["c1"]))
                for column in range(min(ends), max(ends) + 1):
                    if (found := by_place.get((target.casefold(), column))) is not None:
                        read.setdefault(*found)
            for match in named.finditer(cell.formula):
                read.setdefault(*by_name[match[1].casefold()])
            if not read:
                continue
            years = ", ".join(
                f"{label} {from_year + offset}E -> {from_year + offset + 1}E"
                for label, offset in read.items()
            )
            notes.append(
                f"{sheet.name}!{cell_name(cell.row + 1, cell.column + 1)} ({cell.formula}) "
                f"reads a column whose year moves on ({years}): right if it means the slot; "
                "point it elsewhere if it meant the year"
            )
    if len(notes) > _LISTED_REFERENCES:
        extra = len(notes) - _LISTED_REFERENCES
        notes = [*notes[:_LISTED_REFERENCES], f"and {extra} more own-sheet formulas like these"]
    return notes


def _roll(job: RollJob) -> JobOutcome:
    plan, options = job.plan, job.options
    busy = in_use(plan)
    if busy is not None:
        return busy
    existing = read_existing(plan.target, checked=plan.checked)
    carried, data = existing.carried, existing.data
    fy1_year = int(_setting(carried.settings, "fy1_year", data))
    report_date: dt.date = _setting(data.settings, "report_date", data)
    year_end = (
        int(carried.settings.get("fy_end_month") or 12),
        int(carried.settings.get("fy_end_day") or 31),
    )
    try:
        years, why = roll_years(fy1_year, report_date, year_end, job.to)
    except RollRefused as refused:
        return failed(plan, f"not rolled: {refused}")
    if years == 0:
        return JobOutcome(
            WorkbookResult(plan.target.name, plan.group, Status.UNCHANGED, why), plan.target
        )
    rolled = roll_estimates(carried.estimates, fy1_year)
    carried = replace(
        carried,
        estimates=rolled.estimates,
        settings={**carried.settings, "fy1_year": rolled.to_year},
    )
    merged = merge_inputs(own_inputs(data), carried)
    outcome = rewrite(plan, options, existing, merged)
    result = outcome.result
    notes = list(result.notes)
    notes += year_references(existing.own, existing.spec, rolled.from_year)
    with_eps = any(company.moved for company in rolled.companies)
    if rolled.keeps_lyr and with_eps:
        notes.append(
            f"EPS LYR now holds each company's {rolled.from_year}E estimate: type the reported "
            f"{rolled.from_year} EPS over it where the results differ"
        )
    if with_eps:
        notes.append(f"EPS FY3 ({rolled.to_year + 2}E) is blank for every company: fill it in")
    reason = f"{rolled.summary()} ({why})"
    if result.status is Status.UPDATED:
        reason += f"; {result.reason}"
    elif result.status is Status.FAILED:
        reason = f"{result.reason}; would roll {reason}"
    result = replace(result, reason=reason, roll=rolled, notes=tuple(notes))
    return replace(outcome, result=result)


def run_roll(job: RollJob) -> JobOutcome:
    """Roll one workbook in memory; never raises, never writes (the batch writes)."""
    return run_guarded(job.plan, lambda: _roll(job))


@dataclass(frozen=True)
class RollResult:
    """Every workbook's outcome in one roll, folder by folder.

    ``batches`` holds one :class:`~xlmodels.regenerate.results.BatchResult`
    per folder, in the order the folders were first named.
    """

    to: int | None
    dry_run: bool
    skip_open: bool
    batches: tuple[BatchResult, ...]

    @property
    def workbooks(self) -> tuple[tuple[Path, WorkbookResult], ...]:
        """(folder, result) of every workbook, folder by folder."""
        return tuple((batch.folder, result) for batch in self.batches for result in batch.workbooks)

    def counts(self) -> dict[str, int]:
        found = Counter(result.status for _, result in self.workbooks)
        return {str(status): found.get(status, 0) for status in Status}

    @property
    def skipped(self) -> tuple[tuple[Path, WorkbookResult], ...]:
        """The workbooks left as they were because someone had them (open, changing)."""
        return tuple(
            (folder, result)
            for folder, result in self.workbooks
            if result.status is Status.SKIPPED and result.in_use
        )

    @property
    def exit_code(self) -> int:
        """0 when every workbook is rolled or has nothing to roll; 1 when one failed, was
        stopped by conflicts, was skipped (open in Excel, busy) without ``skip_open``, or a
        folder's run could not be recorded in its revision store."""
        return max((batch.exit_code for batch in self.batches), default=0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "to": self.to,
            "summary": self.counts(),
            "skip_open": self.skip_open,
            "temporary_files_removed": sum(b.temporary_files_removed for b in self.batches),
            "revisions": [
                {"folder": str(batch.folder), **batch.revisions.as_dict()}
                for batch in self.batches
                if batch.revisions is not None
            ],
            "workbooks": [
                {
                    "path": str(folder / result.file),
                    "folder": str(folder),
                    **result.as_dict(changes=self.dry_run),
                }
                for folder, result in self.workbooks
            ],
        }


@dataclass(frozen=True)
class _Target:
    path: Path
    named: bool  # named on the command line, not found in a folder


def _targets(paths: Sequence[str | Path]) -> dict[Path, list[_Target]]:
    """The workbooks to roll, by folder in the order first named, each once.

    Raises
    ------
    InputError
        For a path that does not exist, a file that is not an ``.xlsx``
        workbook, or a folder without one: nothing is rolled then.
    """
    if not paths:
        raise InputError("name at least one workbook or folder to roll")
    folders: dict[Path, list[_Target]] = {}
    seen: set[Path] = set()

    def add(path: Path, named: bool) -> None:
        key = path.resolve()
        if key in seen:
            return
        seen.add(key)
        folder = path.parent if str(path.parent) else Path(".")
        folders.setdefault(folder, []).append(_Target(path, named))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = workbook_files(path)
            if not found:
                raise InputError("no coverage workbook (.xlsx) in this folder", file=path)
            for workbook in found:
                add(workbook, False)
        elif not path.exists():
            raise InputError("no such file or folder", file=path)
        elif path.suffix.lower() != ".xlsx" or path.name.lower().endswith(BACKUP_SUFFIX):
            raise InputError("not a coverage workbook (an .xlsx file) to roll", file=path)
        else:
            add(path, True)
    return folders


def _prepare(
    targets: list[_Target], job_options: JobOptions, to: int | None
) -> Callable[[], tuple[list[RollJob], list[WorkbookResult]]]:
    """The jobs of one folder, read under its lock: a file found in a folder that is no
    coverage workbook is passed over (as regeneration does); one named is rolled or fails."""

    def prepare() -> tuple[list[RollJob], list[WorkbookResult]]:
        jobs: list[RollJob] = []
        passed_over: list[WorkbookResult] = []
        for target in targets:
            group = checked = None
            try:
                guarded = read_guarded(target.path)
                group = identify(target.path, guarded).group
                checked = guarded.checked()
            except (InputError, OSError) as error:
                if not target.named:
                    reason = str(getattr(error, "message", error))
                    passed_over.append(
                        WorkbookResult(
                            target.path.name,
                            None,
                            Status.SKIPPED,
                            f"not a coverage workbook ({reason}); left as it is",
                        )
                    )
                    continue
            plan = GroupPlan(group, target.path, True, None, checked=checked)
            jobs.append(RollJob(plan, job_options, to))
        return jobs, passed_over

    return prepare


def roll_workbooks(
    paths: Sequence[str | Path],
    options: RollOptions | None = None,
    *,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[WorkbookResult], None] | None = None,
) -> RollResult:
    """Roll each workbook named, or found in a folder named, one fiscal year where it needs it.

    Parameters
    ----------
    paths : sequence of path
        Coverage workbooks, and folders whose ``.xlsx`` workbooks are all
        rolled (backups, hidden files and Excel's ``~$`` files aside).
    options : RollOptions
        ``to`` the FY1 wanted; a dry run, ``force``, ``jobs``, ``wait`` and
        ``skip_open`` as for a regeneration.
    on_start : callable, optional
        Called with the number of workbooks of each folder about to be reported.
    on_result : callable, optional
        Called with each workbook's result as it is known (for a progress bar).

    Returns
    -------
    RollResult
        Every workbook's outcome: updated (rolled), unchanged (nothing to
        roll, and why), skipped or failed (why: a roll refused, a conflict,
        an unreadable workbook), folder by folder.

    Raises
    ------
    InputError
        When a path does not exist, is not an ``.xlsx`` file, or is a folder
        without workbooks (nothing is written).

    Examples
    --------
    >>> import tempfile
    >>> from xlmodels.sources import sample
    >>> from xlmodels.workbook import write_workbook
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = write_workbook(folder / "coverage.xlsx", sample.load_inputs())
    >>> result = roll_workbooks([folder], RollOptions(to=2025))
    >>> [(r.file, str(r.status), r.roll.to_year) for _, r in result.workbooks]
    [('coverage.xlsx', 'updated', 2025)]
    >>> str(roll_workbooks([folder], RollOptions(to=2025)).workbooks[0][1].status)
    'unchanged'
    """
    options = options or RollOptions()
    folders = _targets(paths)
    job_options = JobOptions(force=options.force, dry_run=options.dry_run)
    batches: list[BatchResult] = []
    for folder, targets in folders.items():
        try:
            batch = run_batch(
                folder,
                options,
                _prepare(targets, job_options, options.to),
                run_roll,
                command="roll",
                on_start=on_start,
                on_result=on_result,
            )
        except FolderBusy as busy:
            # That folder's workbooks were not rolled; the other folders are.
            batch = BatchResult(
                folder=folder,
                dry_run=options.dry_run,
                workbooks=tuple(
                    WorkbookResult(target.path.name, None, Status.FAILED, str(busy))
                    for target in targets
                ),
                skip_open=options.skip_open,
            )
        batches.append(batch)
    return RollResult(options.to, options.dry_run, options.skip_open, tuple(batches))
