"""Who else is using a folder or a workbook: the folder lock and spreadsheet owner files.

Two regenerations (or rolls) of one folder never interleave: each holds an exclusive
lock on a file in the folder (:data:`LOCK_NAME`, an operating-system lock
through the ``filelock`` package) for its whole run. A second one waits a
bounded time for the first to finish, then refuses with
:class:`FolderBusy`. The operating system releases the lock of a process
that dies, so a killed run never leaves the folder locked; the empty lock
file itself stays, because deleting a lock file while another process waits
on it would let two processes hold "the" lock at once.

A workbook open in Excel has an owner file beside it (``~$`` and the file's
name); one open in LibreOffice has ``.~lock.<name>#``. Regeneration skips a
workbook that has either, rather than replace a file someone is editing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

__all__ = ["DEFAULT_WAIT", "LOCK_NAME", "FolderBusy", "folder_lock", "owner_file"]

#: Seconds a regeneration waits for another one to release the folder.
DEFAULT_WAIT = 5.0

#: The lock file regeneration keeps in each folder it regenerates.
LOCK_NAME = ".xlmodels-regenerate.lock"


class FolderBusy(RuntimeError):
    """Another regeneration holds the folder's lock."""


@contextlib.contextmanager
def folder_lock(folder: Path, wait: float, *, create: bool = True) -> Iterator[None]:
    """Hold the folder's regeneration lock, waiting at most ``wait`` seconds for it.

    With ``create=False`` (a dry run, which writes nothing) the lock file is
    never created: a folder that has none has never been regenerated, so no
    regeneration can hold it, and one that has it is waited for as usual,
    unless it cannot be opened for writing (a read-only folder), when the
    dry run goes on without it.

    Raises
    ------
    FolderBusy
        When another regeneration (or roll) still holds the lock after ``wait`` seconds.
    OSError
        When the lock file cannot be created or opened (a read-only folder).
    """
    path = folder / LOCK_NAME
    if not create and not path.exists():
        yield
        return
    lock = FileLock(str(path), timeout=max(wait, 0.0))
    try:
        lock.acquire()
    except Timeout:
        raise FolderBusy(
            f"another regeneration or roll is running in {folder} (it still held {LOCK_NAME} after "
            f"{wait:g} s); nothing was done: run again when it has finished, or raise --wait"
        ) from None
    except OSError:  # after Timeout, which is an OSError too
        if create:
            raise  # the folder cannot be written: the caller says so in one line
        # A dry run in a folder it cannot write (a read-only share, another
        # user's folder) writes nothing either: it goes on without the lock.
        held = False
    else:
        held = True
    try:
        yield
    finally:
        if held:
            lock.release()


def owner_file(workbook: Path) -> Path | None:
    """The owner file of a workbook open in Excel or LibreOffice, or None.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> owner_file(folder / "hk-internet.xlsx") is None
    True
    >>> _ = (folder / "~$hk-internet.xlsx").write_bytes(b"")
    >>> owner_file(folder / "hk-internet.xlsx").name
    '~$hk-internet.xlsx'
    """
    for name in (f"~${workbook.name}", f".~lock.{workbook.name}#"):
        candidate = workbook.with_name(name)
        if candidate.exists():
            return candidate
    return None
