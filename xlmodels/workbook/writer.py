"""Writing the coverage workbook with xlsxwriter, from the spec and the core's numbers.

xlsxwriter is the writer because it stores each formula together with its
result: every formula cell carries the value the core computed as its cached
result, so pandas, python-calamine, a file preview or LibreOffice show the
numbers without recalculating, while Excel still recalculates on open.
openpyxl, which cannot store a formula's result, reads and edits workbooks.

Everything placed here comes from the spec (:mod:`xlmodels.template.v3`): sheets in
tab order, titles, notes, headers in the workbook's language, the formulas of
both dialects, number formats, named ranges, drop-down lists, which cells are
analyst inputs (blue, unlocked) and which are locked, and the charts. Text
from outside (names, notes, codes) is always written as text, never as a
formula, whatever character it starts with.

The same inputs give the same cells: the document's dates are the report
date's and no cell holds a timestamp.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import namedtuple
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import (
    CellArrayFormulaTuple,
    CellFormulaTuple,
    CellNumberTuple,
    Worksheet,
)

from xlmodels import __version__
from xlmodels.domain.model import CoverageInputs
from xlmodels.excel.cells import cached_result, display_width, excel_serial, is_blank
from xlmodels.runtime.collector import collector_paused
from xlmodels.template.names import XLWINGS_CONF_SHEET
from xlmodels.template.schema import (
    FIRST_DATA_ROW,
    GROUP_ROW,
    HEADER_ROW,
    NOTE_ROW,
    TITLE_ROW,
    Column,
    DType,
    HistorySheet,
    Kind,
    RowContext,
    SettingsSheet,
    SpillContext,
    TableSheet,
    TextSheet,
    WorkbookSpec,
    choice_values,
)
from xlmodels.template.v3 import SPEC, XLWINGS_UDF_KEY
from xlmodels.workbook.atomic import atomic_path
from xlmodels.workbook.built_cells import BuiltCells, SheetRecording
from xlmodels.workbook.charts import add_charts
from xlmodels.workbook.content import WorkbookContent, build_content
from xlmodels.workbook.own_sheets import OwnSheet, write_own_sheets
from xlmodels.workbook.styles import Styles, column_width

__all__ = ["WORKBOOK_OPTIONS", "CoverageWorksheet", "render", "write_workbook"]

#: xlsxwriter options: text stays text (no formula, URL or number guessing).
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}

#: Sheet protection: no password; sorting and filtering stay available.
_PROTECTION = {
    "autofilter": True,
    "format_columns": True,
    "format_rows": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}

_MESSAGES = {
    "zh": {
        "list": ("请从列表中选择", "请从下拉列表中选择一个值。"),
        "number": ("请输入数字", "此单元格只接受数字。"),
        "positive": ("请输入正数", "此单元格只接受大于 0 的数字。"),
        "integer": ("请输入整数", "此单元格只接受范围内的整数。"),
        "date": ("请输入日期", "此单元格只接受日期（如 2024-11-29）。"),
    },
    "en": {
        "list": ("Choose from the list", "Choose a value from the drop-down list."),
        "number": ("Numbers only", "This cell takes a number."),
        "positive": ("Positive numbers only", "This cell takes a number above 0."),
        "integer": ("Whole numbers only", "This cell takes a whole number in range."),
        "date": ("Dates only", "This cell takes a date (e.g. 2024-11-29)."),
    },
}
_NUMBER_LIMIT = 1e15
_INFINITY = float("inf")
#: What a cell shows where a computation gave no finite number, as in Excel.
OVERFLOW = "#NUM!"
_DATE_LIMITS = (dt.date(1900, 1, 1), dt.date(9999, 12, 31))


def _overflowed(value: Any) -> bool:
    """Whether a formula's cached result is a float no spreadsheet can store (inf, NaN)."""
    return isinstance(value, float) and not -_INFINITY < value < _INFINITY


#: A number a spilled formula gave, in a cell of its spill: stored to its last digit.
SpilledNumber = namedtuple("SpilledNumber", "number, format")


