"""What a command imports: start-up is paid by every call, in every pre-commit hook.

Each case runs the command in a fresh interpreter and lists which heavy
libraries it left in ``sys.modules``; a change that imports one of them at
the top of a command module (or of a package ``__init__``) makes the
listing grow and the test fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from xlmodels.sources.sample import load_inputs
from xlmodels.workbook import write_workbook

#: Libraries that cost a noticeable share of start-up, with the modules of
#: ours that pull in the charts, the writers and the whole batch.
HEAVY = (
    "matplotlib",
    "PIL",
    "xlsxwriter",
    "openpyxl",
    "python_calamine",
    "xlmodels.report.charts",
    "xlmodels.report.build",
    "xlmodels.workbook.writer",
    "xlmodels.sources",
    "xlmodels.regenerate.batch",
    "xlmodels.revisions.workbooks",
)

_PROBE = """
import json, sys
from xlmodels.cli import main
sys.argv = ["xlmodels", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = json.loads(HEAVY)
print(json.dumps(sorted(name for name in heavy if name in sys.modules)), file=sys.stderr)
"""


def _heavy_modules(*args: str) -> set[str]:
    """The heavy modules loaded once ``xlmodels *args`` has run."""
    probe = _PROBE.replace("HEAVY", repr(json.dumps(HEAVY)))
    completed = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=False
    )
    last = completed.stderr.strip().splitlines()[-1]
    return set(json.loads(last))


def test_help_imports_nothing_heavy() -> None:
    assert _heavy_modules("--help") == set()


def test_help_imports_neither_numpy_nor_pandas() -> None:
    # Printing the commands computes nothing: it should cost Python, typer and rich alone.
    probe = _PROBE.replace("HEAVY", repr(json.dumps(["numpy", "pandas", "xlmodels.core.ratings"])))
    completed = subprocess.run(
        [sys.executable, "-c", probe, "--help"], capture_output=True, text=True, check=False
    )
    assert "Commands" in completed.stdout  # the probe saw the help printed
    assert json.loads(completed.stderr.strip().splitlines()[-1]) == []


@pytest.mark.parametrize("command", ["build", "regenerate", "report", "validate", "diff"])
def test_a_command_help_imports_nothing_heavy(command: str) -> None:
    assert _heavy_modules(command, "--help") == set()


def test_validate_imports_only_the_readers(tmp_path: Path) -> None:
    workbook = tmp_path / "one.xlsx"
    write_workbook(workbook, load_inputs())
    loaded = _heavy_modules("validate", str(workbook), "--format", "json")
    # Reading a workbook needs openpyxl (and Pillow, which it loads) and calamine;
    # validating it needs no chart, no writer, no input reader and no batch.
    assert loaded <= {"openpyxl", "PIL", "python_calamine"}
    assert "openpyxl" in loaded  # the probe saw the command run
