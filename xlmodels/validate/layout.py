"""The template's layout as found in one workbook: table rows and columns, settings, version.

The template says where everything is; the workbook says how many rows each
table has (its keys run down the key column from the first data row, to the
last key however many rows are blank above it), where each template column
is and what the settings hold. Where things are is the template's locator's
answer (:class:`~xlmodels.template.locator.Locator`: defined names first,
headers where the names fail); this module adapts it to the validator's
workbook and serves the rules, which ask here rather than computing
positions themselves.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from xlmodels.excel.references import parse_reference
from xlmodels.template.locator import (
    MAX_HEADER,
    Columns,
    HistoryColumns,
    Locator,
    NamedBlock,
    flat_header,
    header_matches,
    run_length,
)
from xlmodels.template.locator import header_pattern as _column_pattern
from xlmodels.template.schema import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    RowContext,
    SpillContext,
    TableSheet,
    column_letter,
)
from xlmodels.template.v3 import SPEC
from xlmodels.validate.loading import LoadedSheet, LoadedWorkbook, cell_name, is_blank
from xlmodels.validate.values import as_date

__all__ = [
    "MAX_HEADER",
    "HistoryBlocks",
    "Layout",
    "TableRows",
    "cell_name",
    "flat_header",
    "header_pattern",
    "is_header",
    "locator",
    "row_context",
    "run_length",
    "spill_context",
]


def header_pattern(sheet: str, key: str) -> re.Pattern[str]:
    """A template column's header in any language, placeholders matching anything."""
    return _column_pattern(SPEC.sheet(sheet).column(key))


def is_header(sheet: str, key: str, value: Any) -> bool:
    """Whether a header cell shows the template's header of column ``key`` (in any language)."""
    return header_matches(SPEC.sheet(sheet).column(key), value)


def locator(book: LoadedWorkbook) -> Locator[NamedBlock]:
    """The template's locator over the validator's reading of a workbook."""

    blocks: dict[str, NamedBlock | None] = {}  # the locator asks for some names many times

    def named(name: str) -> NamedBlock | None:
        if name not in blocks:
            defined = book.name(name)
            blocks[name] = None if defined is None else NamedBlock.parse(defined.text)
        return blocks[name]

    return Locator(SPEC, named, book.sheets.get)


@dataclass(frozen=True)
class _FoundRow(RowContext):
    """A row's references to the columns where they were found, not where the spec puts them."""

    positions: tuple[int, ...] = ()

    def col(self, key: str) -> str:
        assert self.sheet is not None
        return f"{column_letter(self.positions[self.sheet.position(key)] - 1)}{self.row}"

    def key(self) -> str:
        return f"${column_letter(self.positions[0] - 1)}{self.row}"


def row_context(sheet: TableSheet, row: int, positions: tuple[int, ...]) -> RowContext:
    """References for building ``row``'s spec formulas with the columns at ``positions``.

    Excel rewrites the references of every formula when a column is inserted,
    so a moved column's formulas are compared with the spec's formulas as
    they read after the same move.
    """
    if positions == _spec_positions(sheet):
        return RowContext(SPEC, sheet, row)
    return _FoundRow(SPEC, sheet, row, positions)


@dataclass(frozen=True)
class _FoundSpill(SpillContext):
    """A spilled formula's references to the columns where they were found."""

    positions: tuple[int, ...] = ()

    def col(self, key: str) -> str:
        assert self.sheet is not None
        return self._span(column_letter(self.positions[self.sheet.position(key)] - 1))

    def key(self) -> str:
        letter = column_letter(self.positions[0] - 1)
        return f"${letter}{self.row}:${letter}{self.row + max(self.rows, 1) - 1}"


def spill_context(
    sheet: TableSheet, first: int, rows: int, positions: tuple[int, ...]
) -> SpillContext:
    """References for the spec's spilled formula over ``rows`` rows from ``first``, as found."""
    if positions == _spec_positions(sheet):
        return SpillContext(SPEC, sheet, first, rows=rows)
    return _FoundSpill(SPEC, sheet, first, rows, positions)


