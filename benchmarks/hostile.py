"""Hostile files: time and peak memory to refuse each, against validating a clean workbook.

Every file of the hostile corpus the tests use (bombs, entity bombs, a
stray far cell, a lone far cell, deep nesting, a million shared strings,
encrypted and legacy files...) and three full-size cases that once took
minutes or gigabytes (ten million shared strings, XML nested a million
deep, a 1 GB part beside a small workbook) go to ``validate`` and then to
the workbook reader that ``report`` and ``regenerate`` use. For each file a
line prints the time to refuse it against the time to validate the bundled
sample's coverage workbook, and the peak resident memory of a process that
refuses it against that of one validating the sample (the interpreter and
its libraries included; read from /proc, so on Linux). Every file must be
refused, or the run stops.

A quick run without the full-size cases:

    python -m benchmarks hostile --small
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from functools import partial
from pathlib import Path

from benchmarks import Timing, best_time
from benchmarks._corpus import hostile_corpus, simple_workbook
from xlmodels.errors import InputError
from xlmodels.sources import sample
from xlmodels.validate import validate_file
from xlmodels.workbook import read_workbook, write_workbook

REPEAT = 3
MB = 1024 * 1024

#: Run in a fresh interpreter: refuse one file both ways, print the peak resident memory.
_PEAK = """
import sys
from xlmodels.errors import InputError
from xlmodels.validate import validate_file
from xlmodels.workbook import read_workbook
validate_file(sys.argv[1])
try:
    read_workbook(sys.argv[1])
except InputError:
    pass
# The high-water mark of this program alone: ru_maxrss would count the
# memory of the parent it was forked from before exec.
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM")))
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m benchmarks hostile``."""
    parser.add_argument(
        "--small",
        action="store_true",
        help="leave out the full-size cases (ten million strings, a million levels, 1 GB)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=REPEAT,
        metavar="N",
        help=f"timed runs of each file; the best counts (default: {REPEAT})",
    )


def _full_size(folder: Path, good: Path) -> dict[str, Path]:
    """The cases at the sizes that once took minutes or gigabytes."""
    with zipfile.ZipFile(good) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    out = {}
    strings = b"".join(b"<si><t>%d</t></si>" % number for number in range(10_000_000))
    cases = {
        "shared-strings-10m": {
            "xl/sharedStrings.xml": b'<?xml version="1.0"?><sst xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main">' + strings + b"</sst>"
        },
        "nesting-1m": {"docProps/custom.xml": b"<a>" * 1_000_000 + b"</a>" * 1_000_000},
        "part-1gb": {"xl/media/extra.bin": b"\x00" * 1024 * MB},
    }
    for name, extra in cases.items():
        path = folder / f"{name}.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for part, data in {**parts, **extra}.items():
                # Stored, the nesting is refused for its depth, not for its compression ratio.
                stored = name == "nesting-1m" and part in extra
                target.writestr(part, data, zipfile.ZIP_STORED if stored else None)
        out[name] = path
    return out


def _read_as_report(path: Path) -> None:
    try:
        read_workbook(path)
    except InputError:
        return
    raise RuntimeError(f"the workbook reader accepted the hostile file {path.name}")


def _refuse(path: Path) -> None:
    """What validate, then report and regenerate's reader, do with the file."""
    validate_file(path)
    _read_as_report(path)


def _peak_mb(path: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True, check=True
    )
    return int(done.stdout.split()[-1]) / 1024  # VmHWM is in kB


def run(small: bool = False, repeat: int = REPEAT) -> list[Timing]:
    with tempfile.TemporaryDirectory(prefix="xlmodels-bench-hostile-") as name:
        folder = Path(name)
        clean = folder / "coverage-sample.xlsx"
        write_workbook(clean, sample.load_inputs())
        files = {
            case: path
            for case, (path, _) in hostile_corpus(
                folder, simple_workbook(folder / "good.xlsx")
            ).items()
        }
        if not small:
            files.update(_full_size(folder, clean))
        baseline = best_time(lambda: validate_file(clean), repeat=repeat)
        baseline_mb = _peak_mb(clean)
        print(
            f"validating the sample's coverage workbook ({clean.stat().st_size / 1024:,.0f} KB): "
            f"{baseline * 1e3:,.0f} ms, peak {baseline_mb:,.0f} MB resident"
        )
        print(f"{'file':<22} {'size':>10} {'refused in':>12} {'ratio':>7} {'peak':>9} {'ratio':>7}")
        total = 0.0
        for case, path in files.items():
            if not validate_file(path).unreadable:
                raise RuntimeError(f"validate accepted the hostile file {case}")
            _read_as_report(path)
            seconds = best_time(partial(_refuse, path), repeat=repeat)
            total += seconds
            peak = _peak_mb(path)
            print(
                f"{case:<22} {path.stat().st_size / MB:>8.1f} MB {seconds * 1e3:>9.1f} ms "
                f"{seconds / baseline:>6.2f}x {peak:>6.0f} MB {peak / baseline_mb:>6.2f}x"
            )
        return [
            Timing(
                f"refuse all {len(files)} files",
                total,
                f"validate the sample {len(files)} times",
                baseline * len(files),
            )
        ]
