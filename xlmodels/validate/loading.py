"""Reading a checked workbook: only what the rules need, each part the fast way.

* Defined names come from the workbook part the safety checks read
  (:mod:`xlmodels.excel.ooxml.package`).
* Formulas come from openpyxl in read-only mode, with each
  sheet's declared dimensions reset (read-only mode would otherwise trust a
  ``<dimension>`` element and pad every row to it). openpyxl parses through
  defusedxml, which it uses whenever it is installed.
* The cached results of formula cells also come from openpyxl (its
  ``data_only`` mode tells a missing result from an empty text result and
  keeps error values, which calamine reads as empty text).
* Every other sheet, History above all, is read in bulk by python-calamine.
  :mod:`xlmodels.excel.ooxml.safety` has already bounded the rectangle its
  cells span; a sheet whose cells do not state their positions plainly is
  streamed by openpyxl instead.

Nothing is written: the readers see an in-memory copy of the file's bytes,
the same bytes the safety checks passed.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import python_calamine
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from xlmodels.excel.cells import is_blank
from xlmodels.excel.ooxml.limits import Limits
from xlmodels.excel.ooxml.package import DefinedName, WorkbookPart
from xlmodels.excel.ooxml.safety import Package, Unreadable, check_sheet_extent
from xlmodels.excel.references import cell_name, parse_reference

__all__ = [
    "CellError",
    "DefinedName",
    "LoadedSheet",
    "LoadedWorkbook",
    "cell_name",
    "checked_names",  # re-exported for the rules: from xlmodels.excel.references
    "is_blank",  # re-exported for the rules: the one rule of xlmodels.excel.cells
    "load_workbook",
]


@dataclass(frozen=True)
class CellError:
    """An error value held by a cell (``#REF!``)."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass
class LoadedSheet:
    """The cells of one worksheet: values, formulas, and formulas without results.

    Rows and columns are 1-based. ``values`` holds what a cell shows: a
    typed constant, or the cached result of its formula (None where the
    formula has none). ``formulas`` maps positions to formula text (with the
    leading ``=``); ``uncached`` lists formula cells saved without a result.
    ``arrays`` maps the position of each array formula (a spilled ``SQ_``
    column's) to the block it fills: first row, first column, last row,
    last column; the other cells of the block hold only values.
    """

    name: str
    state: str
    dense: list[list[Any]] | None = None
    sparse: dict[tuple[int, int], Any] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    uncached: set[tuple[int, int]] = field(default_factory=set)
    arrays: dict[tuple[int, int], tuple[int, int, int, int]] = field(default_factory=dict)
    reader: str = "openpyxl"
    _last_rows: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)

    def get(self, row: int, column: int) -> Any:
        if self.dense is not None:
            if 0 < row <= len(self.dense):
                line = self.dense[row - 1]
                if 0 < column <= len(line):
                    value = line[column - 1]
                    return None if value == "" else value
            return None
        return self.sparse.get((row, column))

    @property
    def max_row(self) -> int:
        if self.dense is not None:
            return len(self.dense)
        rows = [row for row, _ in self.sparse] + [row for row, _ in self.formulas]
        return max(rows, default=0)

    @property
    def max_column(self) -> int:
        if self.dense is not None:
            return max((len(line) for line in self.dense), default=0)
        columns = [column for _, column in self.sparse] + [column for _, column in self.formulas]
        return max(columns, default=0)

    def cells(self) -> Iterator[tuple[int, int, Any]]:
        """Every cell that shows something: (row, column, value)."""
        if self.dense is not None:
            for row, line in enumerate(self.dense, start=1):
                for column, value in enumerate(line, start=1):
                    if value != "" and value is not None:
                        yield row, column, value
            return
        for (row, column), value in sorted(self.sparse.items()):
            if value is not None:
                yield row, column, value

    def last_key_row(self, first_row: int, column: int = 1) -> int:
        """Last row from ``first_row`` down with a value in ``column`` (``first_row - 1`` if none).

        Blank cells above it do not end the table: a row cleared in the middle
        must not hide the rows below it from the rules.
        """
        key = (first_row, column)
        if key not in self._last_rows:  # several rules ask; History has thousands of rows
            # Upward from the last row holding anything: the scan stays within
            # the cells the sheet really has, however far a stray cell sits.
            row = self.max_row
            while row >= first_row and is_blank(self.get(row, column)):
                row -= 1
            self._last_rows[key] = max(row, first_row - 1)
        return self._last_rows[key]

    def row_is_blank(self, row: int) -> bool:
        """Whether no cell of ``row`` shows anything or holds a formula."""
        if self.dense is not None:
            if not 0 < row <= len(self.dense):
                return True
            return all(is_blank(value) for value in self.dense[row - 1])
        shown = any(r == row and not is_blank(value) for (r, _), value in self.sparse.items())
        return not shown and not any(r == row for r, _ in self.formulas)


