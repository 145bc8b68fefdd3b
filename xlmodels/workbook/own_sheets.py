"""The analyst's own sheets: read from a workbook, written again into its regenerated copy.

A sheet the template does not have (notes, a model, a scratch pad) belongs
to the analyst. Regeneration rewrites the workbook from the spec, so such a
sheet is read here, as a plain description of what it holds, and written
again through xlsxwriter where it was in the tab order:

* every cell's value, or its formula with its cached result (array
  formulas included), so a reader that does not recalculate shows the same
  numbers;
* every cell's format: number format, font, fill, borders, alignment and
  protection;
* merged cells, column widths and row heights (hidden ones stay hidden),
  frozen panes, the tab colour, whether the sheet is hidden, and sheet
  protection without a password;
* data validation (its rule, messages and drop-down), comments (text and
  author) and hyperlinks on text;
* the defined names local to the sheet, and workbook names that point into it.

What cannot be written again as it was is listed in
:attr:`OwnSheet.uncarried` (a chart, an image or shape, a pivot table, a
table object, threaded comments, conditional formatting, a validation
rule xlsxwriter cannot write, a hyperlink on a number or a formula, form
controls, a password), for
regeneration to stop on rather than lose it silently.

Examples
--------
>>> import io, openpyxl
>>> book = openpyxl.Workbook()
>>> book.active.title = "Coverage"
>>> book.create_sheet("Notes")["A1"] = "Call the CFO"
>>> buffer = io.BytesIO()
>>> book.save(buffer)
>>> (notes,) = read_own_sheets(buffer.getvalue(), {"Coverage"}, {})
>>> notes.name, notes.cells[0].value, notes.uncarried
('Notes', 'Call the CFO', ())
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import posixpath
import zipfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import openpyxl
from defusedxml.ElementTree import fromstring
from openpyxl.cell.cell import Cell
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet as OpenpyxlWorksheet
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xlmodels.errors import InputError
from xlmodels.excel.cells import EXCEL_EPOCH, excel_serial
from xlmodels.excel.ooxml.guard import GuardedWorkbook, guard_bytes
from xlmodels.workbook.cell_formats import cell_format, rgb_colour

__all__ = ["OwnCell", "OwnSheet", "read_own_sheets", "write_own_sheets"]

_PACKAGE = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData/></worksheet>"
)

#: Parts a sheet links to that cannot be written again, by the end of the relationship type.
_UNCARRIED_PARTS = {
    "/drawing": "a drawing (a chart, an image or a shape)",
    "/pivotTable": "a pivot table",
    "/table": "a table object",
    "/threadedComment": "threaded comments",
    "/vmlDrawing": "comments or form controls (a VML drawing)",
    "/oleObject": "an embedded object",
    "/control": "a form control",
    "/image": "a background image",
}

#: Pixels of a digit of the default font, the unit of column widths.
_DIGIT_PIXELS = 7


@dataclass(frozen=True)
class OwnCell:
    """One cell of an own sheet, zero-based.

    ``formula`` (with its leading ``=``) comes with ``value``, its cached
    result; ``array`` is the range of an array formula (``"B2:B4"``).
    ``style`` indexes :attr:`OwnSheet.formats` (None: the default format).
    ``link`` is a hyperlink as xlsxwriter writes it (``internal:Sheet!A1``
    for a place in the workbook), with its ``tip``.
    """

    row: int
    column: int
    value: Any
    formula: str | None = None
    array: str | None = None
    style: int | None = None
    link: str | None = None
    tip: str | None = None


@dataclass(frozen=True)
class OwnSheet:
    """A sheet the template does not have, as regeneration writes it again.

    Attributes
    ----------
    name : str
    after : str or None
        The template sheet it follows in the tab order (None: it comes first).
    cells : tuple of OwnCell
    formats : tuple of dict
        xlsxwriter format properties, indexed by :attr:`OwnCell.style`.
    merged : tuple of (first_row, first_column, last_row, last_column)
        Zero-based, inclusive.
    columns : tuple of (first, last, width, hidden, style)
        Column widths in characters, as Excel counts them.
    rows : tuple of (row, height, hidden, style)
        Row heights in points.
    names : tuple of (name, reference, local)
        Defined names; ``reference`` starts with ``=``; ``local`` names are
        scoped to this sheet.
    frozen : (row, column) or None
    state : str
        ``visible``, ``hidden`` or ``veryHidden``.
    tab_colour : str or None
        ``#RRGGBB``.
    protected : bool
        Sheet protection without a password.
    validations : tuple of dict
        xlsxwriter ``data_validation`` options, with the ranges under ``cells``.
    comments : tuple of (row, column, text, author)
    uncarried : tuple of str
        What the sheet holds that cannot be written again (empty: nothing is lost).
    """

    name: str
    after: str | None = None
    cells: tuple[OwnCell, ...] = ()
    formats: tuple[dict[str, Any], ...] = ()
    merged: tuple[tuple[int, int, int, int], ...] = ()
    columns: tuple[tuple[int, int, float | None, bool, int | None], ...] = ()
    rows: tuple[tuple[int, float | None, bool, int | None], ...] = ()
    names: tuple[tuple[str, str, bool], ...] = ()
    frozen: tuple[int, int] | None = None
    state: str = "visible"
    tab_colour: str | None = None
    protected: bool = False
    validations: tuple[dict[str, Any], ...] = ()
    comments: tuple[tuple[int, int, str, str], ...] = ()
    uncarried: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------------- reading


def _sheet_parts(guarded: GuardedWorkbook) -> dict[str, str]:
    """Sheet name -> its part, in tab order, as the workbook part lists them."""
    return {entry.name: entry.part for entry in guarded.part.sheets if entry.part is not None}


def _relationships_file(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _linked_parts(package: zipfile.ZipFile, part: str) -> list[str]:
    """What a sheet's relationships link that cannot be carried, described."""
    try:
        text = package.read(_relationships_file(part))
    except KeyError:
        return []
    found: list[str] = []
    commented = False
    for element in fromstring(text).iter(f"{_PACKAGE}Relationship"):
        kind = element.get("Type", "")
        for suffix, description in _UNCARRIED_PARTS.items():
            if kind.endswith(suffix) and description not in found:
                found.append(description)
        if kind.endswith("/comments"):
            commented = True
    if commented and _UNCARRIED_PARTS["/vmlDrawing"] in found:
        found.remove(_UNCARRIED_PARTS["/vmlDrawing"])  # the comments' own drawing
    return found


