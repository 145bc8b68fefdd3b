"""One defused reader of the workbook part, and the safety checks on every way a workbook opens."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName as OpenpyxlName

from tests.validate_helpers import (
    BILLION_LAUGHS,
    count_safety_checks,
    hostile_corpus,
    replace_in_part,
    simple_workbook,
    with_prolog,
)
from xlmodels.errors import InputError
from xlmodels.excel.ooxml.guard import guard_bytes, read_guarded
from xlmodels.excel.ooxml.limits import Limits
from xlmodels.excel.ooxml.package import DefinedName
from xlmodels.workbook.identify import defined_names, identify
from xlmodels.workbook.own_sheets import read_own_sheets
from xlmodels.workbook.reader import read_workbook
from xlmodels.workbook.stored_cells import read_cells


def _named(path: Path) -> Path:
    def build(book: openpyxl.Workbook) -> None:
        book.active.title = "Data"
        book.create_sheet("Notes")
        book.create_chartsheet("Chart")
        book.defined_names["rate"] = OpenpyxlName("rate", attr_text="'Data'!$B$2")
        book["Notes"].defined_names["local"] = OpenpyxlName("local", attr_text="Notes!$A$1:$A$3")

    return simple_workbook(path, build)


def test_sheets_parts_and_names_come_from_the_one_reader(tmp_path: Path) -> None:
    guarded = guard_bytes(_named(tmp_path / "named.xlsx").read_bytes())
    part = guarded.part
    assert part.sheet_names == ["Data", "Notes", "Chart"]
    assert [entry.name for entry in part.worksheets()] == ["Data", "Notes"]
    assert all(entry.part in guarded.package.names for entry in part.worksheets())
    assert set(part.names) == {
        DefinedName("rate", "'Data'!$B$2"),
        DefinedName("local", "Notes!$A$1:$A$3", "Notes"),
    }
    assert list(part.workbook_names()) == ["rate"]
    assert defined_names(guarded) == (part.sheet_names, list(part.names))


def test_the_names_an_entity_in_the_workbook_part_is_refused(tmp_path: Path) -> None:
    # The workbook part was once parsed with the standard library's XML parser.
    good = simple_workbook(tmp_path / "good.xlsx")
    hostile = with_prolog(good, tmp_path / "entity.xlsx", "xl/workbook.xml", BILLION_LAUGHS)
    with pytest.raises(InputError, match="DOCTYPE"):
        defined_names(hostile.read_bytes(), hostile)


OPENERS: dict[str, Callable[[bytes], Any]] = {
    "defined_names": defined_names,
    "identify": lambda data: identify(Path("bomb.xlsx"), data),
    "read_workbook": lambda data: read_workbook(io.BytesIO(data)),
    "read_cells": lambda data: read_cells(io.BytesIO(data)),
    "read_own_sheets": lambda data: read_own_sheets(data, {"Sheet"}, {}),
}


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("bombs")
    corpus = hostile_corpus(folder, simple_workbook(folder / "good.xlsx"))
    return {case: corpus[case] for case in ("ratio-bomb", "lying-bomb", "entity-bomb")}


@pytest.mark.parametrize("opener", sorted(OPENERS))
@pytest.mark.parametrize("case", ["ratio-bomb", "lying-bomb", "entity-bomb"])
def test_every_way_a_workbook_opens_refuses_a_bomb(
    bombs: dict[str, tuple[Path, str]], opener: str, case: str
) -> None:
    path, words = bombs[case]
    with pytest.raises(InputError, match=words):
        OPENERS[opener](path.read_bytes())


def test_the_validator_checks_typed_names_not_a_sheets_own_settings(tmp_path: Path) -> None:
    from xlmodels.validate.loading import checked_names

    def build(book: openpyxl.Workbook) -> None:
        book.active.title = "Data"
        book.active.print_area = "A1:B2"
        book.defined_names["rate"] = OpenpyxlName("rate", attr_text="'Data'!$B$2")
        book.active.defined_names["gone"] = OpenpyxlName("gone", attr_text="Data!#REF!")

    part = guard_bytes(simple_workbook(tmp_path / "print.xlsx", build).read_bytes()).part
    assert any(name.name == "_xlnm.Print_Area" for name in part.names)
    assert checked_names(part) == [
        DefinedName("rate", "'Data'!$B$2"),
        DefinedName("gone", "Data!#REF!", "Data"),
    ]


def test_a_check_stands_again_only_for_the_very_bytes_it_checked(
    bombs: dict[str, tuple[Path, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A batch checks each workbook when it plans, and its job reads the file again.
    path = shutil.copyfile(bombs["ratio-bomb"][0].parent / "good.xlsx", tmp_path / "book.xlsx")
    first = read_guarded(path)
    known = first.checked()
    assert known.package.data == b""  # what is kept between plan and job is small

    checks = count_safety_checks(monkeypatch)
    again = read_guarded(path, known=known)
    assert checks == []
    assert again.data == again.package.data == first.data
    assert (again.part, again.package.sheets) == (first.part, first.package.sheets)

    # Other limits, or other bytes (the file replaced meanwhile), are checked in full.
    read_guarded(path, Limits(max_xml_depth=50), known=known)
    assert checks == [path]
    for case in ("ratio-bomb", "lying-bomb", "entity-bomb"):
        bomb, words = bombs[case]
        shutil.copyfile(bomb, path)
        with pytest.raises(InputError, match=words):
            read_guarded(path, known=known)
    assert len(checks) == 4


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        ("<f>A1*2</f>", True),
        (
            '<x:f xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">A1*2</x:f>',
            True,
        ),
        ("<f\n>A1*2</f>", True),
        ("", False),
    ],
    ids=["plain", "prefixed", "spaced", "none"],
)
def test_the_checks_find_every_formula_element(
    tmp_path: Path, element: str, expected: bool
) -> None:
    # Readers skip the formula scan of a sheet the checks found none in.
    def build(book: openpyxl.Workbook) -> None:
        book.active["B1"] = "=A1*2"

    good = simple_workbook(tmp_path / "good.xlsx", build)
    changed = replace_in_part(
        good, tmp_path / "changed.xlsx", "xl/worksheets/sheet1.xml", "<f>A1*2</f>", element
    )
    guarded = guard_bytes(changed.read_bytes())
    assert guarded.package.sheets["xl/worksheets/sheet1.xml"].has_formulas is expected
    formula = read_cells(io.BytesIO(guarded.data))["Data"].get("B1")
    assert (formula is not None and formula.formula == "=A1*2") is expected
