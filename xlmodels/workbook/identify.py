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
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook

from xlmodels.errors import InputError
from xlmodels.excel.ooxml.guard import GuardedWorkbook, guard_bytes, read_guarded
from xlmodels.template.names import SET_COVERAGE_GROUP, SET_TEMPLATE_VERSION
from xlmodels.workbook.reader import parse_reference

__all__ = ["DefinedName", "WorkbookIdentity", "defined_names", "identify", "setting_value"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"


@dataclass(frozen=True)
class DefinedName:
    """A defined name as the workbook stores it.

    ``text`` is what the name refers to, without a leading ``=`` (a range
    such as ``'Estimates'!$E$5:$E$9``, a constant or a formula); ``scope``
    is the sheet of a sheet-level name, None for a workbook-level one.
    """

    name: str
    text: str
    scope: str | None = None


@dataclass(frozen=True)
class WorkbookIdentity:
    """A coverage workbook's template version and coverage group (None where it records none)."""

    path: Path
    version: int | None
    group: str | None


def _workbook_part(package: zipfile.ZipFile) -> str:
    # The workbook part is the package's office document; its usual name is a convention.
    try:
        root = ElementTree.fromstring(package.read("_rels/.rels"))
    except KeyError:
        return "xl/workbook.xml"
    for relationship in root.iter(f"{_RELATIONSHIPS}Relationship"):
        if relationship.get("Type", "").endswith(_OFFICE_DOCUMENT):
            return posixpath.normpath(relationship.get("Target", "xl/workbook.xml").lstrip("/"))
    return "xl/workbook.xml"


def defined_names(data: bytes, file: Path | None = None) -> tuple[list[str], list[DefinedName]]:
    """The sheet names in tab order and every defined name of an .xlsx package.

    Raises
    ------
    InputError
        When ``data`` is not an .xlsx package.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            root = ElementTree.fromstring(package.read(_workbook_part(package)))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError) as error:
        raise InputError(f"not a readable .xlsx workbook ({error})", file=file) from None
    sheets = [sheet.get("name", "") for sheet in root.iter(f"{_MAIN}sheet")]
    names = []
    for element in root.iter(f"{_MAIN}definedName"):
        local = element.get("localSheetId")
        scope = None
        if local is not None and local.isdigit() and int(local) < len(sheets):
            scope = sheets[int(local)]
        text = (element.text or "").strip()
        names.append(DefinedName(element.get("name", ""), text.removeprefix("="), scope))
    return sheets, names


def setting_value(
    workbook: CalamineWorkbook, names: list[DefinedName], name: str, file: Path | None = None
) -> Any:
    """The stored value of the one-cell workbook-level name ``name``, or None if it has none."""
    definition = next((n for n in names if n.name == name and n.scope is None), None)
    block = None if definition is None else parse_reference(name, definition.text)
    if block is None:
        return None
    try:
        rows = workbook.get_sheet_by_name(block.sheet).to_python(skip_empty_area=False)
    except (CalamineError, KeyError, ValueError) as error:
        raise InputError(f"cannot read the sheet {block.sheet!r} ({error})", file=file) from None
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
    if data is None:
        guarded = read_guarded(path)
    elif isinstance(data, bytes):
        guarded = guard_bytes(data, path)
    else:
        guarded = data
    data = guarded.data
    _, names = defined_names(data, path)
    if not any(n.name == SET_TEMPLATE_VERSION and n.scope is None for n in names):
        raise InputError("not a coverage workbook (it has no template version)", file=path)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, OSError, ValueError) as error:
        raise InputError(f"cannot read the workbook's cells ({error})", file=path) from None
    try:
        version = _version(setting_value(workbook, names, SET_TEMPLATE_VERSION, path), path)
        group = setting_value(workbook, names, SET_COVERAGE_GROUP, path)
    finally:
        workbook.close()
    text = None if group is None else " ".join(str(group).split()) or None
    return WorkbookIdentity(path, version, text)
