"""The workbook part: sheets, their states and parts, defined names, calculation settings.

``xl/workbook.xml`` and its relationships are small; they are parsed here,
through defusedxml, from the bytes :mod:`xlmodels.excel.ooxml.safety` checked,
because the byte scan of each worksheet part has to be matched to its sheet
name before any sheet is read. This is the one reader of the workbook part:
every command learns a workbook's sheets and names from :func:`read_workbook_part`
(through :func:`xlmodels.excel.ooxml.guard.read_guarded`).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from xlmodels.excel.ooxml.safety import Package, Unreadable

__all__ = ["DefinedName", "SheetEntry", "WorkbookPart", "read_workbook_part"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class SheetEntry:
    """One sheet of the workbook, in tab order."""

    name: str
    state: str  # "visible", "hidden" or "veryHidden"
    part: str | None  # e.g. "xl/worksheets/sheet1.xml"; None for a missing part
    kind: str  # "worksheet", "chartsheet", "dialogsheet" or "macrosheet"


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
class WorkbookPart:
    """What ``xl/workbook.xml`` says: the sheets in tab order, the names, the settings."""

    sheets: tuple[SheetEntry, ...]
    calc_mode: str  # "auto", "autoNoTable" or "manual"
    iterate: bool
    date1904: bool
    names: tuple[DefinedName, ...] = ()

    def sheet(self, name: str) -> SheetEntry | None:
        """The sheet called ``name``, or None."""
        for entry in self.sheets:
            if entry.name == name:
                return entry
        return None

    @property
    def sheet_names(self) -> list[str]:
        """Every sheet's name in tab order, chart sheets included."""
        return [entry.name for entry in self.sheets]

    def worksheets(self) -> list[SheetEntry]:
        """The sheets that hold cells (not chart sheets), in tab order."""
        return [entry for entry in self.sheets if entry.kind == "worksheet"]

    def workbook_names(self) -> dict[str, DefinedName]:
        """The workbook-level defined names by name (sheet-level ones left out)."""
        return {defined.name: defined for defined in self.names if defined.scope is None}


def _child(element: Element, name: str) -> Element | None:
    for namespace in (_MAIN, _STRICT):
        found = element.find(f"{{{namespace}}}{name}")
        if found is not None:
            return found
    return None


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true")


def read_workbook_part(package: Package) -> WorkbookPart:
    """Parse ``xl/workbook.xml`` and its relationships.

    Raises
    ------
    Unreadable
        When either part is not well-formed XML or lists no sheet.

    Examples
    --------
    >>> import io
    >>> from xlmodels.excel.ooxml.limits import Limits
    >>> from xlmodels.excel.ooxml.safety import inspect_package
    >>> from xlmodels.sources import sample
    >>> from xlmodels.workbook import write_workbook
    >>> buffer = io.BytesIO()
    >>> _ = write_workbook(buffer, sample.load_inputs())
    >>> part = read_workbook_part(inspect_package(buffer.getvalue(), Limits()))
    >>> scheme = part.workbook_names()["set_scheme"]
    >>> part.worksheets()[1].part, scheme.text.startswith("'Settings'!"), scheme.scope
    ('xl/worksheets/sheet2.xml', True, None)
    """
    try:
        root = fromstring(package.parts["xl/workbook.xml"])
        rels_xml = package.parts.get("xl/_rels/workbook.xml.rels")
        rels = fromstring(rels_xml) if rels_xml is not None else None
    except Exception as error:  # defusedxml and expat raise several kinds
        raise Unreadable(f"the workbook part is not valid XML ({error})") from None
    if root.tag.startswith(f"{{{_STRICT}}}"):
        raise Unreadable(
            "saved as Strict Open XML Spreadsheet, which the workbook readers do not "
            "support; save it as Excel Workbook (.xlsx)"
        )
    targets: dict[str, tuple[str, str]] = {}
    if rels is not None:
        for rel in rels.iter(f"{{{_PKG_REL}}}Relationship"):
            target = rel.get("Target", "")
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[rel.get("Id", "")] = (posixpath.normpath(path), kind)
    sheets_element = _child(root, "sheets")
    if sheets_element is None:
        raise Unreadable("the workbook part lists no sheets")
    sheets = []
    for sheet in sheets_element:
        rel_id = sheet.get(f"{{{_REL}}}id") or sheet.get(f"{{{_STRICT_REL}}}id") or ""
        part, kind = targets.get(rel_id, (None, "worksheet"))
        if part is not None and part not in package.names:
            part = None
        sheets.append(
            SheetEntry(
                name=sheet.get("name", ""),
                state=sheet.get("state", "visible"),
                part=part,
                kind=kind,
            )
        )
    names = []
    defined = _child(root, "definedNames")
    for element in defined if defined is not None else ():
        local = element.get("localSheetId")
        scope = None
        if local is not None and local.isdigit() and int(local) < len(sheets):
            scope = sheets[int(local)].name
        text = (element.text or "").strip().removeprefix("=")
        names.append(DefinedName(element.get("name", ""), text, scope))
    calc = _child(root, "calcPr")
    properties = _child(root, "workbookPr")
    return WorkbookPart(
        sheets=tuple(sheets),
        calc_mode=calc.get("calcMode", "auto") if calc is not None else "auto",
        iterate=_true(calc.get("iterate")) if calc is not None else False,
        date1904=_true(properties.get("date1904")) if properties is not None else False,
        names=tuple(names),
    )