def _trimmed(guarded: GuardedWorkbook, keep: Collection[str]) -> tuple[bytes, dict[str, list[str]]]:
    """The package with every other worksheet emptied, and each kept sheet's linked parts.

    openpyxl then reads only the own sheets, however long the template's
    History sheet is, and nothing the template's sheets link to.
    """
    source = zipfile.ZipFile(io.BytesIO(guarded.data))
    parts = _sheet_parts(guarded)
    linked = {name: _linked_parts(source, part) for name, part in parts.items() if name in keep}
    emptied = {part for name, part in parts.items() if name not in keep}
    dropped = {_relationships_file(part) for part in emptied}
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename in dropped:
                continue
            content = _EMPTY_SHEET if item.filename in emptied else source.read(item)
            target.writestr(item.filename, content)
    return buffer.getvalue(), linked


def _cached(value: Any) -> Any:
    """A formula's cached result as xlsxwriter stores it."""
    if isinstance(value, dt.datetime | dt.date):
        return excel_serial(value)
    if isinstance(value, dt.time):  # a time alone: its serial on Excel's day 0
        return excel_serial(dt.datetime.combine(EXCEL_EPOCH.date(), value))
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return value


_VALIDATION_TYPES = {
    None: "any",
    "whole": "integer",
    "decimal": "decimal",
    "list": "list",
    "date": "date",
    "time": "time",
    "textLength": "length",
    "custom": "custom",
}
_OPERATORS = {
    None: "between",
    "between": "between",
    "notBetween": "not between",
    "equal": "==",
    "notEqual": "!=",
    "greaterThan": ">",
    "lessThan": "<",
    "greaterThanOrEqual": ">=",
    "lessThanOrEqual": "<=",
}
#: Excel's limits on a validation's titles and messages (UTF-16 units).
_TITLE_LIMIT, _MESSAGE_LIMIT = 32, 255


