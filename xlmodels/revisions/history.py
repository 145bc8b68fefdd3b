"""What changed between the records of the revision store: the history of every estimate.

Each workbook's records are read in the order they were made; wherever two
consecutive records of one workbook differ, :func:`list_revisions` lists
what changed, in the analyst's terms
(:func:`~xlmodels.revisions.changes.compare_snapshots`): companies added
and removed, every analyst input, the input settings and benchmark expected
returns, and the target prices and ratings that moved. PE and upside, which
move with every price refresh, are left to ``xlmodels diff``.

Examples
--------
>>> import tempfile
>>> from dataclasses import replace
>>> from xlmodels.sources import sample
>>> from xlmodels.revisions.snapshot import snapshot_of
>>> from xlmodels.revisions.store import record_run
>>> folder = Path(tempfile.mkdtemp())
>>> old = snapshot_of(sample.load_inputs(), workbook="coverage.xlsx")
>>> tencent = old.companies["0700.HK"]
>>> new = replace(old, companies={**old.companies,
...     "0700.HK": replace(tencent, inputs={**tencent.inputs, "eps_fy2": 27.1})})
>>> _ = record_run(folder, [old], command="regenerate")
>>> _ = record_run(folder, [new], command="regenerate")
>>> [r.change.line() for r in list_revisions(folder).revisions][0]
'0700.HK 腾讯控股: EPS FY2 (2025E) 26.3 -> 27.1 (+3.0%)'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlmodels.revisions.changes import Change, CompanyRef, compare_snapshots
from xlmodels.revisions.store import Record, read_records, store_path
from xlmodels.sources.codes import CodeBook

__all__ = ["Revision", "RevisionHistory", "list_revisions"]

#: Outputs the history lists besides the inputs.
_OUTPUTS = ("target_price", "rating")


@dataclass(frozen=True)
class Revision:
    """One change between two consecutive records of a workbook.

    ``change`` is None for a company added or removed (``event`` says which).
    """

    record: Record
    previous: Record
    event: str  # "changed", "added" or "removed"
    change: Change | None = None
    company: CompanyRef | None = None

    @property
    def code(self) -> str | None:
        if self.change is not None and self.change.company is not None:
            return self.change.company.code
        return None if self.company is None else self.company.code

    def line(self) -> str:
        if self.change is not None:
            return self.change.line()
        assert self.company is not None
        return f"{'+' if self.event == 'added' else '-'} {self.company.title} {self.event}"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "recorded_at": self.record.recorded_at.isoformat(),
            "run": self.record.run_id,
            "previous_run": self.previous.run_id,
            "previous_recorded_at": self.previous.recorded_at.isoformat(),
            "workbook": self.record.workbook,
            "coverage_group": self.record.coverage_group,
            "report_date": self.record.report_date,
            "event": self.event,
        }
        if self.change is not None:
            out.update(self.change.as_dict())
        elif self.company is not None:
            out.update(kind="company", code=self.company.code, name=self.company.name)
        return out


@dataclass(frozen=True)
class RevisionHistory:
    """The revisions of a folder's store, oldest first."""

    store: Path
    runs: int
    revisions: list[Revision] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": str(self.store),
            "runs": self.runs,
            "revisions": [revision.as_dict() for revision in self.revisions],
        }


def _between(previous: Record, record: Record) -> list[Revision]:
    changes = compare_snapshots(previous.snapshot, record.snapshot)
    out = [Revision(record, previous, "added", company=c) for c in changes.added]
    out += [Revision(record, previous, "removed", company=c) for c in changes.removed]
    listed = [
        *changes.estimates,
        *changes.settings,
        *changes.benchmarks,
        *(c for c in changes.outputs if c.field in _OUTPUTS),
    ]
    out += [Revision(record, previous, "changed", change=c) for c in listed]
    return out


def list_revisions(
    folder: str | Path,
    *,
    since: dt.date | None = None,
    code: str | None = None,
) -> RevisionHistory:
    """The changes between consecutive records of each workbook of a folder's store.

    Parameters
    ----------
    folder : path
        The folder of workbooks whose store to read.
    since : date, optional
        Only changes recorded on or after this date (in the recording
        machine's time).
    code : str, optional
        Only changes of this company, however it is spelt (``700 HK`` is
        ``0700.HK``); settings and benchmark returns, which belong to no
        company, are then left out.

    Raises
    ------
    FileNotFoundError
        When the folder has no store.
    StoreError
        When the store cannot be read.
    """
    records = read_records(folder)
    last: dict[str, Record] = {}
    revisions: list[Revision] = []
    wanted = None
    if code is not None:
        # The code as any vendor spells it: "700 HK", "00700" and "0700.hk" are 0700.HK.
        book = CodeBook(c for record in records for c in record.snapshot.companies)
        wanted = book.resolve(code).upper()
    for record in records:
        previous = last.get(record.workbook)
        last[record.workbook] = record
        if previous is None or previous.digest == record.digest:
            continue
        if since is not None and record.recorded_at.date() < since:
            continue
        for revision in _between(previous, record):
            if wanted is not None and (revision.code or "").upper() != wanted:
                continue
            revisions.append(revision)
    return RevisionHistory(
        store=store_path(folder),
        runs=len({record.run_id for record in records}),
        revisions=revisions,
    )
