"""The revision store: every workbook's estimates, recorded by each regeneration.

A folder of coverage workbooks keeps its history in one SQLite file beside
them, :data:`STORE_NAME`. Each regeneration that writes (not a dry run)
records one *run*: its time, the command, and a
:class:`~xlmodels.revisions.snapshot.Snapshot` of every workbook it created,
updated or found unchanged, as that workbook now is, when it differs from
the workbook's latest record: a run that changes no workbook's estimates or
outputs leaves the store untouched, as it leaves the workbooks. Snapshots
are kept once (compressed JSON under their digest).

A run is written in one SQLite transaction, after the workbooks and still
under the folder's regeneration lock: a run killed at any moment leaves the
store as it was before the run or with the whole run recorded, never part
of one (SQLite's rollback journal undoes an unfinished transaction the next
time the file is opened). The store is written with SQLite's own locking
too, so a reader (``xlmodels revisions``, a report) never sees half a run.

Schema (version :data:`SCHEMA_VERSION`)::

    meta(key PRIMARY KEY, value)                     -- schema_version
    runs(id PRIMARY KEY, recorded_at, command, xlmodels_version)
    snapshots(digest PRIMARY KEY, content)          -- zlib-compressed JSON
    records(run_id, workbook, coverage_group, report_date, digest,
            PRIMARY KEY (run_id, workbook))

Examples
--------
>>> import tempfile
>>> from xlmodels.sources import sample
>>> from xlmodels.revisions.snapshot import snapshot_of
>>> folder = Path(tempfile.mkdtemp())
>>> snap = snapshot_of(sample.load_inputs(), workbook="coverage.xlsx")
>>> record_run(folder, [snap], command="regenerate")
Recorded(run=1, workbooks=('coverage.xlsx',))
>>> record_run(folder, [snap], command="regenerate")  # nothing changed: nothing written
Recorded(run=None, workbooks=())
>>> [(r.run_id, r.workbook) for r in read_records(folder)]
[(1, 'coverage.xlsx')]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlmodels import __version__
from xlmodels.errors import InputError
from xlmodels.revisions.snapshot import Snapshot

__all__ = [
    "SCHEMA_VERSION",
    "STORE_NAME",
    "Record",
    "Recorded",
    "StoreError",
    "read_records",
    "record_run",
    "store_path",
]

#: The store's file name in a folder of workbooks.
STORE_NAME = ".xlmodels-revisions.sqlite"
#: Version of the store's tables; a newer file is refused, never rewritten.
SCHEMA_VERSION = 1
#: Seconds to wait for another process that is writing the store.
_BUSY_TIMEOUT = 30.0

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS runs ("
    " id INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, command TEXT NOT NULL,"
    " xlmodels_version TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS snapshots (digest TEXT PRIMARY KEY, content BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS records ("
    " run_id INTEGER NOT NULL REFERENCES runs(id), workbook TEXT NOT NULL,"
    " coverage_group TEXT, report_date TEXT,"
    " digest TEXT NOT NULL REFERENCES snapshots(digest),"
    " PRIMARY KEY (run_id, workbook))",
)


class StoreError(InputError):
    """The store cannot be read or written (damaged, newer, not a store, no permission)."""


def store_path(folder: str | Path) -> Path:
    """The store of a folder of workbooks (which may not exist yet)."""
    return Path(folder) / STORE_NAME


@dataclass(frozen=True)
class Record:
    """One workbook as one run recorded it.

    Attributes
    ----------
    run_id : int
        Runs are numbered in the order they were recorded.
    recorded_at : datetime
        When the run was recorded, with the recording machine's UTC offset.
    command : str
        What recorded it (``regenerate``).
    workbook : str
        The workbook's file name in the folder.
    coverage_group, report_date : str or None
    snapshot : Snapshot
    """

    run_id: int
    recorded_at: dt.datetime
    command: str
    workbook: str
    coverage_group: str | None
    report_date: str | None
    digest: str
    snapshot: Snapshot

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "recorded_at": self.recorded_at.isoformat(),
            "command": self.command,
            "workbook": self.workbook,
            "coverage_group": self.coverage_group,
            "report_date": self.report_date,
        }


@dataclass(frozen=True)
class Recorded:
    """What :func:`record_run` wrote: the run's number and the workbooks it recorded.

    ``run`` is None when every workbook was as its latest record (nothing written).
    """

    run: int | None
    workbooks: tuple[str, ...]


def _connect(path: Path) -> sqlite3.Connection:
    try:
        # Readers open the file read-write too: the first connection after a killed
        # run must roll its unfinished transaction back, which a read-only one cannot.
        connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT, isolation_level=None)
        # A commit is on disk when it returns: a power cut keeps a run or loses it whole.
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the revision store ({error})", file=path) from None
    return connection


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[sqlite3.Connection]:
    connection = _connect(path)
    try:
        yield connection
    finally:
        connection.close()


def _check_schema(connection: sqlite3.Connection, path: Path) -> None:
    try:
        found = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as error:
        raise StoreError(f"not a revision store, or a damaged one ({error})", file=path) from None
    version = int(found[0]) if found else SCHEMA_VERSION
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the revision store has schema version {version}, newer than {SCHEMA_VERSION}, "
            "the latest this xlmodels knows: upgrade xlmodels",
            file=path,
        )


def _compressed(snapshot: Snapshot) -> tuple[str, bytes]:
    text = snapshot.to_json()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return digest, zlib.compress(text.encode("utf-8"), 6)


def _latest(connection: sqlite3.Connection) -> dict[str, str]:
    """The digest of every workbook's latest record."""
    rows = connection.execute(
        "SELECT r.workbook, r.digest FROM records r"
        " JOIN (SELECT workbook, MAX(run_id) AS run_id FROM records GROUP BY workbook) m"
        " ON m.workbook = r.workbook AND m.run_id = r.run_id"
    ).fetchall()
    return {str(workbook): str(digest) for workbook, digest in rows}