def _validation(rule: Any) -> dict[str, Any] | None:
    """xlsxwriter options for an openpyxl validation rule; None when it cannot be written."""
    kind = _VALIDATION_TYPES.get(rule.type, "")
    operator = _OPERATORS.get(rule.operator, "")
    ranges = [_bounds(str(block)) for block in rule.sqref.ranges]
    if not kind or not operator or not ranges:
        return None
    options: dict[str, Any] = {"validate": kind}
    if kind not in ("any", "list", "custom"):
        options["criteria"] = operator
    if kind != "any":
        if rule.formula1 is None:
            return None
        options["value"] = str(rule.formula1)
        if operator in ("between", "not between") and kind not in ("list", "custom"):
            if rule.formula2 is None:
                return None
            options["maximum"] = str(rule.formula2)
    texts = {
        "input_title": (rule.promptTitle, _TITLE_LIMIT),
        "input_message": (rule.prompt, _MESSAGE_LIMIT),
        "error_title": (rule.errorTitle, _TITLE_LIMIT),
        "error_message": (rule.error, _MESSAGE_LIMIT),
    }
    for key, (text, limit) in texts.items():
        if text:
            if len(str(text).encode("utf-16-le")) // 2 > limit:
                return None
            options[key] = str(text)
    if kind == "any" and not (rule.prompt or rule.promptTitle):
        return None  # a rule that checks nothing and says nothing is not written by Excel either
    options["ignore_blank"] = bool(rule.allow_blank)
    options["dropdown"] = not rule.showDropDown  # the file's flag hides the arrow
    options["show_input"] = bool(rule.showInputMessage)
    options["show_error"] = bool(rule.showErrorMessage)
    options["error_type"] = rule.errorStyle or "stop"
    if options["error_type"] not in ("stop", "warning", "information"):
        return None
    first, *others = ranges
    options["cells"] = [_zero_based(first), *(_zero_based(block) for block in others)]
    return options


def _zero_based(bounds: tuple[int, int, int, int]) -> list[int]:
    """[first row, first column, last row, last column], zero-based, of one-based bounds."""
    first_column, first_row, last_column, last_row = bounds
    return [first_row - 1, first_column - 1, last_row - 1, last_column - 1]


#: Excel's limits on a hyperlink's address and its tip.
_URL_LIMIT, _TIP_LIMIT = 2079, 255


def _link(cell: Cell) -> str | None:
    """A cell's hyperlink as xlsxwriter writes it; None when it has none or it cannot be written."""
    hyperlink = cell.hyperlink
    if hyperlink is None:
        return None
    if not (cell.value is None or isinstance(cell.value, str)) or cell.data_type == "f":
        return None  # xlsxwriter writes a link over text only
    if hyperlink.target:
        url = str(hyperlink.target) + (f"#{hyperlink.location}" if hyperlink.location else "")
    elif hyperlink.location:
        url = f"internal:{hyperlink.location}"
    else:
        return None
    if len(url) > _URL_LIMIT or len(str(hyperlink.tooltip or "")) > _TIP_LIMIT:
        return None
    return url


def _uncarried_in_sheet(sheet: OpenpyxlWorksheet) -> list[str]:
    found = []
    if len(sheet.conditional_formatting) > 0:
        found.append("conditional formatting")
    if sheet.protection.sheet and (sheet.protection.password or sheet.protection.hashValue):
        found.append("sheet protection with a password")
    if sheet.auto_filter.ref:
        found.append("an auto filter")
    return found


class _Formats:
    """Distinct format properties, each stored once."""

    def __init__(self) -> None:
        self.index: dict[tuple[tuple[str, Any], ...], int] = {}
        self.formats: list[dict[str, Any]] = []

    def of(self, properties: dict[str, Any]) -> int | None:
        if not properties:
            return None
        key = tuple(sorted(properties.items()))
        if key not in self.index:
            self.index[key] = len(self.formats)
            self.formats.append(properties)
        return self.index[key]


