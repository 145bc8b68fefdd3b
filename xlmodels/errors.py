"""Errors that describe a user's mistake, with where it is.

Anything a user can fix (a bad file, a typo in a column, a negative price)
raises :class:`InputError`, whose message names the file, sheet, cell, row or
argument at fault. The command line prints these messages without a
traceback; a traceback means a bug in xlmodels.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

__all__ = ["InputError", "SchemeError", "os_error_message"]


class InputError(ValueError):
    """A problem in the user's input, located as precisely as possible.

    Examples
    --------
    >>> str(InputError("close must be a number, got 'n/a'", file="market.csv", row=7,
    ...                column="close"))
    "market.csv, row 7, column 'close': close must be a number, got 'n/a'"
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = Path(file) if file is not None else None
        self.sheet = sheet
        self.cell = cell
        self.row = row
        self.column = column
        super().__init__(self.__str__())

    @property
    def location(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(self.file.name if not self.file.is_absolute() else str(self.file))
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'" + (f" cell {self.cell}" if self.cell else ""))
        elif self.cell is not None:
            parts.append(f"cell {self.cell}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


#: What an operating-system error means for a user, by errno.
_OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENAMETOOLONG: "the name is too long for the file system",
    errno.ENOENT: "no such file or folder",
    errno.EEXIST: "a file of that name exists already",
    errno.EINVAL: "the name is not valid on this file system",
    errno.EILSEQ: "the name is not valid on this file system",
    errno.EIO: "the disk reported an input/output error",
}


class SchemeError(ValueError):
    """A rating-scheme file that cannot be used, naming the file and the field.

    Raised by :mod:`xlmodels.core.ratings`; defined here so that the command
    line can catch it without importing the numeric core.
    """


def os_error_message(error: OSError, *, named: bool = True) -> str:
    """One line for an operating-system error: the file, then what went wrong in plain words.

    ``named=False`` leaves the file out, for a message that names it already.

    Examples
    --------
    >>> os_error_message(OSError(errno.ENOSPC, "No space left on device", "out/report.html"))
    'out/report.html: the disk is full (No space left on device)'
    >>> os_error_message(FileNotFoundError("no such folder: out"))
    'no such folder: out'
    """
    if error.errno is None:
        return str(error)
    reason = _OS_REASONS.get(error.errno)
    system = error.strerror or ""
    text = f"{reason} ({system})" if reason and system else reason or system or str(error)
    if error.filename is None or not named:
        return text
    name = os.fsdecode(error.filename) if isinstance(error.filename, bytes) else error.filename
    return f"{name}: {text}"
