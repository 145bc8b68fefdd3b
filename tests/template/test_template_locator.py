"""The template's locator: names first, headers where names fail, and what neither finds."""

from __future__ import annotations

import io

import openpyxl

from xlmodels.sources import sample
from xlmodels.template.locator import GridCells, Locator, Missing, NamedBlock
from xlmodels.template.names import HIST_CLOSE_CODES, HIST_PE_CODES, SET_TEMPLATE_VERSION
from xlmodels.template.schema import FIRST_DATA_ROW, HEADER_ROW, TableSheet
from xlmodels.template.v3 import SPEC
from xlmodels.workbook import write_workbook

MARKET = SPEC.sheet("Market")
ESTIMATES = SPEC.sheet("Estimates")
LABELS = {
    "lyr": "2023A",
    "fy1": "2024E",
    "fy2": "2025E",
    "fy3": "2026E",
    "price_ccy": "HKD",
    "eps_ccy": "CNY",
}


def _headers(sheet: TableSheet, *, insert_at: int | None = None) -> list[str]:
    """The sheet's header row as the writer fills it, with a blank column inserted if asked."""
    row = [column.header("en", LABELS) for column in sheet.columns]
    if insert_at is not None:
        row.insert(insert_at - 1, "")
    return row


def _cells(sheet: TableSheet, header_row: list[str]) -> GridCells:
    rows: list[list[object]] = [[] for _ in range(HEADER_ROW - 1)]
    return GridCells([*rows, header_row, ["0700.HK"] * len(header_row)])


def _names(sheet: TableSheet, positions: list[int]) -> dict[str, NamedBlock]:
    """Column names at ``positions`` (1-based), ten rows each."""
    return {
        sheet.range_name(column.key): NamedBlock(
            sheet.name, FIRST_DATA_ROW, position, FIRST_DATA_ROW + 9, position
        )
        for column, position in zip(sheet.columns, positions, strict=True)
    }


def _locator(names: dict[str, NamedBlock], sheets: dict[str, GridCells]) -> Locator[NamedBlock]:
    return Locator(SPEC, names.get, sheets.get)


def test_columns_are_found_by_their_names_when_the_headers_agree() -> None:
    # A column inserted before Close the way Excel does it: names follow their cells.
    moved = [1, 2, 3, *range(5, len(MARKET.columns) + 2)]
    located = _locator(
        _names(MARKET, moved), {"Market": _cells(MARKET, _headers(MARKET, insert_at=4))}
    ).columns(MARKET)
    assert located.by == "names"
    assert located.found
    assert located.column("close") == 5
    assert located.column("code") == 1


def test_without_names_the_headers_find_moved_columns() -> None:
    located = _locator({}, {"Market": _cells(MARKET, _headers(MARKET, insert_at=4))}).columns(
        MARKET
    )
    assert located.by == "headers"
    assert located.column("market") == 3
    assert located.column("close") == 5
    assert located.column("benchmark") == len(MARKET.columns) + 1


def test_names_the_headers_contradict_give_way_to_the_headers() -> None:
    # openpyxl inserts a column without moving the names: each name now points
    # one column left of its content, and the headers say so.
    stale = list(range(1, len(MARKET.columns) + 1))
    located = _locator(
        _names(MARKET, stale), {"Market": _cells(MARKET, _headers(MARKET, insert_at=4))}
    ).columns(MARKET)
    assert located.by == "headers"
    assert located.column("close") == 5


def test_neither_names_nor_headers_report_what_is_missing_and_where() -> None:
    headers = _headers(MARKET)
    del headers[MARKET.position("close")]  # the Close column deleted, names gone with it
    located = _locator({}, {"Market": _cells(MARKET, headers)}).columns(MARKET)
    assert not located.found
    assert located.problem == "no header 'Close'"
    (missing,) = located.missing
    assert (missing.sheet, missing.cell) == ("Market", f"{MARKET.letter('close')}{HEADER_ROW}")
    assert "column 'Close'" in missing.message()
    # The template's own positions stand in, so callers can still name cells.
    assert located.positions == tuple(range(1, len(MARKET.columns) + 1))


def test_a_header_that_could_be_two_columns_is_not_guessed_at() -> None:
    headers = _headers(ESTIMATES)
    first_eps = ESTIMATES.position("eps_lyr")
    headers.insert(first_eps, "EPS 2022A (CNY)")  # an earlier year's EPS before LYR
    located = _locator({}, {"Estimates": _cells(ESTIMATES, headers)}).columns(ESTIMATES)
    assert not located.found
    assert "could be column" in located.problem
    assert located.missing == ()


