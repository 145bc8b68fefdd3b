"""Conflicts stop a workbook; --force keeps a backup; --dry-run lists changes and writes nothing."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font
from openpyxl.workbook.defined_name import DefinedName

from tests.regenerate_helpers import (
    at,
    bench_at,
    beyond,
    by_file,
    read_sample,
    regenerate,
    setting_at,
    snapshot,
    spilled_formula,
    sq_formula,
    type_into,
    write_inputs,
)
from tests.workbook_helpers import edit_cells, excel_types_over_spill
from xlmodels.regenerate import ConflictKind, Status
from xlmodels.regenerate.batch import backup_path
from xlmodels.workbook import read_cells, read_workbook

BOOK = "hk-internet.xlsx"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    books = tmp_path / "books"
    books.mkdir()
    assert regenerate(books, write_inputs(tmp_path / "inputs")).exit_code == 0
    return books


def _month2(folder: Path, **changes: Any) -> Any:
    return write_inputs(folder.parent / "month2", price_factor=1.1, **changes)


def _conflicts(folder: Path, **changes: Any) -> list[tuple[str, str, str]]:
    """Regenerate with new prices; the workbook must stop, untouched, on its conflicts."""
    before = snapshot(folder)
    result = regenerate(folder, _month2(folder, **changes))
    outcome = by_file(result)[BOOK]
    assert outcome.status is Status.FAILED, outcome
    assert "--force" in outcome.reason
    assert result.exit_code == 1
    after = snapshot(folder)
    assert after[BOOK] == before[BOOK]
    assert by_file(result)["us-internet.xlsx"].status is Status.UPDATED
    return [(c.kind, c.sheet, c.cell) for c in outcome.conflicts]


def _edit(path: Path, change: Any) -> None:
    workbook = openpyxl.load_workbook(path)
    change(workbook)
    workbook.save(path)


def test_a_workbook_saved_elsewhere_without_changes_has_no_conflict(folder: Path) -> None:
    _edit(folder / BOOK, lambda workbook: None)  # opened and saved, nothing typed
    result = regenerate(folder, _month2(folder))
    assert by_file(result)[BOOK].status is Status.UPDATED
    assert by_file(result)[BOOK].conflicts == ()


def test_what_an_extra_sheet_cannot_carry_is_a_conflict(folder: Path) -> None:
    def add(workbook: openpyxl.Workbook) -> None:
        workbook.create_sheet("My notes")["A1"] = "Call the CFO"
        rule = CellIsRule(operator="lessThan", formula=["0"], font=Font(color="FFFF0000"))
        workbook["My notes"].conditional_formatting.add("A1:A9", rule)

    _edit(folder / BOOK, add)
    assert _conflicts(folder) == [(ConflictKind.EXTRA_SHEET, "My notes", "")]


#: Tencent's EPS FY1 and close cells on Coverage (formulas in every row), and its
#: PE FY1 cell (the first row of a column one formula spills over).
EPS5, CLOSE5 = at("Coverage", "eps_fy1"), at("Coverage", "close")
PE5 = at("Coverage", "pe_fy1")
EST5 = at("Estimates", "eps_fy1")
#: The HK workbook's benchmark expected return (one market, the Guosen scheme's three tiers).
BENCH_HK = bench_at(markets=1, tiers=3)


def test_an_edited_formula_is_a_conflict(folder: Path) -> None:
    type_into(folder / BOOK, {("Coverage", EPS5): f"=Estimates!{EST5}*1.1"})
    assert _conflicts(folder) == [(ConflictKind.EDITED_FORMULA, "Coverage", EPS5)]
    result = regenerate(folder, _month2(folder))
    (conflict,) = by_file(result)[BOOK].conflicts
    assert conflict.found == f"the formula =Estimates!{EST5}*1.1"
    assert conflict.spec == f"the formula {sq_formula('Coverage', 'eps_fy1')}"


def test_an_edited_spilled_formula_is_a_conflict(folder: Path) -> None:
    # Excel keeps a formula typed over the first cell of a spill, and the
    # results below it go: the cell holds an ordinary formula, the rest nothing.
    path = folder / BOOK
    cells = read_cells(path)["Coverage"]
    spilled = [ref for ref, cell in cells.items() if cell.spilled_from == PE5]
    assert spilled
    edit_cells(path, "Coverage", dict.fromkeys(spilled))
    type_into(path, {("Coverage", PE5): f"={CLOSE5}/{EPS5}"})
    assert _conflicts(folder) == [(ConflictKind.EDITED_FORMULA, "Coverage", PE5)]
    result = regenerate(folder, _month2(folder))
    (conflict,) = by_file(result)[BOOK].conflicts
    assert conflict.found == f"the formula ={CLOSE5}/{EPS5}"
    companies = len(read_workbook(folder / BOOK).tables["Coverage"])
    assert conflict.spec == f"the formula {spilled_formula('Coverage', 'pe_fy1', companies)}"


def test_the_spelling_of_a_formula_is_not_an_edit(folder: Path) -> None:
    spelled = sq_formula("Coverage", "eps_fy1").lower().replace(",", ", ").replace("(", "( ")
    type_into(folder / BOOK, {("Coverage", EPS5): spelled})
    result = regenerate(folder, _month2(folder))
    assert by_file(result)[BOOK].status is Status.UPDATED


def test_formulas_of_every_row_in_a_spilled_column_are_not_an_edit(folder: Path) -> None:
    # The layout of template v2: PE FY1 in every row. Regenerating spills it, losing nothing.
    path = folder / BOOK
    last = 4 + len(read_workbook(path).tables["Coverage"])
    formulas = {r: sq_formula("Coverage", "pe_fy1", r) for r in range(5, last + 1)}
    type_into(path, {("Coverage", at("Coverage", "pe_fy1", r)): f for r, f in formulas.items()})
    result = regenerate(folder, _month2(folder))
    assert by_file(result)[BOOK].status is Status.UPDATED
    assert read_cells(path)["Coverage"][PE5].spill == f"{PE5}:{at('Coverage', 'pe_fy1', last)}"


def test_a_number_typed_over_a_formula_is_a_conflict(folder: Path) -> None:
    eps6, remaining = at("Coverage", "eps_fy1", 6), setting_at("fy1_remaining")
    type_into(folder / BOOK, {("Coverage", eps6): 12.5, ("Settings", remaining): 0.5})
    assert _conflicts(folder) == [
        (ConflictKind.VALUE_OVER_FORMULA, "Coverage", eps6),
        (ConflictKind.VALUE_OVER_FORMULA, "Settings", remaining),
    ]


@pytest.mark.parametrize("shrink", [False, True], ids=["range kept", "range shrunk"])
def test_a_number_typed_over_a_spilled_result_is_a_conflict(folder: Path, shrink: bool) -> None:
    pe6 = at("Coverage", "pe_fy1", 6)
    excel_types_over_spill(folder / BOOK, "Coverage", pe6, 12.5, shrink=shrink)
    assert _conflicts(folder) == [(ConflictKind.VALUE_OVER_FORMULA, "Coverage", pe6)]
    (conflict,) = by_file(regenerate(folder, _month2(folder)))[BOOK].conflicts
    assert conflict.found == "the typed value 12.5"
    assert conflict.spec.startswith("a result of the formula =IF(ISNUMBER(")
    assert conflict.spec.endswith(f" at {PE5}")


def test_a_cleared_formula_is_written_back_without_a_conflict(folder: Path) -> None:
    eps6 = at("Coverage", "eps_fy1", 6)
    type_into(folder / BOOK, {("Coverage", eps6): None})
    result = regenerate(folder, _month2(folder))
    assert by_file(result)[BOOK].status is Status.UPDATED
    workbook = openpyxl.load_workbook(folder / BOOK)
    assert workbook["Coverage"][eps6].value == sq_formula("Coverage", "eps_fy1", 6)


def test_a_formula_typed_in_an_input_cell_is_a_conflict(folder: Path) -> None:
    fy2 = at("Estimates", "eps_fy2")
    typed = {("Estimates", fy2): f"={at('Estimates', 'eps_fy1')}*1.09"}
    type_into(folder / BOOK, {**typed, ("Settings", BENCH_HK): "=0.04+0.01"})
    assert _conflicts(folder) == [
        (ConflictKind.FORMULA_IN_INPUT, "Estimates", fy2),
        (ConflictKind.FORMULA_IN_INPUT, "Settings", BENCH_HK),
    ]


def test_content_outside_the_template_blocks_is_a_conflict(folder: Path) -> None:
    type_into(
        folder / BOOK,
        {
            ("Estimates", beyond("Estimates")): "my own column",
            ("Market", "A20"): "note under the table",
            ("xlwings.conf", "A2"): "Interpreter_Win",
        },
    )
    assert sorted(_conflicts(folder)) == sorted(
        [
            (ConflictKind.EXTRA_CELL, "Estimates", beyond("Estimates")),
            (ConflictKind.EXTRA_CELL, "Market", "A20"),
            (ConflictKind.EXTRA_CELL, "xlwings.conf", "A2"),
        ]
    )


def test_a_defined_name_pointing_at_content_is_a_conflict(folder: Path) -> None:
    def name(workbook: openpyxl.Workbook) -> None:
        workbook.defined_names["my_close"] = DefinedName("my_close", attr_text="Market!$D$5")
        workbook.defined_names["my_rate"] = DefinedName("my_rate", attr_text="0.05")
        # Pointing at empty cells, a name loses nothing: no conflict.
        workbook.defined_names["scratch"] = DefinedName("scratch", attr_text="Market!$Z$90")

    _edit(folder / BOOK, name)
    assert sorted(_conflicts(folder)) == [
        (ConflictKind.UNKNOWN_NAME, "(workbook)", ""),
        (ConflictKind.UNKNOWN_NAME, "Market", "D5"),
    ]


def test_a_company_leaving_the_universe_with_inputs_is_a_conflict(folder: Path) -> None:
    universe = read_sample("universe.csv")
    # 0700.HK has analyst estimates; 3888.HK has none and leaves without a word.
    universe = universe[~universe["code"].isin(["0700.HK", "3888.HK"])]
    assert _conflicts(folder, universe=universe, estimates=False) == [
        (ConflictKind.LEAVING_COMPANY, "Estimates", "A5")
    ]
    outcome = by_file(regenerate(folder, _month2(folder, universe=universe, estimates=False)))[BOOK]
    assert "eps_fy1 24.1" in outcome.conflicts[0].found


def test_force_proceeds_and_keeps_the_previous_file_as_a_backup(folder: Path) -> None:
    type_into(folder / BOOK, {("Coverage", EPS5): 15.0, ("Estimates", beyond("Estimates")): "mine"})
    previous = (folder / BOOK).read_bytes()
    result = regenerate(folder, _month2(folder), force=True)
    outcome = by_file(result)[BOOK]
    assert outcome.status is Status.UPDATED
    assert len(outcome.conflicts) == 2
    assert "2 conflicts overridden" in outcome.reason
    assert outcome.backup is not None
    assert re.fullmatch(
        r"\.backups/hk-internet\.\d{4}-\d\d-\d\dT\d{6}(-\d+)?\.bak\.xlsx", outcome.backup
    )
    assert (folder / outcome.backup).read_bytes() == previous
    assert result.exit_code == 0
    data = read_workbook(folder / BOOK)
    assert data.tables["Market"].loc["0700.HK", "close"] == pytest.approx(437.8)
    # The backup is not a workbook of the folder: the next run does not see it.
    again = regenerate(folder, _month2(folder))
    assert {w.file for w in again.workbooks} == {BOOK, "us-internet.xlsx"}
    assert by_file(again)[BOOK].status is Status.UNCHANGED


def test_a_backup_never_overwrites_another(tmp_path: Path) -> None:
    target = tmp_path / "hk-internet.xlsx"
    now = dt.datetime(2026, 11, 25, 10, 15, 0)
    first = backup_path(target, now)
    first.parent.mkdir()
    first.write_bytes(b"earlier backup")
    second = backup_path(target, now)
    assert first == tmp_path / ".backups" / "hk-internet.2026-11-25T101500.bak.xlsx"
    assert second == tmp_path / ".backups" / "hk-internet.2026-11-25T101500-2.bak.xlsx"


def test_dry_run_lists_the_changes_cell_by_cell_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    # A folder never regenerated: a dry run must not even create the lock file.
    regenerate_paths = write_inputs(tmp_path / "inputs")
    first = regenerate(folder, regenerate_paths, dry_run=True)
    assert list(folder.iterdir()) == []
    assert {w.status for w in first.workbooks} == {Status.CREATED}
    assert all(w.changes for w in first.workbooks)

    regenerate(folder, regenerate_paths)
    type_into(folder / BOOK, {("Coverage", PE5): 15.0})
    before = snapshot(folder)
    result = regenerate(folder, write_inputs(tmp_path / "month2", price_factor=1.1), dry_run=True)
    assert snapshot(folder) == before  # no file changed, no backup, no temporary file
    outcome = by_file(result)[BOOK]
    assert outcome.status is Status.FAILED  # the conflict would stop it
    changes = {(c.sheet, c.cell): c for c in outcome.changes}
    close = changes[("Market", at("Market", "close"))]
    assert (close.old, close.new) == (398.0, 437.8)
    assert close.old_formula is None
    assert changes[("Coverage", PE5)].new_formula is not None
    assert outcome.changes_by_sheet["Market"] == 9 - 3  # six HK closes
    assert sum(outcome.changes_by_sheet.values()) == len(outcome.changes)
    us = by_file(result)["us-internet.xlsx"]
    assert us.status is Status.UPDATED
    assert us.changes_by_sheet["Market"] == 3


@pytest.mark.parametrize(
    ("cell", "typed", "message"),
    [
        (
            at("Estimates", "target_multiple"),
            0,
            "Target PE (x) (target_multiple) of 0700.HK must be greater than 0, got 0",
        ),
        (at("Estimates", "target_year"), "FY9", "is 'FY9'; use one of FY1, FY2, FY3, blended"),
        (at("Estimates", "rating_override"), "Buy", "is 'Buy'; use one of"),
        (at("Estimates", "eps_basis"), "gaap", "is 'gaap'; use one of adjusted, reported"),
        (at("Estimates", "eps_lyr"), "n/a", "must be a number, got 'n/a'"),
    ],
)
def test_an_input_the_template_forbids_fails_its_workbook_by_cell(
    folder: Path, cell: str, typed: Any, message: str
) -> None:
    type_into(folder / BOOK, {("Estimates", cell): typed})
    before = snapshot(folder)
    result = regenerate(folder, _month2(folder))
    outcome = by_file(result)[BOOK]
    assert outcome.status is Status.FAILED
    assert f"sheet 'Estimates' cell {cell}" in outcome.reason
    assert message in outcome.reason
    assert "internal error" not in outcome.reason
    assert snapshot(folder)[BOOK] == before[BOOK]
    assert by_file(result)["us-internet.xlsx"].status is Status.UPDATED
