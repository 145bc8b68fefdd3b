"""The cells of a workbook being written, in the form a reader finds them in the file.

Regeneration compares the workbook it builds with the one on disk cell by
cell. Reading the new bytes back would parse every cell a second time; a
:class:`BuiltCells` instead takes each cell as the writer serialises it
(:class:`~xlmodels.workbook.writer.CoverageWorksheet` hands it over) and
converts it to what :func:`~xlmodels.workbook.stored_cells.read_cells` gives
for the same cell: values typed as python-calamine types them (a number
under a date format is a date, an error or an overflow reads as empty
text, every number a float), formulas with their ``=``.

Where calamine's reading of a value is not reproduced here with certainty
(a duration format, a date before 1900-03-01 or past 9999-12-31, a time
with fractions of a second, text with characters XML escapes specially),
the recording says so (:attr:`BuiltCells.faithful` is False) and the caller
reads the bytes back instead: never a diff on a guessed value.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Mapping
from typing import Any

from xlmodels.workbook.stored_cells import SheetCells

__all__ = ["BuiltCells", "SheetRecording", "number_format_class"]

#: Excel's built-in number formats that calamine reads as dates and times.
_BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47})
#: The built-in duration format ([h]:mm:ss).
_BUILTIN_DURATIONS = frozenset({46})
#: Error values xlsxwriter stores typed as errors: calamine reads them as empty text.
_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})
_EPOCH = dt.datetime(1899, 12, 30)
_EPOCH_DAY = _EPOCH.toordinal()
_INFINITY = math.inf
#: Serials calamine turns into dates here exactly: 1900-03-01 to 9999-12-31.
_FIRST_SERIAL, _LAST_SERIAL = 61.0, 2_958_465.0

NUMBER, DATE, DURATION = "number", "date", "duration"


def number_format_class(number_format: str | int | None) -> str:
    """How calamine reads a number under ``number_format``: as a number, a date or a duration.

    A custom format is a date format when a date or time letter (d, m, y,
    h, s, or an AM/PM marker) appears in its first section outside quoted
    text, escapes and brackets; a bracketed [h], [m] or [s] makes it a
    duration. Built-in formats are known by their number.

    >>> number_format_class("yyyy-mm-dd"), number_format_class("0.0%"), number_format_class(14)
    ('date', 'number', 'date')
    >>> number_format_class('0.0"x"'), number_format_class("[h]:mm"), number_format_class(None)
    ('number', 'duration', 'number')
    """
    if number_format is None:
        return NUMBER
    if isinstance(number_format, int):
        if number_format in _BUILTIN_DATES:
            return DATE
        return DURATION if number_format in _BUILTIN_DURATIONS else NUMBER
    escaped = quoted = elapsed = ampm = False
    brackets = 0
    previous = " "
    for char in number_format:
        if escaped:
            escaped = False
        elif char in "_\\":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == ";":
            return NUMBER  # only the first section counts
        elif char == "[":
            brackets += 1
        elif char == "]" and brackets == 1 and elapsed:
            return DURATION
        elif char == "]":
            brackets = max(brackets - 1, 0)
        elif brackets == 0 and not ampm and char in "aA":
            ampm = True
        elif brackets == 0 and char in ("pmPM/" if ampm else "dmhysDMHYS"):
            return DATE
        elif elapsed and char.lower() == previous.lower():
            pass
        else:
            elapsed = previous == "[" and char in "hmsHMS"
        previous = char
    return NUMBER


class _Unfaithful(Exception):
    """A value whose reading by calamine is not reproduced here with certainty."""


def _date_value(serial: float) -> Any:
    """A date-formatted number as calamine reads it: a date, or a date and time."""
    if not _FIRST_SERIAL <= serial <= _LAST_SERIAL:
        raise _Unfaithful
    whole = math.floor(serial)
    if whole == serial:
        return dt.date.fromordinal(_EPOCH_DAY + whole)
    moment = _EPOCH + dt.timedelta(days=serial)
    if moment.microsecond:
        raise _Unfaithful  # calamine rounds fractions of a second its own way
    return moment


def _text(text: str) -> str:
    # xlsxwriter escapes control characters and text that looks like an escape
    # (_x0041_); how a reader undoes that is its own business.
    if "_x" in text or any(c < " " and c not in "\t\n" for c in text):
        raise _Unfaithful
    return text


class SheetRecording:
    """One worksheet's cells, recorded as the writer serialises them (row by row, left to right)."""

    __slots__ = (
        "_ahead",
        "_cells",
        "_classes",
        "_last_class",
        "_last_style",
        "_owner",
        "_previous",
        "_row",
        "_sheet",
        "_strings",
        "formulas",
        "rows",
        "spills",
    )

    def __init__(
        self,
        owner: BuiltCells,
        sheet: Any,
        strings: _Strings,
        previous: SheetCells | None = None,
    ) -> None:
        self._owner = owner
        self._previous = previous
        self._sheet = sheet
        self._strings = strings
        self._classes: dict[int, str] = {}
        self._last_style: Any = None
        self._last_class = NUMBER
        self.rows: list[list[Any]] = []
        self._row = -1
        self._cells: list[Any] = []
        self.formulas: dict[tuple[int, int], str] = {}
        self.spills: dict[tuple[int, int], str] = {}
        #: Rows recorded as they were written (:meth:`numbers`), not as serialised.
        self._ahead: set[int] = set()

    def _class(self, row: int, column: int, style: Any) -> str:
        if style is None:  # the row's or the column's format applies, as xlsxwriter writes it
            row_info = self._sheet.row_info.get(row)
            if row_info is not None and row_info.row_format:
                style = row_info.row_format
            elif column in self._sheet.col_info:
                style = self._sheet.col_info[column].column_format
            if style is None:
                return NUMBER
        if style is self._last_style:
            return self._last_class
        key = id(style)
        found = self._classes.get(key)
        if found is None:
            found = number_format_class(style.num_format)
            self._classes[key] = found
        self._last_style, self._last_class = style, found
        return found

    def _share(self) -> None:
        """Let the row just finished be the previous workbook's row where the two are equal.

        A regeneration changes few History rows: an unchanged one is kept
        once, not twice, and the diff sees the very same row.
        """
        previous, row = self._previous, self._row
        if previous is None or not 0 <= row < len(previous.rows) or row >= len(self.rows):
            return
        cells, old = self.rows[row], previous.rows[row]
        width = len(cells)
        if len(old) < width:
            return
        head = old if len(old) == width else old[:width]
        # Equal values of another type (1.0 and True) are another cell.
        if (
            head == cells
            and all(map(operator.is_, map(type, head), map(type, cells)))
            and (head is old or not any(value != "" for value in old[width:]))
        ):
            self.rows[row] = old
            self._cells = old

    def _go_to(self, row: int) -> None:
        """Make ``row`` the row being recorded, the one before it finished."""
        self._share()
        rows = self.rows
        if row < len(rows):  # out of order: not how xlsxwriter writes, but kept right
            rows[row] = list(rows[row])  # a copy: never write into a shared row
            self._cells = rows[row]
        else:
            rows.extend([] for _ in range(row + 1 - len(rows)))
            self._cells = rows[row]
        self._row = row

    def _put(self, row: int, column: int, value: Any) -> None:
        if row != self._row:
            self._go_to(row)
        cells = self._cells
        gap = column - len(cells)
        if gap == 0:
            cells.append(value)
        elif gap > 0:
            cells.extend([""] * gap)
            cells.append(value)
        else:
            cells[column] = value

    def _number(self, row: int, column: int, number: Any, style: Any) -> Any:
        value = float(number)
        if not -_INFINITY < value < _INFINITY:
            return ""  # written as #NUM!, an error, which calamine reads as empty
        kind = self._class(row, column, style)
        if kind is NUMBER:
            return value
        if kind is DURATION:
            raise _Unfaithful
        return _date_value(value)

    def number(self, row: int, column: int, number: float, style: Any) -> None:
        """A number cell: the bulk of a workbook, so its common case is kept short."""
        if (
            style is self._last_style
            and self._last_class is NUMBER
            and row == self._row
            and type(number) is float
            and -_INFINITY < number < _INFINITY
            and column == len(self._cells)
        ):
            self._cells.append(number)
            return
        try:
            self._put(row, column, self._number(row, column, number, style))
        except _Unfaithful:
            self._owner.faithful = False

    def numbers(self, row: int, first_column: int, values: list[float], style: Any) -> None:
        """A run of float cells written left to right from ``first_column``, NaN written as no cell.

        For a sheet written row by row whose rows are recorded as they are
        written rather than as they are serialised (the History: a row's
        numbers are one list already, so a finite run under a number format
        is taken whole); the caller marks such a row with :meth:`ahead`.
        ``values`` are Python floats (a float array's ``tolist()``).
        """
        total = sum(values)  # NaN or infinite when any value is: each is then taken alone
        if (
            -_INFINITY < total < _INFINITY
            and self._class(row, first_column, style) is NUMBER
            and first_column >= (len(self._cells) if row == self._row else 0)
        ):
            if row != self._row:
                self._go_to(row)
            cells = self._cells
            if first_column > len(cells):
                cells.extend([""] * (first_column - len(cells)))
            cells.extend(values)
            return
        for column, number in enumerate(values, start=first_column):
            if number == number:
                self.number(row, column, number, style)

    def ahead(self, row: int) -> None:
        """Note that every cell of ``row`` is recorded already: serialising it records nothing."""
        self._ahead.add(row)

    def recorded_ahead(self, row: int) -> bool:
        """Whether ``row`` was recorded as it was written (:meth:`ahead`)."""
        return row in self._ahead

    def cell(self, row: int, column: int, cell: Any) -> None:
        """Any cell tuple of xlsxwriter's, as its serialiser receives it."""
        try:
            self._cell(row, column, cell)
        except _Unfaithful:
            self._owner.faithful = False

    def _cell(self, row: int, column: int, cell: Any) -> None:
        kind = type(cell).__name__
        value: Any = ""
        if kind in ("Number", "Datetime"):
            value = self._number(row, column, cell.number, cell.format)
        elif kind == "String":
            string = cell.string
            value = _text(self._strings[string] if isinstance(string, int) else string)
        elif kind == "RichString":
            value = _text(cell.raw_string)
        elif kind == "Boolean":
            value = bool(cell.boolean)
        elif kind in ("Formula", "ArrayFormula"):
            self.formulas[row + 1, column + 1] = "=" + cell.formula
            if kind == "ArrayFormula":
                self.spills[row + 1, column + 1] = cell.range
            value = self._cached(row, column, cell)
        elif kind != "Blank":
            raise _Unfaithful
        if value != "":
            self._put(row, column, value)

    def pad(self) -> None:
        """Give every row the sheet's width, as calamine's grid has it."""
        self._share()
        width = max(map(len, self.rows), default=0)
        for index, cells in enumerate(self.rows):
            if len(cells) < width:  # a new list: a shared row stays the previous workbook's
                self.rows[index] = cells + [""] * (width - len(cells))

    def _cached(self, row: int, column: int, cell: Any) -> Any:
        value = cell.value
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            if type(cell).__name__ == "ArrayFormula":
                try:
                    return self._number(row, column, float(value), cell.format)
                except ValueError:
                    return _text(value)
            return "" if value in _ERRORS else _text(value)
        if not isinstance(value, int | float):
            raise _Unfaithful
        return self._number(row, column, value, cell.format)


