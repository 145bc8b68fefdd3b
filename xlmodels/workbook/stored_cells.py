"""A workbook's stored cells: opening it safely, its values, and its formulas as they stream by.

Everything that reads a coverage workbook back starts here. :func:`guarded_source`
opens a path, a buffer or an already-checked workbook through the checks every
command applies (:mod:`xlmodels.excel.ooxml.guard`); :class:`SheetValues` reads
the cell values once per sheet with python-calamine; :func:`read_cells` adds
each cell's formula, scanned from the sheet's XML with expat and refusing
what defusedxml refuses, for comparing two workbooks cell by cell.

:class:`StoredWorkbook` is one read of a workbook that every reader shares
(the analyst inputs, the cells, the conflict checks): calamine parses each
sheet once, and a sheet holding no formula (the History, the bulk of a
workbook) is never scanned a second time for formulas. A sheet's cells are
a :class:`SheetCells`: the grid of values as calamine gives it and the
formulas by position, read as a mapping of A1 references to
:class:`CellContent` and, for whole-sheet work, row by row.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from defusedxml import ElementTree
from defusedxml.common import EntitiesForbidden, ExternalReferenceForbidden
from openpyxl.formula.translate import Translator
from python_calamine import CalamineError, CalamineWorkbook

from xlmodels.errors import InputError
from xlmodels.excel.cells import is_blank
from xlmodels.excel.ooxml.guard import GuardedWorkbook, guard_bytes, read_guarded
from xlmodels.excel.ooxml.safety import holds_formula_element
from xlmodels.excel.references import cell_name, column_number, parse_reference
from xlmodels.template.locator import Block

__all__ = [
    "CellContent",
    "SheetCells",
    "SheetValues",
    "Source",
    "StoredMarks",
    "StoredWorkbook",
    "guarded_source",
    "read_cells",
]


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


def guarded_source(source: Source) -> GuardedWorkbook:
    """The source's bytes, through the checks every command applies before parsing."""
    if isinstance(source, GuardedWorkbook):
        return source
    if isinstance(source, StoredWorkbook):
        return source.guarded
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
        """The block's values row by row, ``""`` where the sheet's grid ends first."""
        rows = self.sheet(block.sheet)
        first, last = block.first_column - 1, block.last_column
        width = last - first
        out = []
        for row in rows[block.first_row - 1 : block.last_row]:
            part = row[first:last]
            if len(part) < width:
                part += [""] * (width - len(part))
            out.append(part)
        out.extend([""] * width for _ in range(block.last_row - block.first_row + 1 - len(out)))
        return out

    def column(self, block: Block) -> list[Any]:
        """The first column of the block, top to bottom."""
        rows = self.sheet(block.sheet)
        column = block.first_column - 1
        out = [
            row[column] if column < len(row) else ""
            for row in rows[block.first_row - 1 : block.last_row]
        ]
        return out + [""] * (block.last_row - block.first_row + 1 - len(out))


def _holds(value: Any) -> bool:
    """Whether a grid value is a stored value (calamine gives "" for an empty cell)."""
    return value is not None and value != ""


@dataclass
class StoredMarks:
    """What a sheet's XML says of its cells beyond their values and formulas.

    Calamine shows an error value as empty text and cannot tell a formula
    saved without a result from one whose result is empty text; a checker
    needs both, and the range a blocked array formula (``#SPILL!``) was
    written to fill. Positions are 1-based (row, column).
    """

    #: The error value each error cell shows (``#DIV/0!``), formula or not.
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    #: Formula cells saved without a result (a text result, even empty, is one).
    uncached: set[tuple[int, int]] = field(default_factory=set)
    #: Each array formula's declared range (``H5:H54``), blocked or not.
    arrays: dict[tuple[int, int], str] = field(default_factory=dict)
    #: Cells of a what-if data table (``{=TABLE(...)}``), whose formula element is empty.
    data_tables: set[tuple[int, int]] = field(default_factory=set)


#: Sheet-sized passes the spill ranges of one sheet may cost: a real workbook's
#: ranges together cover its computed columns once, so a file needing more is hostile.
_WIDE_ARRAYS = 64