def _spec_positions(sheet: TableSheet) -> tuple[int, ...]:
    return tuple(range(1, len(sheet.columns) + 1))


@dataclass(frozen=True)
class HistoryBlocks:
    """The History sheet's dates and the columns of its two blocks, as found."""

    data: LoadedSheet
    last_row: int
    close_columns: dict[str, int]  # code -> 1-based column, first one wins
    close_count: int
    pe_count: int

    @classmethod
    def of(cls, data: LoadedSheet, found: HistoryColumns) -> HistoryBlocks:
        last_row = data.last_key_row(FIRST_DATA_ROW)
        close_count, pe_count = found.close_count, found.pe_count
        columns: dict[str, int] = {}
        for position in range(2, 2 + close_count):
            code = data.get(HEADER_ROW, position)
            if not is_blank(code):
                columns.setdefault(str(code).strip(), position)
        return cls(data, last_row, columns, close_count, pe_count)

    @property
    def dates(self) -> int:
        return self.last_row - FIRST_DATA_ROW + 1


@dataclass(frozen=True)
class TableRows:
    """A spec table sheet in this workbook: its data rows and where its columns are.

    ``positions`` holds the 1-based column of each spec column, in spec
    order: where its name or header was found, or the spec's own place when the
    columns could not be found (``found`` is then False, ``problem`` says
    why, and only the structure rules read the sheet).
    """

    spec: TableSheet
    data: LoadedSheet
    first: int
    last: int  # the last row with a key; first - 1 when the table has no rows
    positions: tuple[int, ...]
    found: bool = True
    problem: str = ""

    @classmethod
    def of(cls, data: LoadedSheet, columns: Columns) -> TableRows:
        """The table's rows, under its columns as the locator found them."""
        positions = columns.positions
        last = data.last_key_row(FIRST_DATA_ROW, positions[0])
        return cls(
            columns.sheet,
            data,
            FIRST_DATA_ROW,
            last,
            positions,
            columns.found,
            columns.problem,
        )

    @cached_property
    def rows(self) -> tuple[int, ...]:
        """The data rows that have a key; a row without one is data.blank-row's."""
        return tuple(
            row
            for row in range(self.first, self.last + 1)
            if not is_blank(self.data.get(row, self.key_column))
        )

    @cached_property
    def keyless_rows(self) -> tuple[int, ...]:
        """Rows without a key above the last row that has one."""
        keyed = set(self.rows)
        return tuple(row for row in range(self.first, self.last + 1) if row not in keyed)

    @property
    def key_column(self) -> int:
        return self.positions[0]

    @cached_property
    def _columns(self) -> dict[str, int]:
        """Spec column key -> its 1-based column here (rules ask thousands of times)."""
        found: dict[str, int] = {}
        for column, position in zip(self.spec.columns, self.positions, strict=False):
            found.setdefault(column.key, position)  # the spec's first, as position() finds
        return found

    def column(self, key: str) -> int:
        """1-based column of ``key`` in this workbook."""
        column = self._columns.get(key)
        return self.positions[self.spec.position(key)] if column is None else column

    def value(self, row: int, key: str) -> Any:
        return self.data.get(row, self.column(key))

    def cell(self, row: int, key: str) -> str:
        return cell_name(row, self.column(key))

    def key_of(self, row: int) -> Any:
        return self.data.get(row, self.key_column)

    def row_context(self, row: int) -> RowContext:
        """References for the spec formulas of ``row``, to the columns as found."""
        return row_context(self.spec, row, self.positions)

    def spill_context(self) -> SpillContext:
        """References for the spec's spilled formulas over the table's rows, as found."""
        return spill_context(
            self.spec, self.first, max(self.last, self.first) - self.first + 1, self.positions
        )

    def data_range(self, key: str) -> str:
        """Absolute A1 range of a column's data rows, where the column is."""
        letter = column_letter(self.column(key) - 1)
        last = max(self.last, self.first)  # a table without rows still names one
        return f"'{self.spec.name}'!${letter}${self.first}:${letter}${last}"


