"""Replacing a file atomically: readers see the old file or the new one, never half of one.

The new content is written to a temporary file in the target's own folder
(a rename is atomic only within one file system), flushed to disk, then
renamed over the target with :func:`os.replace`. If anything fails before
the rename, the temporary file is removed and the target is untouched.

A target that is a symbolic link is followed: the file it points to is
replaced, and the link stays a link (renaming over the link itself would
turn it into a regular file and leave its target stale). An operating-system
error (a full disk, a read-only folder, a name the file system refuses)
names the target, not the temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["BACKUP_FOLDER", "BACKUP_SUFFIX", "atomic_path", "temporary_prefix"]

#: Ending of the backups ``--force`` keeps (``hk-internet.2026-11-25T101500.bak.xlsx``).
BACKUP_SUFFIX = ".bak.xlsx"
#: The folder beside the workbooks that holds those backups; hidden, so that
#: a folder search (``validate``, CI, pre-commit) passes it by.
BACKUP_FOLDER = ".backups"


def temporary_prefix(target: Path) -> str:
    """Prefix of the temporary files written for ``target`` (hidden, never Excel's ``~$``)."""
    return f".{target.name}."


def _new_file_mode(target: Path) -> int:
    if target.exists():
        return target.stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _naming(error: OSError, target: Path) -> OSError:
    """The same error, about ``target`` instead of its temporary file."""
    return OSError(error.errno, error.strerror, str(target))


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "a.txt") as path:
    ...     _ = path.write_text("new")
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('new', ['a.txt'])
    """
    target = Path(target)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"no such folder: {folder}")
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    try:
        descriptor, name = tempfile.mkstemp(
            prefix=temporary_prefix(target), suffix=".tmp", dir=folder
        )
    except OSError as error:
        raise _naming(error, target) from None
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(temporary, _new_file_mode(target))
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(error, OSError) and error.errno is not None:
            raise _naming(error, target) from None
        raise
    # The rename itself is durable only once the folder's entry is on disk.
    with contextlib.suppress(OSError):
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
