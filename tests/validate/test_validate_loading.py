"""Reading: saved results, errors, missing results, and the byte scan's measurements."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from validate_helpers import replace_in_part, rewrite_zip, simple_workbook

from xlmodels.excel.ooxml import safety
from xlmodels.excel.ooxml.package import read_workbook_part
from xlmodels.excel.ooxml.safety import (
    Unreadable,
    check_sheet_extent,
    inspect_package,
    sheet_extent,
    xml_depth,
)
from xlmodels.validate.config import Limits
from xlmodels.validate.loading import CellError, LoadedWorkbook, load_workbook


def _read(path: Path) -> LoadedWorkbook:
    package = inspect_package(path.read_bytes(), Limits())
    return load_workbook(package, read_workbook_part(package), Limits())


def test_openpyxl_parses_through_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_saved_results_errors_and_missing_results(tmp_path: Path) -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        sheet = workbook["Data"]
        sheet["B1"] = "=A1*2"
        sheet["B2"] = '=IF(A2>0,"","x")'
        sheet["B3"] = "=A3/0"
        sheet["B4"] = "=A4"
        plain = workbook.create_sheet("Plain")
        plain["C3"] = 7.5
        plain["D4"] = "x"

    source = simple_workbook(tmp_path / "s.xlsx", build)
    xml = "xl/worksheets/sheet1.xml"
    source = replace_in_part(  # an error typed as a constant, on a sheet without formulas
        source,
        tmp_path / "plain.xlsx",
        "xl/worksheets/sheet2.xml",
        '<c r="D4" t="inlineStr"><is><t>x</t></is></c>',
        '<c r="D4" t="e"><v>#N/A</v></c>',
    )
    step = replace_in_part(
        source,
        tmp_path / "a.xlsx",
        xml,
        '<c r="B1"><f>A1*2</f><v />',
        '<c r="B1"><f>A1*2</f><v>2</v>',
    )
    step = replace_in_part(step, tmp_path / "b.xlsx", xml, '<c r="B2"><f>', '<c r="B2" t="str"><f>')
    step = replace_in_part(
        step,
        tmp_path / "c.xlsx",
        xml,
        '<c r="B3"><f>A3/0</f><v />',
        '<c r="B3" t="e"><f>A3/0</f><v>#DIV/0!</v>',
    )
    book = _read(step)
    data, plain = book.sheets["Data"], book.sheets["Plain"]
    assert data.formulas[(1, 2)] == "=A1*2"
    assert data.get(1, 2) == 2
    assert data.get(2, 2) is None  # shows nothing, but an empty text result is a result:
    assert (2, 2) not in data.uncached
    assert data.get(3, 2) == CellError("#DIV/0!")
    assert data.errors == {(3, 2): CellError("#DIV/0!")}
    assert data.uncached == {(4, 2)}  # saved without a result
    assert data.get(5, 1) == 5
    assert data.get(4, 2) is None
    assert plain.get(3, 3) == 7.5
    assert plain.formulas == {}
    assert plain.errors == {(4, 4): CellError("#N/A")}
    assert list(plain.cells()) == [(3, 3, 7.5), (4, 4, CellError("#N/A"))]


def _sheet(cells: list[tuple[int, int]]) -> bytes:
    by_row: dict[int, list[int]] = {}
    for row, column in cells:
        by_row.setdefault(row, []).append(column)
    parts = ['<?xml version="1.0"?>\n<worksheet><sheetData>']
    for row, columns in by_row.items():  # in the order drawn: the scan must not care
        parts.append(f'<row r="{row}">')
        for column in columns:
            parts.append(
                f'<c r="{openpyxl.utils.get_column_letter(column)}{row}" s="1"><v>1</v></c>'
            )
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 1_048_576), st.integers(1, 16_384)), min_size=1, max_size=40)
)
def test_the_byte_scan_measures_any_cells_exactly(cells: list[tuple[int, int]]) -> None:
    extent, plain = sheet_extent(_sheet(cells))
    assert plain
    assert extent is not None
    rows = [row for row, _ in cells]
    columns = [column for _, column in cells]
    assert (extent.first_row, extent.first_column, extent.last_row, extent.last_column) == (
        min(rows),
        min(columns),
        max(rows),
        max(columns),
    )


def test_a_row_number_with_leading_zeros_cannot_hide_the_far_corner() -> None:
    # Compared by length, "0000001" would pass for a larger row than "999999":
    # the scan must measure the sheet by parsing instead, and find row 999,999.
    xml = (
        _sheet([(1, 1)])
        .replace(b'r="A1"', b'r="A0000001"')
        .replace(
            b"</sheetData>", b'<row r="999999"><c r="XFD999999"><v>1</v></c></row></sheetData>'
        )
    )
    facts = safety._scan(xml)
    assert facts.extent is not None
    assert (facts.extent.last_row, facts.extent.last_column) == (999_999, 16_384)
    with pytest.raises(Unreadable, match="999,999 rows by 16,384 columns"):
        check_sheet_extent("History", facts, Limits())


_ODD_SHEETS = [
    b'<worksheet><sheetData><row r="1"><c r="A1" t="e"><v>#N/A</v></c><c r="B1"><f>A1</f>'
    b"<v>1</v></c></row><row><c><v>2</v></c></row></sheetData></worksheet>",
    b'<worksheet><sheetData><row r="2"><c r = "C2"><v>1</v></c></row></sheetData></worksheet>',
    b'<x:worksheet><x:sheetData><x:row r="3"><x:c r="D3"><x:f>1</x:f></x:c></x:row>'
    b"</x:sheetData></x:worksheet>",
    b'<worksheet><sheetData><row r="4"><c r="AAAA4"><v>1</v></c></row></sheetData></worksheet>',
    b'<worksheet><sheetData><row r="5"><c r="E5" t="str"><v>a=b</v></c></row>'
    b"</sheetData></worksheet>",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 1_048_576), st.integers(1, 16_384)), min_size=1, max_size=40),
    st.integers(1, 200),
)
def test_the_byte_scan_reads_a_sheet_in_stretches_as_it_reads_it_whole(
    cells: list[tuple[int, int]], chunk: int
) -> None:
    # A large sheet is scanned a stretch at a time: any stretch gives the same facts.
    for xml in [_sheet(cells), *_ODD_SHEETS]:
        assert safety._scan(xml, chunk) == safety._scan(xml, len(xml) + 1)


def test_shared_strings_are_counted_exactly_across_inflated_pieces(tmp_path: Path) -> None:
    # Over 2 MB inflated, so the table comes out of zlib in several 1 MB pieces
    # and some "<si" falls across two of them.
    count = 150_000
    table = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main">' + b"".join(b"<si><t>%d</t></si>" % n for n in range(count)) + b"</sst>"
    )
    assert len(table) > 2 * 1024 * 1024
    source = simple_workbook(tmp_path / "good.xlsx")
    target = rewrite_zip(
        source, tmp_path / "strings.xlsx", lambda n, d: d, extra={"xl/sharedStrings.xml": table}
    )
    data = target.read_bytes()
    inspect_package(data, Limits(max_shared_strings=count))  # exactly at the limit: accepted
    with pytest.raises(Unreadable, match=f"more than {count - 1:,} shared strings"):
        inspect_package(data, Limits(max_shared_strings=count - 1))


@pytest.mark.parametrize(
    ("xml", "depth"),
    [
        (b'<?xml version="1.0"?><a/>', 1),
        (b"<a><b><c/></b></a>", 3),
        (b'<a x="1"><b/>t/></a>', 2),
        (b"<a>" * 5_000 + b"</a>" * 5_000, 5_000),
    ],
)
def test_xml_depth_counts_nesting_from_tags(xml: bytes, depth: int) -> None:
    assert xml_depth(xml) == depth


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["<a>", "</a>", "<b/>", '<c x="/"/>', "<?p?>", "<!--c-->", "t/>"])),
    st.integers(1, 200),
)
def test_a_sheets_nesting_bound_is_never_below_its_depth(pieces: list[str], chunk: int) -> None:
    # The scan's bound lets a sheet skip the exact depth count: it must never say less.
    xml = ("<worksheet><sheetData>" + "".join(pieces) + "</sheetData></worksheet>").encode()
    for part in [xml, _sheet([(1, 1), (3, 2)]), *_ODD_SHEETS]:
        assert safety._scan(part, chunk).nesting >= xml_depth(part)
        assert safety._scan(part, len(part) + 1).nesting >= xml_depth(part)


def test_a_part_long_enough_to_nest_beyond_the_limit_is_measured(tmp_path: Path) -> None:
    # Parts of 2 x limit bytes or fewer cannot nest beyond the limit and are
    # not measured; a longer one is, whatever part of the package it is.
    source = simple_workbook(tmp_path / "good.xlsx")
    deep = b"<a>" * 26 + b"</a>" * 26
    target = rewrite_zip(
        source, tmp_path / "deep.xlsx", lambda name, data: data, extra={"xl/custom.xml": deep}
    )
    with pytest.raises(Unreadable, match=r"'xl/custom\.xml' nests XML elements 26 deep"):
        inspect_package(target.read_bytes(), Limits(max_xml_depth=25))
    inspect_package(target.read_bytes(), Limits(max_xml_depth=26))


def test_a_deeply_nested_sheet_is_refused_with_its_depth(tmp_path: Path) -> None:
    source = simple_workbook(tmp_path / "good.xlsx")
    deep = (
        b"<worksheet><sheetData>" + b"<a>" * 5_000 + b"</a>" * 5_000 + b"</sheetData></worksheet>"
    )
    target = rewrite_zip(
        source,
        tmp_path / "deep.xlsx",
        lambda name, data: deep if name == "xl/worksheets/sheet1.xml" else data,
    )
    with pytest.raises(
        Unreadable, match=r"'xl/worksheets/sheet1\.xml' nests XML elements 5,002 deep"
    ):
        inspect_package(target.read_bytes(), Limits())
