"""Finding a template's content in one workbook: by its defined names first, its headers next.

The template says where everything goes; a workbook an analyst has worked in
may hold it elsewhere. Excel moves a defined name with its cells when a
column is inserted or rows are sorted, so the workbook's names are asked
first. A name is believed when it still points where its content is: a
column's name at a single column of the column's sheet whose header cell
shows the column's header, a setting's name at a cell of a sheet the
workbook has, the History names where row 3 labels the PE-TTM block. Where
the names fail (deleted, broken by a program that moved the cells without
them) the headers are read instead; what neither finds is reported as a
:class:`Missing` naming the sheet and cell it was looked for at, for the
caller to turn into its own message.

The locator reads a workbook only through two small interfaces, so the
validator's cell store and the reader's both serve: a lookup of defined
names returning :class:`Block` objects, and the :class:`SheetCells` of a
sheet.

Examples
--------
>>> from xlmodels.template.v3 import SPEC
>>> cells = GridCells([[], [], [], ["Code", "Company", "Market", "Close"]])
>>> market = SPEC.sheet("Market")
>>> found = Locator(SPEC, lambda name: None, {"Market": cells}.get).columns(market)
>>> found.by, found.positions[:4], found.problem
('headers', (1, 2, 3, 4), '')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar

from xlmodels.excel.cells import is_blank
from xlmodels.excel.references import parse_reference
from xlmodels.template.names import HIST_CLOSE_CODES, HIST_PE_CODES
from xlmodels.template.schema import (
    FIRST_DATA_ROW,
    GROUP_ROW,
    HEADER_ROW,
    Column,
    HistorySheet,
    TableSheet,
    WorkbookSpec,
    column_letter,
)

__all__ = [
    "MAX_HEADER",
    "Block",
    "Columns",
    "GridCells",
    "HistoryColumns",
    "Locator",
    "Missing",
    "NamedBlock",
    "Place",
    "SheetCells",
    "flat_header",
    "header_matches",
    "run_length",
]


class SheetCells(Protocol):
    """The cells of one worksheet as the locator reads them (1-based, None where empty)."""

    @property
    def max_column(self) -> int: ...

    def get(self, row: int, column: int) -> Any: ...


class Block(Protocol):
    """The rectangle a defined name points at (1-based, inclusive)."""

    @property
    def sheet(self) -> str: ...

    @property
    def first_row(self) -> int: ...

    @property
    def first_column(self) -> int: ...

    @property
    def last_row(self) -> int: ...

    @property
    def last_column(self) -> int: ...


#: The caller's own block type (the reader's carries more than the locator needs).
B = TypeVar("B", bound=Block)
#: How a caller hands over a sheet's cells: None when the workbook has no such sheet.
SheetLookup = Callable[[str], SheetCells | None]


@dataclass(frozen=True)
class NamedBlock:
    """A defined name's block, parsed from the name's text (``'Market'!$D$5:$D$13``)."""

    sheet: str
    first_row: int
    first_column: int
    last_row: int
    last_column: int

    @classmethod
    def parse(cls, text: str) -> NamedBlock | None:
        """The block of a name's text, or None when it is not a range on one named sheet.

        >>> NamedBlock.parse("'Market'!$D$5:$D$13")
        NamedBlock(sheet='Market', first_row=5, first_column=4, last_row=13, last_column=4)
        >>> NamedBlock.parse("#REF!") is None
        True
        """
        parsed = parse_reference(text)
        if parsed is None:
            return None
        sheet, first_row, first_column, last_row, last_column = parsed
        if sheet is None:
            return None
        return cls(sheet, first_row, first_column, last_row, last_column)


@dataclass(frozen=True)
class GridCells:
    """Cells given as rows of values, the first row being row 1 ("" counts as empty)."""

    rows: Sequence[Sequence[Any]]

    @property
    def max_column(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def get(self, row: int, column: int) -> Any:
        if 0 < row <= len(self.rows) and 0 < column <= len(self.rows[row - 1]):
            value = self.rows[row - 1][column - 1]
            return None if value == "" else value
        return None


@dataclass(frozen=True)
class Missing:
    """Something of the template the workbook does not hold where it could be found.

    ``sheet`` and ``cell`` say where it was looked for last (the template's
    own place); ``why`` says what was tried.
    """

    what: str
    sheet: str | None
    cell: str | None
    why: str

    def message(self) -> str:
        """``the workbook has no <what>: <why>``, for an error naming sheet and cell."""
        return f"the workbook has no {self.what}: {self.why}"


@dataclass(frozen=True)
class Place:
    """Where one cell of the template is in this workbook, and how it was found."""

    sheet: str
    row: int
    column: int
    by: str  # "name", or "template" where the name failed and the template's place is used

    @property
    def cell(self) -> str:
        return f"{column_letter(self.column - 1)}{self.row}"


@dataclass(frozen=True)
class Columns:
    """Where a table sheet's columns are: the 1-based column of each, in the template's order.

    ``by`` says how they were found: ``names``, ``headers``, or ``template``
    when neither found them (``positions`` is then the template's own
    layout, ``found`` is False, ``problem`` says why and ``missing`` lists
    the columns no header was found for).
    """

    sheet: TableSheet
    positions: tuple[int, ...]
    by: str
    problem: str = ""
    missing: tuple[Missing, ...] = ()

    @property
    def found(self) -> bool:
        return self.by != "template"

    def column(self, key: str) -> int:
        return self.positions[self.sheet.position(key)]


@dataclass(frozen=True)
class HistoryColumns:
    """The History sheet's two blocks as found: closes from column B, then PE-TTM series.

    ``close_count`` is the close block's width, ``pe_count`` the number of
    PE-TTM codes running from ``pe_start`` (1-based).
    """

    close_count: int
    pe_start: int
    pe_count: int
    by: str  # "names" or "labels"


def flat_header(value: Any) -> str:
    """A header's text without spacing (the writer, or an analyst, wraps long headers)."""
    return "" if value is None else "".join(str(value).split())