def _read_sheet(
    sheet: OpenpyxlWorksheet,
    cached: Mapping[str, Any],
    names: list[tuple[str, str, bool]],
    linked: list[str],
) -> OwnSheet:
    formats = _Formats()
    cells: list[OwnCell] = []
    found = [*linked, *_uncarried_in_sheet(sheet)]
    hyperlinks = False
    for row in sheet.iter_rows():
        for cell in row:
            if not isinstance(cell, Cell):
                continue  # the covered cells of a merged range hold nothing
            style = formats.of(cell_format(cell))
            value = cell.value
            link = _link(cell)
            if cell.hyperlink is not None and link is None:
                hyperlinks = True
            if value is None and style is None and link is None:
                continue
            row_index, column_index = int(cell.row or 1) - 1, int(cell.column or 1) - 1
            if cell.data_type == "e":
                # xlsxwriter writes no error constant: as text it would turn
                # ISNA() and IFERROR() around it from one result to another.
                errors = "an error value typed as a constant"
                if not any(item.startswith(errors) for item in found):
                    found.append(f"{errors} ({cell.coordinate} {value})")
                continue
            if isinstance(value, DataTableFormula):
                if "a data table (what-if analysis)" not in found:
                    found.append("a data table (what-if analysis)")
                continue
            if isinstance(value, ArrayFormula):
                result = _cached(getattr(cached.get(cell.coordinate), "value", None))
                text = str(value.text or "")
                formula = text if text.startswith("=") else "=" + text
                cells.append(OwnCell(row_index, column_index, result, formula, value.ref, style))
            elif cell.data_type == "f" and isinstance(value, str):
                result = _cached(getattr(cached.get(cell.coordinate), "value", None))
                cells.append(OwnCell(row_index, column_index, result, value, None, style))
            else:
                tip = cell.hyperlink.tooltip if cell.hyperlink is not None else None
                cells.append(OwnCell(row_index, column_index, value, None, None, style, link, tip))
    if hyperlinks:
        found.append("hyperlinks on cells that are not text, or too long")
    validations = []
    for rule in sheet.data_validations.dataValidation:
        options = _validation(rule)
        if options is None:
            if "data validation it cannot write again" not in found:
                found.append("data validation it cannot write again")
        else:
            validations.append(options)
    comments = []
    for row in sheet.iter_rows():
        for cell in row:
            comment = getattr(cell, "comment", None)
            if comment is not None and isinstance(cell, Cell):
                position = (int(cell.row or 1) - 1, int(cell.column or 1) - 1)
                comments.append((*position, str(comment.text), str(comment.author or "")))
    merged = []
    for block in sheet.merged_cells.ranges:
        first_column, first_row, last_column, last_row = block.bounds
        merged.append((first_row - 1, first_column - 1, last_row - 1, last_column - 1))
    columns = []
    for dimension in sheet.column_dimensions.values():
        style = formats.of(_format_of_style(sheet, dimension))
        width = float(dimension.width) if dimension.customWidth and dimension.width else None
        if width is None and not dimension.hidden and style is None:
            continue
        first, last = int(dimension.min or 1) - 1, int(dimension.max or 1) - 1
        columns.append((first, last, width, bool(dimension.hidden), style))
    rows = []
    for number, row_dimension in sheet.row_dimensions.items():
        height = (
            float(row_dimension.ht) if row_dimension.customHeight and row_dimension.ht else None
        )
        if height is None and not row_dimension.hidden:
            continue
        rows.append((number - 1, height, bool(row_dimension.hidden), None))
    frozen = None
    if sheet.freeze_panes:
        first_column, first_row, _, _ = _bounds(sheet.freeze_panes)
        frozen = (first_row - 1, first_column - 1)
    tab = sheet.sheet_properties.tabColor
    return OwnSheet(
        name=sheet.title,
        cells=tuple(cells),
        formats=tuple(formats.formats),
        merged=tuple(sorted(merged)),
        columns=tuple(sorted(columns)),
        rows=tuple(sorted(rows)),
        names=tuple(names),
        frozen=frozen,
        state=sheet.sheet_state,
        tab_colour=rgb_colour(tab) if tab is not None else None,
        protected=bool(sheet.protection.sheet),
        validations=tuple(validations),
        comments=tuple(comments),
        uncarried=tuple(found),
    )