@dataclass
class LoadedWorkbook:
    """Everything the rules read from one workbook."""

    package: Package
    part: WorkbookPart
    sheets: dict[str, LoadedSheet]
    names: list[DefinedName]

    def name(self, name: str) -> DefinedName | None:
        """The workbook-level defined name ``name`` (case-insensitive, as in Excel)."""
        wanted = name.lower()
        for defined in self.names:
            if defined.scope is None and defined.name.lower() == wanted:
                return defined
        return None


def _formula_text(value: Any) -> str:
    if isinstance(value, ArrayFormula):
        return str(value.text or "")
    if isinstance(value, DataTableFormula):
        return "=TABLE()"
    return str(value)


def _stream(sheet: Any) -> Iterator[Any]:
    sheet.reset_dimensions()  # never trust a declared <dimension>
    for row in sheet.iter_rows():
        for cell in row:
            if getattr(cell, "row", None) is not None:
                yield cell


def _read_formulas(sheet: Any, data: LoadedSheet) -> None:
    for cell in _stream(sheet):
        if cell.data_type == "f":
            data.formulas[(cell.row, cell.column)] = _formula_text(cell.value)
            if isinstance(cell.value, ArrayFormula):
                block = parse_reference(str(cell.value.ref or cell.coordinate))
                if block is not None:
                    data.arrays[(cell.row, cell.column)] = block[1:]


def _cell_value(value: Any, data_type: str) -> Any:
    if data_type == "e":
        return CellError(str(value))
    return value


def _read_results(sheet: Any, data: LoadedSheet) -> None:
    for cell in _stream(sheet):
        position = (cell.row, cell.column)
        value = cell.value
        if position in data.formulas and value is None:
            # A text result is stored as type "str"; anything else without a
            # value is a formula saved by a program that does not calculate.
            if cell.data_type == "str":
                data.sparse[position] = ""
            else:
                data.uncached.add(position)
            continue
        if value is not None:
            data.sparse[position] = _cell_value(value, cell.data_type)


def _load(data: bytes) -> Any:
    with warnings.catch_warnings():
        # openpyxl warns about extensions it does not keep; nothing is saved here.
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, keep_links=False)


def load_workbook(package: Package, part: WorkbookPart, limits: Limits) -> LoadedWorkbook:
    """Read the sheets and names of a checked package.

    Raises
    ------
    Unreadable
        When a part the readers need is damaged.
    """
    # openpyxl parses through defusedxml whenever it is installed (it is a
    # dependency) unless OPENPYXL_DEFUSEDXML=False; even then no DOCTYPE can
    # reach it, since the safety checks refused every part declaring one.
    try:
        book = _load(package.data)
    except Exception as error:
        raise Unreadable(f"the workbook is damaged: {_first_line(error)}") from None
    calamine: Any = None
    streamed: list[tuple[str, LoadedSheet]] = []  # sheets whose values openpyxl reads
    sheets: dict[str, LoadedSheet] = {}
    try:
        for entry in part.sheets:
            if entry.kind != "worksheet" or entry.part is None:
                continue
            facts = package.sheets.get(entry.part)
            data = LoadedSheet(name=entry.name, state=entry.state)
            sheets[entry.name] = data
            if facts is None:
                continue
            check_sheet_extent(entry.name, facts, limits)
            if facts.has_formulas or facts.has_errors or not facts.plain_positions:
                if facts.has_formulas:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        _read_formulas(book[entry.name], data)
                streamed.append((entry.name, data))
            elif facts.extent is not None:
                if calamine is None:
                    calamine = python_calamine.CalamineWorkbook.from_filelike(
                        io.BytesIO(package.data)
                    )
                data.dense = calamine.get_sheet_by_name(entry.name).to_python(skip_empty_area=False)
                data.reader = "calamine"
        # openpyxl decides at each pass over a read-only sheet whether formula
        # cells give their formula or their saved result (Workbook.data_only,
        # backed by _data_only). Switching it lets one loaded workbook give
        # both, instead of parsing the whole package a second time;
        # test_validate_loading pins this behaviour of openpyxl.
        book._data_only = True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, data in streamed:
                _read_results(book[name], data)
    except Unreadable:
        raise
    except Exception as error:
        raise Unreadable(f"the workbook is damaged: {_first_line(error)}") from None
    finally:
        book.close()
        if calamine is not None:
            calamine.close()
    return LoadedWorkbook(package=package, part=part, sheets=sheets, names=checked_names(part))


def checked_names(part: WorkbookPart) -> list[DefinedName]:
    """The defined names the rules check: the workbook's, and those local to a worksheet.

    A name Excel keeps for a sheet's own settings (``_xlnm.Print_Area``,
    ``_xlnm._FilterDatabase``...) is part of the sheet, not a name anyone
    typed, and a chart sheet has no cells to name: both are left out.
    """
    worksheets = {entry.name for entry in part.worksheets()}
    return [
        defined
        for defined in part.names
        if defined.scope is None
        or (defined.scope in worksheets and not defined.name.lower().startswith("_xlnm."))
    ]


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
