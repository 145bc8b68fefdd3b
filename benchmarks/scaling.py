"""Regenerating one workbook against building it, from 10 to 1,000 companies, 500 to 10,000 dates.

For each size, one coverage group of ``companies`` Hong Kong names with
``dates`` days of history is written as input files and regenerated once
into a folder; the month's new prices are then read from a second set of
files. Three things are timed side by side, from the same inputs read
once:

- regenerate: :func:`~xlmodels.regenerate.regenerate_folder` refreshing a
  fresh copy of that folder (read the workbook, check it, carry the analyst
  inputs, rebuild, compare cell by cell, write);
- build: :func:`~xlmodels.workbook.write_workbook` writing the same
  workbook from the same inputs (goal: regenerate within 1.5x of it at every
  size, growing linearly);
- the floor: python-calamine reading every sheet of the existing workbook
  plus xlsxwriter writing the new workbook's cells bare, what any
  read-then-write of this workbook pays.

Each side is timed alternately, best of ``repeat``; copying the folder is
not timed. ``--cpu`` times each side by the processor time this process
spends instead of the wall clock: on a shared machine, where other jobs
take the cores in turns, the wall clock counts the waits too, and the
ratios of a loaded run scatter (everything runs in this one process, so
nothing is left out).
"""

from __future__ import annotations

import argparse
import io
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from python_calamine import CalamineWorkbook

from benchmarks import Timing
from benchmarks.build import bare_cells, write_bare
from benchmarks.regenerate import write_synthetic_inputs
from xlmodels.regenerate import RegenerateOptions, Status, regenerate_folder
from xlmodels.regenerate.plan import group_slug
from xlmodels.sources import SettingsChoices, load_inputs
from xlmodels.workbook import write_workbook

__all__ = ["QUICK", "SIZES", "run"]

#: (companies, history dates) of the scaling table.
SIZES = ((10, 500), (50, 2_500), (200, 2_500), (1_000, 2_500), (200, 10_000))
#: A run of a few seconds, for checking the benchmark itself.
QUICK = ((10, 500), (50, 500))
REPEAT = 2
GROUP = "Sector 001"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes of the run, for ``python -m benchmarks scaling``."""
    parser.add_argument(
        "--quick", action="store_true", help="two small sizes instead of the whole table"
    )
    parser.add_argument(
        "--size",
        action="append",
        metavar="COMPANIESxDATES",
        help="a size to time, such as 200x2500 (repeatable; default: the scaling table)",
    )
    parser.add_argument(
        "--repeat", type=int, default=REPEAT, metavar="N", help=f"best of N (default {REPEAT})"
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time the processor time spent, not the wall clock (steadier on a shared machine)",
    )


def _size(text: str) -> tuple[int, int]:
    companies, _, dates = text.lower().partition("x")
    return int(companies), int(dates)


def _best(timed: Callable[[], float], repeat: int, best: float) -> float:
    for _ in range(repeat):
        best = min(best, timed())
    return best


def _one_size(
    root: Path, companies: int, dates: int, repeat: int, clock: Callable[[], float]
) -> list[Timing]:
    first = write_synthetic_inputs(root / "month1", groups=1, companies=companies, days=dates)
    second = write_synthetic_inputs(
        root / "month2",
        groups=1,
        companies=companies,
        days=dates,
        price_factor=1.03,
        estimates=False,
    )
    base = root / "base"
    base.mkdir()
    regenerate_folder(base, load_inputs(first, SettingsChoices()), RegenerateOptions())
    existing = base / f"{group_slug(GROUP)}.xlsx"
    inputs = load_inputs(second, SettingsChoices())
    built = io.BytesIO()
    write_workbook(built, inputs)
    cells = bare_cells(built.getvalue())

    def regenerate() -> float:
        folder = root / "run"
        shutil.copytree(base, folder)
        start = clock()
        result = regenerate_folder(folder, inputs, RegenerateOptions())
        seconds = clock() - start
        if result.count(Status.UPDATED) != 1:
            raise RuntimeError(f"the benchmark run did not update its workbook: {result}")
        shutil.rmtree(folder)
        return seconds

    def build() -> float:
        start = clock()
        write_workbook(root / "built.xlsx", inputs)
        return clock() - start

    def floor() -> float:
        start = clock()
        workbook = CalamineWorkbook.from_path(str(existing))
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python()
        (root / "bare.xlsx").write_bytes(write_bare(cells))
        return clock() - start

    ours = theirs = bare = float("inf")
    for _ in range(repeat):
        ours = _best(regenerate, 1, ours)
        theirs = _best(build, 1, theirs)
        bare = _best(floor, 1, bare)
    size = f"{companies}x{dates}"
    return [
        Timing(f"regenerate {size}", ours, "build, same workbook", theirs),
        Timing(f"regenerate {size}", ours, "floor: calamine + xlsxwriter", bare),
    ]


def run(
    quick: bool = False, size: list[str] | None = None, repeat: int = REPEAT, cpu: bool = False
) -> list[Timing]:
    sizes = [_size(each) for each in size] if size else list(QUICK if quick else SIZES)
    clock = time.process_time if cpu else time.perf_counter
    timings: list[Timing] = []
    for companies, dates in sizes:
        with tempfile.TemporaryDirectory(prefix="xlmodels-bench-") as scratch:
            timings += _one_size(Path(scratch), companies, dates, repeat, clock)
    return timings