def _format_of_style(sheet: OpenpyxlWorksheet, dimension: Any) -> dict[str, Any]:
    """A column's own format, through a cell that uses it (openpyxl keeps only its style id)."""
    if not getattr(dimension, "style", None) or dimension.style == "Normal":
        return {}
    probe = Cell(sheet, row=1, column=1)
    probe._style = copy.copy(dimension._style)  # type: ignore[attr-defined]
    return cell_format(probe)


def _bounds(reference: str) -> tuple[int, int, int, int]:
    """(first column, first row, last column, last row), one-based, of a cell or range."""
    first_column, first_row, last_column, last_row = range_boundaries(reference)
    if first_column is None or first_row is None:
        raise InputError(f"the reference {reference!r} is not a cell or a range")
    return (
        first_column,
        first_row,
        first_column if last_column is None else last_column,
        first_row if last_row is None else last_row,
    )


def _points_into(reference: str, sheet: str) -> bool:
    """Whether a name's reference lies in ``sheet`` and nowhere else."""
    quoted = "'" + sheet.replace("'", "''") + "'!"
    text = reference.lstrip("=")
    if not (text.startswith(quoted) or text.startswith(sheet + "!")):
        return False
    rest = text[len(quoted) if text.startswith(quoted) else len(sheet) + 1 :]
    return "!" not in rest


def read_own_sheets(
    data: bytes | GuardedWorkbook,
    template_sheets: Collection[str],
    cached: Mapping[str, Mapping[str, Any]],
) -> list[OwnSheet]:
    """The sheets of a workbook that are not in ``template_sheets``, in tab order.

    Parameters
    ----------
    data : bytes or GuardedWorkbook
        The workbook; bytes pass the safety checks first.
    template_sheets : collection of str
        The sheets the template writes.
    cached : mapping
        Sheet -> cell reference -> an object with a ``value`` attribute
        (:func:`~xlmodels.workbook.stored_cells.read_cells`): the cached results
        of formulas, which openpyxl does not read together with formulas.

    Raises
    ------
    InputError
        When the workbook cannot be read.
    """
    guarded = data if isinstance(data, GuardedWorkbook) else guard_bytes(data)
    order = list(_sheet_parts(guarded))
    own = [name for name in order if name not in template_sheets]
    if not own:
        return []
    after: dict[str, str | None] = {}
    previous: str | None = None
    for name in order:
        if name in template_sheets:
            previous = name
        else:
            after[name] = previous
    trimmed, linked = _trimmed(guarded, own)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(trimmed), rich_text=False)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        raise InputError(f"the sheets of your own cannot be read ({error})") from None
    workbook_names = [defined for defined in guarded.part.names if defined.scope is None]
    sheets = []
    for name in own:
        if name not in workbook.sheetnames:
            continue
        sheet = workbook[name]
        names = [
            (defined.name, "=" + defined.text, False)
            for defined in workbook_names
            if defined.text and _points_into(defined.text, name)
        ]
        # Excel's own names for a sheet (_xlnm.Print_Area...) are its settings, not names.
        names += [
            (defined.name, "=" + defined.text, True)
            for defined in guarded.part.names
            if defined.scope == name and not defined.name.lower().startswith("_xlnm.")
        ]
        if not isinstance(sheet, OpenpyxlWorksheet):
            sheets.append(OwnSheet(name=name, after=after[name], uncarried=("a chart sheet",)))
            continue
        read = _read_sheet(sheet, cached.get(name, {}), names, linked.get(name, []))
        sheets.append(replace(read, after=after[name]))
    return sheets


# ---------------------------------------------------------------------- writing


