"""The regeneration package's parts on their own: diffs, temporary files, the benchmark."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from benchmarks import regenerate as bench
from xlmodels.regenerate.plan import temporary_files, workbook_files
from xlmodels.workbook.atomic import atomic_path
from xlmodels.workbook.cell_diff import diff_cells, json_value
from xlmodels.workbook.stored_cells import CellContent


def test_diff_ignores_formula_spelling_and_float_noise_but_not_changes() -> None:
    old = {
        "Coverage": {
            "I5": CellContent(15.431249, '=IF(COUNT(D5,F5,O5)<3,"",SQ_PE(D5,F5,O5))'),
            "I6": CellContent(12.0, '=if(count(d6, f6, o6) < 3, "", sq_pe(d6,f6,o6))'),
            "A7": CellContent("note", None),
        },
        "Market": {"D5": CellContent(398.0, None)},
    }
    new = {
        "Coverage": {
            "I5": CellContent(15.431249 * (1 + 1e-15), '=IF(COUNT(D5,F5,O5)<3,"",SQ_PE(D5,F5,O5))'),
            "I6": CellContent(12.0, '=IF(COUNT(D6,F6,O6)<3,"",SQ_PE(D6,F6,O6))'),
        },
        "Market": {"D5": CellContent(401.5, None), "D6": CellContent("", None)},
    }
    changes = diff_cells(old, new)
    assert [(c.sheet, c.cell, c.old, c.new) for c in changes] == [
        ("Coverage", "A7", "note", None),
        ("Market", "D5", 398.0, 401.5),
    ]
    assert changes[1].old_text == "398"
    assert changes[0].new_text == "(empty)"


def test_a_number_and_the_same_text_are_different_cells() -> None:
    changes = diff_cells({"S": {"A1": CellContent(1.0)}}, {"S": {"A1": CellContent("1")}})
    assert len(changes) == 1


def test_json_values_are_plain() -> None:
    assert json_value(dt.datetime(2024, 11, 29)) == "2024-11-29"
    assert json_value("") is None
    assert json_value(float("nan")) == "nan"


def test_only_the_temporary_files_of_workbook_writes_are_stray(tmp_path: Path) -> None:
    class Interrupted(Exception):
        pass

    # The name a real write gives its temporary file (removed on failure; a
    # killed process leaves it behind).
    try:
        with atomic_path(tmp_path / "hk-internet.xlsx") as temporary:
            name = temporary.name
            raise Interrupted
    except Interrupted:
        pass
    stray = tmp_path / name
    stray.write_bytes(b"half a workbook")
    for other in (".notes.txt", ".hk-internet.xlsx.tmp", "hk-internet.xlsx.abc.tmp", "a.xlsx"):
        (tmp_path / other).write_bytes(b"")
    assert temporary_files(tmp_path) == [stray]
    assert [p.name for p in workbook_files(tmp_path)] == ["a.xlsx"]


def test_backups_owner_files_and_hidden_files_are_not_workbooks(tmp_path: Path) -> None:
    for name in (
        "hk-internet.xlsx",
        "hk-internet.2026-11-25T101500.bak.xlsx",
        "~$hk-internet.xlsx",
        ".hk-internet.xlsx.x1y2z3.tmp",
        "notes.csv",
    ):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "folder.xlsx").mkdir()
    assert [p.name for p in workbook_files(tmp_path)] == ["hk-internet.xlsx"]


def test_the_regeneration_benchmark_runs_both_job_counts() -> None:
    (timing,) = bench.run(groups=3, companies=2, days=20, repeat=1)
    assert timing.items == 3
    assert timing.seconds > 0
    assert timing.baseline_seconds > 0
    assert "workbooks/s" in timing.line()


def test_the_synthetic_universe_is_deterministic(tmp_path: Path) -> None:
    first = bench.write_synthetic_inputs(tmp_path / "a", groups=4, companies=2, days=10)
    second = bench.write_synthetic_inputs(tmp_path / "b", groups=4, companies=2, days=10)
    for left, right in (
        (first.universe, second.universe),
        (first.market, second.market),
        (first.history, second.history),
    ):
        assert left is not None
        assert right is not None
        assert left.read_bytes() == right.read_bytes()
