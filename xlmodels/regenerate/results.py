"""What a regeneration did, workbook by workbook: the summary the command prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from xlmodels.domain.roll import EstimatesRoll
from xlmodels.regenerate.carry import EstimateDifference
from xlmodels.workbook.cell_diff import CellChange
from xlmodels.workbook.conflicts import Conflict

__all__ = ["BatchResult", "RevisionsRecorded", "Status", "WorkbookResult"]


class Status(StrEnum):
    """Outcome of one workbook, in the order the summary lists them."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class WorkbookResult:
    """One workbook's outcome and why.

    Attributes
    ----------
    file : str
        The workbook's file name in the folder.
    group : str or None
        Its coverage group.
    status : Status
    reason : str
        Why, in one line (what was skipped, what failed, what changed).
    conflicts : tuple of Conflict
        What stopped it (or, with ``--force``, what the backup keeps).
    changes_by_sheet : dict
        Number of changed cells per sheet.
    changes : tuple of CellChange
        Every changed cell; listed for a dry run only.
    differences : tuple of EstimateDifference
        Where the estimates file disagrees with the workbook (the workbook wins).
    filled : int
        Input cells the estimates file filled.
    notes : tuple of str
        Anything else: a template upgrade, a kept history, a dropped name.
    backup : str or None
        File name of the backup kept before a forced update.
    migrated_from : int or None
        The template version the workbook was upgraded from.
    in_use : bool
        Skipped because someone has the file: open in Excel or LibreOffice,
        or changed (or created) by someone else during the run. Such a
        workbook was not refreshed, which fails the run unless ``skip_open``.
    roll : EstimatesRoll or None
        What a roll moved (``xlmodels roll``): the years and each company's
        EPS; None for a regeneration, or a roll with nothing to do.
    """

    file: str
    group: str | None
    status: Status
    reason: str = ""
    conflicts: tuple[Conflict, ...] = ()
    changes_by_sheet: dict[str, int] = field(default_factory=dict)
    changes: tuple[CellChange, ...] = ()
    differences: tuple[EstimateDifference, ...] = ()
    filled: int = 0
    notes: tuple[str, ...] = ()
    backup: str | None = None
    migrated_from: int | None = None
    in_use: bool = False
    roll: EstimatesRoll | None = None

    @property
    def changed_cells(self) -> int:
        return sum(self.changes_by_sheet.values())

    def as_dict(self, *, changes: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "group": self.group,
            "status": str(self.status),
            "reason": self.reason,
            "changed_cells": self.changed_cells,
            "changes_by_sheet": dict(self.changes_by_sheet),
            "conflicts": [conflict.as_dict() for conflict in self.conflicts],
            "estimate_differences": [
                {
                    "code": d.code,
                    "field": d.field,
                    "workbook": _plain(d.workbook),
                    "file": _plain(d.file),
                    "reason": d.reason,
                }
                for d in self.differences
            ],
            "filled_from_estimates": self.filled,
            "notes": list(self.notes),
            "backup": self.backup,
            "migrated_from": self.migrated_from,
            "in_use": self.in_use,
        }
        if self.roll is not None:
            out["roll"] = self.roll.as_dict()
        if changes:
            out["changes"] = [change.as_dict() for change in self.changes]
        return out


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        return None if value != value else value
    return str(value)


@dataclass(frozen=True)
class RevisionsRecorded:
    """What a run recorded in the folder's revision store.

    ``run`` is the run's number in the store, None when nothing was recorded:
    every workbook was as its latest record, or the store could not be
    written (``error`` says why).
    """

    store: str
    run: int | None
    workbooks: int
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "run": self.run,
            "workbooks": self.workbooks,
            "error": self.error,
        }


@dataclass(frozen=True)
class BatchResult:
    """Every workbook's outcome in one regeneration of a folder.

    ``revisions`` says what the run recorded in the revision store; None for
    a dry run or a run that regenerated no workbook.
    """

    folder: Path
    dry_run: bool
    workbooks: tuple[WorkbookResult, ...]
    temporary_files_removed: int = 0
    #: Whether a skipped workbook (open in Excel, busy) is acceptable (``--skip-open``).
    skip_open: bool = False
    revisions: RevisionsRecorded | None = None

    def count(self, status: Status) -> int:
        return sum(1 for result in self.workbooks if result.status is status)

    def counts(self) -> dict[str, int]:
        found = Counter(result.status for result in self.workbooks)
        return {str(status): found.get(status, 0) for status in Status}

    @property
    def failed(self) -> bool:
        return self.count(Status.FAILED) > 0

    @property
    def skipped(self) -> tuple[WorkbookResult, ...]:
        """The workbooks left as they were because someone had them (open, changing)."""
        return tuple(
            result for result in self.workbooks if result.status is Status.SKIPPED and result.in_use
        )

    @property
    def exit_code(self) -> int:
        """0 when every workbook is done; 1 when one failed, was stopped by conflicts,
        or was skipped (open in Excel, busy) without ``skip_open``, or the run
        could not be recorded in the revision store.

        A scheduled refresh that left a workbook unrefreshed has not succeeded:
        CI and schedulers act on the exit code alone.
        """
        unrecorded = self.revisions is not None and self.revisions.error is not None
        skipped = bool(self.skipped) and not self.skip_open
        return 1 if self.failed or skipped or unrecorded else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "dry_run": self.dry_run,
            "summary": self.counts(),
            "temporary_files_removed": self.temporary_files_removed,
            "skip_open": self.skip_open,
            "revisions": None if self.revisions is None else self.revisions.as_dict(),
            "workbooks": [result.as_dict(changes=self.dry_run) for result in self.workbooks],
        }