class SheetCells(Mapping[str, CellContent]):
    """One sheet's stored cells: the grid of values and the formulas by position.

    As a mapping, A1 reference -> :class:`CellContent`, holding every cell
    with a formula or a value (an empty text is no value: a cell of a style
    only, or whose value reads as nothing, is absent). ``rows`` is the grid
    as python-calamine gives it, from A1, ``""`` where a cell is empty;
    ``formulas`` maps each formula cell's 1-based (row, column) to its
    formula (with its ``=``), and ``spills`` each array formula's to the
    range it fills. Whole-sheet work (a diff, the conflict checks) walks the
    rows; a lookup by reference parses the reference once.
    """

    __slots__ = ("_formula_rows", "_spilled", "formulas", "marks", "rows", "spills")

    def __init__(
        self,
        rows: list[list[Any]],
        formulas: Mapping[tuple[int, int], str] | None = None,
        spills: Mapping[tuple[int, int], str] | None = None,
        marks: StoredMarks | None = None,
    ) -> None:
        self.rows = rows
        #: Errors, results and ranges as stored, when the read was asked for them.
        self.marks = marks
        self.formulas: dict[tuple[int, int], str] = dict(formulas or {})
        #: (row, column) of each array formula -> the range it fills (``H5:H54``).
        self.spills: dict[tuple[int, int], str] = dict(spills or {})
        by_row: dict[int, dict[int, str]] = {}
        for (row, column), formula in sorted(self.formulas.items()):
            by_row.setdefault(row, {})[column] = formula
        self._formula_rows = by_row
        self._spilled = self._mark_spills() if self.spills else {}

    def _mark_spills(self) -> dict[tuple[int, int], str]:
        """Each value-only cell inside an array formula's range -> the cell holding it.

        A range is clipped to the grid, and the work over all ranges is
        bounded by a multiple of the grid's size: a hostile file with many
        sheet-wide array formulas costs no more than a few passes over it.
        """
        marks: dict[tuple[int, int], str] = {}
        width = max(map(len, self.rows), default=0)
        budget = _WIDE_ARRAYS * max(1, len(self.rows) * width)
        for (row, column), spill in sorted(self.spills.items()):
            bounds = parse_reference(spill) if ":" in spill else None
            if bounds is None:
                continue
            _, top, left, bottom, right = bounds
            bottom, right = min(bottom, len(self.rows)), min(right, width)
            area = max(0, bottom - top + 1) * max(0, right - left + 1)
            if (budget := budget - area) < 0:
                break
            anchor = cell_name(row, column)
            for r in range(top, bottom + 1):
                cells = self.rows[r - 1]
                for c in range(left, min(right, len(cells)) + 1):
                    if (r, c) not in self.formulas and _holds(cells[c - 1]):
                        marks[r, c] = anchor
        return marks

    def _content(self, row: int, column: int, value: Any, formula: str | None) -> CellContent:
        if not self.spills:
            return CellContent(value, formula)
        if formula is not None:
            return CellContent(value, formula, self.spills.get((row, column)))
        return CellContent(value, None, None, self._spilled.get((row, column)))

    def at(self, row: int, column: int) -> CellContent | None:
        """The cell at a 1-based (row, column), or None where it holds nothing."""
        formula = self.formulas.get((row, column)) if self.formulas else None
        value: Any = ""
        if 0 < row <= len(self.rows):
            cells = self.rows[row - 1]
            if 0 < column <= len(cells):
                value = cells[column - 1]
        if formula is None and not _holds(value):
            return None
        return self._content(row, column, value, formula)

    def row_formulas(self, row: int) -> dict[int, str]:
        """Column -> formula of the formula cells of a 1-based row."""
        return self._formula_rows.get(row, {})

    @property
    def height(self) -> int:
        """Rows that may hold a cell: the grid's, and any formula below it."""
        return max(len(self.rows), max(self._formula_rows, default=0))

    def row_cells(self, row: int, after: int = 0) -> Iterator[tuple[int, CellContent]]:
        """(column, cell) of the cells of a 1-based row right of column ``after``, in order."""
        cells = self.rows[row - 1] if 0 < row <= len(self.rows) else []
        formulas = self._formula_rows.get(row)
        if not formulas and not self._spilled:
            for index in range(after, len(cells)):
                value = cells[index]
                if value is not None and value != "":
                    yield index + 1, CellContent(value)
            return
        formulas = formulas or {}
        columns = {i + 1 for i in range(after, len(cells)) if _holds(cells[i])}
        columns.update(c for c in formulas if c > after)
        for column in sorted(columns):
            value = cells[column - 1] if column <= len(cells) else ""
            yield column, self._content(row, column, value, formulas.get(column))

    def positions(self) -> Iterator[tuple[int, int, CellContent]]:
        """(row, column, cell) of every cell, row by row."""
        for row in range(1, self.height + 1):
            for column, cell in self.row_cells(row):
                yield row, column, cell

    def any_in(self, first_row: int, first_column: int, last_row: int, last_column: int) -> bool:
        """Whether a cell of the block (1-based, inclusive) holds a formula or a non-blank value."""
        for row in range(first_row, min(last_row, self.height) + 1):
            for column, cell in self.row_cells(row, first_column - 1):
                if column > last_column:
                    break
                if cell.formula is not None or not is_blank(cell.value):
                    return True
        return False

    def __getitem__(self, reference: str) -> CellContent:
        found = _CELL_REFERENCE.match(reference)
        cell = None if found is None else self.at(int(found[2]), column_number(found[1]))
        if cell is None:
            raise KeyError(reference)
        return cell

    def __iter__(self) -> Iterator[str]:
        for row, column, _ in self.positions():
            yield cell_name(row, column)

    def __len__(self) -> int:
        count = sum(1 for row in self.rows for value in row if _holds(value))
        return count + sum(
            1 for (row, column) in self.formulas if not _holds(self._value(row, column))
        )

    def _value(self, row: int, column: int) -> Any:
        if 0 < row <= len(self.rows) and 0 < column <= len(self.rows[row - 1]):
            return self.rows[row - 1][column - 1]
        return ""

    def __repr__(self) -> str:
        return f"SheetCells({dict(self.items())!r})"


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
    """Expat handlers that note each formula cell's position and first formula, and the marks.

    Element objects are never built: a sheet of a hundred thousand cells is
    scanned several times faster than through ElementTree, with what
    defusedxml refuses (entity declarations, external references) refused.
    """

    def __init__(self, marks: StoredMarks | None = None) -> None:
        self.found: list[tuple[int, int, str, str | None]] = []
        self.marks = marks
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
        if self.depth:
            if self.depth == 1:
                self.formula_closed = True
                self.in_value = False
            return
        found = _CELL_REFERENCE.match(self.reference)
        if self.formula_attributes is None and self.type != "e":
            # Neither a formula nor an error value (most cells): only its column
            # matters, to the next cell should that one leave its position implied.
            self.column_number = column_number(found[1]) if found else self.column_number + 1
            return
        if found:
            row, column = int(found[2]), column_number(found[1])
        else:
            row, column = self.row_number, self.column_number + 1
        self.column_number = column
        if self.marks is not None:
            self._mark(row, column)
        attributes = self.formula_attributes
        if attributes is None:
            return  # an error value, which the marks hold
        formula = "=" + "".join(self.formula_text)
        spill: str | None = None
        if attributes.get("t") == "array":
            spill = attributes.get("ref") or cell_name(row, column)
            if self.type == "e" and "".join(self.value_text or ()) == "#SPILL!":
                spill = cell_name(row, column)  # blocked: nothing in its range is its result
        if attributes.get("t") == "shared":
            index = attributes.get("si", "")
            cell = cell_name(row, column)
            if index in self.shared:
                formula = self.shared[index].translate_formula(cell)
            elif formula != "=":
                self.shared[index] = Translator(formula, cell)
        self.found.append((row, column, formula, spill))

    def _mark(self, row: int, column: int) -> None:
        """Note the cell's error value, missing result and array range, as openpyxl reads them."""
        assert self.marks is not None
        value = "".join(self.value_text or ())
        if self.type == "e" and value:
            self.marks.errors[row, column] = value
        attributes = self.formula_attributes
        if attributes is None:
            return
        if not value and self.type != "str" and not (self.type == "inlineStr" and self.inline):
            self.marks.uncached.add((row, column))
        kind = attributes.get("t")
        if kind == "array":
            self.marks.arrays[row, column] = attributes.get("ref") or cell_name(row, column)
        elif kind == "dataTable":
            self.marks.data_tables.add((row, column))


