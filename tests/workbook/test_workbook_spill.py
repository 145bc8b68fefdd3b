"""sq workbooks compute each SQ_ column with one spilled formula, results cached in every cell."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from benchmarks.build import reference_inputs
from tests.workbook_helpers import edge_inputs
from xlmodels.excel.references import parse_reference
from xlmodels.sources import sample
from xlmodels.template.schema import FIRST_DATA_ROW, SpillContext
from xlmodels.template.v2 import SPEC_V2
from xlmodels.template.v3 import SPEC
from xlmodels.workbook import read_cells, read_workbook, write_workbook
from xlmodels.workbook.stored_cells import CellContent

Cells = dict[str, dict[str, CellContent]]


def _cells(inputs: object, mode: str = "sq", **options: object) -> Cells:
    buffer = io.BytesIO()
    write_workbook(buffer, inputs, mode=mode, **options)  # type: ignore[arg-type]
    return read_cells(buffer)


def _sq_formulas(cells: Cells) -> Counter[str]:
    """Formulas calling each SQ_ function, counted per formula."""
    counts: Counter[str] = Counter()
    for sheet in cells.values():
        for cell in sheet.values():
            for name in set(re.findall(r"\b(SQ_[A-Z_]+)\(", cell.formula or "")):
                counts[name] += 1
    return counts


def test_the_number_of_sq_formulas_does_not_grow_with_the_coverage() -> None:
    small, large = _cells(reference_inputs(20, 60)), _cells(reference_inputs(100, 60))
    assert _sq_formulas(small) == _sq_formulas(large)
    spilled = sum(len(sheet.spilled("sq")) for sheet in SPEC.table_sheets())
    assert sum(_sq_formulas(large).values()) == spilled == 12
    # The per-row layout it replaces grows with every company.
    per_row = _cells(reference_inputs(20, 60), spec=SPEC_V2)
    assert sum(_sq_formulas(per_row).values()) > 20 * 8


def test_each_sq_formula_spills_over_its_sheets_rows() -> None:
    cells = _cells(reference_inputs(100, 60))
    data = read_workbook(io.BytesIO(_workbook_bytes(reference_inputs(100, 60))))
    for sheet in SPEC.table_sheets():
        rows = len(data.tables[sheet.name])
        context = SpillContext(SPEC, sheet, FIRST_DATA_ROW, rows=rows)
        for column in sheet.spilled("sq"):
            letter = sheet.letter(column.key)
            anchor = cells[sheet.name][f"{letter}{FIRST_DATA_ROW}"]
            assert anchor.formula == column.spill_formula(context)
            last = FIRST_DATA_ROW + rows - 1
            assert anchor.spill == (
                f"{letter}{FIRST_DATA_ROW}:{letter}{last}"
                if rows > 1
                else f"{letter}{FIRST_DATA_ROW}"
            )
            for row in range(FIRST_DATA_ROW + 1, last + 1):
                spilled = cells[sheet.name].get(f"{letter}{row}")
                if spilled is None:
                    continue  # an empty result is an empty cell
                assert spilled.formula is None
                assert spilled.spilled_from == f"{letter}{FIRST_DATA_ROW}"


def _workbook_bytes(inputs: object, mode: str = "sq") -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, inputs, mode=mode)  # type: ignore[arg-type]
    return buffer.getvalue()


@pytest.mark.parametrize("make", [sample.load_inputs, edge_inputs], ids=["sample", "edge"])
def test_every_spilled_cell_stores_the_core_value(make: object) -> None:
    # What a workbook opened without Python shows: the cached values, the same
    # in both modes (native writes a formula with its result in every row).
    inputs = make()  # type: ignore[operator]
    sq, native = _workbook_bytes(inputs, "sq"), _workbook_bytes(inputs, "native")
    with (
        CalamineWorkbook.from_filelike(io.BytesIO(sq)) as first,
        CalamineWorkbook.from_filelike(io.BytesIO(native)) as second,
    ):
        for sheet in SPEC.table_sheets():
            spilled = first.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
            per_row = second.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
            assert spilled == per_row, sheet.name


def test_the_reference_rows_show_their_printed_pe_figures() -> None:
    # Read as a file preview or pandas would, without recalculating anything.
    printed = sample.load_printed_coverage()
    with CalamineWorkbook.from_filelike(io.BytesIO(_workbook_bytes(sample.load_inputs()))) as book:
        rows = book.get_sheet_by_name("Coverage").to_python(skip_empty_area=False)
    coverage = SPEC.sheet("Coverage")
    shown = {row[0]: row for row in rows[FIRST_DATA_ROW - 1 :] if row and row[0]}
    checked = 0
    for code, figures in printed.iterrows():
        row = shown[code]
        for slot, year in (("fy1", "2024e"), ("fy2", "2025e")):
            pe = row[coverage.position(f"pe_{slot}")]
            assert isinstance(pe, float), (code, slot)
            assert round(pe) == figures[f"pe_{year}"], (code, slot, pe)
            checked += 1
        assert round(row[coverage.position("market_cap")]) == figures["market_cap_mn"], code
    assert checked == 2 * len(printed) >= 8


def test_native_workbooks_spill_nothing() -> None:
    cells = _cells(sample.load_inputs(), mode="native")
    assert not any(cell.spill for sheet in cells.values() for cell in sheet.values())
    assert not _sq_formulas(cells)


def test_a_coverage_of_one_company_has_one_cell_spills(tmp_path: Path) -> None:
    inputs = reference_inputs(1, 60)
    path = tmp_path / "one.xlsx"
    write_workbook(path, inputs)
    cells = read_cells(path)
    coverage = SPEC.sheet("Coverage")
    anchor = cells["Coverage"][f"{coverage.letter('pe_fy1')}{FIRST_DATA_ROW}"]
    assert anchor.spill is not None
    assert (
        parse_reference(anchor.spill)[1:] == (FIRST_DATA_ROW, coverage.position("pe_fy1") + 1) * 2
    )
