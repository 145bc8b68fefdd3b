"""Numbers a spreadsheet can hold: extreme inputs refused at their cell, overflows as #NUM!.

Excel accepts magnitudes from 2.2250738585072E-308 to 9.99999999999999E+307
and has no infinity or NaN. An input beyond that range is refused naming its
file, row and column (or its workbook cell); a product of two inputs within
the range that overflows is written as ``#NUM!``, never as ``inf``, which no
spreadsheet program reads.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_helpers import Cli
from tests.regenerate_helpers import GROUPS, type_into, write_inputs
from xlmodels.errors import InputError
from xlmodels.sources.sample import sample_path
from xlmodels.template.schema import FIRST_DATA_ROW, DType, Kind, column_letter
from xlmodels.template.v3 import SPEC
from xlmodels.validate import validate_file
from xlmodels.workbook import read_workbook
from xlmodels.workbook.writer import OVERFLOW

EXTREMES = ["1e308", "-1e308", "5e-324", "-1.7976931348623157e308"]


def _numeric_columns(name: str) -> list[str]:
    frame = pd.read_csv(sample_path(name), dtype=str, keep_default_na=False)
    return [
        column
        for column in frame.columns
        if (frame[column] != "").any()
        and pd.to_numeric(frame[column][frame[column] != ""], errors="coerce").notna().all()
    ]


INPUT_COLUMNS = [
    (file, column)
    for file in ("market.csv", "estimates.csv", "history.csv")
    for column in _numeric_columns(file)
]


def test_every_numeric_input_column_is_covered() -> None:
    assert ("market.csv", "close") in INPUT_COLUMNS
    assert ("market.csv", "shares_mn") in INPUT_COLUMNS
    assert ("estimates.csv", "target_multiple") in INPUT_COLUMNS
    assert ("history.csv", "pe_ttm") in INPUT_COLUMNS


def _build_arguments(tmp_path: Path, file: str, column: str, value: str) -> list[str]:
    inputs = write_inputs(tmp_path / "inputs")
    history = tmp_path / "inputs" / "history.csv"
    history.write_bytes(sample_path("history.csv").read_bytes())
    paths = {
        "market.csv": inputs.market,
        "estimates.csv": inputs.estimates,
        "history.csv": history,
    }
    target = paths[file]
    assert target is not None
    frame = pd.read_csv(target, dtype=str, keep_default_na=False)
    row = int((frame[column] != "").to_numpy().argmax())  # a row that has a value there
    frame.loc[row, column] = value
    frame.to_csv(target, index=False)
    arguments = [*inputs.arguments()]
    arguments[arguments.index("--history") + 1] = str(history)
    return arguments


@pytest.mark.parametrize("value", EXTREMES)
@pytest.mark.parametrize(("file", "column"), INPUT_COLUMNS)
def test_an_input_beyond_excels_range_is_refused_naming_its_cell(
    cli: Cli, tmp_path: Path, file: str, column: str, value: str
) -> None:
    arguments = _build_arguments(tmp_path, file, column, value)
    out = tmp_path / "coverage.xlsx"
    result = cli("build", *arguments, "-o", out)
    assert result.exit_code == 2, result.output
    lines = result.lines("stderr")
    assert len(lines) == 1, result.output
    assert file in lines[0]
    assert f"column '{column}'" in lines[0]
    assert re.search(r"row \d+", lines[0])
    assert "a spreadsheet holds" in lines[0]
    assert not out.exists()


def _values(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [
            value.decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
            for value in re.findall(rb"<v>([^<]*)</v>", archive.read(name))
        ]


def test_a_product_that_overflows_is_written_as_num(cli: Cli, tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "inputs")
    market = pd.read_csv(inputs.market, dtype=str, keep_default_na=False)
    market.loc[market["code"] == "0700.HK", ["close", "shares_mn"]] = "9e307"
    market.to_csv(inputs.market, index=False)
    out = tmp_path / "coverage.xlsx"
    result = cli("build", *inputs.arguments(), "-o", out)
    assert result.exit_code == 0, result.output
    assert "RuntimeWarning" not in result.output
    values = _values(out)
    assert OVERFLOW in values
    assert not [v for v in values if v.lower().lstrip("-") in ("inf", "nan", "infinity")]
    report = validate_file(out)
    assert not report.unreadable
    overflowed = [f for f in report.findings if f.rule == "integrity.error-value"]
    assert [f.message for f in overflowed] == [f"shows {OVERFLOW}"]
    result = cli("report", out, "-o", tmp_path / "report", "-f", "md,csv", "--lang", "en")
    assert result.exit_code == 0, result.output
    for written in (tmp_path / "report").iterdir():
        assert not re.search(r"\binf\b", written.read_text(encoding="utf-8"), re.IGNORECASE)


def test_regenerate_refuses_a_typed_input_beyond_excels_range(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    inputs = write_inputs(tmp_path / "inputs")
    assert cli("regenerate", *inputs.arguments(), "--dir", folder).exit_code == 0
    estimates = SPEC.sheet("Estimates")
    position = [c.key for c in estimates.columns].index("target_multiple")
    cell = f"{column_letter(position)}{FIRST_DATA_ROW}"
    workbook = folder / GROUPS["HK Internet"]
    type_into(workbook, {("Estimates", cell): 1.5e308})
    result = cli("regenerate", *inputs.arguments(), "--dir", folder, "--json")
    assert result.exit_code == 1
    outcome = {item["file"]: item for item in result.json()["workbooks"]}
    reason = outcome[workbook.name]["reason"]
    assert f"cell {cell}" in reason
    assert "beyond the largest number a spreadsheet holds" in reason


NUMBER_INPUTS = [
    column.key
    for column in SPEC.sheet("Estimates").columns_of(Kind.INPUT)
    if column.dtype in (DType.NUMBER, DType.INTEGER)
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("built")
    inputs = write_inputs(folder / "inputs")
    out = folder / "coverage.xlsx"
    assert Cli()("build", *inputs.arguments(), "-o", out).exit_code == 0
    return out


def test_every_number_input_of_the_workbook_is_covered() -> None:
    assert {"eps_fy1", "eps_fy2", "target_multiple"} <= set(NUMBER_INPUTS)


@pytest.mark.parametrize("value", [1.5e308, -1.5e308, 5e-324])
@pytest.mark.parametrize("key", NUMBER_INPUTS)
def test_the_reader_refuses_a_typed_input_beyond_excels_range(
    built: Path, tmp_path: Path, key: str, value: float
) -> None:
    estimates = SPEC.sheet("Estimates")
    position = [c.key for c in estimates.columns].index(key)
    cell = f"{column_letter(position)}{FIRST_DATA_ROW}"
    workbook = tmp_path / "typed.xlsx"
    shutil.copyfile(built, workbook)
    type_into(workbook, {("Estimates", cell): value})
    with pytest.raises(InputError) as refused:
        read_workbook(workbook)
    assert refused.value.sheet == "Estimates"
    assert refused.value.cell == cell
    assert "a spreadsheet holds" in refused.value.message
