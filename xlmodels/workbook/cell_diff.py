"""Cell-by-cell differences between a workbook and its regeneration.

Two cells are the same when they hold the same formula (or both none) and
the same stored value. Formulas are compared as Excel reads them, case,
spaces and its ``_xlfn.`` prefixes aside, exactly as the validator compares
them (:func:`xlmodels.excel.formulas.normalize`): a workbook saved by
Excel or LibreOffice is not "changed" for spelling its formulas its own
way. Numbers are compared to twelve significant digits, so
the last bit of a cached result recomputed elsewhere is not a change.
Changes are listed sheet by sheet in the regenerated workbook's tab order
(sheets only the old workbook has come last), then row by row.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from xlmodels.excel.cells import cell_text, is_blank
from xlmodels.excel.formulas import normalize
from xlmodels.excel.references import cell_name, cell_position
from xlmodels.workbook.stored_cells import CellContent, SheetCells

__all__ = [
    "CellChange",
    "cell_order",
    "changes_by_sheet",
    "diff_cells",
    "json_value",
]

Cells = Mapping[str, Mapping[str, CellContent]]


@dataclass(frozen=True)
class CellChange:
    """One cell that regeneration changes: what it holds now and what it will hold."""

    sheet: str
    cell: str
    old: Any = None
    new: Any = None
    old_formula: str | None = None
    new_formula: str | None = None
    spilled_from: str | None = None  # both cells are results of the formula in this cell

    @staticmethod
    def _shown(value: Any, formula: str | None) -> str:
        if formula is not None:
            return f"{formula} -> {_text(value)}"
        return _text(value)

    @property
    def old_text(self) -> str:
        """The old content as a person reads it (a formula with its result)."""
        return self._shown(self.old, self.old_formula)

    @property
    def new_text(self) -> str:
        return self._shown(self.new, self.new_formula)

    @property
    def same_formula(self) -> bool:
        """A formula cell whose formula stays and whose result changes.

        A cell a formula spills into, in both workbooks from the same cell,
        is one too: its result changes, its formula (elsewhere) may not.
        """
        if self.spilled_from is not None:
            return True
        return self.old_formula is not None and self.old_formula == self.new_formula

    @property
    def old_value_text(self) -> str:
        """The old value (the cached result for a formula) without the formula."""
        return _text(self.old)

    @property
    def new_value_text(self) -> str:
        return _text(self.new)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "cell": self.cell,
            "old": json_value(self.old),
            "new": json_value(self.new),
            "old_formula": self.old_formula,
            "new_formula": self.new_formula,
            "spilled_from": self.spilled_from,
        }


def _text(value: Any) -> str:
    # A cell of spaces is content here (see _empty): only "" reads as empty.
    if isinstance(value, str) and value and not value.strip():
        return repr(value)
    return cell_text(value, blank="(empty)")


def json_value(value: Any) -> Any:
    """A stored value as JSON can hold it (dates as ISO text, empty as null)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return str(value) if isinstance(value, dt.timedelta) else value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def cell_order(reference: str) -> tuple[int, int]:
    """Sort key of an A1 reference: row, then column."""
    try:
        return cell_position(reference)
    except ValueError:
        return (0, 0)


def _empty(cell: CellContent | None) -> bool:
    """Whether a cell holds nothing at all: no formula and a blank value.

    Stricter than :func:`~xlmodels.excel.cells.is_blank` for text: a cell of
    spaces is content a person typed, so a diff shows it appear or go.
    """
    if cell is None:
        return True
    if cell.formula is not None:
        return False
    value = cell.value
    return value == "" if isinstance(value, str) else is_blank(value)


def _same_value(first: Any, second: Any) -> bool:
    if first is None:
        first = ""
    if second is None:
        second = ""
    number = (int, float)
    if (
        isinstance(first, number)
        and isinstance(second, number)
        and not isinstance(first, bool)
        and not isinstance(second, bool)
    ):
        if math.isnan(first) or math.isnan(second):
            return math.isnan(first) and math.isnan(second)
        return math.isclose(first, second, rel_tol=1e-12, abs_tol=0.0)
    return type(first) is type(second) and bool(first == second)


