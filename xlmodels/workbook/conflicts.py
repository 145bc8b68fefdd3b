"""What a regeneration cannot carry: the conflicts that stop a workbook.

Regeneration rewrites a workbook from the spec, carrying its analyst inputs
(:mod:`xlmodels.regenerate.carry`). Anything else a person put in it would
be lost without a word, so it is a conflict, listed with its sheet, its
cell, what was found and what the spec has:

``extra-sheet``
    a sheet of the analyst's own holding what regeneration cannot write
    again (a chart, an image, a pivot table, a table object, comments,
    conditional formatting, data validation...): one conflict for each.
    The rest of such a sheet, and every other sheet of the analyst's own,
    is carried (:mod:`xlmodels.workbook.own_sheets`); a caller that did not
    read the own sheets gets one conflict per sheet the template does not
    have;
``edited-formula``
    a formula cell whose formula differs from the spec's for that row, in
    the workbook's formula mode (case, spaces and Excel's ``_xlfn.``
    prefixes aside);
``value-over-formula``
    a value typed where the spec has a formula, or into a cell an ``SQ_``
    column's formula spills into (a value the formula no longer fills);
``formula-in-input``
    a formula typed in an analyst input cell (only its result would be kept);
``extra-cell``
    content outside every block the template writes (a note beside a table,
    a column added to the right of one);
``unknown-name``
    a defined name the spec does not know that points at content, or holds
    a constant or a formula (names local to an own sheet, or pointing into
    one, are carried with it);
``leaving-company``
    a company no longer in the universe whose row still holds analyst inputs.

A blank cell where the spec has a formula is not a conflict: nothing is
lost, and regeneration writes the formula back. In ``sq`` mode a column an
``SQ_`` function computes is one formula at its first row spilling over the
others (:meth:`~xlmodels.template.schema.Column.spills`): the formula is
checked there, and the other cells need only be filled by it; the
column's formulas written row by row, as an older layout had them, are
accepted too (regeneration loses nothing by spilling them). Data cells (Market,
History) are refreshed from the input files by design and are not checked.
The checks read the workbook with the spec of its own template version, so
an older workbook is checked as its template laid it out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from xlmodels.excel.cells import cell_text, is_blank
from xlmodels.excel.formulas import normalize
from xlmodels.excel.references import cell_name, column_letter
from xlmodels.template.names import (
    HIST_CLOSE,
    HIST_DATE,
    HIST_PE,
    SET_BENCH_ER,
    SET_BENCH_ER_MARKET,
    SET_TIER_LABEL,
    XLWINGS_CONF_SHEET,
)
from xlmodels.template.schema import (
    FORMULA_MODES,
    HEADER_ROW,
    NOTE_ROW,
    TITLE_ROW,
    Column,
    HistorySheet,
    Kind,
    RowContext,
    SettingsSheet,
    SpillContext,
    TableSheet,
    TextSheet,
    WorkbookSpec,
)
from xlmodels.template.v3 import SPEC
from xlmodels.workbook.cell_diff import cell_order
from xlmodels.workbook.identify import DefinedName
from xlmodels.workbook.own_sheets import OwnSheet
from xlmodels.workbook.reader import NamedRange, WorkbookData, named_range
from xlmodels.workbook.stored_cells import CellContent, SheetCells

__all__ = [
    "Conflict",
    "ConflictKind",
    "find_conflicts",
    "leaving_conflicts",
    "spec_names",
]

Cells = Mapping[str, Mapping[str, CellContent]]

#: Prefixes of names Excel defines itself (print titles, filters, newer functions).
_EXCEL_NAMES = ("_xlnm.", "_xlfn.", "_xlws.", "_xlpm.", "_xludf.")
#: Blocks under the Settings list, and the History blocks: names every template has.
_BLOCK_NAMES = (SET_BENCH_ER_MARKET, SET_BENCH_ER, SET_TIER_LABEL)


class ConflictKind(StrEnum):
    """Why a workbook cannot be regenerated without losing something."""

    EXTRA_SHEET = "extra-sheet"
    EDITED_FORMULA = "edited-formula"
    VALUE_OVER_FORMULA = "value-over-formula"
    FORMULA_IN_INPUT = "formula-in-input"
    EXTRA_CELL = "extra-cell"
    UNKNOWN_NAME = "unknown-name"
    LEAVING_COMPANY = "leaving-company"


@dataclass(frozen=True)
class Conflict:
    """Something the spec cannot carry, where it is, what was found and what the spec has."""

    kind: ConflictKind
    sheet: str
    cell: str
    found: str
    spec: str

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def line(self) -> str:
        return f"{self.where} ({self.kind}): found {self.found}; the spec has {self.spec}"

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": str(self.kind),
            "sheet": self.sheet,
            "cell": self.cell,
            "found": self.found,
            "spec": self.spec,
        }


def spec_names(spec: WorkbookSpec) -> set[str]:
    """Every defined name a workbook of ``spec`` holds."""
    names = {
        sheet.range_name(column.key) for sheet in spec.table_sheets() for column in sheet.columns
    }
    names |= {item.name for item in spec.settings.settings}
    names |= set(spec.settings.blocks(1, 1).names(spec.settings.name))
    names |= set(spec.history.names(1, 1, 1))
    return names


def _typed(cell: CellContent | None) -> bool:
    """Whether a cell holds something: a formula, or a value that is not empty text."""
    if cell is None:
        return False
    if cell.formula is not None:
        return True
    return not is_blank(cell.value)


def _shown(value: Any) -> str:
    return cell_text(value, limit=78)


class _Checker:
    """The checks of one workbook, read with the spec of its template version."""

    def __init__(
        self,
        spec: WorkbookSpec,
        data: WorkbookData,
        cells: Cells,
        defined: list[DefinedName],
        mode: str | None,
        own: Sequence[OwnSheet] | None = None,
    ) -> None:
        self.spec = spec
        self.own = {sheet.name: sheet for sheet in own} if own is not None else None
        self.data = data
        self.cells = cells
        self.defined = defined
        self.names: dict[str, NamedRange] = data.names
        # A workbook that does not say its mode is checked against both dialects.
        self.modes = (mode,) if mode in FORMULA_MODES else FORMULA_MODES

    # ------------------------------------------------------------------ helpers
    def _cell(self, sheet: str, reference: str) -> CellContent | None:
        return self.cells.get(sheet, {}).get(reference)

    def _column_cells(self, sheet: str) -> Callable[[int, int], CellContent | None]:
        """The cell at a 1-based (row, column) of a sheet, None where it holds nothing."""
        cells = self.cells.get(sheet, {})
        if isinstance(cells, SheetCells):
            return cells.at  # no reference to spell and parse again, cell by cell
        return lambda row, column: cells.get(cell_name(row, column))

    def _formula(self, sheet: str, reference: str, expected: list[str]) -> Iterator[Conflict]:
        yield from self._formula_in(sheet, reference, self._cell(sheet, reference), expected)

    def _formula_in(
        self, sheet: str, reference: str, cell: CellContent | None, expected: list[str]
    ) -> Iterator[Conflict]:
        if not _typed(cell):
            return
        assert cell is not None
        if cell.formula in expected:
            return  # as written: no need to compare them normalised
        if cell.formula is None:
            yield Conflict(
                ConflictKind.VALUE_OVER_FORMULA,
                sheet,
                reference,
                f"the typed value {_shown(cell.value)}",
                f"the formula {expected[0]}",
            )
        elif normalize(cell.formula) not in {normalize(f) for f in expected}:
            yield Conflict(
                ConflictKind.EDITED_FORMULA,
                sheet,
                reference,
                f"the formula {cell.formula}",
                f"the formula {expected[0]}",
            )

    def _spilled_column(
        self, table: TableSheet, column: Column, block: NamedRange
    ) -> Iterator[Conflict]:
        """A column written as one spilled formula: the formula at its first row, results below."""
        letter = column_letter(block.first_column)
        context = SpillContext(
            self.spec, table, block.first_row, rows=block.last_row - block.first_row + 1
        )
        spilled = column.spill_formula(context)
        anchor = f"{letter}{block.first_row}"
        at = self._column_cells(table.name)
        for row in range(block.first_row, block.last_row + 1):
            cell = at(row, block.first_column)
            if not _typed(cell):
                continue
            assert cell is not None
            if cell.spilled_from == anchor:
                continue  # a result of the column's formula
            reference = f"{letter}{row}"
            if cell.spill is not None:
                yield from self._formula_in(
                    table.name,
                    reference,
                    cell,
                    [spilled] if row == block.first_row else [f"{spilled} (at {anchor})"],
                )
                continue
            per_row = [
                column.formula_for(mode, RowContext(self.spec, table, row)) for mode in self.modes
            ]
            if cell.formula is not None:
                first = [spilled] if row == block.first_row else []
                yield from self._formula_in(table.name, reference, cell, [*first, *per_row])
            else:
                yield Conflict(
                    ConflictKind.VALUE_OVER_FORMULA,
                    table.name,
                    reference,
                    f"the typed value {_shown(cell.value)}",
                    f"a result of the formula {spilled} at {anchor}"
                    if row != block.first_row
                    else f"the formula {spilled}",
                )

    def _input(self, sheet: str, reference: str) -> Iterator[Conflict]:
        yield from self._input_in(sheet, reference, self._cell(sheet, reference))

    def _input_in(self, sheet: str, reference: str, cell: CellContent | None) -> Iterator[Conflict]:
        if cell is not None and cell.formula is not None:
            yield Conflict(
                ConflictKind.FORMULA_IN_INPUT,
                sheet,
                reference,
                f"the formula {cell.formula} (only its result {_shown(cell.value)} would be kept)",
                "an analyst input (a typed value)",
            )

    # ------------------------------------------------------------------- checks
    def sheets(self) -> Iterator[Conflict]:
        known = set(self.spec.sheet_names())
        # A chart sheet has no cells: only the own sheets list it.
        names = [
            *self.data.sheet_names,
            *(n for n in self.own or {} if n not in self.data.sheet_names),
        ]
        for name in names:
            if name in known:
                continue
            if self.own is not None and name in self.own:
                if name.casefold() in {sheet.casefold() for sheet in SPEC.sheet_names()}:
                    yield Conflict(
                        ConflictKind.EXTRA_SHEET,
                        name,
                        "",
                        "a sheet of your own named like a sheet of the current template",
                        "the template's own sheet of that name: rename yours",
                    )
                for part in self.own[name].uncarried:
                    yield Conflict(
                        ConflictKind.EXTRA_SHEET,
                        name,
                        "",
                        f"{part} on a sheet of your own",
                        "what a regenerated sheet of your own can hold: cells, formats, "
                        "merged cells, widths, names, validation, comments and links",
                    )
            else:
                count = sum(1 for cell in self.cells.get(name, {}).values() if _typed(cell))
                yield Conflict(
                    ConflictKind.EXTRA_SHEET,
                    name,
                    "",
                    f"a sheet the template does not have ({count} non-empty "
                    f"cell{'s' if count != 1 else ''})",
                    f"only the sheets {', '.join(self.spec.sheet_names())}",
                )

    def tables(self) -> Iterator[Conflict]:
        for table in self.spec.table_sheets():
            for column in table.columns:
                block = self.names.get(table.range_name(column.key))
                if block is None or block.sheet != table.name:
                    continue
                if any(column.spills(mode) for mode in self.modes):
                    yield from self._spilled_column(table, column, block)
                    continue
                if column.kind not in (Kind.FORMULA, Kind.INPUT):
                    continue
                letter = column_letter(block.first_column)
                at = self._column_cells(table.name)
                for row in range(block.first_row, block.last_row + 1):
                    cell = at(row, block.first_column)
                    if column.kind is Kind.INPUT:
                        yield from self._input_in(table.name, f"{letter}{row}", cell)
                    elif _typed(cell):  # an empty cell conflicts with no formula
                        context = RowContext(self.spec, table, row)
                        expected = [column.formula_for(mode, context) for mode in self.modes]
                        yield from self._formula_in(table.name, f"{letter}{row}", cell, expected)

    def settings(self) -> Iterator[Conflict]:
        sheet = self.spec.settings
        for item in sheet.settings:
            block = self.names.get(item.name)
            if block is None or block.sheet != sheet.name:
                continue
            reference = block.cell()
            if item.formula is not None:
                context = RowContext(self.spec, None, block.first_row)
                expected = [item.formula.build(mode, context) for mode in self.modes]
                yield from self._formula(sheet.name, reference, expected)
            elif item.kind is Kind.INPUT:
                yield from self._input(sheet.name, reference)
        block = self.names.get(SET_BENCH_ER)
        if block is not None and block.sheet == sheet.name:
            for offset in range(block.last_row - block.first_row + 1):
                yield from self._input(sheet.name, block.cell(offset))

    def _regions(self) -> dict[str, Callable[[int], int]]:
        """For each template sheet whose layout is known, how many leading columns of a row
        the template writes (every sheet's region is such a run of columns from A)."""
        regions: dict[str, Callable[[int], int]] = {}
        for sheet in self.spec.sheets:
            if isinstance(sheet, TableSheet):
                region = self._table_region(sheet)
            elif isinstance(sheet, SettingsSheet):
                region = self._settings_region(sheet)
            elif isinstance(sheet, HistorySheet):
                region = self._history_region(sheet)
            else:
                region = self._text_region(sheet)
            if region is not None:
                regions[sheet.name] = region
        return regions

    def _table_region(self, sheet: TableSheet) -> Callable[[int], int] | None:
        codes = self.names.get(sheet.range_name("code"))
        if codes is None:
            return None
        width = len(sheet.columns)
        first, last = codes.first_row, codes.last_row

        def owned(row: int) -> int:
            if row in (TITLE_ROW, NOTE_ROW):
                return 1
            return width if row == HEADER_ROW or first <= row <= last else 0

        return owned

    def _settings_region(self, sheet: SettingsSheet) -> Callable[[int], int] | None:
        rows = [
            self.names[item.name].first_row for item in sheet.settings if item.name in self.names
        ]
        if not rows:
            return None
        spans = [(HEADER_ROW, HEADER_ROW), (min(rows), max(rows))]
        for name in _BLOCK_NAMES:
            block = self.names.get(name)
            if block is not None:
                spans.append((block.first_row - 1, block.last_row))  # with the header row above

        def owned(row: int) -> int:
            if row == TITLE_ROW:
                return 1
            return 3 if any(low <= row <= high for low, high in spans) else 0

        return owned

    def _history_region(self, sheet: HistorySheet) -> Callable[[int], int] | None:
        dates = self.names.get(HIST_DATE)
        blocks = [self.names.get(name) for name in (HIST_CLOSE, HIST_PE)]
        if dates is None or any(block is None for block in blocks):
            return None
        width = max(block.last_column for block in blocks if block is not None)
        last = dates.last_row

        def owned(row: int) -> int:
            if row in (TITLE_ROW, NOTE_ROW):
                return 1
            return width if row <= last else 0

        return owned

    def _text_region(self, sheet: TextSheet) -> Callable[[int], int]:
        if sheet.name == XLWINGS_CONF_SHEET:
            # The add-in's own settings (an interpreter path...) typed under the
            # UDF entry are the user's, not the template's.
            return lambda row: 2 if row == 1 else 0
        return lambda row: 1

    def _outside(self, name: str, owned: Callable[[int], int]) -> Iterator[tuple[str, CellContent]]:
        """(reference, cell) of the cells of a sheet right of the columns its rows own, in order."""
        cells = self.cells.get(name, {})
        if isinstance(cells, SheetCells):
            # Row by row from the grid: a row's owned columns are skipped unread.
            for row in range(1, cells.height + 1):
                for column, cell in cells.row_cells(row, owned(row)):
                    yield cell_name(row, column), cell
            return
        for reference, cell in sorted(cells.items(), key=lambda item: cell_order(item[0])):
            row, column = cell_order(reference)
            if column > owned(row):
                yield reference, cell

    def extra_cells(self) -> Iterator[Conflict]:
        for name, owned in self._regions().items():
            for reference, cell in self._outside(name, owned):
                if not _typed(cell):
                    continue
                found = cell.formula if cell.formula is not None else _shown(cell.value)
                yield Conflict(
                    ConflictKind.EXTRA_CELL,
                    name,
                    reference,
                    found,
                    "nothing in this cell",
                )

    def _content_in(self, block: NamedRange) -> bool:
        cells = self.cells.get(block.sheet, {})
        if isinstance(cells, SheetCells):
            return cells.any_in(
                block.first_row, block.first_column, block.last_row, block.last_column
            )
        for reference, cell in cells.items():
            row, column = cell_order(reference)
            if (
                block.first_row <= row <= block.last_row
                and block.first_column <= column <= block.last_column
                and _typed(cell)
            ):
                return True
        return False

    def defined_names(self) -> Iterator[Conflict]:
        known = spec_names(self.spec)
        for defined in self.defined:
            if defined.name.startswith(_EXCEL_NAMES) or (
                defined.scope is None and defined.name in known
            ):
                continue
            if "#REF!" in defined.text.upper():
                continue  # it names nothing any more
            block = named_range(defined.name, defined.text)
            if block is not None and not self._content_in(block):
                continue
            if self.own is not None and (
                defined.scope in self.own or (block is not None and block.sheet in self.own)
            ):
                continue  # carried with the sheet of your own
            scope = f" (local to {defined.scope})" if defined.scope else ""
            sheet = block.sheet if block is not None else (defined.scope or "(workbook)")
            yield Conflict(
                ConflictKind.UNKNOWN_NAME,
                sheet,
                "" if block is None else _range_text(block),
                f"the defined name {defined.name}{scope} = {defined.text}",
                "no such name",
            )


def _range_text(block: NamedRange) -> str:
    first = block.cell()
    last = block.cell(block.last_row - block.first_row, block.last_column - block.first_column)
    return first if first == last else f"{first}:{last}"


def find_conflicts(
    spec: WorkbookSpec,
    data: WorkbookData,
    cells: Cells,
    defined: list[DefinedName],
    own: Sequence[OwnSheet] | None = None,
) -> list[Conflict]:
    """Everything in a workbook that regenerating it from ``spec`` would lose.

    Parameters
    ----------
    spec : WorkbookSpec
        The spec of the workbook's own template version.
    data : WorkbookData
        The workbook read with ``spec``.
    cells : dict
        Every cell of the workbook (:func:`~xlmodels.workbook.stored_cells.read_cells`).
    defined : list of DefinedName
        Every defined name, workbook- and sheet-level.
    own : list of OwnSheet, optional
        The sheets the template does not have, as
        :func:`~xlmodels.workbook.own_sheets.read_own_sheets` read them:
        only what they cannot carry is a conflict. Without them, every
        such sheet is one.
    """
    checker = _Checker(spec, data, cells, defined, data.formula_mode, own)
    return [
        *checker.sheets(),
        *checker.tables(),
        *checker.settings(),
        *checker.extra_cells(),
        *checker.defined_names(),
    ]


def leaving_conflicts(
    spec: WorkbookSpec,
    data: WorkbookData,
    cells: Cells,
    leaving: Mapping[str, Mapping[str, Any]],
) -> list[Conflict]:
    """One conflict per company leaving the universe with analyst inputs in its row."""
    estimates = spec.by_prefix("est")
    block = data.names.get(estimates.range_name("code"))
    rows: dict[str, str] = {}
    if block is not None:
        letter = column_letter(block.first_column)
        stored = cells.get(block.sheet, {})
        for row in range(block.first_row, block.last_row + 1):
            cell = stored.get(f"{letter}{row}")
            if cell is not None and cell.value not in (None, ""):
                rows.setdefault(str(cell.value).strip(), f"{letter}{row}")
    conflicts = []
    for code, inputs in leaving.items():
        typed = ", ".join(f"{key} {_shown(value)}" for key, value in inputs.items())
        conflicts.append(
            Conflict(
                ConflictKind.LEAVING_COMPANY,
                estimates.name,
                rows.get(code, ""),
                f"analyst inputs for {code} ({typed})",
                f"no row for {code}: it is no longer in the coverage group's universe",
            )
        )
    return conflicts
