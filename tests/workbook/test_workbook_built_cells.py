"""The cells recorded while a workbook is written are the cells a reader finds in the file.

Regeneration diffs the workbook on disk against the cells recorded as the new
one is written (:mod:`xlmodels.workbook.built_cells`), not against the bytes
read back: these tests hold the two equal, cell by cell and type by type, on
the sample workbooks, an analyst's own sheet and the number formats
calamine reads as dates; and the grid diff equal to the cell-by-cell one.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet.formula import ArrayFormula
from python_calamine import CalamineWorkbook

from tests.workbook_helpers import edge_inputs
from xlmodels.sources import sample
from xlmodels.workbook.built_cells import BuiltCells, number_format_class
from xlmodels.workbook.cell_diff import diff_cells
from xlmodels.workbook.content import build_content
from xlmodels.workbook.own_sheets import read_own_sheets
from xlmodels.workbook.stored_cells import CellContent, SheetCells, read_cells
from xlmodels.workbook.writer import CoverageWorksheet, render


def _typed(cells: dict[str, SheetCells]) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Every cell as (type of its value, value, formula, array range, the cell it spilled from).

    Equal only if the types are, and only if the spilled ``SQ_`` columns are
    the same ranges with the same cells marked as their results.
    """
    return {
        sheet: {
            ref: (type(c.value), c.value, c.formula, c.spill, c.spilled_from)
            for ref, c in sheet_cells.items()
        }
        for sheet, sheet_cells in cells.items()
    }


def _recorded(content: Any, own: Any = ()) -> tuple[bytes, dict[str, SheetCells]]:
    buffer, recorder = io.BytesIO(), BuiltCells()
    render(buffer, content, own, recorder)
    cells = recorder.cells()
    assert cells is not None, "the sample workbook's cells should all be recorded faithfully"
    return buffer.getvalue(), cells


