"""Safety: killed runs leave whole workbooks, one regeneration per folder, open workbooks skipped.

The kill tests run the real command in a subprocess (``--jobs 2``) and send
it SIGKILL, the one signal a program cannot catch: what they check is what
the files on disk look like after a crash at an arbitrary moment.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from benchmarks.regenerate import write_synthetic_inputs
from tests.cli_helpers import Cli
from tests.regenerate_helpers import (
    GROUPS,
    by_file,
    regenerate,
    snapshot,
    write_inputs,
)
from tests.validate_helpers import BILLION_LAUGHS, count_safety_checks, with_prolog
from xlmodels.regenerate import LOCK_NAME, Status
from xlmodels.regenerate.job import Job, JobOptions, run_job
from xlmodels.regenerate.plan import plan_folder
from xlmodels.sources import InputFiles, SettingsChoices, load_inputs
from xlmodels.workbook import read_workbook

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


def _command(files: InputFiles, folder: Path, *extra: str) -> list[str]:
    arguments = [sys.executable, "-m", "xlmodels", "regenerate"]
    arguments += ["--universe", str(files.universe), "--market", str(files.market)]
    if files.estimates is not None:
        arguments += ["--estimates", str(files.estimates)]
    if files.history is not None:
        arguments += ["--history", str(files.history)]
    return [*arguments, "--dir", str(folder), *extra]


def _run(files: InputFiles, folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(files, folder, *extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith((".", "~$")))


def _closes(files: InputFiles) -> dict[str, float]:
    market = pd.read_csv(files.market, dtype={"code": str})
    return dict(zip(market["code"], market["close"].astype(float), strict=True))


def _stop(process: subprocess.Popen[Any]) -> None:
    """SIGKILL the command and its workers at once (its process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_killing_a_batch_mid_run_leaves_each_workbook_old_or_new(tmp_path: Path) -> None:
    rng = random.Random(20241129)
    rounds, groups = 5, 20
    folder = tmp_path / "books"
    folder.mkdir()
    months = [
        write_synthetic_inputs(
            tmp_path / f"month{k}",
            groups=groups,
            companies=2,
            days=40,
            price_factor=1 + k / 100,
            estimates=k == 0,
        )
        for k in range(rounds + 1)
    ]
    first = _run(months[0], folder, "--jobs", "2")
    assert first.returncode == 0, first.stderr
    typed = {p.name: read_workbook(p).analyst.estimates for p in _workbooks(folder)}
    assert len(typed) == groups
    interrupted = 0
    for month in range(1, rounds + 1):
        before = {p.name: p.read_bytes() for p in _workbooks(folder)}
        inodes = {p.name: p.stat().st_ino for p in _workbooks(folder)}
        process = subprocess.Popen(
            _command(months[month], folder, "--jobs", "2"),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            # Kill once a random number of workbooks has been replaced: a point in
            # the work, not in time, so the kill lands mid-batch on any machine.
            target = rng.randint(1, groups - 1)
            deadline = time.monotonic() + 600  # only a guard against a hung run
            while process.poll() is None and time.monotonic() < deadline:
                replaced = sum(p.stat().st_ino != inodes[p.name] for p in _workbooks(folder))
                if replaced >= target:
                    break
                time.sleep(0.002)
        finally:
            _stop(process)
        new = _closes(months[month])
        renewed = 0
        for path in _workbooks(folder):
            data = read_workbook(path)  # every workbook opens
            closes = data.tables["Market"]["close"].to_dict()
            if path.read_bytes() == before[path.name]:
                continue
            assert closes == {code: new[code] for code in closes}, path.name
            renewed += 1
            pd.testing.assert_frame_equal(data.analyst.estimates, typed[path.name])
        assert sorted(p.name for p in _workbooks(folder)) == sorted(before)
        interrupted += 0 < renewed < groups
    # The random kills did land inside batches, not only before or after them.
    assert interrupted >= 1
    last = _run(months[rounds], folder, "--jobs", "2", "--json")
    assert last.returncode == 0, last.stderr
    report = json.loads(last.stdout)
    assert report["summary"]["failed"] == 0
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    final = _closes(months[rounds])
    for path in _workbooks(folder):
        data = read_workbook(path)
        assert data.tables["Market"]["close"].to_dict() == {
            code: final[code] for code in data.tables["Market"].index
        }
        pd.testing.assert_frame_equal(data.analyst.estimates, typed[path.name])


_SLOW_WRITE = textwrap.dedent(
    """
    import contextlib, sys, time
    from pathlib import Path
    import xlmodels.regenerate.batch as batch
    from xlmodels.sources import InputFiles, SettingsChoices, load_inputs

    real = batch.atomic_path

    @contextlib.contextmanager
    def stalled(target):
        with real(target) as temporary:
            yield temporary
            # The new content is in the temporary file; the rename has not happened.
            print("WRITING", temporary.name, flush=True)
            time.sleep(120)

    batch.atomic_path = stalled
    folder, universe, market = (Path(a) for a in sys.argv[1:4])
    inputs = load_inputs(InputFiles(universe, market), SettingsChoices())
    batch.regenerate_folder(folder, inputs)
    """
)


def test_a_write_killed_before_its_rename_leaves_the_old_file(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, write_inputs(tmp_path / "inputs"))
    before = snapshot(folder)
    paths = write_inputs(tmp_path / "month2", price_factor=1.1, estimates=False)
    process = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITE, str(folder), str(paths.universe), str(paths.market)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
    finally:
        _stop(process)
    assert line.startswith("WRITING ."), line
    temporary = line.split()[1]
    after = snapshot(folder)
    assert temporary in after  # the killed write left its temporary file...
    assert {name: after[name] for name in before} == before  # ...and every workbook as it was
    result = regenerate(folder, paths)
    assert result.temporary_files_removed == 1
    assert not (folder / temporary).exists()
    assert {w.status for w in result.workbooks} == {Status.UPDATED}


_HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from xlmodels.regenerate.lock import folder_lock

    with folder_lock(Path(sys.argv[1]), wait=0):
        print("HELD", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def test_a_second_regeneration_waits_then_refuses(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    files = write_synthetic_inputs(tmp_path / "inputs", groups=3, companies=2, days=20)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(folder), "60"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "HELD"
        before = snapshot(folder)
        start = time.monotonic()
        refused = _run(files, folder, "--wait", "1.5")
        waited = time.monotonic() - start
        assert refused.returncode == 1
        assert "another regeneration or roll is running" in refused.stderr
        assert refused.stderr.count("\n") == 1  # one line, no traceback
        assert waited >= 1.5
        assert snapshot(folder) == before  # nothing written
    finally:
        _stop(holder)
    # Once the holder is gone (killed: the system released its lock), it runs.
    done = _run(files, folder, "--wait", "1.5", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["created"] == 3


def test_two_regenerations_of_one_folder_never_interleave(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    files = write_synthetic_inputs(tmp_path / "inputs", groups=12, companies=2, days=30)
    processes = [
        subprocess.Popen(
            _command(files, folder, "--jobs", "2", "--wait", "120", "--json"),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    summaries = sorted(
        (json.loads(out)["summary"] for out, _ in outputs), key=lambda s: -s["created"]
    )
    # One run made every workbook; the other ran after it, not beside it.
    assert summaries[0]["created"] == 12
    assert summaries[1]["unchanged"] == 12


def test_a_workbook_open_in_excel_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, write_inputs(tmp_path / "inputs"))
    (folder / "~$hk-internet.xlsx").write_bytes(b"\x00owner")
    (folder / ".~lock.us-internet.xlsx#").write_text("LibreOffice lock")
    before = snapshot(folder)
    result = regenerate(folder, write_inputs(tmp_path / "month2", price_factor=1.1))
    outcomes = by_file(result)
    assert set(outcomes) == set(GROUPS.values())
    assert outcomes["hk-internet.xlsx"].status is Status.SKIPPED
    assert "~$hk-internet.xlsx" in outcomes["hk-internet.xlsx"].reason
    assert outcomes["us-internet.xlsx"].status is Status.SKIPPED
    assert snapshot(folder) == before
    # A refresh that left workbooks as they were has not succeeded...
    assert result.exit_code == 1
    # ... unless the caller says skipping an open workbook is fine.
    accepted = regenerate(
        folder, write_inputs(tmp_path / "month2", price_factor=1.1), skip_open=True
    )
    assert accepted.count(Status.SKIPPED) == 2
    assert accepted.exit_code == 0
    (folder / "~$hk-internet.xlsx").unlink()
    result = regenerate(folder, write_inputs(tmp_path / "month2", price_factor=1.1))
    assert by_file(result)["hk-internet.xlsx"].status is Status.UPDATED


def test_the_command_names_a_skipped_workbook_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    paths = write_inputs(tmp_path / "inputs")
    assert cli("regenerate", *paths.arguments(), "--dir", folder).exit_code == 0
    (folder / "~$hk-internet.xlsx").write_bytes(b"\x00owner")
    month2 = write_inputs(tmp_path / "month2", price_factor=1.1)
    result = cli("regenerate", *month2.arguments(), "--dir", folder)
    assert result.exit_code == 1
    assert "hk-internet.xlsx was not regenerated" in " ".join(result.lines("stderr"))
    assert "--skip-open" in result.stderr
    listed = cli("regenerate", *month2.arguments(), "--dir", folder, "--json")
    assert listed.exit_code == 1
    assert listed.json()["summary"]["skipped"] == 1
    (skipped,) = (w for w in listed.json()["workbooks"] if w["status"] == "skipped")
    assert skipped["file"] == "hk-internet.xlsx"
    assert skipped["in_use"] is True
    accepted = cli("regenerate", *month2.arguments(), "--dir", folder, "--skip-open", "--json")
    assert accepted.exit_code == 0
    assert accepted.json()["skip_open"] is True
    assert "not regenerated" not in accepted.stderr


def test_the_lock_is_released_when_the_holder_dies(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(folder), "60"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "HELD"
    finally:
        _stop(holder)
    assert (folder / LOCK_NAME).exists()
    result = regenerate(folder, write_inputs(tmp_path / "inputs"), wait=0)
    assert result.count(Status.CREATED) == 2


def test_each_workbook_is_checked_once_unless_it_changes_after_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, write_inputs(tmp_path / "first"))
    inputs = load_inputs(
        write_inputs(tmp_path / "new", price_factor=1.1).files(), SettingsChoices()
    )
    checked = count_safety_checks(monkeypatch)
    plan = plan_folder(folder, inputs)
    assert sorted(checked) == sorted(folder / name for name in GROUPS.values())
    checked.clear()
    hk = next(group for group in plan.groups if group.target.name == GROUPS["HK Internet"])
    us = next(group for group in plan.groups if group.target.name == GROUPS["US Internet"])
    # The plan's check stands for the bytes it saw: the job does not check them again.
    assert run_job(Job(us, JobOptions())).result.status is Status.UPDATED
    assert checked == []

    # A workbook replaced by a hostile file after the plan saw it is checked, and refused.
    bomb = with_prolog(hk.target, tmp_path / "bomb.xlsx", "xl/workbook.xml", BILLION_LAUGHS)
    shutil.copyfile(bomb, hk.target)
    outcome = run_job(Job(hk, JobOptions()))
    assert checked == [hk.target]
    assert (outcome.result.status, outcome.content) == (Status.FAILED, None)
    assert "DOCTYPE" in outcome.result.reason
