"""The one guarded way every command opens a workbook or an input spreadsheet.

:func:`read_guarded` reads a file's bytes once and passes them through the
validator's checks (:func:`~xlmodels.excel.ooxml.safety.inspect_package`: sizes,
zip bombs, DOCTYPE declarations, nesting depth, shared strings) and bounds
every worksheet's extent from its cells (:func:`check_sheet_extent`), before
openpyxl or calamine parses anything. A file that fails any of them is an
:class:`~xlmodels.errors.InputError` naming the file, with the same words
``validate`` reports, so that ``report``, ``regenerate`` and ``build``
refuse the file in one line (exit 2) instead of aborting on a 512 GB
allocation.

>>> import io
>>> from xlmodels.sources import sample
>>> from xlmodels.workbook import write_workbook
>>> buffer = io.BytesIO()
>>> _ = write_workbook(buffer, sample.load_inputs())
>>> guarded = guard_bytes(buffer.getvalue())
>>> [entry.name for entry in guarded.part.sheets][1:3]
['Coverage', 'Estimates']
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from xlmodels.errors import InputError
from xlmodels.excel.ooxml.limits import Limits
from xlmodels.excel.ooxml.package import WorkbookPart, read_workbook_part
from xlmodels.excel.ooxml.safety import MB, Package, Unreadable, check_sheet_extent, inspect_package

__all__ = [
    "DEFAULT_LIMITS",
    "CheckedBytes",
    "GuardedWorkbook",
    "file_too_large",
    "guard_bytes",
    "read_bounded",
    "read_guarded",
]

#: The limits every command applies; ``validate`` may be configured otherwise.
DEFAULT_LIMITS = Limits()


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@dataclass(frozen=True)
class CheckedBytes:
    """What the checks learnt of some bytes, without the bytes, and the bytes' SHA-256.

    A batch looks at every workbook of a folder before it works on any:
    keeping this (a few kilobytes) rather than the bytes lets a job that
    reads the same file again skip checks whose verdict is a function of
    the bytes and the limits alone (:func:`read_guarded` ``known=``), and
    check afresh whatever changed in between.
    """

    digest: bytes
    limits: Limits
    package: Package
    part: WorkbookPart

    def vouches_for(self, data: bytes, limits: Limits) -> bool:
        """Whether ``data``, checked under ``limits``, is the very content these facts are of."""
        return limits == self.limits and _digest(data) == self.digest


@dataclass(frozen=True)
class GuardedWorkbook:
    """A workbook's bytes that passed every check, and what the checks learnt."""

    file: Path | None
    data: bytes
    package: Package
    part: WorkbookPart
    limits: Limits = DEFAULT_LIMITS

    def checked(self) -> CheckedBytes:
        """What the checks learnt, to trust the same bytes again without checking them twice."""
        return CheckedBytes(
            _digest(self.data), self.limits, replace(self.package, data=b""), self.part
        )


def file_too_large(size: int, limits: Limits) -> str | None:
    """The refusal of a file of ``size`` bytes, or None when it is within the limit."""
    if size <= limits.max_file_mb * MB:
        return None
    return (
        f"the file is {size / MB:,.0f} MB, above the {limits.max_file_mb:,.0f} MB limit "
        "(limits.max-file-mb)"
    )


def read_bounded(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A file's bytes, refused before reading when the file is above ``max_file_mb``.

    Raises
    ------
    InputError
        When the file is too large, a folder, or cannot be opened.
    """
    try:
        with path.open("rb") as handle:
            refusal = file_too_large(os.fstat(handle.fileno()).st_size, limits)
            if refusal is not None:
                raise InputError(refusal, file=path)
            return handle.read()
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=path) from None
    except FileNotFoundError:
        raise InputError("no such file", file=path) from None
    except OSError as error:
        raise InputError(
            f"the file cannot be opened ({error.strerror or error})", file=path
        ) from None


def guard_bytes(
    data: bytes, file: Path | None = None, limits: Limits = DEFAULT_LIMITS
) -> GuardedWorkbook:
    """Check a workbook's bytes; every sheet is then safe to read densely.

    Raises
    ------
    InputError
        Naming ``file`` and the limit or the damage, in the validator's words.
    """
    try:
        package = inspect_package(data, limits)
        part = read_workbook_part(package)
        for entry in part.sheets:
            facts = None if entry.part is None else package.sheets.get(entry.part)
            if facts is not None:
                check_sheet_extent(entry.name, facts, limits)
    except Unreadable as error:
        raise InputError(str(error), file=file) from None
    return GuardedWorkbook(file, data, package, part, limits)


def read_guarded(
    path: str | Path, limits: Limits = DEFAULT_LIMITS, known: CheckedBytes | None = None
) -> GuardedWorkbook:
    """Read and check the workbook at ``path``.

    ``known`` is what an earlier check of the file learnt
    (:meth:`GuardedWorkbook.checked`): when the bytes read now have its
    SHA-256, under the same limits, its verdict stands and the bytes are
    not checked again; any other bytes are checked in full.

    Raises
    ------
    InputError
        When the file is missing, too large, hostile or damaged.
    """
    path = Path(path)
    data = read_bounded(path, limits)
    if known is not None and known.vouches_for(data, limits):
        return GuardedWorkbook(path, data, replace(known.package, data=data), known.part, limits)
    return guard_bytes(data, path, limits)