def _write_cell(sheet: Worksheet, cell: OwnCell, style: Format | None) -> None:
    if cell.link is not None:
        text = None if cell.value is None else str(cell.value)
        sheet.write_url(cell.row, cell.column, cell.link, style, text, cell.tip)
    elif cell.array is not None and cell.formula is not None:
        first_column, first_row, last_column, last_row = _bounds(cell.array)
        sheet.write_array_formula(
            first_row - 1,
            first_column - 1,
            last_row - 1,
            last_column - 1,
            cell.formula,
            style,
            "" if cell.value is None else cell.value,
        )
    elif cell.formula is not None:
        sheet.write_formula(
            cell.row, cell.column, cell.formula, style, "" if cell.value is None else cell.value
        )
    elif cell.value is None:
        sheet.write_blank(cell.row, cell.column, None, style)
    elif isinstance(cell.value, bool):
        sheet.write_boolean(cell.row, cell.column, cell.value, style)
    elif isinstance(cell.value, int | float):
        sheet.write_number(cell.row, cell.column, cell.value, style)
    elif isinstance(cell.value, dt.datetime | dt.date | dt.time | dt.timedelta):
        sheet.write_number(cell.row, cell.column, _cached(cell.value), style)
    else:
        sheet.write_string(cell.row, cell.column, str(cell.value), style)


def write_own_sheets(
    workbook: Workbook,
    sheets: Collection[OwnSheet],
    worksheet_class: type[Worksheet] = Worksheet,
) -> None:
    """Add ``sheets`` to ``workbook``, after the sheets already added.

    ``worksheet_class`` is the workbook's own (a formula with no known
    result is then stored as the template's are, as empty text).
    """
    for own in sheets:
        sheet = workbook.add_worksheet(own.name, worksheet_class=worksheet_class)
        formats = [workbook.add_format(properties) for properties in own.formats]
        plain = workbook.add_format()  # a link keeps the look it had, not xlsxwriter's blue

        def style(index: int | None, formats: list[Format] = formats) -> Format | None:
            return None if index is None else formats[index]

        for first, last, width, hidden, column_style in own.columns:
            options = {"hidden": True} if hidden else None
            # The file's width is in characters of the default font, padding
            # included; in pixels (seven a character) it is stored unchanged.
            pixels = None if width is None else width * _DIGIT_PIXELS
            sheet.set_column_pixels(first, last, pixels, style(column_style), options)
        for row, height, hidden, row_style in own.rows:
            sheet.set_row(row, height, style(row_style), {"hidden": True} if hidden else None)
        by_position = {(cell.row, cell.column): cell for cell in own.cells}
        for cell in own.cells:
            cell_style = style(cell.style)
            _write_cell(sheet, cell, plain if cell_style is None and cell.link else cell_style)
        for first_row, first_column, last_row, last_column in own.merged:
            top = by_position.get((first_row, first_column))
            sheet.merge_range(
                first_row,
                first_column,
                last_row,
                last_column,
                "",
                style(top.style if top is not None else None),
            )
            if top is not None:
                _write_cell(sheet, top, style(top.style))
        if own.frozen is not None and own.frozen != (0, 0):
            sheet.freeze_panes(*own.frozen)
        if own.tab_colour is not None:
            sheet.set_tab_color(own.tab_colour)
        if own.protected:
            sheet.protect()
        if own.state == "hidden":
            sheet.hide()
        elif own.state == "veryHidden":
            sheet.very_hidden()
        for validation in own.validations:
            rule = {key: value for key, value in validation.items() if key != "cells"}
            first, *others = validation["cells"]
            if others:
                rule["other_cells"] = [list(block) for block in others]
            first_row, first_column, last_row, last_column = first
            sheet.data_validation(first_row, first_column, last_row, last_column, rule)
        for row, column, text, author in own.comments:
            sheet.write_comment(row, column, text, {"author": author} if author else None)
        for name, reference, local in own.names:
            # xlsxwriter strips the quotes itself to find the sheet.
            workbook.define_name(f"'{own.name}'!{name}" if local else name, reference)
