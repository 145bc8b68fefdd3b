"""The spec's layout as found in one workbook: table rows, settings, template version.

The spec (:mod:`xlmodels.spec`) says where everything is; the workbook says
how many rows each table has (its keys run down column A from the first data
row to the last key, however many rows are blank above it) and what the
settings hold. Rules ask this module rather than computing positions
themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from xlmodels.spec import FIRST_DATA_ROW, GROUP_ROW, HEADER_ROW, SPEC, TableSheet
from xlmodels.validate.formulas import parse_reference
from xlmodels.validate.reading import SheetData, WorkbookData, cell_name, is_blank

__all__ = ["HistoryBlocks", "Layout", "TableRows", "cell_name", "run_length"]


def run_length(data: SheetData, row: int, column: int, *, down: bool) -> int:
    """How many non-blank cells run from (row, column) down or across."""
    count = 0
    while not is_blank(data.get(row + count if down else row, column if down else column + count)):
        count += 1
    return count


@dataclass(frozen=True)
class HistoryBlocks:
    """The History sheet's dates and the columns of its two blocks, as found."""

    data: SheetData
    last_row: int
    close_columns: dict[str, int]  # code -> 1-based column, first one wins
    close_count: int
    pe_count: int

    @classmethod
    def of(cls, data: SheetData) -> HistoryBlocks:
        last_row = data.last_key_row(FIRST_DATA_ROW)
        # Row 3 names each block: the PE-TTM block starts at the second label.
        close_count = run_length(data, HEADER_ROW, 2, down=False)
        for position in range(3, data.max_column + 1):
            if not is_blank(data.get(GROUP_ROW, position)):
                close_count = position - 2
                break
        pe_start = SPEC.history.pe_start(close_count) + 1
        pe_count = run_length(data, HEADER_ROW, pe_start, down=False)
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
    """A spec table sheet in this workbook and its data rows."""

    spec: TableSheet
    data: SheetData
    first: int
    last: int  # the last row with a key; first - 1 when the table has no rows

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
        return 1  # the spec puts every table's key in column A

    def column(self, key: str) -> int:
        """1-based column of ``key``."""
        return self.spec.position(key) + 1

    def value(self, row: int, key: str) -> Any:
        return self.data.get(row, self.column(key))

    def cell(self, row: int, key: str) -> str:
        return cell_name(row, self.column(key))

    def key_of(self, row: int) -> Any:
        return self.data.get(row, self.key_column)


@dataclass
class Layout:
    """Where the spec's content is in one workbook."""

    book: WorkbookData
    tables: dict[str, TableRows]
    settings: SheetData | None
    version: Any
    version_cell: tuple[str, str]

    @classmethod
    def of(cls, book: WorkbookData) -> Layout:
        tables = {}
        for spec in SPEC.table_sheets():
            data = book.sheets.get(spec.name)
            if data is not None:
                last = data.last_key_row(FIRST_DATA_ROW)
                tables[spec.name] = TableRows(spec, data, FIRST_DATA_ROW, last)
        settings = book.sheets.get(SPEC.settings.name)
        sheet, cell = cls._setting_location(book, "template_version")
        version = None
        if settings is not None or sheet != SPEC.settings.name:
            version = _value_at(book, sheet, cell)
        return cls(book, tables, settings, version, (sheet, cell))

    @staticmethod
    def _setting_location(book: WorkbookData, key: str) -> tuple[str, str]:
        """Sheet and cell of a setting: its defined name if valid, else the spec's place."""
        defined = book.name(SPEC.settings.setting(key).name)
        if defined is not None:
            parsed = parse_reference(defined.text)
            if parsed is not None and parsed[0] is not None and parsed[0] in book.sheets:
                return parsed[0], cell_name(parsed[1], parsed[2])
        return SPEC.settings.name, f"B{SPEC.settings.row_of(key)}"

    def setting_location(self, key: str) -> tuple[str, str]:
        return self._setting_location(self.book, key)

    def setting(self, key: str) -> Any:
        """The value a setting shows (None when blank or absent)."""
        sheet, cell = self.setting_location(key)
        value = _value_at(self.book, sheet, cell)
        return None if is_blank(value) else value

    def table(self, name: str) -> TableRows | None:
        return self.tables.get(name)

    def history(self) -> HistoryBlocks | None:
        data = self.book.sheets.get(SPEC.history.name)
        return HistoryBlocks.of(data) if data is not None else None

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


def _value_at(book: WorkbookData, sheet: str, cell: str) -> Any:
    data = book.sheets.get(sheet)
    parsed = parse_reference(cell)
    if data is None or parsed is None:
        return None
    return data.get(parsed[1], parsed[2])
