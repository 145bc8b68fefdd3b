"""Reading a checked workbook: only what the rules need, in one read.

* Defined names come from the workbook part the safety checks read
  (:mod:`xlmodels.excel.ooxml.package`).
* Cells come from the one cell reader,
  :class:`~xlmodels.workbook.stored_cells.StoredWorkbook`: python-calamine
  reads every sheet's values once, and the XML of a sheet holding formulas
  or error cells is scanned once (expat, refusing what defusedxml refuses)
  for its formulas, error values, formulas saved without a result and
  array ranges (calamine shows an error as empty text and cannot tell a
  missing result from an empty text one).
  :mod:`xlmodels.excel.ooxml.safety` has already bounded the rectangle
  each sheet's cells span, so every sheet is read densely from A1.

Nothing is written: the readers see an in-memory copy of the file's bytes,
the same bytes the safety checks passed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from xlmodels.excel.cells import is_blank
from xlmodels.excel.ooxml.guard import GuardedWorkbook
from xlmodels.excel.ooxml.limits import Limits
from xlmodels.excel.ooxml.package import DefinedName, WorkbookPart
from xlmodels.excel.ooxml.safety import Package, Unreadable, check_sheet_extent
from xlmodels.excel.references import cell_name, parse_reference
from xlmodels.workbook.stored_cells import SheetCells, StoredWorkbook

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

    Rows and columns are 1-based. ``dense`` is the grid of what each cell
    shows from A1, as python-calamine reads it (``""`` where a cell is
    empty): a typed constant, the cached result of its formula, or the
    :class:`CellError` of an error cell. ``formulas`` maps positions to
    formula text (with the leading ``=``); ``uncached`` lists formula cells
    saved without a result; ``errors`` the error cells. ``arrays`` maps the
    position of each array formula (a spilled ``SQ_`` column's) to the
    block it fills: first row, first column, last row, last column; the
    other cells of the block hold only values.
    """

    name: str
    state: str
    dense: list[list[Any]] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    uncached: set[tuple[int, int]] = field(default_factory=set)
    arrays: dict[tuple[int, int], tuple[int, int, int, int]] = field(default_factory=dict)
    errors: dict[tuple[int, int], CellError] = field(default_factory=dict)
    _last_rows: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)
    _formula_rows: set[int] | None = field(default=None, repr=False)
    _columns: dict[tuple[int, int, int], list[Any]] = field(default_factory=dict, repr=False)
    _extent: tuple[int, int] | None = field(default=None, repr=False)

    def get(self, row: int, column: int) -> Any:
        if 0 < row <= len(self.dense):
            line = self.dense[row - 1]
            if 0 < column <= len(line):
                value = line[column - 1]
                return None if value == "" else value
        return None

    def column(self, column: int, first_row: int, last_row: int) -> list[Any]:
        """``get(row, column)`` for each row from ``first_row`` to ``last_row``, in one pass.

        Several rules walk History's dates: the column is read once and kept.
        """
        key = (column, first_row, last_row)
        if key not in self._columns:
            index = column - 1
            values = [
                line[index] if len(line) > index else None
                for line in self.dense[max(first_row, 1) - 1 : max(last_row, 0)]
            ]
            values = [None if value == "" else value for value in values]
            above = min(max(1 - first_row, 0), max(last_row - first_row + 1, 0))
            below = max(last_row - first_row + 1 - above - len(values), 0)
            self._columns[key] = [None] * above + values + [None] * below
        return self._columns[key]

    def _rows_and_columns(self) -> tuple[int, int]:
        # The locator and several rules ask; History's grid has thousands of rows.
        # The sheet is read whole before any rule runs, and never changed by one.
        if self._extent is None:
            rows = max(len(self.dense), max((row for row, _ in self.formulas), default=0))
            widest = max(map(len, self.dense), default=0)
            columns = max(widest, max((column for _, column in self.formulas), default=0))
            self._extent = (rows, columns)
        return self._extent

    @property
    def max_row(self) -> int:
        """The last row holding a value or a formula."""
        return self._rows_and_columns()[0]

    @property
    def max_column(self) -> int:
        """The last column holding a value or a formula."""
        return self._rows_and_columns()[1]

    def cells(self) -> Iterator[tuple[int, int, Any]]:
        """Every cell that shows something: (row, column, value)."""
        for row, line in enumerate(self.dense, start=1):
            for column, value in enumerate(line, start=1):
                if value != "" and value is not None:
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
        if self._formula_rows is None:
            self._formula_rows = {r for r, _ in self.formulas}
        if row in self._formula_rows:
            return False
        if not 0 < row <= len(self.dense):
            return True
        return all(is_blank(value) for value in self.dense[row - 1])


@dataclass
class LoadedWorkbook:
    """Everything the rules read from one workbook."""

    package: Package
    part: WorkbookPart
    sheets: dict[str, LoadedSheet]
    names: list[DefinedName]
    _by_name: dict[str, DefinedName] | None = field(default=None, repr=False)

    def name(self, name: str) -> DefinedName | None:
        """The workbook-level defined name ``name`` (case-insensitive, as in Excel)."""
        if self._by_name is None:  # asked hundreds of times, by the locator and the rules
            found: dict[str, DefinedName] = {}
            for defined in self.names:
                if defined.scope is None:
                    found.setdefault(defined.name.lower(), defined)  # the first listed
            self._by_name = found
        return self._by_name.get(name.lower())


def load_workbook(package: Package, part: WorkbookPart, limits: Limits) -> LoadedWorkbook:
    """Read the sheets and names of a checked package.

    Raises
    ------
    Unreadable
        When a part the readers need is damaged.
    """
    sheets: dict[str, LoadedSheet] = {}
    readable = []  # the worksheets whose part the package holds
    for entry in part.sheets:
        if entry.kind != "worksheet" or entry.part is None:
            continue
        sheets[entry.name] = LoadedSheet(name=entry.name, state=entry.state)
        facts = package.sheets.get(entry.part)
        if facts is not None:
            check_sheet_extent(entry.name, facts, limits)
            readable.append(entry)
    # Only the sheets with a part are read: a sheet whose part is missing is empty.
    listed = dataclasses.replace(part, sheets=tuple(readable))
    try:
        stored = StoredWorkbook(GuardedWorkbook(None, package.data, package, listed), marks=True)
        cells = stored.cells()
    except Exception as error:  # a reader's own words for the damage it met
        raise Unreadable(f"the workbook is damaged: {_first_line(error)}") from None
    for name, sheet in cells.items():
        _fill(sheets[name], sheet)
    return LoadedWorkbook(package=package, part=part, sheets=sheets, names=checked_names(part))


def _fill(data: LoadedSheet, cells: SheetCells) -> None:
    """The sheet's grid, formulas and marks, as the rules read them."""
    data.dense = cells.rows
    data.formulas = cells.formulas
    marks = cells.marks
    if marks is None:
        return
    data.uncached = marks.uncached
    for position in marks.data_tables:
        data.formulas[position] = "=TABLE()"  # its formula element holds no text
    for position, reference in marks.arrays.items():
        block = parse_reference(reference)
        if block is not None:
            data.arrays[position] = block[1:]
    for (row, column), code in marks.errors.items():
        error = CellError(code)
        data.errors[row, column] = error
        # Calamine shows an error as empty text; the extent checks bounded the grid.
        while len(data.dense) < row:
            data.dense.append([])
        line = data.dense[row - 1]
        if len(line) < column:
            line.extend([""] * (column - len(line)))
        line[column - 1] = error


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
