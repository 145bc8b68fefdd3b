"""Real spreadsheet engines recalculate generated workbooks; their numbers equal the cache.

Every formula cell of a generated workbook carries the core's result as its
cached value. Here LibreOffice (headless, forced to recalculate on load) and
the ``formulas`` Python engine recompute the native-formula workbooks from
scratch, and the ``formulas`` engine, with the ``SQ_`` functions of
:mod:`udfs` registered, recomputes the sq-formula workbooks; every formula
cell must come out as the writer cached it. The inputs are the bundled
sample and edge cases in both languages, under several rating schemes and
percentile and relative-return methods.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import formulas
import numpy as np
import pytest
import schedula
from python_calamine import CalamineWorkbook

import udfs
from tests.workbook_helpers import (
    differences,
    edge_inputs,
    edit_cells,
    libreoffice_convert,
    libreoffice_profile,
)
from xlmodels.domain.model import CoverageInputs, Settings
from xlmodels.excel.references import cell_name, cell_position
from xlmodels.sources import sample
from xlmodels.template.schema import FIRST_DATA_ROW, Kind, RowContext
from xlmodels.template.v3 import SPEC
from xlmodels.workbook import read_cells, write_workbook
from xlmodels.workbook.content import build_content
from xlmodels.workbook.writer import render

COVERAGE = SPEC.sheet("Coverage")

CASES = {
    "sample-zh": lambda: sample.load_inputs("zh"),
    "edge-en-csc-inc-geometric": lambda: edge_inputs(),
    "edge-zh-guosen-exc-hkd": lambda: edge_inputs(
        lang="zh",
        scheme="guosen",
        percentile_method="exc",
        relative_method="arithmetic",
        reporting_currency="HKD",
    ),
    "edge-en-ubs-weak": lambda: edge_inputs(scheme="ubs", percentile_method="weak"),
    "blank-template": lambda: CoverageInputs.blank(Settings(dt.date(2025, 2, 28), 2025)),
}


@pytest.fixture(scope="session")
def native_workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("native")
    paths = {}
    for name, make in CASES.items():
        paths[name] = folder / f"{name}.xlsx"
        write_workbook(paths[name], make(), mode="native")
    return paths


def _formula_cells(path: Path) -> dict[tuple[str, str], Any]:
    return {
        (sheet, ref): cell.value
        for sheet, cells in read_cells(path).items()
        for ref, cell in cells.items()
        if cell.formula is not None
    }


def _values(path: Path) -> dict[str, list[list[Any]]]:
    with CalamineWorkbook.from_path(str(path)) as workbook:
        return {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }


def _cell(values: dict[str, list[list[Any]]], sheet: str, ref: str) -> Any:
    column = 0
    letters = "".join(c for c in ref if c.isalpha())
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    row = int(ref[len(letters) :]) - 1
    rows = values[sheet]
    if row >= len(rows) or column - 1 >= len(rows[row]):
        return ""
    return rows[row][column - 1]


@pytest.fixture(scope="session")
def libreoffice_recalculated(
    soffice: str, native_workbooks: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("libreoffice")
    profile = libreoffice_profile(folder / "profile", recalculate=True)
    files = list(native_workbooks.values())
    # A workbook whose every cached result is wrong proves the recalculation happened.
    stale = folder / "stale.xlsx"
    content = build_content(sample.load_inputs(), mode="native")
    for table in content.tables.values():
        for sheet_column in table.sheet.columns:
            if sheet_column.formula is not None:
                table.column_values[sheet_column.key] = [
                    -12345.0 for _ in table.column_values[sheet_column.key]
                ]
    render(stale, content)
    converted = libreoffice_convert(
        soffice, profile, [*files, stale], folder / "out", "xlsx:Calc MS Excel 2007 XML"
    )
    return dict(zip([*native_workbooks, "stale"], converted, strict=True))


@pytest.mark.libreoffice
def test_libreoffice_really_recalculates(libreoffice_recalculated: dict[str, Path]) -> None:
    values = _values(libreoffice_recalculated["stale"])
    coverage = values["Coverage"]
    assert not any(cell == -12345.0 for row in coverage for cell in row)
    assert coverage[4][0] == "0700.HK"
    assert round(coverage[4][COVERAGE.position("pe_fy1")], 2) == 15.43  # Tencent, recomputed


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", list(CASES))
def test_libreoffice_recalculation_equals_the_cached_values(
    case: str, native_workbooks: dict[str, Path], libreoffice_recalculated: dict[str, Path]
) -> None:
    cached = _formula_cells(native_workbooks[case])
    recalculated = _values(libreoffice_recalculated[case])
    assert len(cached) >= (3 if case == "blank-template" else 50)
    found = differences(
        (f"{sheet}!{ref}", value, _cell(recalculated, sheet, ref))
        for (sheet, ref), value in cached.items()
    )
    assert found == [], found[:10]


@pytest.mark.libreoffice
def test_libreoffice_keeps_every_data_and_input_cell(
    native_workbooks: dict[str, Path], libreoffice_recalculated: dict[str, Path]
) -> None:
    case = "edge-en-csc-inc-geometric"
    original, converted = _values(native_workbooks[case]), _values(libreoffice_recalculated[case])
    for sheet in ("Estimates", "Market", "History", "Settings"):
        rows = original[sheet]
        pairs = (
            (f"{sheet}!R{r + 1}C{c + 1}", value, converted[sheet][r][c])
            for r, row in enumerate(rows)
            for c, value in enumerate(row)
        )
        assert differences(pairs) == []


def _engine_value(solution: dict[str, Any], book: str, sheet: str, ref: str) -> Any:
    value = solution[f"'[{book}]{sheet.upper()}'!{ref}"]
    value = value.value[0, 0] if hasattr(value, "value") else value
    if isinstance(value, np.generic):
        value = value.item()
    if type(value).__name__ == "XlError" or str(value).startswith("#"):
        return f"error {value}"
    return value


@pytest.mark.parametrize("case", [c for c in CASES if c.startswith("edge")])
def test_formulas_engine_recalculation_equals_the_cached_values(
    case: str, native_workbooks: dict[str, Path]
) -> None:
    path = native_workbooks[case]
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    cached = _formula_cells(path)
    found = differences(
        (f"{sheet}!{ref}", value, _engine_value(solution, path.name, sheet, ref))
        for (sheet, ref), value in cached.items()
    )
    assert found == [], found[:10]


def test_edge_cases_reach_every_branch(native_workbooks: dict[str, Path]) -> None:
    values = _values(native_workbooks["edge-en-csc-inc-geometric"])
    rows = {row[0]: row for row in values["Coverage"][4:]}

    def coverage(code: str, key: str) -> Any:
        return rows[code][COVERAGE.position(key)]

    assert coverage("1111.HK", "pe_fy1") == "NM"  # PE on a loss
    assert coverage("1111.HK", "target_price") == "NM"  # target on a loss
    assert coverage("1111.HK", "rating") == "Not rated"
    assert coverage("ABC.O", "rating") == "Reduce"  # the override, typed in Chinese
    assert coverage("2222.HK", "target_price") == ""  # target on a year without EPS
    assert coverage("600519.SH", "eps_fy1") == ""  # no estimates
    performance = {row[0]: row for row in values["Performance"][4:]}
    assert performance["3333.HK"][7] == ""  # no close at the period start
    assert isinstance(performance["0700.HK"][9], float)
    valuation = {row[0]: row for row in values["Valuation"][4:]}
    assert set(valuation) == {"HSTECH.HI", "0700.HK"}
    assert valuation["HSTECH.HI"][4] == dt.date(2024, 12, 2)


def _cells_argument(argument: Any) -> list[list[Any]]:
    """An argument as xlwings hands it to an SQ_ function: a list of lists, blanks as None."""
    value = argument.value if hasattr(argument, "value") else argument
    grid = np.asarray(value, dtype=object)
    if grid.ndim < 2:
        grid = grid.reshape(1, -1) if grid.ndim == 1 else grid.reshape(1, 1)

    def plain(cell: Any) -> Any:
        if cell is schedula.EMPTY:
            return None
        return cell.item() if isinstance(cell, np.generic) else cell

    return [[plain(cell) for cell in row] for row in grid]


def _register_sq_functions() -> Counter[str]:
    """Make every udfs.FUNCTIONS entry a function of the formulas engine; count the calls."""
    table = formulas.get_functions()
    calls: Counter[str] = Counter()
    for name, function in udfs.FUNCTIONS.items():

        def call(*arguments: Any, _function: Any = function, _name: str = name) -> Any:
            calls[_name] += 1
            result = _function(*(_cells_argument(a) for a in arguments))
            while isinstance(result, list) and len(result) == 1:
                result = result[0]
            return result

        table[name] = call
    return calls


@pytest.fixture(scope="session")
def sq_workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sq")
    paths = {}
    for name, make in CASES.items():
        paths[name] = folder / f"{name}.xlsx"
        write_workbook(paths[name], make(), mode="sq")
    return paths


def _computed_cells(path: Path) -> dict[tuple[str, str], tuple[Any, str | None]]:
    """Every formula cell and every cell a formula spilled into: its cached value and its spill.

    A spilled cell holds only its value; the range of the formula that
    fills it says where the engine's result for it is.
    """
    out: dict[tuple[str, str], tuple[Any, str | None]] = {}
    for sheet, cells in read_cells(path).items():
        for ref, cell in cells.items():
            if cell.formula is None:
                continue
            out[(sheet, ref)] = (cell.value, cell.spill)
            if cell.spill is None or ":" not in cell.spill:
                continue
            # Every cell of the range, an empty result being an empty cell.
            first, last = (cell_position(corner) for corner in cell.spill.split(":"))
            for row in range(first[0] + 1, last[0] + 1):
                name = cell_name(row, first[1])
                stored = cells.get(name)
                out[(sheet, name)] = ("" if stored is None else stored.value, cell.spill)
    return out


def _engine_result(
    solution: dict[str, Any], book: str, sheet: str, ref: str, spill: str | None
) -> Any:
    if spill is None or ":" not in spill:
        return _engine_value(solution, book, sheet, ref)
    value = solution[f"'[{book}]{sheet.upper()}'!{spill}"]
    grid = np.asarray(value.value if hasattr(value, "value") else value, dtype=object)
    first = cell_position(spill.split(":")[0])
    row, column = cell_position(ref)
    cell = grid.reshape(grid.shape[0], -1)[row - first[0], column - first[1]]
    if isinstance(cell, np.generic):
        cell = cell.item()
    if type(cell).__name__ == "XlError" or str(cell).startswith("#"):
        return f"error {cell}"
    return cell


def _sq_formulas(path: Path) -> Counter[str]:
    """How many formulas of the workbook call each SQ_ function."""
    counts: Counter[str] = Counter()
    for cells in read_cells(path).values():
        for cell in cells.values():
            for name in set(re.findall(r"\b(SQ_[A-Z_]+)\(", cell.formula or "")):
                counts[name] += 1
    return counts


@pytest.mark.parametrize("case", list(CASES))
def test_sq_formulas_evaluated_with_the_sq_functions_equal_the_cached_values(
    case: str, sq_workbooks: dict[str, Path]
) -> None:
    calls = _register_sq_functions()
    path = sq_workbooks[case]
    cached = _computed_cells(path)
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    if case != "blank-template":
        # The engine computed with the SQ_ functions themselves, not from the
        # cache: one call for each formula, however many rows it spills over.
        for name in ("SQ_PE", "SQ_TARGET_PRICE", "SQ_UPSIDE", "SQ_RATING", "SQ_PERCENTILES"):
            assert calls[name] > 0, name
        assert calls == _sq_formulas(path)
        assert sum(1 for _, spill in cached.values() if spill and ":" in spill) > 50
    found = differences(
        (f"{sheet}!{ref}", value, _engine_result(solution, path.name, sheet, ref, spill))
        for (sheet, ref), (value, spill) in cached.items()
    )
    assert found == [], found[:10]


# --- sq workbooks in LibreOffice, which has no SQ_ functions --------------------------------


@dataclass(frozen=True)
class _Reads(RowContext):
    """Records the columns a formula reads on its own sheet."""

    keys: set[str] = field(default_factory=set)

    def col(self, key: str) -> str:
        self.keys.add(key)
        return super().col(key)


def _read_by_sq() -> set[tuple[str, str]]:
    """(sheet, key) of every formula column whose result depends on an SQ_ function's."""
    reads: dict[tuple[str, str], set[tuple[str, str]]] = {}
    dependent: set[tuple[str, str]] = set()
    for sheet in SPEC.table_sheets():
        for column in sheet.columns_of(Kind.FORMULA):
            context = _Reads(SPEC, sheet, FIRST_DATA_ROW)
            text = column.formula_for("sq", context)
            named = re.findall(r"\b(cov|perf|val)_([a-z0-9_]+)", text)
            reads[(sheet.name, column.key)] = {(sheet.name, k) for k in context.keys} | {
                (SPEC.by_prefix(prefix).name, key) for prefix, key in named
            }
            if "SQ_" in text:
                dependent.add((sheet.name, column.key))
    while True:
        more = {column for column, read in reads.items() if read & dependent} - dependent
        if not more:
            return dependent
        dependent |= more


