"""A roll killed mid-run leaves each workbook rolled or as it was, and the next run finishes it.

The command runs in a subprocess (``--jobs 2``) and is sent SIGKILL once a
few workbooks have been replaced: a point in the work, not in time, so the
kill lands mid-batch on any machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.regenerate import write_synthetic_inputs
from xlmodels.regenerate import RegenerateOptions, Status, regenerate_folder
from xlmodels.sources import SettingsChoices, load_inputs
from xlmodels.workbook import read_workbook

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


def _workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith((".", "~$")))


def test_killing_a_roll_mid_run_leaves_each_workbook_rolled_or_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    files = write_synthetic_inputs(tmp_path / "inputs", groups=12, companies=2, days=40)
    result = regenerate_folder(folder, load_inputs(files, SettingsChoices()), RegenerateOptions())
    assert result.exit_code == 0
    books = _workbooks(folder)
    before = {p.name: p.read_bytes() for p in books}
    estimates = {p.name: read_workbook(p).analyst.estimates for p in books}
    inodes = {p.name: p.stat().st_ino for p in books}
    fy1 = int(read_workbook(books[0]).settings["fy1_year"])
    command = [sys.executable, "-m", "xlmodels", "roll", str(folder), "--to", str(fy1 + 1)]
    process = subprocess.Popen(
        [*command, "--jobs", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600  # only a guard against a hung run
        while process.poll() is None and time.monotonic() < deadline:
            if sum(p.stat().st_ino != inodes[p.name] for p in _workbooks(folder)) >= 3:
                break
            time.sleep(0.002)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    rolled = 0
    for path in _workbooks(folder):
        data = read_workbook(path)  # every workbook opens
        if data.settings["fy1_year"] == fy1:
            assert path.read_bytes() == before[path.name]
            continue
        rolled += 1
        assert data.settings["fy1_year"] == fy1 + 1
        old, new = estimates[path.name], data.analyst.estimates
        assert new["eps_fy1"].tolist() == old["eps_fy2"].tolist()
        assert new["eps_lyr"].tolist() == old["eps_fy1"].tolist()
    assert rolled >= 3

    # The next run finishes the job: the rolled workbooks have nothing to do.
    finished = subprocess.run(
        [*command, "--json"], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert finished.returncode == 0, finished.stderr
    statuses = [workbook["status"] for workbook in json.loads(finished.stdout)["workbooks"]]
    assert statuses.count(str(Status.UNCHANGED)) == rolled
    assert statuses.count(str(Status.UPDATED)) == len(books) - rolled
    assert all(read_workbook(p).settings["fy1_year"] == fy1 + 1 for p in _workbooks(folder))
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
