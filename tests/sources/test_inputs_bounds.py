"""Inputs at their bounds: a universe with no company, a history wider than the universe."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.cli_helpers import Cli
from tests.regenerate_helpers import read_sample, write_inputs
from xlmodels.sources.sample import sample_path
from xlmodels.workbook import read_workbook


def test_a_universe_with_a_header_only_is_one_line_for_build_and_regenerate(
    cli: Cli, tmp_path: Path
) -> None:
    inputs = write_inputs(tmp_path / "inputs")
    header = read_sample("universe.csv").iloc[:0]
    header.to_csv(inputs.universe, index=False)
    out = tmp_path / "coverage.xlsx"
    books = tmp_path / "books"
    books.mkdir()
    for result in (
        cli("build", *inputs.arguments(), "-o", out),
        cli("regenerate", *inputs.arguments(), "--dir", books),
    ):
        assert result.exit_code == 2
        (line,) = result.lines("stderr")
        assert line.endswith(
            "universe.csv: the universe lists no company: add one row per "
            "covered company below its header"
        )
    assert not out.exists()
    assert list(books.iterdir()) == []


def test_build_keeps_only_the_history_of_the_universe_and_its_indexes(
    cli: Cli, tmp_path: Path
) -> None:
    inputs = write_inputs(tmp_path / "inputs")
    history = pd.read_csv(sample_path("history.csv"), dtype={"code": str})
    # A vendor's export for the whole market: many codes the universe does not cover.
    days = history["date"].unique()[:200]
    others = pd.DataFrame(
        {
            "date": [day for day in days for _ in range(300)],
            "code": [f"{number:04d}.SZ" for _ in days for number in range(300)],
            "close": 10.0,
            "pe_ttm": 20.0,
        }
    )
    wide = tmp_path / "inputs" / "market-history.csv"
    pd.concat([history, others], ignore_index=True).to_csv(wide, index=False)
    arguments = inputs.arguments()
    narrow_out, wide_out = tmp_path / "narrow.xlsx", tmp_path / "wide.xlsx"
    assert cli("build", *arguments, "-o", narrow_out).exit_code == 0
    arguments[arguments.index("--history") + 1] = str(wide)
    assert cli("build", *arguments, "-o", wide_out).exit_code == 0
    narrow, kept = read_workbook(narrow_out).history, read_workbook(wide_out).history
    assert narrow is not None
    assert kept is not None
    assert not kept["code"].str.endswith(".SZ").any()
    pd.testing.assert_frame_equal(kept, narrow)
    assert wide_out.stat().st_size < 1.2 * narrow_out.stat().st_size
