"""The one column-letter helper and the one reference parser of the Excel layer."""

from __future__ import annotations

import pytest
from openpyxl.utils.cell import column_index_from_string, get_column_letter

from xlmodels.excel.ooxml.safety import _column_number
from xlmodels.excel.references import (
    MAX_COLUMN,
    Reference,
    cell_name,
    cell_position,
    column_letter,
    column_number,
    parse_reference,
)
from xlmodels.template.schema import column_letter as template_column_letter
from xlmodels.workbook.reader import named_range


def test_every_column_reads_as_excel_and_openpyxl_name_it() -> None:
    for number in range(1, MAX_COLUMN + 1):
        letters = column_letter(number)
        assert letters == get_column_letter(number)
        assert column_number(letters) == number == column_index_from_string(letters)
        assert column_number(letters.lower()) == number


def test_the_byte_scan_counts_columns_as_the_one_helper() -> None:
    for number in range(1, MAX_COLUMN + 1):
        assert _column_number(column_letter(number).encode()) == number


def test_the_template_counts_from_zero_with_the_same_letters() -> None:
    assert [template_column_letter(i) for i in (0, 25, 26, 16383)] == ["A", "Z", "AA", "XFD"]


@pytest.mark.parametrize("bad", [0, -1])
def test_there_is_no_column_before_a(bad: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        column_letter(bad)


@pytest.mark.parametrize("bad", ["", "A1", "Ä", "$A"])
def test_only_letters_are_a_column(bad: str) -> None:
    with pytest.raises(ValueError, match="not a column's letters"):
        column_number(bad)


def test_cell_names_both_ways() -> None:
    assert cell_name(7, 2) == "B7"
    assert cell_position("B7") == cell_position("$B$7") == cell_position(" b7 ") == (7, 2)
    with pytest.raises(ValueError, match="not a cell"):
        cell_position("B")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'Estimates'!$E$5:$E$9", Reference("Estimates", 5, 5, 9, 5)),
        ("=Settings!B2", Reference("Settings", 2, 2, 2, 2)),
        ("'My ''Sheet'''!$A$1", Reference("My 'Sheet'", 1, 1, 1, 1)),
        ("$C$9:$A$1", Reference(None, 1, 1, 9, 3)),
        ("d6", Reference(None, 6, 4, 6, 4)),
    ],
)
def test_a_reference_is_the_block_it_covers(text: str, expected: Reference) -> None:
    assert parse_reference(text) == expected


@pytest.mark.parametrize("text", ["0.05", "cov_pe_fy1", "A:A", "Sheet1!A1,Sheet1!B2", "#REF!"])
def test_anything_else_is_no_block(text: str) -> None:
    assert parse_reference(text) is None


def test_a_named_range_needs_a_sheet() -> None:
    block = named_range("est_eps_fy1", "'Estimates'!$E$5:$E$9")
    assert block is not None
    assert (block.sheet, block.first_row, block.last_row, block.cell(1, 0)) == (
        "Estimates",
        5,
        9,
        "E6",
    )
    assert named_range("cell", "$B$2") is None