@dataclass
class Layout:
    """Where the spec's content is in one workbook."""

    book: LoadedWorkbook
    tables: dict[str, TableRows]  # every spec table sheet present, found or not
    settings: LoadedSheet | None
    version: Any
    version_cell: tuple[str, str]
    locator: Locator[NamedBlock]

    @classmethod
    def of(cls, book: LoadedWorkbook) -> Layout:
        found = locator(book)
        tables = {}
        for spec in SPEC.table_sheets():
            data = book.sheets.get(spec.name)
            if data is not None:
                tables[spec.name] = TableRows.of(data, found.columns(spec))
        settings = book.sheets.get(SPEC.settings.name)
        place = found.setting("template_version")
        version = None
        if settings is not None or place.sheet != SPEC.settings.name:
            version = _value_at(book, place.sheet, place.cell)
        return cls(book, tables, settings, version, (place.sheet, place.cell), found)

    @cached_property
    def _settings(self) -> dict[str, tuple[str, str, Any]]:
        """Setting key -> its sheet, cell and value, as found (every rule asks several)."""
        return {}

    def _setting(self, key: str) -> tuple[str, str, Any]:
        found = self._settings.get(key)
        if found is None:
            place = self.locator.setting(key)
            value = _value_at(self.book, place.sheet, place.cell)
            found = self._settings[key] = (place.sheet, place.cell, value)
        return found

    def setting_location(self, key: str) -> tuple[str, str]:
        """Sheet and cell of a setting: its defined name if valid, else the template's place."""
        sheet, cell, _ = self._setting(key)
        return sheet, cell

    def setting(self, key: str) -> Any:
        """The value a setting shows (None when blank or absent)."""
        value = self._setting(key)[2]
        return None if is_blank(value) else value

    @cached_property
    def located(self) -> dict[str, TableRows]:
        """The table sheets whose spec columns were found: the ones rules read data from."""
        return {name: table for name, table in self.tables.items() if table.found}

    def table(self, name: str) -> TableRows | None:
        """A table sheet whose spec columns were found, else None."""
        return self.located.get(name)

    def history(self) -> HistoryBlocks | None:
        """History's dates and blocks as found (located once: several rules ask)."""
        return self._history

    @cached_property
    def _history(self) -> HistoryBlocks | None:
        data = self.book.sheets.get(SPEC.history.name)
        found = self.locator.history()
        return HistoryBlocks.of(data, found) if data is not None and found is not None else None

    @cached_property
    def history_days(self) -> tuple[list[tuple[dt.date, int]], list[dt.date]]:
        """History's dates from the first data row to the last dated row: (date, row) of
        each row whose date cell holds a date, and the dates alone, in sheet order.

        Several rules and the month's returns walk the thousands of History rows
        by date: the dates are read once.
        """
        data = self.book.sheets.get(SPEC.history.name)
        if data is None:
            return [], []
        last = data.last_key_row(FIRST_DATA_ROW)
        known: list[tuple[dt.date, int]] = []
        for row, value in enumerate(data.column(1, FIRST_DATA_ROW, last), start=FIRST_DATA_ROW):
            day = value if type(value) is dt.date else as_date(value)
            if day is not None:
                known.append((day, row))
        return known, [day for day, _ in known]

    def range_values(self, name: str) -> tuple[str, list[tuple[int, int, Any]]] | None:
        """Sheet and (row, column, value) cells of a workbook-level defined range."""
        defined = self.book.name(name)
        if defined is None:
            return None
        parsed = parse_reference(defined.text)
        if parsed is None:
            return None
        sheet, first_row, first_column, last_row, last_column = parsed
        if sheet is None or sheet not in self.book.sheets:
            return None
        data = self.book.sheets[sheet]
        if (last_row - first_row + 1) * (last_column - first_column + 1) > 1_000_000:
            return None
        cells = [
            (row, column, data.get(row, column))
            for row in range(first_row, last_row + 1)
            for column in range(first_column, last_column + 1)
        ]
        return sheet, cells


def _value_at(book: LoadedWorkbook, sheet: str, cell: str) -> Any:
    data = book.sheets.get(sheet)
    parsed = parse_reference(cell)
    if data is None or parsed is None:
        return None
    return data.get(parsed[1], parsed[2])