class CoverageWorksheet(Worksheet):
    """A worksheet that serialises two kinds of cell itself.

    * A formula whose cached result is ``""``: xlsxwriter writes it with no
      type, which readers take for a blank number; Excel marks it as a string
      (``t="str"``), and so does this class.
    * A formatted number, the bulk of a workbook (the History sheet): the
      same XML xlsxwriter writes, without its generic attribute escaping,
      which raises and catches an exception for every style index and made
      formatting cost a third more than writing the numbers themselves.

    * A number that is not finite (a computation that overflowed): ``#NUM!``,
      the error Excel shows for it, never ``inf`` or ``nan``, which no
      spreadsheet program reads; at a spilled formula's first cell too.

    * A number a spilled formula gave (:meth:`write_spilled_number`): to its
      last digit, as a formula's cached result is, where xlsxwriter's
      numbers keep 16 digits.

    Every other cell is written by xlsxwriter unchanged. A worksheet with a
    ``recording`` (:mod:`xlmodels.workbook.built_cells`) hands it each cell as
    it is serialised, for a regeneration to compare without reading the file back.
    """

    recording: SheetRecording | None = None

    def write_spilled_number(self, row: int, col: int, number: float, style: Format) -> None:
        """A cell of a spill holding a number its formula gave (``#NUM!`` if not finite)."""
        if self._check_dimensions(row, col):
            raise IndexError(f"cell {xl_rowcol_to_cell_fast(row, col)} is beyond the sheet")
        self.table[row][col] = SpilledNumber(float(number), style)

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        kind = type(cell)
        recording = self.recording
        if recording is not None:
            if kind is CellNumberTuple or kind is SpilledNumber:
                recording.number(row, col, cell.number, cell.format)
            else:
                recording.cell(row, col, cell)
        if kind is SpilledNumber:
            if not -_INFINITY < cell.number < _INFINITY:
                self._write_overflow(row, col, cell.format)
                return
            assert self.fh is not None
            self.fh.write(
                f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{cell.format._get_xf_index()}">'
                f"<v>{cell.number!r}</v></c>"
            )
            return
        if kind is CellNumberTuple and not -_INFINITY < cell.number < _INFINITY:
            self._write_overflow(row, col, cell.format)
            return
        if kind is CellFormulaTuple and _overflowed(cell.value):
            cell = cell._replace(value=OVERFLOW)  # xlsxwriter types it as an error
        if kind is CellArrayFormulaTuple and _overflowed(cell.value):
            self._write_array_overflow(row, col, cell)
            return
        if kind is CellNumberTuple and cell.format is not None:
            assert self.fh is not None  # xlsxwriter opens it before writing any cell
            self.fh.write(
                f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{cell.format._get_xf_index()}">'
                f"<v>{cell.number:.16G}</v></c>"
            )
            return
        if kind is CellFormulaTuple and isinstance(cell.value, str) and not cell.value:
            attributes: list[tuple[str, Any]] = [("r", xl_rowcol_to_cell_fast(row, col))]
            if cell.format is not None:
                attributes.append(("s", cell.format._get_xf_index()))
            attributes.append(("t", "str"))
            self._xml_formula_element(cell.formula, "", attributes)
            return
        super()._write_cell(row, col, cell)

    def _write_array_overflow(self, row: int, col: int, cell: Any) -> None:
        """A spilled formula's first cell whose result overflowed: its formula, ``#NUM!``."""
        attributes: list[tuple[str, Any]] = [("r", xl_rowcol_to_cell_fast(row, col))]
        if cell.format is not None:
            attributes.append(("s", cell.format._get_xf_index()))
        if cell.atype == "dynamic":
            attributes.append(("cm", 1))
        attributes.append(("t", "e"))
        self._xml_start_tag("c", attributes)
        self._write_cell_array_formula(cell.formula, cell.range)
        self._write_cell_value(OVERFLOW)
        self._xml_end_tag("c")

    def _write_overflow(self, row: int, col: int, style: Format | None) -> None:
        """An error cell where a computation gave no finite number."""
        assert self.fh is not None
        styled = f' s="{style._get_xf_index()}"' if style is not None else ""
        self.fh.write(
            f'<c r="{xl_rowcol_to_cell_fast(row, col)}"{styled} t="e"><v>{OVERFLOW}</v></c>'
        )


