"""Peak memory of building and of regenerating one workbook, each in a process of its own.

For each size (companies x history dates, from the scaling table), the
synthetic inputs of ``bench scaling`` are written and a first workbook is
regenerated into a folder. Then, each in a fresh Python process, the peak
resident memory (the kernel's high-water mark, ``VmHWM``) of:

- build: reading the input files and writing the workbook
  (:func:`~xlmodels.workbook.write_workbook`);
- regenerate: reading the input files and regenerating a copy of the
  folder (:func:`~xlmodels.regenerate.regenerate_folder`);
- the floor: ``import pandas`` and ``import xlsxwriter``, what any such
  process holds before it reads a cell.

Goal: a build of 1,000 x 2,500 under 500 MB; peak memory growing with the
companies, not with companies x history rows (the History is streamed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks import Timing
from benchmarks.regenerate import write_synthetic_inputs
from xlmodels.regenerate import RegenerateOptions, regenerate_folder
from xlmodels.sources import SettingsChoices, load_inputs

__all__ = ["SIZES", "Peak", "run"]

#: (companies, history dates) from the scaling table.
SIZES = ((50, 2_500), (200, 2_500), (1_000, 2_500), (200, 10_000))
QUICK = ((10, 500), (50, 500))

_CHILD = """
import json, resource, shutil, sys
from pathlib import Path
from xlmodels.sources import InputFiles, SettingsChoices, load_inputs
kind, root = sys.argv[1], Path(sys.argv[2])
if kind != "floor":
    files = InputFiles(
        universe=root / "inputs" / "universe.csv",
        market=root / "inputs" / "market.csv",
        history=root / "inputs" / "history.csv",
    )
    inputs = load_inputs(files, SettingsChoices())
if kind == "build":
    from xlmodels.workbook import write_workbook
    write_workbook(root / "built.xlsx", inputs)
elif kind == "regenerate":
    from xlmodels.regenerate import RegenerateOptions, Status, regenerate_folder
    folder = root / "run"
    shutil.copytree(root / "base", folder)
    result = regenerate_folder(folder, inputs, RegenerateOptions())
    shutil.rmtree(folder)
    if result.count(Status.UPDATED) != 1:
        raise SystemExit(f"the workbook was not updated: {result}")
else:
    import pandas, xlsxwriter  # noqa: F401
# The high-water mark of this process's own memory since exec (ru_maxrss also
# counts the parent's at fork time on Linux, a parent that may be far larger).
status = Path("/proc/self/status")
if status.exists():
    line = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:"))
    print(json.dumps(int(line.split()[1])))
else:
    print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""


@dataclass(frozen=True)
class Peak(Timing):
    """Two peak memories side by side (``seconds`` hold megabytes here)."""

    def line(self) -> str:
        return (
            f"{self.label:<34} {self.seconds:8.0f} MB   "
            f"{self.baseline_label:<30} {self.baseline_seconds:8.0f} MB   "
            f"ratio {self.ratio:6.2f}x"
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes of the run, for ``python -m benchmarks memory``."""
    parser.add_argument(
        "--quick", action="store_true", help="two small sizes instead of the scaling table's"
    )
    parser.add_argument(
        "--size",
        action="append",
        metavar="COMPANIESxDATES",
        help="a size to measure, such as 1000x2500 (repeatable)",
    )


def _peak_mb(kind: str, root: Path) -> float:
    """Peak resident memory of one child process doing ``kind``, in megabytes."""
    environment = dict(os.environ)
    repository = str(Path(__file__).resolve().parents[1])
    environment["PYTHONPATH"] = os.pathsep.join(
        [repository, *filter(None, [environment.get("PYTHONPATH")])]
    )
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(root)],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    )
    kilobytes = json.loads(done.stdout.strip().splitlines()[-1])
    return float(kilobytes) / 1024


def _one_size(root: Path, companies: int, dates: int) -> list[Timing]:
    first = write_synthetic_inputs(root / "first", groups=1, companies=companies, days=dates)
    write_synthetic_inputs(
        root / "inputs",
        groups=1,
        companies=companies,
        days=dates,
        price_factor=1.03,
        estimates=False,
    )
    (root / "base").mkdir()
    regenerate_folder(root / "base", load_inputs(first, SettingsChoices()), RegenerateOptions())
    shutil.rmtree(root / "first")
    floor = _peak_mb("floor", root)
    build = _peak_mb("build", root)
    regenerate = _peak_mb("regenerate", root)
    size = f"{companies}x{dates}"
    return [
        Peak(f"build {size} peak", build, "floor: import pandas, xlsxwriter", floor),
        Peak(f"regenerate {size} peak", regenerate, "build, same workbook", build),
    ]


def run(quick: bool = False, size: list[str] | None = None) -> list[Timing]:
    if size:
        sizes = [tuple(int(n) for n in each.lower().split("x")) for each in size]
    else:
        sizes = list(QUICK if quick else SIZES)
    timings: list[Timing] = []
    for companies, dates in sizes:
        with tempfile.TemporaryDirectory(prefix="xlmodels-bench-") as scratch:
            timings += _one_size(Path(scratch), companies, dates)
    return timings