def _write(
    connection: sqlite3.Connection,
    snapshots: Sequence[tuple[Snapshot, tuple[str, bytes]]],
    command: str,
    recorded_at: dt.datetime,
) -> int:
    """Every statement of one run; the caller holds the transaction.

    ``snapshots`` are each with its digest and compressed text (:func:`_compressed`).
    """
    cursor = connection.execute(
        "INSERT INTO runs (recorded_at, command, xlmodels_version) VALUES (?, ?, ?)",
        (recorded_at.isoformat(timespec="seconds"), command, __version__),
    )
    run_id = cursor.lastrowid
    assert run_id is not None
    for snapshot, (digest, content) in snapshots:
        connection.execute(
            "INSERT OR IGNORE INTO snapshots (digest, content) VALUES (?, ?)", (digest, content)
        )
        connection.execute(
            "INSERT INTO records (run_id, workbook, coverage_group, report_date, digest)"
            " VALUES (?, ?, ?, ?, ?)",
            (run_id, snapshot.workbook, snapshot.coverage_group, snapshot.report_date, digest),
        )
    return int(run_id)


def record_run(
    folder: str | Path,
    snapshots: Sequence[Snapshot],
    *,
    command: str,
    now: dt.datetime | None = None,
) -> Recorded:
    """Record one run's snapshots in the folder's store, in one transaction.

    Only the workbooks whose snapshot differs from their latest record are
    written; when none does, nothing is. Call it under the folder's
    regeneration lock. Creates the store on first use.

    Raises
    ------
    StoreError
        When the store cannot be written (damaged, newer, read-only, disk
        full); it is then as it was before the call.
    """
    path = store_path(folder)
    recorded_at = (now or dt.datetime.now()).astimezone()
    names = [snapshot.workbook for snapshot in snapshots]
    if len(set(names)) != len(names):
        raise ValueError(f"a run records each workbook once, got {names}")
    if not snapshots:
        return Recorded(None, ())
    with _opened(path) as connection:
        try:
            # IMMEDIATE takes the write lock now, so the run cannot fail halfway on a busy file.
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise StoreError(f"cannot write the revision store ({error})", file=path) from None
        try:
            has_meta = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
            ).fetchone()
            if has_meta:
                _check_schema(connection, path)
            for statement in _SCHEMA:
                connection.execute(statement)
            connection.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            latest = _latest(connection)
            compressed = [(s, _compressed(s)) for s in snapshots]
            changed = [(s, c) for s, c in compressed if latest.get(s.workbook) != c[0]]
            if not changed:
                connection.execute("ROLLBACK")
                return Recorded(None, ())
            run_id = _write(connection, changed, command, recorded_at)
            connection.execute("COMMIT")
        except BaseException as error:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise StoreError(
                    f"cannot write the revision store ({error}); it is unchanged", file=path
                ) from None
            raise
    return Recorded(run_id, tuple(s.workbook for s, _ in changed))


def read_records(folder: str | Path) -> list[Record]:
    """Every record of the folder's store, oldest run first, workbooks by name.

    Raises
    ------
    FileNotFoundError
        When the folder has no store (no regeneration has recorded one).
    StoreError
        When the file is not a store, is damaged, or is of a newer schema.
    """
    path = store_path(folder)
    if not path.is_file():
        raise FileNotFoundError(
            f"no revision history in {Path(folder)} (no {STORE_NAME}): "
            "xlmodels regenerate records one each time it runs"
        )
    with _opened(path) as connection:
        _check_schema(connection, path)
        try:
            rows = connection.execute(
                "SELECT r.run_id, u.recorded_at, u.command, r.workbook, r.coverage_group,"
                " r.report_date, r.digest, s.content"
                " FROM records r JOIN runs u ON u.id = r.run_id"
                " JOIN snapshots s ON s.digest = r.digest"
                " ORDER BY r.run_id, r.workbook"
            ).fetchall()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"cannot read the revision store ({error})", file=path) from None
    snapshots: dict[str, Snapshot] = {}
    records = []
    for run_id, recorded_at, command, workbook, group, report_date, digest, content in rows:
        if digest not in snapshots:
            try:
                snapshots[digest] = Snapshot.from_dict(json.loads(zlib.decompress(content)))
            except (zlib.error, ValueError, KeyError, TypeError) as error:
                raise StoreError(
                    f"the record of {workbook} in run {run_id} is damaged ({error})", file=path
                ) from None
        records.append(
            Record(
                run_id=int(run_id),
                recorded_at=dt.datetime.fromisoformat(recorded_at),
                command=str(command),
                workbook=str(workbook),
                coverage_group=group,
                report_date=report_date,
                digest=str(digest),
                snapshot=snapshots[digest],
            )
        )
    return records