def _write_result(
    sheet: CoverageWorksheet, row: int, column: int, result: Any, style: Format
) -> None:
    """A spilled cell: the cached result alone, as Excel stores the cells a formula spills into.

    An empty result is an empty cell: every reader sees it as it sees a
    formula's empty result (openpyxl None, calamine "").
    """
    if isinstance(result, str) and not result:
        sheet.write_blank(row, column, None, style)
    elif isinstance(result, bool):
        sheet.write_boolean(row, column, result, style)
    elif isinstance(result, str):
        sheet.write_string(row, column, result, style)
    else:
        sheet.write_spilled_number(row, column, result, style)


class StreamedWorksheet(CoverageWorksheet):
    """A worksheet written row by row, each row serialised as soon as the next one starts.

    xlsxwriter's constant-memory mode for this sheet alone: the History, the
    bulk of a workbook (companies x dates numbers), never sits in memory
    whole, while every other sheet keeps shared strings and may be written
    in any order. Rows must be written top to bottom, and a row's height set
    before the rows below it are written. Its text is stored inline, as
    constant-memory mode does.
    """

    def _initialize(self, init_data: dict[str, Any]) -> None:
        super()._initialize({**init_data, "constant_memory": True})

    def _write_single_row(self, current_row_num: int = 0) -> None:
        recording = self.recording
        if recording is None or not recording.recorded_ahead(self.previous_row):
            super()._write_single_row(current_row_num)
            return
        # Recorded whole as it was written (the History's rows): not again cell by cell.
        self.recording = None
        try:
            super()._write_single_row(current_row_num)
        finally:
            self.recording = recording


def _write_value(sheet: Worksheet, row: int, column: int, value: Any, style: Format) -> None:
    """A data or input value as a typed cell; text is always text."""
    if is_blank(value):
        sheet.write_blank(row, column, None, style)
    elif isinstance(value, str):
        sheet.write_string(row, column, value, style)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, style)
    elif isinstance(value, dt.date):
        sheet.write_number(row, column, excel_serial(value), style)
    elif isinstance(value, pd.Timestamp):
        sheet.write_number(row, column, excel_serial(value.to_pydatetime()), style)
    else:
        sheet.write_number(row, column, float(value), style)