#: Longer than any template header with its placeholders filled: two placeholders
#: make a pattern quadratic in the text, so a hostile header is not matched.
MAX_HEADER = 256


@lru_cache(maxsize=512)
def _pattern(texts: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = []
    for text in texts:
        pieces = re.split(r"\{[a-z0-9_]+\}", flat_header(text))
        alternatives.append(".+?".join(re.escape(piece) for piece in pieces))
    return re.compile(r"^(?:" + "|".join(alternatives) + r")$", re.S)


def header_pattern(column: Column) -> re.Pattern[str]:
    """A column's header in any language, placeholders matching anything, spacing ignored."""
    return _pattern(tuple(column.headers.values()))


def header_matches(column: Column, value: Any) -> bool:
    """Whether a header cell shows the column's header (in any language).

    >>> from xlmodels.template.v3 import SPEC
    >>> eps = SPEC.sheet("Estimates").column("eps_fy1")
    >>> header_matches(eps, "EPS 2024E（CNY）"), header_matches(eps, "Target PE (x)")
    (True, False)
    """
    text = flat_header(value)
    return 0 < len(text) <= MAX_HEADER and header_pattern(column).match(text) is not None


def run_length(cells: SheetCells, row: int, column: int, *, down: bool) -> int:
    """How many non-blank cells run from (row, column) down or across."""
    count = 0
    while not is_blank(cells.get(row + count if down else row, column if down else column + count)):
        count += 1
    return count


def _template_positions(sheet: TableSheet) -> tuple[int, ...]:
    return tuple(range(1, len(sheet.columns) + 1))


class Locator(Generic[B]):
    """Finds a template's tables, settings and History blocks in one workbook.

    Parameters
    ----------
    spec : WorkbookSpec
        The template the workbook follows.
    names : callable
        ``names(name)``: the block of the workbook-level defined name, or None.
    sheets : callable
        ``sheets(title)``: the cells of a sheet, or None when there is no such sheet.
    """

    def __init__(
        self, spec: WorkbookSpec, names: Callable[[str], B | None], sheets: SheetLookup
    ) -> None:
        self.spec = spec
        self._names = names
        self._sheets = sheets

    # ------------------------------------------------------------- names
    def named(self, name: str) -> B | Missing:
        """The block of a defined name the template gives, or what is missing.

        Used where only a name can say where something is (a block whose
        size the workbook decides, an input the analyst typed).
        """
        block = self._names(name)
        if block is not None:
            return block
        return Missing(
            f"named range {name!r}",
            None,
            None,
            "it is not a coverage workbook of this template, or the name was deleted",
        )

    def setting(self, key: str) -> Place:
        """Where a setting's value is: at its defined name if that points at a sheet of
        the workbook, else where the template puts it."""
        settings = self.spec.settings
        block = self._names(settings.setting(key).name)
        if block is not None and self._sheets(block.sheet) is not None:
            return Place(block.sheet, block.first_row, block.first_column, "name")
        return Place(settings.name, settings.row_of(key), 2, "template")

    # ------------------------------------------------------------ tables
    def columns(self, sheet: TableSheet) -> Columns:
        """Where ``sheet``'s columns are: by their names, else by their headers.

        The names are believed only when every column's name points at one
        column of this sheet from the first data row, in the template's
        order, under a header cell showing the column's header: a program
        that moves cells without their names (openpyxl does) leaves names
        that the headers contradict. Headers edited where they stand leave
        every column where the template puts it; otherwise each header must
        be found once, in the template's order, in exactly one way: a header
        that could belong to two columns (``EPS 2023A`` inserted before
        ``EPS 2024E``) is not guessed at.
        """
        cells = self._sheets(sheet.name)
        if cells is None:
            return self._not_found(sheet, "the workbook has no such sheet", ())
        by_names = self._columns_by_names(sheet, cells)
        if by_names is not None:
            return Columns(sheet, by_names, "names")
        return self._columns_by_headers(sheet, cells)

    def _columns_by_names(self, sheet: TableSheet, cells: SheetCells) -> tuple[int, ...] | None:
        positions: list[int] = []
        for column in sheet.columns:
            block = self._names(sheet.range_name(column.key))
            if (
                block is None
                or block.sheet != sheet.name
                or block.first_column != block.last_column
                or block.first_row != FIRST_DATA_ROW
                or (positions and block.first_column <= positions[-1])
                or not header_matches(column, cells.get(HEADER_ROW, block.first_column))
            ):
                return None
            positions.append(block.first_column)
        return tuple(positions)

    def _columns_by_headers(self, sheet: TableSheet, cells: SheetCells) -> Columns:
        count = len(sheet.columns)
        width = max(cells.max_column, count)
        shown = [
            (column, value)
            for column in range(1, width + 1)
            if not is_blank(value := cells.get(HEADER_ROW, column))
        ]
        matches = [
            [column for column, value in shown if header_matches(spec, value)]
            for spec in sheet.columns
        ]
        template_headers = {column for found in matches for column in found}
        if all(
            index + 1 in found or index + 1 not in template_headers
            for index, found in enumerate(matches)
        ):
            return Columns(sheet, _template_positions(sheet), "headers")
        first = _embedding(matches, width, leftmost=True)
        last = _embedding(matches, width, leftmost=False)
        if first is not None and first == last:
            return Columns(sheet, first, "headers")
        missing = tuple(
            Missing(
                f"column {sheet.columns[index].label()!r}",
                sheet.name,
                f"{column_letter(index)}{HEADER_ROW}",
                "neither its name nor its header was found",
            )
            for index, found in enumerate(matches)
            if not found
        )
        if missing:
            labels = (sheet.columns[i].label() for i, found in enumerate(matches) if not found)
            why = "no header " + ", ".join(repr(label) for label in labels)
        elif first is None or last is None:
            why = "the headers are not in the spec's order"
        else:
            index = next(i for i in range(count) if first[i] != last[i])
            why = (
                f"{sheet.columns[index].label()!r} could be column "
                f"{column_letter(first[index] - 1)} or {column_letter(last[index] - 1)}"
            )
        return self._not_found(sheet, why, missing)

    @staticmethod
    def _not_found(sheet: TableSheet, why: str, missing: tuple[Missing, ...]) -> Columns:
        return Columns(sheet, _template_positions(sheet), "template", why, missing)

    # ----------------------------------------------------------- History
    def history(self) -> HistoryColumns | None:
        """The History blocks' columns: by the names where row 3 confirms them, else by row 3.

        Row 3 labels each block, so the PE-TTM block starts at the first label
        right of column B; without one the close block runs as far as its codes.
        """
        history: HistorySheet = self.spec.history
        cells = self._sheets(history.name)
        if cells is None:
            return None
        label = next(
            (
                position
                for position in range(3, cells.max_column + 1)
                if not is_blank(cells.get(GROUP_ROW, position))
            ),
            None,
        )
        closes, pes = self._names(HIST_CLOSE_CODES), self._names(HIST_PE_CODES)
        if (
            closes is not None
            and pes is not None
            and closes.sheet == pes.sheet == history.name
            and closes.first_column == 2
            and label is not None
            and pes.first_column == label == closes.last_column + 1
        ):
            close_count, by = closes.last_column - 1, "names"
        elif label is not None:
            close_count, by = label - 2, "labels"
        else:
            close_count, by = run_length(cells, HEADER_ROW, 2, down=False), "labels"
        pe_start = history.pe_start(close_count) + 1
        pe_count = run_length(cells, HEADER_ROW, pe_start, down=False)
        return HistoryColumns(close_count, pe_start, pe_count, by)


def _embedding(matches: list[list[int]], width: int, *, leftmost: bool) -> tuple[int, ...] | None:
    """Columns for the template's headers in order, each as far left (or right) as it can be."""
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