def _same(first: CellContent | None, second: CellContent | None) -> bool:
    if _empty(first) and _empty(second):
        return True
    if first is None or second is None:
        return False
    if (first.formula is None) != (second.formula is None):
        return False
    if (
        first.formula is not None
        and second.formula is not None
        and normalize(first.formula) != normalize(second.formula)
    ):
        return False
    return _same_value(first.value, second.value)


def _change(
    sheet: str, reference: str, first: CellContent | None, second: CellContent | None
) -> CellChange:
    spilled = None
    if first is not None and second is not None and first.spilled_from is not None:
        spilled = first.spilled_from if first.spilled_from == second.spilled_from else None
    return CellChange(
        sheet,
        reference,
        None if first is None else first.value,
        None if second is None else second.value,
        None if first is None else first.formula,
        None if second is None else second.formula,
        spilled,
    )


def _same_rows(first: list[Any], second: list[Any]) -> bool:
    """Whether two rows of values are the same without looking cell by cell.

    Equal lists of values of equal types are the same cells (``True == 1.0``
    would pass the first test alone), whatever empty cells end either row;
    anything else is compared cell by cell. A row a regeneration kept from
    the old workbook (:class:`~xlmodels.workbook.built_cells.BuiltCells`) is
    the very same list on both sides.
    """
    if first is second:
        return True
    if len(first) != len(second):
        short, long = sorted((first, second), key=len)
        if any(value != "" for value in long[len(short) :]):
            return False
        first, second = short, long[: len(short)]
    return first == second and list(map(type, first)) == list(map(type, second))


def _grid_changes(sheet: str, before: SheetCells, after: SheetCells) -> list[CellChange]:
    """The changes of one sheet read on both sides as grids: linear, row by row, in order."""
    changes: list[CellChange] = []
    empty: list[Any] = []
    for row in range(1, max(before.height, after.height) + 1):
        old_formulas, new_formulas = before.row_formulas(row), after.row_formulas(row)
        old_row = before.rows[row - 1] if row <= len(before.rows) else empty
        new_row = after.rows[row - 1] if row <= len(after.rows) else empty
        if old_formulas == new_formulas and _same_rows(old_row, new_row):
            continue
        columns = {*old_formulas, *new_formulas, *range(1, max(len(old_row), len(new_row)) + 1)}
        for column in sorted(columns):
            first, second = before.at(row, column), after.at(row, column)
            if not _same(first, second):
                changes.append(_change(sheet, cell_name(row, column), first, second))
    return changes


def diff_cells(old: Cells, new: Cells) -> list[CellChange]:
    """Every cell whose formula or stored value differs between ``old`` and ``new``.

    Sheets read as grids on both sides (:class:`~xlmodels.workbook.stored_cells.SheetCells`)
    are compared row by row, an unchanged row at once; any other mapping
    cell by cell. Either way the work grows with the cells, never faster.
    """
    sheets = [*new, *(name for name in old if name not in new)]
    changes: list[CellChange] = []
    empty: dict[str, CellContent] = {}
    for sheet in sheets:
        before, after = old.get(sheet, empty), new.get(sheet, empty)
        if isinstance(before, SheetCells) and isinstance(after, SheetCells):
            changes += _grid_changes(sheet, before, after)
            continue
        # Only the changed cells are put in order: a refresh changes few of a sheet's cells.
        changed = [
            reference
            for reference in {*before, *after}
            if not _same(before.get(reference), after.get(reference))
        ]
        for reference in sorted(changed, key=cell_order):
            changes.append(_change(sheet, reference, before.get(reference), after.get(reference)))
    return changes


def changes_by_sheet(changes: Iterable[CellChange]) -> dict[str, int]:
    """Number of changed cells per sheet, in the order the changes list them."""
    counts = Counter(change.sheet for change in changes)
    return dict(counts)