class _Renderer:
    """Places a :class:`WorkbookContent` into an xlsxwriter workbook."""

    def __init__(
        self,
        workbook: Workbook,
        content: WorkbookContent,
        own_sheets: Sequence[OwnSheet] = (),
        recorder: BuiltCells | None = None,
    ) -> None:
        self.workbook = workbook
        self.content = content
        self.own_sheets = own_sheets
        self.recorder = recorder
        self.spec = content.spec
        self.lang = content.lang
        self.styles = Styles(workbook)
        self.sheets: dict[str, Worksheet] = {}

    # ----------------------------------------------------------------- helpers
    def _add_sheet(
        self, name: str, worksheet_class: type[CoverageWorksheet] = CoverageWorksheet
    ) -> Worksheet:
        sheet = self.workbook.add_worksheet(name, worksheet_class=worksheet_class)
        self.sheets[name] = sheet
        if self.recorder is not None and worksheet_class is StreamedWorksheet:
            # Its cells are serialised as they are written: record them from the start.
            self.recorder.record(self.workbook, sheet)
        return sheet

    def _name(self, name: str, reference: str) -> None:
        self.workbook.define_name(name, "=" + reference)

    def _validation(
        self,
        dtype: DType,
        choices: str | None,
        positive: bool = False,
        bounds: tuple[float, float] | None = None,
    ) -> dict[str, Any] | None:
        messages = _MESSAGES[self.lang]
        rule: dict[str, Any]
        if choices is not None:
            values = choice_values(choices, lang=self.lang, scheme=self.content.scheme.id)
            rule, message = {"validate": "list", "source": list(values)}, messages["list"]
        elif dtype is DType.NUMBER:
            if positive:
                rule = {"validate": "decimal", "criteria": ">", "value": 0}
                message = messages["positive"]
            else:
                low, high = bounds or (-_NUMBER_LIMIT, _NUMBER_LIMIT)
                rule = {"validate": "decimal", "criteria": "between"}
                rule.update(minimum=low, maximum=high)
                message = messages["number"]
        elif dtype is DType.INTEGER:
            low, high = bounds or (-_NUMBER_LIMIT, _NUMBER_LIMIT)
            rule = {"validate": "integer", "criteria": "between", "minimum": low, "maximum": high}
            message = messages["integer"]
        elif dtype is DType.DATE:
            rule = {"validate": "date", "criteria": "between"}
            rule.update(minimum=_DATE_LIMITS[0], maximum=_DATE_LIMITS[1])
            message = messages["date"]
        else:
            return None
        rule.update(error_title=message[0], error_message=message[1], ignore_blank=True)
        return rule

    def _finish(self, sheet: Worksheet, protected: bool, frozen: tuple[int, int] | None) -> None:
        if frozen is not None:
            sheet.freeze_panes(*frozen)
        if protected:
            sheet.protect("", _PROTECTION)

    def _titles(self, sheet: Worksheet, title: str, note: str) -> None:
        sheet.write_string(TITLE_ROW - 1, 0, title, self.styles.title)
        if note:
            sheet.write_string(NOTE_ROW - 1, 0, note, self.styles.note)

    # ----------------------------------------------------------- table sheets
    def table_sheet(self, spec: TableSheet) -> None:
        sheet = self._add_sheet(spec.name)
        table = self.content.tables[spec.name]
        count = len(table)
        rows = max(count, 1)
        self._titles(sheet, spec.titles[self.lang], spec.notes[self.lang])
        headers = [column.header(self.lang, self.content.labels) for column in spec.columns]
        header_row = HEADER_ROW - 1
        mode = self.content.mode
        if spec.is_excel_table(mode):
            sheet.add_table(
                header_row,
                0,
                header_row + rows,
                len(headers) - 1,
                {
                    "name": spec.table_name,
                    "columns": [
                        {"header": text, "header_format": self.styles.header} for text in headers
                    ],
                    "style": "Table Style Light 15",
                    "autofilter": True,
                },
            )
        else:
            for position, text in enumerate(headers):
                sheet.write_string(header_row, position, text, self.styles.header)
            if spec.spilled(mode):
                # Filtering a plain range is the autofilter's (a table cannot hold spills).
                sheet.autofilter(header_row, 0, header_row + rows, len(headers) - 1)
        sheet.set_row(header_row, 33)
        first = FIRST_DATA_ROW - 1
        for position, column in enumerate(spec.columns):
            style = self.styles.cell(column.kind, column.dtype, column.number_format)
            cells = table.column_values[column.key]
            if column.spills(mode) and count:
                self._spill(sheet, spec, column, position, cells, style)
            elif column.kind is Kind.FORMULA:
                for offset, value in enumerate(cells):
                    formula = column.formula_for(
                        self.content.mode, RowContext(self.spec, spec, FIRST_DATA_ROW + offset)
                    )
                    sheet.write_formula(
                        first + offset, position, formula, style, cached_result(value)
                    )
            else:
                for offset, value in enumerate(cells):
                    _write_value(sheet, first + offset, position, value, style)
                if count == 0 and column.kind is Kind.INPUT:
                    sheet.write_blank(first, position, None, style)
            self._name(spec.range_name(column.key), spec.data_range(column.key, count))
            if column.kind is Kind.INPUT:
                rule = self._validation(column.dtype, column.choices, column.positive)
                if rule is not None:
                    sheet.data_validation(first, position, first + rows - 1, position, rule)
            sheet.set_column(
                position,
                position,
                column_width(
                    column.width, _header_texts(headers[position]), cells, column.number_format
                ),
            )
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(header_row)
        self._finish(sheet, spec.protected, (FIRST_DATA_ROW - 1, spec.frozen_columns))

    def _spill(
        self,
        sheet: Worksheet,
        spec: TableSheet,
        column: Column,
        position: int,
        values: list[Any],
        style: Format,
    ) -> None:
        """One dynamic-array formula for the column, its results cached in every spilled cell."""
        first = FIRST_DATA_ROW - 1
        context = SpillContext(self.spec, spec, FIRST_DATA_ROW, rows=len(values))
        results = [cached_result(value) for value in values]
        sheet.write_dynamic_array_formula(
            first,
            position,
            first + len(values) - 1,
            position,
            column.spill_formula(context),
            style,
            results[0],
        )
        # xlsxwriter pads the spill with zeros: each cell gets its own result.
        assert isinstance(sheet, CoverageWorksheet)
        for offset, result in enumerate(results[1:], start=1):
            _write_result(sheet, first + offset, position, result, style)

    # ------------------------------------------------------------------ settings
    def settings_sheet(self, spec: SettingsSheet) -> None:
        sheet = self._add_sheet(spec.name)
        content = self.content
        self._titles(sheet, spec.titles[self.lang], "")
        for position, text in enumerate(spec.headers[self.lang]):
            sheet.write_string(HEADER_ROW - 1, position, text, self.styles.header)
        label_style = self.styles.cell(Kind.KEY, DType.TEXT)
        note_style = self.styles.wrapped
        labels, notes = [], []
        for item in spec.settings:
            row = spec.row_of(item.key) - 1
            value = content.settings[item.key]
            style = self.styles.cell(item.kind, item.dtype, item.number_format)
            label, note = item.labels[self.lang], item.notes.get(self.lang, "")
            sheet.write_string(row, 0, label, label_style)
            if item.formula is not None:
                formula = item.formula.build(content.mode, RowContext(self.spec, None, row + 1))
                sheet.write_formula(row, 1, formula, style, cached_result(value))
            else:
                _write_value(sheet, row, 1, value, style)
            if note:
                sheet.write_string(row, 2, note, note_style)
            self._name(item.name, spec.cell(item.key))
            if item.kind is Kind.INPUT:
                rule = self._validation(item.dtype, item.choices, bounds=item.bounds)
                if rule is not None:
                    sheet.data_validation(row, 1, row, 1, rule)
            labels.append(label)
            notes.append(note)
        self._blocks(sheet, spec)
        sheet.set_column(0, 0, column_width(12, labels, [], None))
        sheet.set_column(1, 1, 16)
        # Notes wrap within a readable width rather than run off the page.
        sheet.set_column(2, 2, min(60.0, column_width(20, notes, [], None)))
        self._finish(sheet, spec.protected, (FIRST_DATA_ROW - 1, 1))

    def _blocks(self, sheet: Worksheet, spec: SettingsSheet) -> None:
        content = self.content
        blocks = spec.blocks(len(content.benchmarks), len(content.tiers))
        text = self.styles.cell(Kind.DATA, DType.TEXT)
        percent = self.styles.cell(Kind.DATA, DType.NUMBER, "0.0%")
        flag = self.styles.flag
        expected = self.styles.cell(Kind.INPUT, DType.NUMBER, "0.0%")
        for position, header in enumerate(spec.bench_headers[self.lang]):
            sheet.write_string(blocks.bench_header_row - 1, position, header, self.styles.header)
        for offset in range(blocks.bench_rows):
            row = blocks.bench_first_row - 1 + offset
            if offset < len(content.benchmarks):
                bench = content.benchmarks[offset]
                sheet.write_string(row, 0, bench.market, text)
                sheet.write_number(row, 1, bench.expected_return, expected)
                sheet.write_string(row, 2, bench.benchmark, text)
            else:
                sheet.write_blank(row, 1, None, expected)
        rule = self._validation(DType.NUMBER, None, bounds=(-1.0, 10.0))
        assert rule is not None
        sheet.data_validation(blocks.bench_first_row - 1, 1, blocks.bench_last_row - 1, 1, rule)
        first, scheme = spec.tier_headers[self.lang][0], content.scheme.name[self.lang]
        title = f"{first}（{scheme}）" if self.lang == "zh" else f"{first} ({scheme})"
        headers = (title, *spec.tier_headers[self.lang][1:])
        for position, header in enumerate(headers):
            sheet.write_string(blocks.tier_header_row - 1, position, header, self.styles.header)
        for offset, tier in enumerate(content.tiers):
            row = blocks.tier_first_row - 1 + offset
            sheet.write_string(row, 0, tier.label, text)
            if tier.bound is not None:
                sheet.write_number(row, 1, tier.bound, percent)
            if tier.inclusive is not None:
                sheet.write_boolean(row, 2, tier.inclusive, flag)
        for name, reference in blocks.names(spec.name).items():
            self._name(name, reference)

    # ------------------------------------------------------------------- history
    def history_sheet(self, spec: HistorySheet) -> None:
        # Streamed: every cell is written top to bottom, row by row.
        sheet = self._add_sheet(spec.name, StreamedWorksheet)
        history = self.content.history
        note = spec.notes[self.lang]
        if self.content.settings.get("data_note"):
            note = f"{note} {self.content.settings['data_note']}"
        self._titles(sheet, spec.titles[self.lang], note)
        pe_start = spec.pe_start(len(history.close_codes))
        pe_width = max(len(history.pe_codes), 1)
        sheet.write_string(GROUP_ROW - 1, 1, spec.close_group[self.lang], self.styles.group)
        sheet.write_string(GROUP_ROW - 1, pe_start, spec.pe_group[self.lang], self.styles.group)
        sheet.set_row(HEADER_ROW - 1, 18)
        sheet.write_string(HEADER_ROW - 1, 0, spec.date_header[self.lang], self.styles.header)
        code_style = self.styles.header
        for offset, code in enumerate(history.close_codes):
            sheet.write_string(HEADER_ROW - 1, 1 + offset, code, code_style)
        for offset, code in enumerate(history.pe_codes):
            sheet.write_string(HEADER_ROW - 1, pe_start + offset, code, code_style)
        first = FIRST_DATA_ROW - 1
        date_style = self.styles.cell(Kind.KEY, DType.DATE, spec.date_format)
        close_style = self._style(spec.close_format)
        pe_style = self._style(spec.pe_format)
        write_number = sheet.write_number
        # A regeneration records each row from its lists as it is written, not cell by cell.
        assert isinstance(sheet, StreamedWorksheet)
        recording = sheet.recording if history.close.dtype == history.pe.dtype == float else None
        for offset, day in enumerate(history.dates):
            row = first + offset
            serial = excel_serial(day)
            closes = history.close[offset].tolist()
            pes = history.pe[offset].tolist()
            write_number(row, 0, serial, date_style)
            _write_row(sheet, row, 1, closes, close_style)
            _write_row(sheet, row, pe_start, pes, pe_style)
            if recording is not None:
                recording.number(row, 0, serial, date_style)
                recording.numbers(row, 1, closes, close_style)
                recording.numbers(row, pe_start, pes, pe_style)
                recording.ahead(row)
        names = spec.names(history.rows, len(history.close_codes), len(history.pe_codes))
        for name, reference in names.items():
            self._name(name, reference)
        sheet.set_column(0, 0, 11)
        widths = [*history.close_codes, *history.pe_codes]
        sheet.set_column(
            1,
            pe_start + pe_width - 1,
            max(11, *(display_width(c) + 2 for c in widths)) if widths else 11,
        )
        self._finish(sheet, True, (FIRST_DATA_ROW - 1, 1))

    def _style(self, number_format: str) -> Format:
        return self.styles.cell(Kind.DATA, DType.NUMBER, number_format)

    # ---------------------------------------------------------------- text sheets
    def guide_sheet(self, spec: TextSheet) -> None:
        sheet = self._add_sheet(spec.name)
        lines = spec.lines[self.lang]
        settings = self.spec.settings
        if lines:
            sheet.write_string(0, 0, lines[0], self.styles.title)
        row = 2
        for line in lines[1:]:
            sheet.write_string(row, 0, line, self.styles.text)
            row += 1
        row += 1
        for key in ("data_note", "report_date", "formula_mode", "template_version"):
            value = self.content.settings.get(key)
            if is_blank(value):
                continue
            label = settings.setting(key).labels[self.lang]
            shown = value.isoformat() if isinstance(value, dt.date) else str(value)
            sheet.write_string(
                row,
                0,
                f"{label}：{shown}" if self.lang == "zh" else f"{label}: {shown}",
                self.styles.heading if key == "data_note" else self.styles.text,
            )
            row += 1
        sheet.set_column(0, 0, 110)
        self._finish(sheet, False, None)

    def xlwings_sheet(self, spec: TextSheet) -> None:
        sheet = self._add_sheet(spec.name)
        # The add-in reads keys from A1 down to the first blank cell: nothing else in A.
        sheet.write_string(0, 0, XLWINGS_UDF_KEY)
        sheet.write_string(0, 1, self.spec.xlwings_udf_modules)
        sheet.set_column(0, 0, 14)
        sheet.set_column(1, 1, 12)

    # ------------------------------------------------------------------ workbook
    def _own_sheets_after(self, sheet: str | None) -> None:
        """The analyst's sheets that followed ``sheet`` (None: that came first)."""
        placed = [own for own in self.own_sheets if own.after == sheet]
        write_own_sheets(self.workbook, placed, CoverageWorksheet)

    def run(self) -> None:
        self._own_sheets_after(None)
        for spec in self.spec.sheets:
            if isinstance(spec, TableSheet):
                self.table_sheet(spec)
            elif isinstance(spec, SettingsSheet):
                self.settings_sheet(spec)
            elif isinstance(spec, HistorySheet):
                self.history_sheet(spec)
            elif spec.name == XLWINGS_CONF_SHEET:
                self.xlwings_sheet(spec)
            else:
                self.guide_sheet(spec)
            self._own_sheets_after(spec.name)
        # Sheets that followed one the template no longer has come last.
        known = set(self.spec.sheet_names())
        rest = [own for own in self.own_sheets if own.after is not None and own.after not in known]
        write_own_sheets(self.workbook, rest, CoverageWorksheet)
        add_charts(self.workbook, self.sheets, self.content)
        first_table = self.spec.table_sheets()[0].name
        self.sheets[first_table].activate()
        report_date = self.content.settings.get("report_date")
        created = (
            dt.datetime(report_date.year, report_date.month, report_date.day)
            if isinstance(report_date, dt.date)
            else dt.datetime(2000, 1, 1)
        )
        title = self.spec.table_sheets()[0].titles[self.lang]
        self.workbook.set_properties(
            {
                "title": title,
                "subject": "Coverage workbook",
                "author": "xlmodels",
                "comments": str(self.content.settings.get("data_note") or ""),
                "created": created,
            }
        )
        self.workbook.set_custom_property("xlmodels_template_version", int(self.spec.version))
        self.workbook.set_custom_property("xlmodels_formula_mode", self.content.mode)
        self.workbook.set_custom_property("xlmodels_version", __version__)


