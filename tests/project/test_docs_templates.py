"""The template input files of "Your own coverage in ten minutes" stay valid, and its steps run.

The files in ``docs/templates/`` are what a team copies to start its own
coverage: they must load with :func:`xlmodels.sources.load_inputs`, and the
page's commands (build, validate, report, then regenerate) must succeed on
them as written.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.cli_helpers import Cli
from xlmodels.sources import InputFiles, load_inputs
from xlmodels.sources.readers import read_estimates, read_universe

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "docs" / "templates"
PAGE = ROOT / "docs" / "own-coverage.md"


def _files(folder: Path = TEMPLATES) -> InputFiles:
    return InputFiles(
        universe=folder / "universe.csv",
        market=folder / "market.csv",
        estimates=folder / "estimates.csv",
        history=folder / "history.csv",
        indexes=folder / "indexes.csv",
    )


def test_the_templates_load_as_one_coverage() -> None:
    inputs = load_inputs(_files())
    universe = read_universe(TEMPLATES / "universe.csv")
    assert list(inputs.universe.index) == list(universe.index)
    assert inputs.settings.report_date == dt.date(2025, 5, 30)
    # Every company whose EPS currency differs from its price currency has its FX row.
    for code, company in inputs.universe.iterrows():
        if company["eps_currency"] != company["price_currency"]:
            rate = inputs.fx.rate(company["eps_currency"], company["price_currency"])
            assert rate > 0, code
    # Every covered company has estimates, and the history reaches the period's both ends.
    estimates = read_estimates(TEMPLATES / "estimates.csv")
    assert set(estimates.index) == set(universe.index)
    dates = set(inputs.history["date"].dt.date)
    assert {inputs.settings.period_start, inputs.settings.period_end} <= dates


def test_the_templates_take_every_column_a_reader_knows() -> None:
    from xlmodels.sources.columns import (
        ESTIMATES_FIELDS,
        HISTORY_FIELDS,
        INDEX_FIELDS,
        UNIVERSE_FIELDS,
    )

    expected = {
        "universe.csv": UNIVERSE_FIELDS,
        "estimates.csv": ESTIMATES_FIELDS,
        "indexes.csv": INDEX_FIELDS,
        "history.csv": HISTORY_FIELDS,
    }
    for name, fields in expected.items():
        header = (TEMPLATES / name).read_text(encoding="utf-8").splitlines()[0].split(",")
        # The estimates file's name and EPS currency come from the universe.
        optional_here = {"name", "eps_currency"} if name == "estimates.csv" else set()
        assert {f.key for f in fields} - optional_here <= set(header), name


def _page_commands() -> list[list[str]]:
    text = PAGE.read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [shlex.split(line) for line in lines if line.startswith(("xlmodels ", "mkdir "))]


def test_the_page_steps_run_on_the_templates(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(TEMPLATES, tmp_path / "my-coverage")
    monkeypatch.chdir(tmp_path / "my-coverage")
    commands = _page_commands()
    assert [c[1] for c in commands if c[0] == "xlmodels"] == [
        "build",
        "validate",
        "report",
        "regenerate",
        "validate",
        "report",
    ]
    text = PAGE.read_text(encoding="utf-8")
    for command in commands:
        if command[0] == "mkdir":
            Path(command[1]).mkdir()
            continue
        result = cli(*command[1:])
        assert result.exit_code == 0, (command, result.output)
        if command[1] == "build":
            # The page shows what build prints.
            [line] = result.lines()
            assert f"\n{line}\n" in text
    assert Path("china-internet.xlsx").is_file()
    assert Path("coverage/china-internet.xlsx").is_file()
    assert Path("report/report.html").is_file()