@pytest.mark.parametrize("mode", ["sq", "native"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("inputs", [sample.load_inputs, edge_inputs], ids=["sample", "edge"])
def test_recorded_cells_are_the_cells_read_back(mode: str, lang: str, inputs: Any) -> None:
    data, recorded = _recorded(build_content(inputs(), mode=mode, lang=lang))
    read = read_cells(io.BytesIO(data))
    assert list(recorded) == list(read)  # every sheet, in tab order
    assert _typed(recorded) == _typed(read)
    assert diff_cells(read, recorded) == []
    if mode == "sq":  # the spilled columns are there to compare, not vacuously equal
        coverage = recorded["Coverage"]
        assert any(cell.spill and ":" in cell.spill for cell in coverage.values())
        assert any(cell.spilled_from for cell in coverage.values())


def test_an_own_sheet_is_recorded_as_it_reads_back(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    render(buffer, build_content(sample.load_inputs(), mode="native"))
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = workbook.create_sheet("Model")
    sheet["A1"], sheet["B1"] = "Games", 1250.5
    sheet["A2"], sheet["B2"] = "Total", "=B1*2"
    sheet["A3"], sheet["B3"] = "Checked", True
    sheet["A4"], sheet["B4"] = "As of", dt.datetime(2024, 11, 29)
    sheet["B4"].number_format = "yyyy-mm-dd"
    sheet["A5"], sheet["B5"] = "Stamp", dt.datetime(2024, 11, 29, 14, 30)
    sheet["B5"].number_format = "yyyy-mm-dd hh:mm"
    sheet["C1"] = ArrayFormula("C1:C2", "=B1:B2*2")
    sheet["D1"] = "  spaced  "
    path = tmp_path / "own.xlsx"
    workbook.save(path)
    stored = read_cells(path)
    own = read_own_sheets(path.read_bytes(), [n for n in stored if n != "Model"], stored)
    data, recorded = _recorded(build_content(sample.load_inputs(), mode="native"), own)
    read = read_cells(io.BytesIO(data))
    assert _typed(recorded)["Model"] == _typed(read)["Model"]
    assert _typed(recorded) == _typed(read)


_FORMATS = [
    "yyyy-mm-dd",
    "hh:mm",
    "m/d",
    "d",
    "[$-409]d-mmm-yy",
    'yyyy"年"m"月"',
    "AM/PM",
    "a/p",
    "0.0%",
    "General",
    '"d"0',
    '0" days"',
    "[Red]0.0",
    "@",
    "#,##0.00_);(#,##0.00)",
    "\\d0",
    "0;[Red]-0",
    "E+0",
    "0.00x",
    "A0",
    "[h]:mm",
    "[mm]:ss",
    "[s]",
]
_VALUES = [61.0, 45000.0, 45000.5, 2_958_465.0, 3.25]


def test_number_formats_are_classed_as_calamine_reads_them() -> None:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("S")
    for row, number_format in enumerate(_FORMATS):
        style = workbook.add_format({"num_format": number_format})
        for column, value in enumerate(_VALUES):
            sheet.write_number(row, column, value, style)
    workbook.close()
    grid = (
        CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue()))
        .get_sheet_by_name("S")
        .to_python()
    )
    for number_format, row in zip(_FORMATS, grid, strict=True):
        read = {type(value) for value in row}
        expected = {
            "number": {float},
            "date": {dt.date, dt.datetime},
            "duration": {dt.timedelta},
        }[number_format_class(number_format)]
        assert read <= expected, number_format


def _record(write: Any) -> dict[str, SheetCells] | None:
    buffer, recorder = io.BytesIO(), BuiltCells()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("S", worksheet_class=CoverageWorksheet)
    write(workbook, sheet)
    recorder.attach(workbook)
    workbook.close()
    return recorder.cells()


def test_a_value_not_reproduced_exactly_is_not_recorded() -> None:
    plain = _record(lambda book, sheet: sheet.write_number(0, 0, 2.0))
    assert plain == {"S": SheetCells([[2.0]])}
    duration = {"num_format": "[h]:mm"}
    assert _record(lambda book, s: s.write_number(0, 0, 1.5, book.add_format(duration))) is None
    assert _record(lambda book, sheet: sheet.write_string(0, 0, "_x0041_ an escape")) is None
    assert _record(lambda book, sheet: sheet.write_string(0, 0, "line\rbreak")) is None
    early = {"num_format": "yyyy-mm-dd"}
    assert _record(lambda book, s: s.write_number(0, 0, 59.0, book.add_format(early))) is None


def test_the_grid_diff_is_the_cell_by_cell_diff() -> None:
    old = SheetCells(
        [["Title", "", ""], [1.0, 2.0, True], ["x", 5.0, ""], [dt.date(2024, 1, 2), "", ""]],
        {(2, 2): "=A2*2"},
    )
    new = SheetCells(
        [["Title", "", ""], [1.0, 2.0, 1.0], ["x", 5.0 + 1e-14, "note"]],
        {(2, 2): "=a2 * 2", (5, 1): "=A1"},
    )
    as_dicts = diff_cells({"S": dict(old.items())}, {"S": dict(new.items())})
    assert diff_cells({"S": old}, {"S": new}) == as_dicts
    assert [(c.cell, c.old, c.new) for c in as_dicts] == [
        ("C2", True, 1.0),
        ("C3", None, "note"),
        ("A4", dt.date(2024, 1, 2), None),
        ("A5", None, ""),
    ]


def test_sheet_cells_read_as_a_mapping() -> None:
    cells = SheetCells([["a", "", 3.0], ["", "", ""]], {(2, 2): "=C1", (4, 1): "=1"})
    assert dict(cells.items()) == {
        "A1": CellContent("a"),
        "C1": CellContent(3.0),
        "B2": CellContent("", "=C1"),
        "A4": CellContent("", "=1"),
    }
    assert len(cells) == 4
    assert "B1" not in cells
    assert cells.get("ZZ") is None
    assert cells.any_in(2, 1, 3, 3)
    assert not cells.any_in(3, 1, 3, 9)


def test_rows_equal_to_the_previous_workbook_are_shared_and_left_as_they_were() -> None:
    content = build_content(sample.load_inputs(), mode="native", lang="en")
    data, _ = _recorded(content)
    previous = read_cells(io.BytesIO(data))
    before = copy.deepcopy(_typed(previous))
    recorder = BuiltCells(previous)
    render(io.BytesIO(), content, (), recorder)
    recorded = recorder.cells()
    assert recorded is not None
    assert _typed(recorded) == _typed(previous) == before  # same cells; nothing written into
    history = recorded["History"].rows
    shared = sum(
        1 for new, old in zip(history, previous["History"].rows, strict=True) if new is old
    )
    assert shared == len(history)
    assert diff_cells(previous, recorded) == []
    # A changed workbook: its changed rows are its own, and they are what the diff shows.
    changed = build_content(sample.load_inputs(), mode="native", lang="zh")
    recorder = BuiltCells(previous)
    render(io.BytesIO(), changed, (), recorder)
    cells = recorder.cells()
    assert cells is not None
    assert _typed(previous) == before
    reread = read_cells(io.BytesIO(_recorded(changed)[0]))
    assert diff_cells(previous, cells) == diff_cells(previous, reread) != []


def test_history_rows_recorded_whole_are_the_rows_read_back() -> None:
    # A History row is recorded from its lists as it is written: gaps (NaN, no
    # cell), whole rows of gaps and finite numbers whose sum overflows must
    # still read back as recorded.
    content = build_content(sample.load_inputs(), mode="sq", lang="en")
    close, pe = content.history.close.copy(), content.history.pe.copy()
    assert min(close.shape[0] - 6, close.shape[1] - 3, pe.shape[1] - 1) >= 0
    close[0, :] = np.nan
    close[1, 0], close[1, -1] = np.nan, np.nan
    close[2, 1], pe[2, 0] = np.nan, -1e-300
    close[3, :2] = 1.5e308
    pe[4, :] = np.nan
    pe[5, -1] = np.nan
    history = dataclasses.replace(content.history, close=close, pe=pe)
    data, recorded = _recorded(dataclasses.replace(content, history=history))
    read = read_cells(io.BytesIO(data))
    assert _typed(recorded) == _typed(read)
    assert recorded["History"].rows == read["History"].rows
    assert diff_cells(read, recorded) == []