def _stored_cells(
    stream: IO[bytes], marks: StoredMarks | None = None
) -> Iterator[tuple[int, int, str, str | None]]:
    """(row, column, formula, array range) of every formula cell, positioned as openpyxl does.

    A cell's position is its reference, or the one after the cell before it
    in its row where it leaves it implied. Formulas shared down a column
    (Excel and LibreOffice save them so) are translated to each cell, as
    openpyxl does. ``marks``, when given, receives the cells' error values,
    missing results and array ranges (:class:`StoredMarks`).
    """
    scanner = _CellScanner(marks)
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


#: An attribute whose value is exactly ``e``: perhaps an error cell (``t="e"``).
_ERROR_TYPE = re.compile(rb"""=\s*(["'])e\1""")


def _may_hold_error(xml: bytes) -> bool:
    """Whether some attribute of a sheet's XML is exactly ``e`` (:data:`_ERROR_TYPE`)."""
    return (b'"e"' in xml or b"'e'" in xml) and _ERROR_TYPE.search(xml) is not None


class StoredWorkbook:
    """One read of a workbook, shared by everything that reads it back.

    The bytes are checked once (:func:`guarded_source`), calamine parses
    each sheet once (:attr:`sheet_values`), and :meth:`cells` adds the formulas,
    scanned only from sheets whose XML holds a formula element.

    With ``marks``, each sheet's :attr:`SheetCells.marks` also holds its
    error values, formulas saved without a result and array ranges
    (:class:`StoredMarks`), and a sheet holding an error cell is scanned
    too: what a checker needs beyond the values, from the same one scan.
    """

    def __init__(self, source: Source, *, marks: bool = False) -> None:
        self.guarded = guarded_source(source)
        self.marks = marks
        self.sheet_values: SheetValues = (
            source.sheet_values
            if isinstance(source, StoredWorkbook)
            else SheetValues(self.guarded.data, self.guarded.file)
        )
        self._cells: dict[str, SheetCells] | None = None

    @property
    def file(self) -> Path | None:
        return self.guarded.file

    def cells(self) -> dict[str, SheetCells]:
        """Every worksheet's cells, in tab order (read once, then kept)."""
        if self._cells is None:
            self._cells = self._read()
        return self._cells

    def _read(self) -> dict[str, SheetCells]:
        guarded = self.guarded
        out: dict[str, SheetCells] = {}
        try:
            with zipfile.ZipFile(io.BytesIO(guarded.data)) as package:
                for entry in guarded.part.worksheets():
                    if entry.part is None:
                        raise KeyError(f"the sheet {entry.name!r} has no part")
                    rows = self.sheet_values.sheet(entry.name)
                    facts = guarded.package.sheets.get(entry.part)
                    if (
                        facts is not None
                        and not facts.has_formulas
                        and not (self.marks and facts.has_errors)
                    ):
                        # The guard's byte scan found no formula (nor error cell) there:
                        # the History, the bulk of a workbook, is not read a second time.
                        marked = StoredMarks() if self.marks else None
                        out[entry.name] = SheetCells(rows, marks=marked)
                        continue
                    with package.open(entry.part) as stream:
                        xml = stream.read()
                    formulas: dict[tuple[int, int], str] = {}
                    spills: dict[tuple[int, int], str] = {}
                    marks = StoredMarks() if self.marks else None
                    if holds_formula_element(xml) or (marks is not None and _may_hold_error(xml)):
                        for row, column, formula, spill in _stored_cells(io.BytesIO(xml), marks):
                            formulas[row, column] = formula
                            if spill is not None:
                                spills[row, column] = spill
                    # Without one, no scan: the guard refused any DOCTYPE or
                    # entity declaration in every part before anything was parsed.
                    out[entry.name] = SheetCells(rows, formulas, spills, marks)
        except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError) as error:
            message = f"not a readable .xlsx workbook ({error})"
            raise InputError(message, file=guarded.file) from None
        return out


#: What the readers accept: a path, a binary buffer, or a workbook already checked or read.
Source = str | Path | IO[bytes] | GuardedWorkbook | StoredWorkbook


def read_cells(source: Source) -> dict[str, SheetCells]:
    """Every non-empty cell of every sheet: its stored value and its formula.

    For comparing two workbooks cell by cell (is a committed example current,
    what would a regeneration change, was a formula edited or typed over).
    Values come from python-calamine (cached results for formulas); formulas
    are read from each sheet's XML as it streams by (defusedxml refuses
    entity tricks), several times faster than openpyxl's cell objects; a
    sheet without formulas is not scanned at all. An array formula (a
    spilled ``SQ_`` column) carries its range, and the cells of the range it
    fills name it (:class:`CellContent`).
    """
    stored = source if isinstance(source, StoredWorkbook) else StoredWorkbook(source)
    return stored.cells()
