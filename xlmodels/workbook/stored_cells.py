"""A workbook's stored cells: opening it safely, its values, and its formulas as they stream by.

Everything that reads a coverage workbook back starts here. :func:`guarded_source`
opens a path, a buffer or an already-checked workbook through the checks every
command applies (:mod:`xlmodels.excel.ooxml.guard`); :class:`SheetValues` reads
the cell values once per sheet with python-calamine; :func:`read_cells` adds
each cell's formula, scanned from the sheet's XML with expat and refusing
what defusedxml refuses, for comparing two workbooks cell by cell.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from defusedxml import ElementTree
from defusedxml.common import EntitiesForbidden, ExternalReferenceForbidden
from openpyxl.formula.translate import Translator
from python_calamine import CalamineError, CalamineWorkbook

from xlmodels.errors import InputError
from xlmodels.excel.ooxml.guard import GuardedWorkbook, guard_bytes, read_guarded
from xlmodels.excel.references import cell_name, cell_position, column_number, parse_reference
from xlmodels.template.locator import Block

__all__ = ["CellContent", "SheetValues", "Source", "guarded_source", "read_cells"]


@dataclass(frozen=True)
class CellContent:
    """A cell as stored: its value (the cached result for a formula) and its formula.

    ``spill`` is the range an array formula fills (``H5:H54``), on the cell
    holding it; ``spilled_from`` names that cell (``H5``) on the other cells
    of the range, which hold only the values it gave. A formula showing
    ``#SPILL!`` fills nothing (something typed in its range blocks it): its
    range is its own cell.
    """

    value: Any
    formula: str | None = None
    spill: str | None = None
    spilled_from: str | None = None


#: What the readers accept: a path, a binary buffer, or a workbook already checked.
Source = str | Path | IO[bytes] | GuardedWorkbook


def guarded_source(source: Source) -> GuardedWorkbook:
    """The source's bytes, through the checks every command applies before parsing."""
    if isinstance(source, GuardedWorkbook):
        return source
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"no such workbook: {path}")
        return read_guarded(path)
    # A buffer holds a whole workbook: read it from its start, then leave it as it was.
    if not source.seekable():
        return guard_bytes(source.read())
    position = source.tell()
    source.seek(0)
    data = source.read()
    source.seek(position)
    return guard_bytes(data)


class SheetValues:
    """Cell values of a workbook, sheet by sheet, read once with python-calamine."""

    def __init__(self, data: bytes, file: Path | None) -> None:
        self.file = file
        try:
            self._workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except (CalamineError, OSError, ValueError) as error:
            raise InputError(f"cannot read the workbook's cells ({error})", file=file) from None
        self._sheets: dict[str, list[list[Any]]] = {}
        self._data = data

    def sheet(self, name: str) -> list[list[Any]]:
        if name not in self._sheets:
            if name not in self._workbook.sheet_names:
                raise InputError(f"the workbook has no sheet {name!r}", file=self.file, sheet=name)
            try:
                sheet = self._workbook.get_sheet_by_name(name)
                self._sheets[name] = sheet.to_python(skip_empty_area=False)
            except CalamineError:
                # An error value calamine does not know (#SPILL!, a spilled formula
                # blocked by a value typed in its range): openpyxl reads the sheet.
                self._sheets[name] = _sheet_rows(self._data, name, self.file)
        return self._sheets[name]

    def block(self, block: Block) -> list[list[Any]]:
        rows = self.sheet(block.sheet)
        out = []
        for row in range(block.first_row - 1, block.last_row):
            cells = rows[row] if row < len(rows) else []
            out.append(
                [
                    cells[column] if column < len(cells) else ""
                    for column in range(block.first_column - 1, block.last_column)
                ]
            )
        return out

    def column(self, block: Block) -> list[Any]:
        return [row[0] for row in self.block(block)]


