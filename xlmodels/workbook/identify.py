"""What a workbook file is, read cheaply: its defined names, template version and coverage group.

Regeneration looks at every ``.xlsx`` file of a folder before it decides
which workbook belongs to which coverage group, so this reads only the
workbook part of the package (its sheets and defined names) and the one
sheet that holds the settings, not the whole workbook. Names are found
through the workbook's own defined names (``set_template_version``,
``set_coverage_group``), which every template version has, so the same
code identifies a workbook of any version.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from xlmodels.errors import InputError
from xlmodels.excel.ooxml.guard import GuardedWorkbook, guard_bytes, read_guarded
from xlmodels.excel.ooxml.package import DefinedName
from xlmodels.template.names import SET_COVERAGE_GROUP, SET_TEMPLATE_VERSION
from xlmodels.workbook.reader import named_range

__all__ = ["DefinedName", "WorkbookIdentity", "defined_names", "identify", "setting_value"]


@dataclass(frozen=True)
class WorkbookIdentity:
    """A coverage workbook's template version and coverage group (None where it records none)."""

    path: Path
    version: int | None
    group: str | None


def _checked(data: bytes | GuardedWorkbook, file: Path | None) -> GuardedWorkbook:
    """``data`` through the safety checks, unless it passed them already."""
    return data if isinstance(data, GuardedWorkbook) else guard_bytes(data, file)


def defined_names(
    data: bytes | GuardedWorkbook, file: Path | None = None
) -> tuple[list[str], list[DefinedName]]:
    """The sheet names in tab order and every defined name of an .xlsx package.

    Read from the workbook part by :func:`~xlmodels.excel.ooxml.package.read_workbook_part`,
    after the safety checks every command applies (skipped for a
    :class:`~xlmodels.excel.ooxml.guard.GuardedWorkbook`, which passed them).

    Raises
    ------
    InputError
        When ``data`` is not an .xlsx package, or is hostile or damaged.
    """
    part = _checked(data, file).part
    return part.sheet_names, list(part.names)


def setting_value(
    workbook: CalamineWorkbook,
    names: list[DefinedName],
    name: str,
    file: Path | None = None,
    read: dict[str, list[list[Any]]] | None = None,
) -> Any:
    """The stored value of the one-cell workbook-level name ``name``, or None if it has none.

    ``read`` keeps the sheets read so far by name, for the next setting on the same sheet.
    """
    definition = next((n for n in names if n.name == name and n.scope is None), None)
    block = None if definition is None else named_range(name, definition.text)
    if block is None:
        return None
    rows = None if read is None else read.get(block.sheet)
    if rows is None:
        try:
            rows = workbook.get_sheet_by_name(block.sheet).to_python(skip_empty_area=False)
        except (CalamineError, KeyError, ValueError) as error:
            raise InputError(
                f"cannot read the sheet {block.sheet!r} ({error})", file=file
            ) from None
        if read is not None:
            read[block.sheet] = rows
    row, column = block.first_row - 1, block.first_column - 1
    if row >= len(rows) or column >= len(rows[row]):
        return None
    value = rows[row][column]
    return None if value == "" else value


def _version(value: Any, file: Path) -> int | None:
    if value is None:
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise InputError(f"the template version {value!r} is not a number", file=file) from None
    if not number.is_integer() or number < 1:
        raise InputError(f"the template version {value!r} is not a version number", file=file)
    return int(number)


def identify(path: Path, data: bytes | GuardedWorkbook | None = None) -> WorkbookIdentity:
    """Read a workbook's template version and coverage group, and nothing else.

    ``data`` is the file's content when the caller has read it already
    (checked already when a :class:`~xlmodels.excel.ooxml.guard.GuardedWorkbook`).
    Anything else passes the safety checks every command applies first.

    Raises
    ------
    InputError
        When the file is not an .xlsx workbook, is hostile or damaged, or is
        not a coverage workbook (it has no ``set_template_version`` name).
    """
    guarded = read_guarded(path) if data is None else _checked(data, path)
    data = guarded.data
    _, names = defined_names(guarded, path)
    if not any(n.name == SET_TEMPLATE_VERSION and n.scope is None for n in names):
        raise InputError("not a coverage workbook (it has no template version)", file=path)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, OSError, ValueError) as error:
        raise InputError(f"cannot read the workbook's cells ({error})", file=path) from None
    read: dict[str, list[list[Any]]] = {}  # both settings are on the Settings sheet
    try:
        version = _version(setting_value(workbook, names, SET_TEMPLATE_VERSION, path, read), path)
        group = setting_value(workbook, names, SET_COVERAGE_GROUP, path, read)
    finally:
        workbook.close()
    text = None if group is None else " ".join(str(group).split()) or None
    return WorkbookIdentity(path, version, text)
