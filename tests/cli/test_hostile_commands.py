"""Every command that opens a workbook refuses a hostile one as ``validate`` does.

``report``, ``regenerate`` and ``build`` (with an .xlsx input) read files
through the same guarded opener as the validator: each hostile file of the
validator's corpus ends in one line with the validator's own words, exit 2
(or that workbook failed, the batch going on), and a bounded amount of
memory, never an abort, a traceback or an allocation the size of the grid.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from tests.cli_helpers import Cli, CliResult
from tests.regenerate_helpers import GROUPS, regenerate, write_inputs
from tests.validate_helpers import (
    HOSTILE_CASES,
    bounded_memory,
    hostile_corpus,
    replace_in_part,
    simple_workbook,
)
from xlmodels.regenerate import Status
from xlmodels.validate import validate_file

#: Peak of Python's allocations while a command refuses one hostile file.
PEAK_BYTES = 48 * 1024 * 1024

#: One stray value typed at the far corner of a sheet's grid.
STRAY_CELL = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("hostile")
    return hostile_corpus(folder, simple_workbook(folder / "good.xlsx"))


@pytest.fixture(scope="module")
def refusals(corpus: dict[str, tuple[Path, str]]) -> dict[str, str]:
    """What ``validate`` says of each hostile file."""
    out = {}
    for case, (path, words) in corpus.items():
        message = validate_file(path).findings[0].message
        assert words in message
        out[case] = message
    return out


CASES = HOSTILE_CASES


def test_the_cases_are_the_whole_corpus(corpus: dict[str, tuple[Path, str]]) -> None:
    assert sorted(CASES) == sorted(corpus)


def _bounded(what: str) -> AbstractContextManager[None]:
    return bounded_memory(what, PEAK_BYTES)


def _one_error(result: CliResult) -> str:
    lines = result.lines("stderr")
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize("case", CASES)
def test_report_refuses_each_hostile_workbook_in_the_validators_words(
    cli: Cli,
    corpus: dict[str, tuple[Path, str]],
    refusals: dict[str, str],
    case: str,
    tmp_path: Path,
) -> None:
    path, _ = corpus[case]
    out = tmp_path / "report"
    with _bounded(f"report of {case}"):
        result = cli("report", path, "-o", out, "-f", "md")
    assert result.exit_code == 2
    line = _one_error(result)
    assert path.name in line
    assert refusals[case] in line
    assert not out.exists()


@pytest.mark.parametrize("case", CASES)
def test_build_refuses_each_hostile_input_spreadsheet_in_the_validators_words(
    cli: Cli,
    corpus: dict[str, tuple[Path, str]],
    refusals: dict[str, str],
    case: str,
    tmp_path: Path,
) -> None:
    path, _ = corpus[case]
    inputs = write_inputs(tmp_path / "inputs")
    out = tmp_path / "coverage.xlsx"
    assert inputs.estimates is not None
    arguments = ["--universe", path, "--market", inputs.market, "--estimates", inputs.estimates]
    arguments += ["-o", out]
    with _bounded(f"build from {case}"):
        result = cli("build", *arguments)
    assert result.exit_code == 2
    line = _one_error(result)
    assert refusals[case] in line
    assert not out.exists()


@pytest.mark.parametrize("case", CASES)
def test_regenerate_fails_the_hostile_workbook_alone(
    corpus: dict[str, tuple[Path, str]], refusals: dict[str, str], case: str, tmp_path: Path
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    hostile = folder / GROUPS["HK Internet"]
    hostile.write_bytes(corpus[case][0].read_bytes())
    before = hostile.read_bytes()
    with _bounded(f"regenerating beside {case}"):
        result = regenerate(folder, write_inputs(tmp_path / "inputs"))
    outcome = {workbook.file: workbook for workbook in result.workbooks}
    assert outcome[hostile.name].status is Status.FAILED
    assert refusals[case] in outcome[hostile.name].reason
    assert outcome[GROUPS["US Internet"]].status is Status.CREATED
    assert hostile.read_bytes() == before


def _stray_cell(workbook: Path) -> None:
    """Type one value at XFD1048576 of the workbook's first sheet, as a slip of the hand."""
    copy = workbook.with_suffix(".tmp")
    replace_in_part(workbook, copy, "xl/worksheets/sheet1.xml", "</sheetData>", STRAY_CELL)
    copy.replace(workbook)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_stray_far_cell_fails_that_workbook_and_the_batch_goes_on(
    cli: Cli, tmp_path: Path, jobs: str
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    inputs = write_inputs(tmp_path / "inputs")
    assert cli("regenerate", *inputs.arguments(), "--dir", folder).exit_code == 0
    hostile = folder / GROUPS["HK Internet"]
    _stray_cell(hostile)
    expected = validate_file(hostile).findings[0].message
    assert "XFD1048576" in expected
    month2 = write_inputs(tmp_path / "month2", price_factor=1.1)
    result = cli("regenerate", *month2.arguments(), "--dir", folder, "--jobs", jobs, "--json")
    assert result.exit_code == 1
    outcome = {item["file"]: item for item in result.json()["workbooks"]}
    assert outcome[hostile.name]["status"] == "failed"
    assert expected in outcome[hostile.name]["reason"]
    assert outcome[GROUPS["US Internet"]]["status"] == "updated"


def test_report_refuses_a_coverage_workbook_with_a_stray_far_cell(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    inputs = write_inputs(tmp_path / "inputs")
    assert cli("regenerate", *inputs.arguments(), "--dir", folder).exit_code == 0
    hostile = folder / GROUPS["HK Internet"]
    _stray_cell(hostile)
    expected = validate_file(hostile).findings[0].message
    result = cli("report", hostile, folder / GROUPS["US Internet"], "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert expected in _one_error(result)


@pytest.mark.parametrize("case", ["ratio-bomb", "lying-bomb", "entity-bomb"])
def test_regenerate_names_the_bombed_workbook_beside_the_refusal(
    cli: Cli,
    corpus: dict[str, tuple[Path, str]],
    refusals: dict[str, str],
    case: str,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    hostile = folder / GROUPS["HK Internet"]
    hostile.write_bytes(corpus[case][0].read_bytes())
    inputs = write_inputs(tmp_path / "inputs")
    with _bounded(f"regenerate of {case}"):
        result = cli("regenerate", *inputs.arguments(), "--dir", folder)
    assert result.exit_code == 1
    named = [line for line in result.output.splitlines() if hostile.name in line]
    assert any(refusals[case] in line for line in named), result.output