def test_a_missing_sheet_is_not_found() -> None:
    located = _locator({}, {}).columns(MARKET)
    assert not located.found
    assert "no such sheet" in located.problem


def test_a_missing_name_is_reported_by_name() -> None:
    found = _locator({}, {}).named("est_eps_fy1")
    assert isinstance(found, Missing)
    assert found.message().startswith("the workbook has no named range 'est_eps_fy1'")


def test_a_setting_is_found_by_its_name_else_at_the_templates_place() -> None:
    settings = GridCells([["Settings"]])
    moved = {SET_TEMPLATE_VERSION: NamedBlock("Settings", 40, 3, 40, 3)}
    place = _locator(moved, {"Settings": settings}).setting("template_version")
    assert (place.sheet, place.cell, place.by) == ("Settings", "C40", "name")
    # A name pointing at a sheet the workbook lacks is not believed.
    elsewhere = {SET_TEMPLATE_VERSION: NamedBlock("Gone", 5, 2, 5, 2)}
    place = _locator(elsewhere, {"Settings": settings}).setting("template_version")
    row = SPEC.settings.row_of("template_version")
    assert (place.sheet, place.cell, place.by) == ("Settings", f"B{row}", "template")


def _history(close_codes: int, pe_codes: int) -> GridCells:
    width = 1 + close_codes + pe_codes
    group = ["", "Close", *[""] * (close_codes - 1), "PE-TTM (x)", *[""] * (pe_codes - 1)]
    codes = ["Date", *[f"C{i}" for i in range(close_codes)], *[f"P{i}" for i in range(pe_codes)]]
    return GridCells([["History"], [""], group, codes, [45000.0] * width])


def test_history_blocks_by_names_and_by_row_three_labels_agree() -> None:
    cells = _history(close_codes=3, pe_codes=2)
    names = {
        HIST_CLOSE_CODES: NamedBlock("History", HEADER_ROW, 2, HEADER_ROW, 4),
        HIST_PE_CODES: NamedBlock("History", HEADER_ROW, 5, HEADER_ROW, 6),
    }
    by_names = _locator(names, {"History": cells}).history()
    by_labels = _locator({}, {"History": cells}).history()
    assert by_names is not None
    assert by_labels is not None
    assert (by_names.by, by_labels.by) == ("names", "labels")
    for found in (by_names, by_labels):
        assert (found.close_count, found.pe_start, found.pe_count) == (3, 5, 2)


def _opened(data: bytes) -> tuple[dict[str, NamedBlock], dict[str, GridCells]]:
    """A saved workbook's names and cells, as any reader would hand them to the locator."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    names = {}
    for name, defined in workbook.defined_names.items():
        block = NamedBlock.parse(str(defined.attr_text))
        if block is not None:
            names[name] = block
    sheets = {
        sheet.title: GridCells([list(row) for row in sheet.iter_rows(values_only=True)])
        for sheet in workbook.worksheets
    }
    return names, sheets


def test_a_written_workbook_is_found_by_its_names_and_without_them_by_its_headers() -> None:
    buffer = io.BytesIO()
    write_workbook(buffer, sample.load_inputs())
    names, sheets = _opened(buffer.getvalue())
    found = _locator(names, sheets)
    for sheet in SPEC.table_sheets():
        located = found.columns(sheet)
        assert (located.by, located.positions) == (
            "names",
            tuple(range(1, len(sheet.columns) + 1)),
        ), sheet.name
    history = found.history()
    assert history is not None
    assert history.by == "names"

    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    for name in list(workbook.defined_names):
        del workbook.defined_names[name]
    stripped = io.BytesIO()
    workbook.save(stripped)
    _, sheets = _opened(stripped.getvalue())
    bare = _locator({}, sheets)
    for sheet in SPEC.table_sheets():
        located = bare.columns(sheet)
        assert (located.by, located.positions) == (
            "headers",
            tuple(range(1, len(sheet.columns) + 1)),
        ), sheet.name
    without_names = bare.history()
    assert without_names is not None
    assert without_names.by == "labels"
    assert (without_names.close_count, without_names.pe_count) == (
        history.close_count,
        history.pe_count,
    )