def _sheet_rows(data: bytes, name: str, file: Path | None) -> list[list[Any]]:
    """A sheet's values read with openpyxl, as calamine gives them (errors as empty text)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book[name]
            sheet.reset_dimensions()
            return [
                ["" if c.value is None or c.data_type == "e" else c.value for c in row]
                for row in sheet.iter_rows()
            ]
        finally:
            book.close()
    except Exception as error:
        raise InputError(f"cannot read its cells ({error})", file=file, sheet=name) from None


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_REFERENCE = re.compile(r"^([A-Z]+)(\d+)$")


#: Element names as expat reports them with ``namespace_separator="}"``.
_EXPAT_ROW = f"{_MAIN[1:]}row"
_EXPAT_CELL = f"{_MAIN[1:]}c"
_EXPAT_FORMULA = f"{_MAIN[1:]}f"
_EXPAT_VALUE = f"{_MAIN[1:]}v"
_EXPAT_INLINE = f"{_MAIN[1:]}is"
#: Bytes of a sheet's XML handed to the parser at a time.
_CHUNK = 1 << 16


def _refuse_entities(name: str, *_: object) -> None:
    raise EntitiesForbidden(name, None, "", "", None, None)


def _refuse_external(
    context: str, base: str | None, system_id: str | None, public_id: str | None
) -> int:
    raise ExternalReferenceForbidden(context, base, system_id, public_id)


class _CellScanner:
    """Expat handlers that note each cell's position, first formula and whether it holds something.

    Element objects are never built: a sheet of a hundred thousand cells is
    scanned several times faster than through ElementTree, with what
    defusedxml refuses (entity declarations, external references) refused.
    """

    def __init__(self) -> None:
        self.found: list[tuple[int, int, str | None, str | None]] = []
        self.shared: dict[str, Translator] = {}
        self.row_number = 0
        self.column_number = 0
        self.depth = 0  # of elements open inside the current cell; 0 outside one
        self.reference = ""
        self.type = ""
        self.formula_attributes: dict[str, str] | None = None
        self.formula_text: list[str] = []
        self.formula_closed = True  # its text ends at its first child, as ElementTree's .text
        self.value_text: list[str] | None = None
        self.in_value = False
        self.inline = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self.depth:
            self.depth += 1
            if self.depth == 2 and name == _EXPAT_FORMULA and self.formula_attributes is None:
                self.formula_attributes = attributes
                self.formula_closed = False
            elif self.depth == 2 and name == _EXPAT_VALUE and self.value_text is None:
                self.value_text = []
                self.in_value = True
            elif self.depth == 2 and name == _EXPAT_INLINE:
                self.inline = True
            else:
                self.formula_closed = True
                self.in_value = False
        elif name == _EXPAT_CELL:
            self.depth = 1
            self.reference = attributes.get("r") or ""
            self.type = attributes.get("t", "")
            self.formula_attributes = None
            self.formula_text = []
            self.formula_closed = True
            self.value_text = None
            self.in_value = False
            self.inline = False
        elif name == _EXPAT_ROW:  # a row, like a cell, may leave its position implied
            number = attributes.get("r")
            self.row_number = int(number) if number and number.isdigit() else self.row_number + 1
            self.column_number = 0

    def text(self, data: str) -> None:
        if not self.formula_closed:
            self.formula_text.append(data)
        elif self.in_value:
            assert self.value_text is not None
            self.value_text.append(data)

    def end(self, name: str) -> None:
        if not self.depth:
            return
        self.depth -= 1
        if self.depth == 1:
            self.formula_closed = True
            self.in_value = False
        if self.depth:
            return
        found = _CELL_REFERENCE.match(self.reference)
        if found:
            row, column = int(found[2]), column_number(found[1])
        else:
            row, column = self.row_number, self.column_number + 1
        self.column_number = column
        formula: str | None = None
        spill: str | None = None
        if self.formula_attributes is not None:
            formula = "=" + "".join(self.formula_text)
            if self.formula_attributes.get("t") == "array":
                spill = self.formula_attributes.get("ref") or cell_name(row, column)
                if self.type == "e" and "".join(self.value_text or ()) == "#SPILL!":
                    spill = cell_name(row, column)  # blocked: nothing in its range is its result
            if self.formula_attributes.get("t") == "shared":
                index = self.formula_attributes.get("si", "")
                cell = cell_name(row, column)
                if index in self.shared:
                    formula = self.shared[index].translate_formula(cell)
                elif formula != "=":
                    self.shared[index] = Translator(formula, cell)
        elif self.type == "inlineStr":
            if not self.inline:
                return
        elif not self.value_text:  # no value, or an empty one
            return
        self.found.append((row, column, formula, spill))


def _stored_cells(stream: IO[bytes]) -> Iterator[tuple[int, int, str | None, str | None]]:
    """(row, column, formula, array range) of every cell holding something, as openpyxl counts them.

    A cell holds something when it has a formula, a stored value or an
    inline string; a cell with a style only does not. Formulas shared down
    a column (Excel and LibreOffice save them so) are translated to each
    cell, as openpyxl does.
    """
    scanner = _CellScanner()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True  # one text call per run of text, not one per line
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    parser.CharacterDataHandler = scanner.text
    parser.EntityDeclHandler = _refuse_entities
    parser.UnparsedEntityDeclHandler = _refuse_entities
    parser.ExternalEntityRefHandler = _refuse_external
    try:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
            yield from scanner.found
            scanner.found.clear()
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise ElementTree.ParseError(str(error)) from None
    yield from scanner.found


#: Array formulas per sheet whose range is larger than the sheet's stored cells:
#: no real spill is (each cell it fills is stored), so a file with more is hostile.
_WIDE_ARRAYS = 64


def _mark_spills(cells: dict[str, CellContent]) -> dict[str, CellContent]:
    """Each value-only cell inside an array formula's range, marked with the cell holding it."""
    wide = 0
    for anchor, content in list(cells.items()):
        bounds = parse_reference(content.spill) if content.spill and ":" in content.spill else None
        if bounds is None:
            continue
        _, top, left, bottom, right = bounds
        if (bottom - top + 1) * (right - left + 1) <= len(cells):
            names = [
                cell_name(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)
            ]
        elif (wide := wide + 1) <= _WIDE_ARRAYS:
            names = [
                name
                for name in cells
                if top <= (place := cell_position(name))[0] <= bottom and left <= place[1] <= right
            ]
        else:
            continue
        for name in names:
            cell = cells.get(name)
            if name != anchor and cell is not None and cell.formula is None:
                cells[name] = replace(cell, spilled_from=anchor)
    return cells


