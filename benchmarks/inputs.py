"""Input files: read_history and load_inputs against pandas reading the same files.

The synthetic universe of ``bench scaling`` (Hong Kong companies with
analyst estimates and ``dates`` days of history, long layout) is written as
CSV files and, for the XLSX line, the history as a one-sheet workbook in the
wide layout of a Wind export (a date column, then one column per code).
Side by side, best of ``repeat``:

- ``read_history`` of the CSV against ``pd.read_csv`` of it;
- ``load_inputs`` (every file read, checked and assembled) against
  ``pd.read_csv`` of every one of its files;
- ``read_history`` of the XLSX against ``pd.read_excel`` with calamine.

Goal: the inputs read within 2x of ``pd.read_csv`` of the same files.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from benchmarks import Timing, compare
from benchmarks.regenerate import write_synthetic_inputs
from xlmodels.sources import SettingsChoices, load_inputs
from xlmodels.sources.readers import read_history

__all__ = ["SIZES", "run"]

#: (companies, history dates): the scaling table's largest histories.
SIZES = ((200, 2_500), (1_000, 2_500))
REPEAT = 5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes of the run, for ``python -m benchmarks inputs``."""
    parser.add_argument(
        "--size",
        action="append",
        metavar="COMPANIESxDATES",
        help="a size to time, such as 200x2500 (repeatable; default: 200x2500 and 1000x2500)",
    )
    parser.add_argument(
        "--repeat", type=int, default=REPEAT, metavar="N", help=f"best of N (default {REPEAT})"
    )


def _one_size(root: Path, companies: int, dates: int, repeat: int) -> list[Timing]:
    files = write_synthetic_inputs(root, groups=1, companies=companies, days=dates)
    paths = [p for p in (files.universe, files.market, files.estimates, files.history) if p]
    assert files.history is not None
    history = files.history
    workbook = root / "history.xlsx"
    long = pd.read_csv(history)
    wide = long.pivot_table(index="date", columns="code", values="close").reset_index()
    wide.to_excel(workbook, index=False, engine="xlsxwriter")
    size = f"{companies}x{dates}"

    def read_all() -> None:
        for path in paths:
            pd.read_csv(path)

    return [
        compare(
            f"read_history csv {size}",
            lambda: read_history(history),
            "pd.read_csv",
            lambda: pd.read_csv(history),
            repeat,
        ),
        compare(
            f"load_inputs {size}",
            lambda: load_inputs(files, SettingsChoices()),
            "pd.read_csv of its 4 files",
            read_all,
            repeat,
        ),
        compare(
            f"read_history xlsx {size}",
            lambda: read_history(workbook),
            "pd.read_excel (calamine)",
            lambda: pd.read_excel(workbook, engine="calamine"),
            max(1, repeat // 2),
        ),
    ]


def run(size: list[str] | None = None, repeat: int = REPEAT) -> list[Timing]:
    sizes = [tuple(int(n) for n in s.lower().split("x")) for s in size] if size else SIZES
    timings: list[Timing] = []
    for companies, dates in sizes:
        with tempfile.TemporaryDirectory(prefix="xlmodels-bench-") as scratch:
            timings += _one_size(Path(scratch), companies, dates, repeat)
    return timings
