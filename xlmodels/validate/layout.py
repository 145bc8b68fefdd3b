"""The spec's layout as found in one workbook: table rows and columns, settings, version.

The spec (:mod:`xlmodels.template.spec`) says where everything is; the workbook says
how many rows each table has (its keys run down the key column from the
first data row, to the last key however many rows are blank above it), where
each spec column is (found by its header when columns were inserted or
moved) and what the settings hold. Rules ask this module rather than
computing positions themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from xlmodels.excel.references import parse_reference
from xlmodels.template.spec import (
    FIRST_DATA_ROW,
    GROUP_ROW,
    HEADER_ROW,
    SPEC,
    RowContext,
    TableSheet,
    column_letter,
)
from xlmodels.validate.reading import SheetData, WorkbookData, cell_name, is_blank
from xlmodels.validate.values import header_label

__all__ = [
    "HistoryBlocks",
    "Layout",
    "TableRows",
    "cell_name",
    "flat_header",
    "header_pattern",
    "is_header",
    "locate_columns",
    "row_context",
    "run_length",
]


def flat_header(value: Any) -> str:
    """A header's text without spacing (the writer, or an analyst, wraps long headers)."""
    return "" if value is None else "".join(str(value).split())


#: Longer than any spec header with its placeholders filled: two placeholders
#: make a pattern quadratic in the text, so a hostile header is not matched.
MAX_HEADER = 256


@lru_cache(maxsize=512)
def header_pattern(sheet: str, key: str) -> re.Pattern[str]:
    """A spec column's header in any language, placeholders matching anything, spacing ignored."""
    column = SPEC.sheet(sheet).column(key)
    alternatives = []
    for text in column.headers.values():
        pieces = re.split(r"\{[a-z0-9_]+\}", flat_header(text))
        alternatives.append(".+?".join(re.escape(piece) for piece in pieces))
    return re.compile(r"^(?:" + "|".join(alternatives) + r")$", re.S)


def is_header(sheet: str, key: str, value: Any) -> bool:
    """Whether a header cell shows the spec's header of column ``key`` (in any language)."""
    text = flat_header(value)
    return 0 < len(text) <= MAX_HEADER and header_pattern(sheet, key).match(text) is not None


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


def _spec_positions(sheet: TableSheet) -> tuple[int, ...]:
    return tuple(range(1, len(sheet.columns) + 1))


def locate_columns(sheet: TableSheet, data: SheetData) -> tuple[tuple[int, ...] | None, str]:
    """The 1-based column of each spec column (in spec order), found by the header row.

    Returns the positions, or None and why they could not be found. Headers
    edited where they stand (typed over, cleared) leave every column where
    the spec puts it; otherwise each spec header must be found once, in the
    spec's order, in exactly one way: a header that could belong to two
    columns (``EPS 2023A`` inserted before ``EPS 2024E``) is not guessed at.
    """
    count = len(sheet.columns)
    width = max(data.max_column, count)
    shown = [
        (column, value)
        for column in range(1, width + 1)
        if not is_blank(value := data.get(HEADER_ROW, column))
    ]
    matches = [
        [column for column, value in shown if is_header(sheet.name, spec.key, value)]
        for spec in sheet.columns
    ]
    spec_headers = {column for found in matches for column in found}
    if all(
        index + 1 in found or index + 1 not in spec_headers for index, found in enumerate(matches)
    ):
        return _spec_positions(sheet), ""
    first = _embedding(matches, width, leftmost=True)
    last = _embedding(matches, width, leftmost=False)
    if first is not None and first == last:
        return first, ""
    missing = [
        header_label(sheet.columns[index]) for index, found in enumerate(matches) if not found
    ]
    if missing:
        why = "no header " + ", ".join(repr(label) for label in missing)
    elif first is None or last is None:
        why = "the headers are not in the spec's order"
    else:
        index = next(i for i in range(count) if first[i] != last[i])
        why = (
            f"{header_label(sheet.columns[index])!r} could be column "
            f"{column_letter(first[index] - 1)} or {column_letter(last[index] - 1)}"
        )
    return None, why


def _embedding(matches: list[list[int]], width: int, *, leftmost: bool) -> tuple[int, ...] | None:
    """Columns for the spec's headers in order, each as far left (or right) as it can be."""
    chosen: list[int] = []
    if leftmost:
        bound = 0
        for found in matches:
            bound = next((column for column in found if column > bound), 0)
            if not bound:
                return None
            chosen.append(bound)
        return tuple(chosen)
    bound = width + 1
    for found in reversed(matches):
        bound = next((column for column in reversed(found) if column < bound), 0)
        if not bound:
            return None
        chosen.append(bound)
    return tuple(reversed(chosen))


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
    """A spec table sheet in this workbook: its data rows and where its columns are.

    ``positions`` holds the 1-based column of each spec column, in spec
    order: where its header was found, or the spec's own place when the
    columns could not be found (``found`` is then False, ``problem`` says
    why, and only the structure rules read the sheet).
    """

    spec: TableSheet
    data: SheetData
    first: int
    last: int  # the last row with a key; first - 1 when the table has no rows
    positions: tuple[int, ...]
    found: bool = True
    problem: str = ""

    @classmethod
    def of(cls, spec: TableSheet, data: SheetData) -> TableRows:
        positions, problem = locate_columns(spec, data)
        found = positions is not None
        if positions is None:
            positions = _spec_positions(spec)
        last = data.last_key_row(FIRST_DATA_ROW, positions[0])
        return cls(spec, data, FIRST_DATA_ROW, last, positions, found, problem)

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

    def column(self, key: str) -> int:
        """1-based column of ``key`` in this workbook."""
        return self.positions[self.spec.position(key)]

    def value(self, row: int, key: str) -> Any:
        return self.data.get(row, self.column(key))

    def cell(self, row: int, key: str) -> str:
        return cell_name(row, self.column(key))

    def key_of(self, row: int) -> Any:
        return self.data.get(row, self.key_column)

    def row_context(self, row: int) -> RowContext:
        """References for the spec formulas of ``row``, to the columns as found."""
        return row_context(self.spec, row, self.positions)

    def data_range(self, key: str) -> str:
        """Absolute A1 range of a column's data rows, where the column is."""
        letter = column_letter(self.column(key) - 1)
        last = max(self.last, self.first)  # a table without rows still names one
        return f"'{self.spec.name}'!${letter}${self.first}:${letter}${last}"


@dataclass
class Layout:
    """Where the spec's content is in one workbook."""

    book: WorkbookData
    tables: dict[str, TableRows]  # every spec table sheet present, found or not
    settings: SheetData | None
    version: Any
    version_cell: tuple[str, str]

    @classmethod
    def of(cls, book: WorkbookData) -> Layout:
        tables = {}
        for spec in SPEC.table_sheets():
            data = book.sheets.get(spec.name)
            if data is not None:
                tables[spec.name] = TableRows.of(spec, data)
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

    @property
    def located(self) -> dict[str, TableRows]:
        """The table sheets whose spec columns were found: the ones rules read data from."""
        return {name: table for name, table in self.tables.items() if table.found}

    def table(self, name: str) -> TableRows | None:
        """A table sheet whose spec columns were found, else None."""
        return self.located.get(name)

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