@pytest.fixture(scope="session")
def libreoffice_sq(
    soffice: str, sq_workbooks: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The edge sq workbook, and LibreOffice's recalculation of it."""
    folder = tmp_path_factory.mktemp("libreoffice-sq")
    source = sq_workbooks["edge-en-csc-inc-geometric"]
    (recalculated,) = libreoffice_convert(
        soffice,
        libreoffice_profile(folder / "profile", recalculate=True),
        [source],
        folder / "out",
        "xlsx:Calc MS Excel 2007 XML",
    )
    return {"source": source, "recalculated": recalculated}


@pytest.mark.libreoffice
def test_libreoffice_recalculates_what_reads_no_sq_result_to_the_cache(
    libreoffice_sq: dict[str, Path],
) -> None:
    dependent = _read_by_sq()
    assert ("Coverage", "rating") in dependent
    assert ("Coverage", "close") not in dependent
    letters = {
        (sheet.name, sheet.letter(column.key)): (sheet.name, column.key)
        for sheet in SPEC.table_sheets()
        for column in sheet.columns
    }
    cached = _computed_cells(libreoffice_sq["source"])
    recalculated = _values(libreoffice_sq["recalculated"])
    compared = {
        key: value
        for key, (value, _) in cached.items()
        if letters.get((key[0], "".join(c for c in key[1] if c.isalpha()))) not in dependent
    }
    assert len(compared) > 50
    found = differences(
        (f"{sheet}!{ref}", value, _cell(recalculated, sheet, ref))
        for (sheet, ref), value in compared.items()
    )
    assert found == [], found[:10]
    # It did recalculate: without the functions the spilled formulas fail.
    pe = SPEC.sheet("Coverage").letter("pe_fy1")
    assert (
        _cell(recalculated, "Coverage", f"{pe}{FIRST_DATA_ROW}")
        != cached[("Coverage", f"{pe}{FIRST_DATA_ROW}")][0]
    )


def test_a_row_without_its_code_shows_no_number(
    sq_workbooks: dict[str, Path], tmp_path: Path
) -> None:
    # One blank rule: a row whose code was cleared is blank in every computed
    # column, spilled or not, once the workbook recalculates.
    path = tmp_path / "blank-row.xlsx"
    shutil.copy(sq_workbooks["edge-en-csc-inc-geometric"], path)
    row = FIRST_DATA_ROW + 1
    stored = read_cells(path)
    for sheet in ("Coverage", "Performance"):
        spec = SPEC.sheet(sheet)
        typed = [c for c in spec.columns if c.kind in (Kind.KEY, Kind.DATA)]
        cleared = [f"{spec.letter(c.key)}{row}" for c in typed]
        edit_cells(path, sheet, {ref: None for ref in cleared if ref in stored[sheet]})
    _register_sq_functions()
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    cached = _computed_cells(path)
    shown = {
        (sheet, ref): _engine_result(solution, path.name, sheet, ref, spill)
        for (sheet, ref), (_, spill) in cached.items()
        if sheet in ("Coverage", "Performance") and cell_position(ref)[0] == row
    }
    assert len(shown) > 20
    numbers = {key: value for key, value in shown.items() if isinstance(value, int | float)}
    assert numbers == {}
