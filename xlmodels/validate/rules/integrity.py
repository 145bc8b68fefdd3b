"""Integrity rules: the workbook computes what it claims to, and nothing else runs in it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from defusedxml.ElementTree import fromstring

from xlmodels.excel.formulas import (
    error_literals,
    external_reference,
    normalize,
    relative_shape,
)
from xlmodels.template.schema import FIRST_DATA_ROW, Kind, RowContext
from xlmodels.template.v3 import SPEC
from xlmodels.validate.context import WorkbookContext
from xlmodels.validate.findings import Severity
from xlmodels.validate.layout import TableRows, cell_name, row_context, spill_context
from xlmodels.validate.loading import CellError, LoadedSheet, is_blank
from xlmodels.validate.rule import Hit, rule
from xlmodels.validate.values import describe

_MODES = ("sq", "native")

#: What each error value means and what to do about it: the fix of a finding
#: names the errors its cell shows or its formula holds, not #REF! alone.
_ERROR_HINTS = {
    "#REF!": "#REF! means the formula refers to cells that were deleted: restore them or "
    "rewrite the reference (xlmodels regenerate rewrites every spec formula).",
    "#DIV/0!": "#DIV/0! means a division by zero or by an empty cell: fill in the input "
    "the formula divides by (a close, an EPS, a share count), or correct the formula.",
    "#N/A": "#N/A means a lookup found nothing: check that the code or date it looks up is "
    "on the sheet it looks in (Market, Estimates, History), spelled the same.",
    "#NAME?": "#NAME? means an unknown function or name: SQ_ functions need the xlwings "
    "add-in (or a workbook with native formulas: xlmodels regenerate --formulas native); "
    "otherwise check the spelling of the function or the named range.",
    "#VALUE!": "#VALUE! means a value of the wrong kind: look for text (a number typed as "
    "text, 'n/a') in the cells the formula reads.",
    "#NUM!": "#NUM! means a number out of range (too large, or no valid result): check the "
    "inputs the formula reads.",
    "#NULL!": "#NULL! means two ranges that do not meet (a space where a comma or a colon "
    "belongs): correct the formula's ranges.",
    "#SPILL!": "#SPILL! means an array result has no room: clear the cells it spills into.",
}
_OTHER_ERRORS = (
    "Recalculate the workbook in a current Excel; if the error stays, repair the formula or "
    "the input it reads."
)


@rule(
    "integrity.error-value",
    Severity.ERROR,
    "A cell shows an error value (#REF!, #DIV/0!, #N/A, #NAME?, #VALUE!...) or its "
    "formula contains one.",
    "Repair the formula or the input it reads; each finding says what its error value means.",
)
def error_value(context: WorkbookContext) -> Iterator[Hit]:
    for sheet in context.book.sheets.values():
        positions: dict[tuple[int, int], list[str]] = {}
        codes: dict[tuple[int, int], list[str]] = {}
        for (row, column), formula in sheet.formulas.items():
            literals = list(dict.fromkeys(error_literals(formula)))
            if literals:
                positions.setdefault((row, column), []).append(
                    f"its formula contains {', '.join(literals)} ({formula})"
                )
                codes.setdefault((row, column), []).extend(literals)
        for (row, column), value in sheet.errors.items():
            positions.setdefault((row, column), []).insert(0, f"shows {value.code}")
            codes.setdefault((row, column), []).insert(0, value.code)
        for position, parts in sorted(positions.items()):
            yield Hit(
                "; ".join(parts),
                sheet.name,
                cell_name(*position),
                fix=error_hint(codes[position]),
            )


def error_hint(codes: list[str]) -> str:
    """The fix for a cell holding these error values, each explained once."""
    hints = [_ERROR_HINTS.get(code.upper(), _OTHER_ERRORS) for code in dict.fromkeys(codes)]
    return " ".join(dict.fromkeys(hints))


@lru_cache(maxsize=65536)
def _expected(sheet: str, key: str, row: int, positions: tuple[int, ...]) -> tuple[str, ...]:
    """Normalized spec formulas (both dialects) of a table column's cell.

    ``positions`` are the table's columns as found, so that formulas Excel
    rewrote when a column was inserted compare equal to the spec's.
    """
    table = SPEC.sheet(sheet)
    column = table.column(key)
    context = row_context(table, row, positions)
    return tuple(normalize(column.formula_for(mode, context)) for mode in _MODES)


@lru_cache(maxsize=256)
def _expected_setting(key: str) -> tuple[str, ...]:
    setting = SPEC.settings.setting(key)
    assert setting.formula is not None
    row = SPEC.settings.row_of(key)
    context = RowContext(SPEC, None, row)
    return tuple(normalize(setting.formula.build(mode, context)) for mode in _MODES)


@lru_cache(maxsize=4096)
def _expected_spill(sheet: str, key: str, rows: int, positions: tuple[int, ...]) -> str:
    """Normalized spec formula of a spilled column over ``rows`` rows, columns as found."""
    table = SPEC.sheet(sheet)
    context = spill_context(table, FIRST_DATA_ROW, rows, positions)
    return normalize(table.column(key).spill_formula(context))


def _formula_columns(table: TableRows) -> Iterator[tuple[str, int]]:
    for column in table.spec.columns_of(Kind.FORMULA):
        yield column.key, table.column(column.key)


def _spilled(table: TableRows, column: int) -> bool:
    """Whether the column's first row holds an array formula: its rows are its spill's."""
    return (table.first, column) in table.data.arrays


def _spill_span(table: TableRows) -> int:
    return max(table.last, table.first) - table.first + 1


def _formula_settings() -> Iterator[str]:
    for setting in SPEC.settings.settings:
        if setting.kind is Kind.FORMULA and setting.formula is not None:
            yield setting.key


@rule(
    "integrity.formula-overwritten",
    Severity.ERROR,
    "A value is typed, or nothing is left, where the spec has a formula.",
    "Restore the formula (xlmodels regenerate rewrites every formula cell); change inputs "
    "on the Estimates, Market or Settings sheets instead.",
    spec=True,
)
def formula_overwritten(context: WorkbookContext) -> Iterator[Hit]:
    layout = context.layout
    for table in layout.located.values():
        for key, column in _formula_columns(table):
            if _spilled(table, column):
                continue  # integrity.spill checks the cells a formula spills into
            label = table.spec.column(key).label()
            for row in table.rows:
                if (row, column) in table.data.formulas:
                    continue
                value = table.data.get(row, column)
                where = f"column {label!r} of {table.key_of(row)}"
                if is_blank(value):
                    message = f"is empty where the spec has a formula ({where})"
                else:
                    message = (
                        f"holds the typed value {describe(value)} where the spec has a "
                        f"formula ({where})"
                    )
                yield Hit(message, table.spec.name, cell_name(row, column))
    if layout.settings is None:
        return
    for key in _formula_settings():
        sheet, cell = layout.setting_location(key)
        data = context.book.sheets.get(sheet)
        if data is None:
            continue
        row, column = _position(cell)
        if (row, column) not in data.formulas:
            value = data.get(row, column)
            state = "is empty" if is_blank(value) else f"holds the typed value {describe(value)}"
            yield Hit(f"setting {key!r} {state} where the spec has a formula", sheet, cell)


def _position(cell: str) -> tuple[int, int]:
    from openpyxl.utils.cell import coordinate_to_tuple

    return coordinate_to_tuple(cell)


@rule(
    "integrity.inconsistent-formula",
    Severity.ERROR,
    "A formula differs in shape (relative R1C1 form) from the rest of its column, or "
    "from the spec's formula for its row in either dialect.",
    "Copy the column's formula back into the cell (or run xlmodels regenerate); a "
    "deliberate exception belongs in an input cell, with a note.",
)
def inconsistent_formula(context: WorkbookContext) -> Iterator[Hit]:
    spec_columns: dict[str, set[int]] = {}
    if context.spec_applies:
        for table in context.layout.located.values():
            columns = spec_columns.setdefault(table.spec.name, set())
            for key, column in _formula_columns(table):
                columns.add(column)
                yield from _against_spec(table, key, column)
            columns.update(table.column(c.key) for c in table.spec.columns_of(Kind.INPUT))
        yield from _settings_against_spec(context)
    table_names = {table.name for table in SPEC.table_sheets()}
    for sheet in context.book.sheets.values():
        if sheet.name == SPEC.settings.name and context.spec_applies:
            continue  # a list of different settings, not a table
        skip = spec_columns.get(sheet.name, set())
        first = FIRST_DATA_ROW if sheet.name in table_names else 1
        yield from _against_neighbours(sheet, skip, first)


def _against_spec(table: TableRows, key: str, column: int) -> Iterator[Hit]:
    """Cells whose formula is neither dialect of the spec's for their row.

    A few such cells among many are each reported; when most of the column
    is off the spec (a formula edited and filled down), it is one finding
    for the range, since the cells agree with each other in shape.
    """
    label = table.spec.column(key).label()
    off_spec: list[int] = []
    shapes: Counter[str] = Counter()
    for row, array in _arrays_off_spec(table, key, column):
        spilled = table.spec.column(key).spill_formula(table.spill_context())
        where = "" if row == table.first else f" at {cell_name(table.first, column)}"
        yield Hit(
            f"formula {array} differs from the spec's formula spilled over column "
            f"{label!r} ({spilled}{where})",
            table.spec.name,
            cell_name(row, column),
        )
    for row in table.rows:
        formula = table.data.formulas.get((row, column))
        if formula is None or (row, column) in table.data.arrays:
            continue  # integrity.formula-overwritten reports it, or it was checked above
        if normalize(formula) not in _expected(table.spec.name, key, row, table.positions):
            off_spec.append(row)
            shapes[relative_shape(formula, row, column)] += 1
    if not off_spec:
        return
    total = sum(
        1
        for row in table.rows
        if (row, column) in table.data.formulas and (row, column) not in table.data.arrays
    )
    if len(off_spec) * 2 < total or (len(off_spec) == 1 and total > 1):
        for row in off_spec:
            formula = table.data.formulas[(row, column)]
            expected = table.spec.column(key).formula_for("sq", table.row_context(row))
            yield Hit(
                f"formula {formula} differs from the rest of column {label!r} and from the "
                f"spec's formula for this row ({expected}, or its native form)",
                table.spec.name,
                cell_name(row, column),
            )
        return
    first, last = off_spec[0], off_spec[-1]
    formula = table.data.formulas[(first, column)]
    expected = table.spec.column(key).formula_for("sq", table.row_context(first))
    where = cell_name(first, column) + (f":{cell_name(last, column)}" if last != first else "")
    agreeing = "all in one shape" if len(shapes) == 1 else f"in {len(shapes)} shapes"
    yield Hit(
        f"{len(off_spec)} of {total} formulas of column {label!r} differ from the spec "
        f"({agreeing}): {formula} where the spec has {expected} (or its native form)",
        table.spec.name,
        where,
    )


def _arrays_off_spec(table: TableRows, key: str, column: int) -> Iterator[tuple[int, str]]:
    """Array formulas of a spec column that are not its spilled formula at its first row."""
    spec_column = table.spec.column(key)
    formulas = table.data.formulas
    # The sheet's few array formulas, not all its formulas, in the order of their rows.
    for row, where in sorted(table.data.arrays):
        if where != column or (row, column) not in formulas or row < table.first:
            continue
        formula = formulas[row, column]
        if (
            row == table.first
            and spec_column.formula is not None
            and spec_column.formula.spill is not None
            and normalize(formula)
            == _expected_spill(table.spec.name, key, _spill_span(table), table.positions)
        ):
            continue
        yield row, formula


@rule(
    "integrity.spill",
    Severity.ERROR,
    "A column computed by one spilled formula is not filled by it: the formula spills over "
    "other rows than the table's, or a cell of the column holds a typed value instead of "
    "the formula's result.",
    "Regenerate the workbook (xlmodels regenerate writes each spilled formula over the "
    "table's rows); clear a value typed into a spilled column: change inputs on the "
    "Estimates, Market or Settings sheets instead.",
    spec=True,
)
def spill(context: WorkbookContext) -> Iterator[Hit]:
    for table in context.layout.located.values():
        last = max(table.last, table.first)
        for key, column in _formula_columns(table):
            block = table.data.arrays.get((table.first, column))
            if block is None:
                continue
            label = table.spec.column(key).label()
            anchor = cell_name(table.first, column)
            expected = (table.first, column, last, column)
            if block != expected:
                shown = f"{cell_name(block[0], block[1])}:{cell_name(block[2], block[3])}"
                yield Hit(
                    f"the formula of column {label!r} spills over {shown}, not over the "
                    f"table's rows {anchor}:{cell_name(last, column)}",
                    table.spec.name,
                    anchor,
                )
            # #SPILL!: something in its range blocks the formula, which fills none of it.
            shown = table.data.get(table.first, column)
            blocked = isinstance(shown, CellError) and shown.code.upper() == "#SPILL!"
            for row in range(table.first + 1, last + 1):
                inside = block[0] <= row <= block[2] and block[1] <= column <= block[3]
                value = table.data.get(row, column)
                if (row, column) in table.data.formulas or is_blank(value):
                    continue  # a formula there is integrity.inconsistent-formula's
                if inside and not blocked:
                    continue  # a result of the spill
                yield Hit(
                    f"holds the typed value {describe(value)} where column {label!r} shows "
                    f"the results of the formula at {anchor} ({table.key_of(row)})",
                    table.spec.name,
                    cell_name(row, column),
                )


def _settings_against_spec(context: WorkbookContext) -> Iterator[Hit]:
    for key in _formula_settings():
        sheet, cell = context.layout.setting_location(key)
        data = context.book.sheets.get(sheet)
        if data is None:
            continue
        formula = data.formulas.get(_position(cell))
        if formula is not None and normalize(formula) not in _expected_setting(key):
            yield Hit(f"setting {key!r} has the formula {formula}, not the spec's", sheet, cell)


def _against_neighbours(sheet: LoadedSheet, skip: set[int], first_row: int) -> Iterator[Hit]:
    """Excel's own test: a formula unlike the two formulas around it, which agree."""
    by_column: dict[int, dict[int, str]] = {}
    for (row, column), formula in sheet.formulas.items():
        if column not in skip and row >= first_row:
            by_column.setdefault(column, {})[row] = formula
    for column, formulas in sorted(by_column.items()):
        if len(formulas) < 3:
            continue
        shapes = {row: relative_shape(text, row, column) for row, text in formulas.items()}
        for row, shape in sorted(shapes.items()):
            above, below = shapes.get(row - 1), shapes.get(row + 1)
            if above is not None and above == below and shape != above:
                yield Hit(
                    f"formula {formulas[row]} differs in shape from the formulas above and "
                    f"below it ({formulas[row - 1]} in the row above)",
                    sheet.name,
                    cell_name(row, column),
                )