class _Strings(dict[int, str]):
    """A workbook's shared strings by index, looked up once all are known (at serialisation)."""

    def __init__(self, table: dict[str, int]) -> None:
        super().__init__()
        self._table = table

    def __missing__(self, index: int) -> str:
        self.update({number: text for text, number in self._table.items()})
        return super().__getitem__(index)


class BuiltCells:
    """The cells of every worksheet of a workbook being written, sheet by sheet in tab order.

    Filled while the workbook is serialised; :meth:`cells` then gives the
    same mapping :func:`~xlmodels.workbook.stored_cells.read_cells` gives for
    the written file, or None when a value could not be converted faithfully.
    """

    def __init__(self, previous: Mapping[str, SheetCells] | None = None) -> None:
        """``previous``: the cells of a workbook being regenerated, its equal rows shared."""
        self._sheets: dict[str, SheetRecording] = {}
        self._strings: _Strings | None = None
        self._previous = previous or {}
        self.faithful = True

    def record(self, workbook: Any, sheet: Any) -> None:
        """Record one worksheet from now on (one written row by row: from its creation)."""
        if self._strings is None:
            self._strings = _Strings(workbook.str_table.string_table)
        recording = SheetRecording(self, sheet, self._strings, self._previous.get(sheet.name))
        self._sheets[sheet.name] = recording
        sheet.recording = recording

    def attach(self, workbook: Any) -> None:
        """Record every worksheet of an xlsxwriter workbook; call it before closing the workbook."""
        for sheet in workbook.worksheets():
            if sheet.name not in self._sheets:
                self.record(workbook, sheet)
        # In tab order, as a reader lists them.
        self._sheets = {sheet.name: self._sheets[sheet.name] for sheet in workbook.worksheets()}

    def cells(self) -> dict[str, SheetCells] | None:
        """Every sheet's cells as a reader would find them, or None if not faithful."""
        if not self.faithful:
            return None
        for recording in self._sheets.values():
            recording.pad()
        return {
            name: SheetCells(recording.rows, recording.formulas, recording.spills)
            for name, recording in self._sheets.items()
        }
