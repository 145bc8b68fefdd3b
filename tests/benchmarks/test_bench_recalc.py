"""The recalculation benchmark counts each layout's SQ_ calls; speed is printed, never asserted."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks import recalc
from xlmodels.template.v3 import SPEC
from xlmodels.workbook import read_cells


def _calls(label: str) -> int:
    found = re.search(r"([\d,]+) calls", label)
    assert found, label
    return int(found[1].replace(",", ""))


def _sq_formulas(path: Path) -> int:
    return sum(
        1
        for cells in read_cells(path).values()
        for cell in cells.values()
        if "SQ_" in (cell.formula or "")
    )


def test_a_full_recalculation_calls_each_formula_once(tmp_path: Path) -> None:
    per_row_path, spilled_path = recalc.workbooks(tmp_path, 5)
    per_row, spilled = recalc.record_calls(per_row_path), recalc.record_calls(spilled_path)
    assert (
        spilled.count
        == _sq_formulas(spilled_path)
        == sum(len(sheet.spilled("sq")) for sheet in SPEC.table_sheets())
    )
    assert per_row.count == _sq_formulas(per_row_path) > 5 * 8
    assert set(per_row.by_function()) - {"SQ_PERCENTILE"} == set(spilled.by_function()) - {
        "SQ_PERCENTILES"
    }


def test_the_calls_go_through_xlwings_desktop_path(tmp_path: Path) -> None:
    _, spilled_path = recalc.workbooks(tmp_path, 5)
    recalculation = recalc.record_calls(spilled_path)
    seconds, results = recalc.replay(recalculation, repeat=1)
    assert seconds > 0
    # Every spilled formula gives a column of one result per row, none a refusal.
    assert all(isinstance(result, list) for result in results)
    flat = [cell for result in results for row in result for cell in row]
    assert not [cell for cell in flat if isinstance(cell, str) and cell.startswith("#VALUE!")]
    assert sum(isinstance(cell, float) for cell in flat) > len(flat) // 2


def test_the_benchmark_prints_calls_and_estimates_per_size() -> None:
    timings = recalc.run(companies=[4, 9], repeat=1)
    assert len(timings) == 2 * (1 + len(recalc.ROUND_TRIPS))
    first, second = timings[0], timings[1 + len(recalc.ROUND_TRIPS)]
    assert _calls(first.baseline_label) == _calls(second.baseline_label)
    assert _calls(first.label) < _calls(second.label)
    assert all(t.seconds > 0 and t.baseline_seconds > 0 for t in timings)
    assert recalc.estimate(100, 0.5, 0.0132) == 100 * 0.0132 + 0.5
