"""Command start-up: whole processes of ``xlmodels`` against ``python -c "import pandas"``.

Every command pays its start-up, and a pre-commit hook runs
``xlmodels validate one.xlsx`` for each commit. The baseline is the floor
any command built on pandas pays: a Python process that imports pandas and
exits. The commands timed:

- ``xlmodels --help`` (goal: within 1.5x of the baseline);
- ``xlmodels validate one.xlsx`` on the bundled example workbook (goal:
  within 3x);
- ``python -c "import xlmodels.cli"``: what importing the command line costs
  before any command runs.

Each process is started afresh, alternately with the baseline, and the best
of the repeats is kept, so other jobs on the machine weigh on both sides.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks import Timing

REPEAT = 7
#: The committed example workbook the validation case checks.
WORKBOOK = Path(__file__).resolve().parents[1] / "workbooks" / "coverage-sample.xlsx"
BASELINE = (sys.executable, "-c", "import pandas")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The size of the run, for ``python -m benchmarks startup``."""
    parser.add_argument(
        "--repeat",
        type=int,
        default=REPEAT,
        metavar="N",
        help=f"processes started per command, best one kept (default: {REPEAT})",
    )


def _seconds(command: Sequence[str], allowed: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if completed.returncode not in allowed:
        raise RuntimeError(
            f"{' '.join(command)} exited {completed.returncode}: "
            f"{completed.stderr.decode(errors='replace').strip()}"
        )
    return seconds


def _side_by_side(
    label: str, command: Sequence[str], repeat: int, allowed: tuple[int, ...] = (0,)
) -> Timing:
    ours, theirs = float("inf"), float("inf")
    _seconds(command, allowed)  # warm the file cache for both sides
    _seconds(BASELINE)
    for _ in range(repeat):
        ours = min(ours, _seconds(command, allowed))
        theirs = min(theirs, _seconds(BASELINE))
    return Timing(label, ours, 'python -c "import pandas"', theirs)


def run(repeat: int = REPEAT) -> list[Timing]:
    cli = (sys.executable, "-m", "xlmodels")
    timings = [
        _side_by_side("xlmodels --help", (*cli, "--help"), repeat),
        _side_by_side("import xlmodels.cli", (sys.executable, "-c", "import xlmodels.cli"), repeat),
    ]
    if WORKBOOK.exists():  # a wheel installed without the repository has no example
        # Exit 1 (findings) still measures the command; 2 would mean it could not run.
        timings.append(
            _side_by_side(
                "xlmodels validate one.xlsx", (*cli, "validate", str(WORKBOOK)), repeat, (0, 1)
            )
        )
    return timings