def read_cells(source: Source) -> dict[str, dict[str, CellContent]]:
    """Every non-empty cell of every sheet: its stored value and its formula.

    For comparing two workbooks cell by cell (is a committed example current,
    what would a regeneration change, was a formula edited or typed over).
    Values come from python-calamine (cached results for formulas); formulas
    are read from each sheet's XML as it streams by (defusedxml refuses
    entity tricks), several times faster than openpyxl's cell objects. An
    array formula (a spilled ``SQ_`` column) carries its range, and the
    cells of the range it fills name it (:class:`CellContent`).
    """
    guarded = guarded_source(source)
    file, data = guarded.file, guarded.data
    values = SheetValues(data, file)
    out: dict[str, dict[str, CellContent]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            for entry in guarded.part.worksheets():
                if entry.part is None:
                    raise KeyError(f"the sheet {entry.name!r} has no part")
                title, part = entry.name, entry.part
                rows = values.sheet(title)
                cells: dict[str, CellContent] = {}
                with package.open(part) as stream:
                    for row, column, formula, spill in _stored_cells(stream):
                        r, c = row - 1, column - 1
                        value = rows[r][c] if r < len(rows) and c < len(rows[r]) else ""
                        cells[cell_name(row, column)] = CellContent(value, formula, spill)
                out[title] = _mark_spills(cells)
    except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError) as error:
        raise InputError(f"not a readable .xlsx workbook ({error})", file=file) from None
    return out