@rule(
    "integrity.external-link",
    Severity.ERROR,
    "The workbook links to another workbook (xl/externalLinks).",
    "Replace the linked values with inputs (Data > Edit Links > Break Link in Excel); a "
    "published number must not depend on a file elsewhere.",
)
def external_link(context: WorkbookContext) -> Iterator[Hit]:
    package = context.book.package
    users: list[tuple[str, str]] = []
    for data in context.book.sheets.values():
        for (row, column), formula in sorted(data.formulas.items()):
            if external_reference(formula):
                users.append((data.name, cell_name(row, column)))
    for part in package.external_links:
        target = _link_target(package.parts.get(_rels_of(part)))
        used = ", ".join(f"{s}!{c}" for s, c in users[:5]) or "no cell"
        more = f" and {len(users) - 5} more" if len(users) > 5 else ""
        first_sheet, first_cell = users[0] if users else (None, None)
        yield Hit(
            f"links to the external workbook {target or '(unknown target)'} through {part}; "
            f"used by {used}{more}",
            first_sheet,
            first_cell,
        )
    if users and not package.external_links:
        yield Hit(f"formula refers to another workbook ({len(users)} cells)", *users[0])


def _rels_of(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _link_target(rels: bytes | None) -> str | None:
    if rels is None:
        return None
    try:
        root = fromstring(rels)
    except Exception:
        return None
    for element in root:
        target = element.get("Target")
        if target:
            return target
    return None


@rule(
    "integrity.macros",
    Severity.WARNING,
    "The workbook carries a VBA project (macros), which the coverage template does not have.",
    "Save as .xlsx to drop the macros. If they are the xlwings VBA wrappers of the SQ_ "
    'functions (an .xlsm made for the add-in), set "integrity.macros" = "off" in '
    "[tool.xlmodels.validate.rules].",
)
def macros(context: WorkbookContext) -> Iterator[Hit]:
    if context.book.package.has_vba:
        part = next(n for n in context.book.package.names if n.lower().endswith("vbaproject.bin"))
        yield Hit(
            f"contains macros ({part}). The coverage template has none; an .xlsm that "
            "carries only the xlwings VBA wrappers of the SQ_ functions is expected to, "
            "anything else runs code on every analyst's machine"
        )


@rule(
    "integrity.hidden-sheet",
    Severity.WARNING,
    "A sheet is hidden or very hidden (very hidden sheets cannot be unhidden from Excel's menus).",
    "Unhide the sheet (right-click a tab > Unhide; a very hidden one through the VBA "
    "editor's sheet properties) or delete it.",
)
def hidden_sheet(context: WorkbookContext) -> Iterator[Hit]:
    for entry in context.book.part.sheets:
        if entry.state == "hidden":
            yield Hit("is hidden", entry.name)
        elif entry.state == "veryHidden":
            yield Hit("is very hidden: it cannot be unhidden from Excel's menus", entry.name)


@rule(
    "integrity.manual-calculation",
    Severity.ERROR,
    "The workbook is set to calculate manually, so what it shows may be stale.",
    "In Excel: Formulas > Calculation Options > Automatic, then save.",
)
def manual_calculation(context: WorkbookContext) -> Iterator[Hit]:
    if context.book.part.calc_mode == "manual":
        yield Hit("calculation mode is manual (xl/workbook.xml calcPr calcMode)")


@rule(
    "integrity.iterative-calculation",
    Severity.ERROR,
    "Iterative calculation is on, which hides circular references.",
    "In Excel: File > Options > Formulas, clear 'Enable iterative calculation', then fix "
    "any circular reference Excel reports.",
)
def iterative_calculation(context: WorkbookContext) -> Iterator[Hit]:
    if context.book.part.iterate:
        yield Hit("iterative calculation is on (xl/workbook.xml calcPr iterate)")