def _header_texts(header: str) -> list[str]:
    """A stand-in text as wide as the header needs to wrap onto at most two lines."""
    if display_width(header) <= 14:
        return [header]  # short headers stay on one line
    # Latin words stay whole; Chinese text may break between any two characters.
    tokens = re.findall(r"[A-Za-z0-9.%()/\-]+|\S", header)
    widths = [display_width(token) for token in tokens]
    spaced = [bool(re.match(r"[A-Za-z0-9(]", token)) for token in tokens]
    width = max([*widths, (display_width(header) + 1) // 2])
    while _lines(widths, spaced, width) > 2:
        width += 1
    return ["x" * width]


def _lines(widths: list[int], spaced: list[bool], width: int) -> int:
    lines, used = 1, 0
    for token, space in zip(widths, spaced, strict=True):
        needed = token + (1 if used and space else 0)
        if used and used + needed > width:
            lines, used = lines + 1, token
        else:
            used += needed
    return lines


def _write_row(
    sheet: Worksheet, row: int, first_column: int, values: Sequence[float], style: Format
) -> None:
    """Write a row of numbers, skipping NaN (a series before its start or after its end)."""
    write_number = sheet.write_number
    for column, value in enumerate(values, start=first_column):
        if value == value:  # NaN is the one value not equal to itself
            write_number(row, column, value, style)


def render(
    target: str | Path | IO[bytes],
    content: WorkbookContent,
    own_sheets: Sequence[OwnSheet] = (),
    recorder: BuiltCells | None = None,
) -> None:
    """Write ``content`` as an .xlsx file (or into a binary buffer), not atomically.

    ``own_sheets``, the analyst's sheets carried from the workbook being
    regenerated (:mod:`xlmodels.workbook.own_sheets`), keep their places
    among the template's. ``recorder`` receives every cell as it is written
    (:class:`~xlmodels.workbook.built_cells.BuiltCells`).
    """
    options: dict[str, Any] = dict(WORKBOOK_OPTIONS)
    if not isinstance(target, str | Path):
        options["in_memory"] = True
    workbook = Workbook(target, options)
    try:
        _Renderer(workbook, content, own_sheets, recorder).run()
        if recorder is not None:
            recorder.attach(workbook)
    finally:
        try:
            workbook.close()
        except FileCreateError as error:  # xlsxwriter wraps the operating system's error
            cause = error.args[0] if error.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise


def write_workbook(
    target: str | Path | IO[bytes],
    inputs: CoverageInputs,
    *,
    mode: str = "sq",
    lang: str | None = None,
    estimates_override: pd.DataFrame | None = None,
    spec: WorkbookSpec = SPEC,
) -> WorkbookContent:
    """Write the coverage workbook of ``inputs``.

    Parameters
    ----------
    target : path or binary file object
        A path is replaced atomically: a temporary file in the same folder is
        written, then renamed over it, so a failure at any point leaves the
        previous file (or none) and never a partial one. A file object (such
        as :class:`io.BytesIO`) receives the bytes.
    inputs : CoverageInputs
        Universe, market, FX, estimates, indexes, history and settings.
    mode : {"sq", "native"}
        Formulas with the firm's ``SQ_`` functions, or plain Excel.
    lang : {"zh", "en"}, optional
        Language of titles, headers, ratings and names; default
        ``inputs.settings.lang``.
    estimates_override : DataFrame, optional
        Analyst inputs replacing ``inputs.estimates`` (for instance those
        :func:`~xlmodels.workbook.reader.read_workbook` read from the
        workbook being regenerated).
    spec : WorkbookSpec
        The template; the current spec unless a migration needs another.

    Returns
    -------
    WorkbookContent
        What was written, sheet by sheet.

    Examples
    --------
    >>> import io
    >>> from xlmodels.sources import sample
    >>> buffer = io.BytesIO()
    >>> content = write_workbook(buffer, sample.load_inputs(), mode="native")
    >>> content.tables["Coverage"].codes[:2], buffer.getvalue()[:2]
    (['0700.HK', '9999.HK'], b'PK')
    """
    # Millions of cells come and go without a reference cycle among them.
    with collector_paused():
        content = build_content(
            inputs, mode=mode, lang=lang, spec=spec, estimates_override=estimates_override
        )
        if isinstance(target, str | Path):
            with atomic_path(target) as temporary:
                render(temporary, content)
        else:
            render(target, content)
    return content
