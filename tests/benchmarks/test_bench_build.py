"""The workbook-build benchmark compares like with like; speed is printed, never asserted."""

from __future__ import annotations

import io

from benchmarks import build
from xlmodels.workbook import read_cells, write_workbook


def test_build_benchmark_times_both_sides() -> None:
    (timing,) = build.run(companies=6, dates=40, repeat=1)
    assert timing.seconds > 0
    assert timing.baseline_seconds > 0
    assert "ratio" in timing.line()


def test_the_baseline_writes_the_same_cells() -> None:
    inputs = build.reference_inputs(companies=6, dates=40)
    ours = io.BytesIO()
    write_workbook(ours, inputs)
    bare = build.write_bare(build.bare_cells(ours.getvalue()))
    expected = read_cells(ours)
    written = read_cells(io.BytesIO(bare))
    assert written.keys() == expected.keys()
    for sheet, cells in expected.items():
        assert {ref: cell.formula for ref, cell in written[sheet].items()} == {
            ref: cell.formula for ref, cell in cells.items()
        }, sheet
        assert len(written[sheet]) == len(cells) > 0


def test_reference_inputs_are_deterministic() -> None:
    first, second = build.reference_inputs(8, 30), build.reference_inputs(8, 30)
    assert first.universe.equals(second.universe)
    assert first.history is not None
    assert first.history.equals(second.history)
