"""The revision store regeneration writes, and ``xlmodels revisions`` reading it.

The kill tests run regeneration in a subprocess and send it SIGKILL at a
point in the work (inside the store's transaction, or once some workbooks
are replaced), never after a delay: what they check is the store a crash
leaves on disk.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks.regenerate import write_synthetic_inputs
from tests.cli_helpers import Cli
from tests.regenerate_helpers import (
    InputPaths,
    regenerate,
    snapshot,
    v1_fixture_inputs,
    write_inputs,
)
from tests.revisions_helpers import type_estimate
from xlmodels.regenerate import RegenerateOptions, regenerate_folder
from xlmodels.revisions.changes import compare_snapshots
from xlmodels.revisions.history import list_revisions
from xlmodels.revisions.snapshot import snapshot_of
from xlmodels.revisions.store import STORE_NAME, StoreError, read_records, record_run
from xlmodels.revisions.workbooks import read_state
from xlmodels.sources import InputFiles, SettingsChoices, load_inputs, sample
from xlmodels.template.v3 import TEMPLATE_VERSION

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def revised(tmp_path: Path) -> tuple[Path, InputPaths]:
    """A folder regenerated twice, Tencent's FY2 EPS typed from 26.3 to 27.1 in between."""
    folder = tmp_path / "books"
    folder.mkdir()
    paths = write_inputs(tmp_path / "inputs")
    regenerate(folder, paths)
    type_estimate(folder / "hk-internet.xlsx", "0700.HK", "eps_fy2", 27.1)
    result = regenerate(folder, paths)
    assert result.revisions is not None
    assert result.revisions.error is None
    return folder, paths


def test_the_next_regeneration_records_the_revision(cli: Cli, revised: tuple[Path, Any]) -> None:
    folder, _ = revised
    result = cli("revisions", str(folder))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.lines() if "26.3" in line and "27.1" in line]
    assert len(lines) == 1, result.stdout
    assert "0700.HK" in lines[0]
    assert "+3.0%" in lines[0]


def test_the_json_names_the_workbook_the_runs_and_the_change(
    cli: Cli, revised: tuple[Path, Any]
) -> None:
    folder, _ = revised
    report = cli("revisions", str(folder), "--format", "json").json()
    assert report["runs"] == 2
    estimates = [r for r in report["revisions"] if r["kind"] == "estimate"]
    assert [(r["workbook"], r["code"], r["field"], r["old"], r["new"]) for r in estimates] == [
        ("hk-internet.xlsx", "0700.HK", "eps_fy2", 26.3, 27.1)
    ]
    assert (estimates[0]["run"], estimates[0]["previous_run"]) == (2, 1)
    assert estimates[0]["change"] == pytest.approx(27.1 / 26.3 - 1)
    # Tencent's target price is 20x its FY2 EPS: it moved with it, and nothing else did.
    others = [(r["code"], r["field"]) for r in report["revisions"] if r["kind"] != "estimate"]
    assert others == [("0700.HK", "target_price")]


def test_code_and_since_select(cli: Cli, revised: tuple[Path, Any]) -> None:
    folder, _ = revised
    for spelling in ("0700.HK", "0700.hk", "700 HK", "700 HK Equity"):
        tencent = cli("revisions", str(folder), "--code", spelling, "--format", "json").json()
        assert {r["code"] for r in tencent["revisions"]} == {"0700.HK"}, spelling
    netease = cli("revisions", str(folder), "--code", "9999.HK", "--format", "json").json()
    assert netease["revisions"] == []
    today = dt.date.today()
    later = (today + dt.timedelta(days=2)).isoformat()
    assert (
        cli("revisions", str(folder), "--since", later, "--format", "json").json()["revisions"]
        == []
    )
    earlier = (today - dt.timedelta(days=2)).isoformat()
    listed = cli("revisions", str(folder), "--since", earlier, "--format", "json").json()
    assert len(listed["revisions"]) == 2
    markdown = cli("revisions", str(folder), "--format", "md")
    rows = [line for line in markdown.stdout.splitlines() if "| 0700.HK |" in line]
    assert any("| 26.3 | 27.1 | +3.0% |" in row for row in rows)


def test_the_store_is_a_real_sqlite_file(revised: tuple[Path, Any]) -> None:
    folder, _ = revised
    connection = sqlite3.connect(folder / STORE_NAME)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        runs = connection.execute("SELECT id, command FROM runs ORDER BY id").fetchall()
        assert runs == [(1, "regenerate"), (2, "regenerate")]
        recorded = connection.execute(
            "SELECT run_id, workbook FROM records ORDER BY run_id, workbook"
        ).fetchall()
    finally:
        connection.close()
    # The second run recorded the one workbook whose estimates changed.
    assert recorded == [(1, "hk-internet.xlsx"), (1, "us-internet.xlsx"), (2, "hk-internet.xlsx")]


def test_a_run_that_changes_nothing_leaves_the_store_untouched(
    revised: tuple[Path, InputPaths],
) -> None:
    folder, paths = revised
    before = snapshot(folder)
    result = regenerate(folder, paths)
    assert result.revisions is not None
    assert result.revisions.run is None
    assert snapshot(folder) == before


def test_a_dry_run_records_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    result = regenerate(folder, write_inputs(tmp_path / "inputs"), dry_run=True)
    assert result.revisions is None
    assert not (folder / STORE_NAME).exists()


def test_a_folder_without_history_or_with_a_broken_store_is_exit_2(
    cli: Cli, tmp_path: Path
) -> None:
    result = cli("revisions", str(tmp_path))
    assert result.exit_code == 2
    assert STORE_NAME in result.text
    (tmp_path / STORE_NAME).write_text("not a database", encoding="utf-8")
    result = cli("revisions", str(tmp_path))
    assert result.exit_code == 2
    [line] = result.lines("stderr")
    assert STORE_NAME in line
    assert cli("revisions", str(tmp_path / "missing")).exit_code == 2


def test_a_store_that_cannot_be_written_fails_the_run_but_keeps_the_workbooks(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    (folder / STORE_NAME).write_text("not a database", encoding="utf-8")
    result = regenerate(folder, write_inputs(tmp_path / "inputs"))
    assert result.revisions is not None
    assert result.revisions.error is not None
    assert STORE_NAME in result.revisions.error
    assert result.exit_code == 1
    assert {w.status.value for w in result.workbooks} == {"created"}
    assert (folder / STORE_NAME).read_text(encoding="utf-8") == "not a database"


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    snap = snapshot_of(sample.load_inputs(), workbook="a.xlsx")
    record_run(tmp_path, [snap], command="regenerate")
    connection = sqlite3.connect(tmp_path / STORE_NAME)
    with connection:
        connection.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    connection.close()
    with pytest.raises(StoreError, match="schema version 99"):
        read_records(tmp_path)
    with pytest.raises(StoreError, match="schema version 99"):
        record_run(tmp_path, [snap], command="regenerate")


# ---------------------------------------------------------------------- kills
def _stop(process: subprocess.Popen[Any]) -> None:
    """SIGKILL the command and its workers at once (its process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


_PAUSED_IN_TRANSACTION = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import xlmodels.revisions.store as store
    from xlmodels.sources import InputFiles, SettingsChoices, load_inputs
    from xlmodels.regenerate import regenerate_folder

    real = store._write

    def paused(connection, snapshots, command, recorded_at):
        run = real(connection, snapshots, command, recorded_at)
        # Every row of the run is written; the transaction has not committed.
        print("RECORDING", run, flush=True)
        time.sleep(120)
        return run

    store._write = paused
    folder, universe, market = (Path(a) for a in sys.argv[1:4])
    inputs = load_inputs(InputFiles(universe, market), SettingsChoices())
    regenerate_folder(folder, inputs)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_run_killed_inside_the_store_transaction_leaves_the_old_record(
    revised: tuple[Path, InputPaths], tmp_path: Path
) -> None:
    folder, _ = revised
    before = [(r.run_id, r.workbook, r.digest) for r in read_records(folder)]
    paths = write_inputs(tmp_path / "month2", price_factor=1.1, estimates=False)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _PAUSED_IN_TRANSACTION,
            str(folder),
            str(paths.universe),
            str(paths.market),
        ],
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
    assert line.startswith("RECORDING 3"), line
    # The killed transaction left its journal: the next connection rolls it back.
    assert (folder / f"{STORE_NAME}-journal").exists()
    assert [(r.run_id, r.workbook, r.digest) for r in read_records(folder)] == before
    connection = sqlite3.connect(folder / STORE_NAME)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()
    # The workbooks were replaced before the kill; the next run records what they hold.
    result = regenerate(folder, paths)
    assert result.revisions is not None
    assert result.revisions.run == 3
    after = read_records(folder)
    # The sample's US companies have no estimates: new prices move none of their outputs.
    assert [r.workbook for r in after if r.run_id == 3] == ["hk-internet.xlsx"]
    tencent = [
        r
        for r in list_revisions(folder, code="0700.HK").revisions
        if r.change is not None and r.change.field == "eps_fy2"
    ]
    assert [(r.change.old, r.change.new) for r in tencent if r.change] == [(26.3, 27.1)]


def _command(files: InputFiles, folder: Path) -> list[str]:
    arguments = [sys.executable, "-m", "xlmodels", "regenerate", "--jobs", "2"]
    arguments += ["--universe", str(files.universe), "--market", str(files.market)]
    if files.estimates is not None:
        arguments += ["--estimates", str(files.estimates)]
    if files.history is not None:
        arguments += ["--history", str(files.history)]
    return [*arguments, "--dir", str(folder)]


def _workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith((".", "~$")))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_runs_killed_anywhere_leave_the_store_with_whole_runs(tmp_path: Path) -> None:
    rng = random.Random(20241203)
    rounds, groups = 4, 6
    folder = tmp_path / "books"
    folder.mkdir()
    months = [
        write_synthetic_inputs(
            tmp_path / f"month{k}",
            groups=groups,
            companies=2,
            days=30,
            price_factor=1 + k / 100,
            estimates=k == 0,
        )
        for k in range(rounds + 1)
    ]
    first = subprocess.run(
        _command(months[0], folder), cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert first.returncode == 0, first.stderr
    killed_before, killed_after = 0, 0
    for month in range(1, rounds + 1):
        before = [(r.run_id, r.workbook, r.digest) for r in read_records(folder)]
        inodes = {p.name: p.stat().st_ino for p in _workbooks(folder)}
        process = subprocess.Popen(
            _command(months[month], folder),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            # A point in the work: some workbooks replaced, up to all of them (the
            # store is written right after the last one).
            target = rng.randint(1, groups)
            deadline = time.monotonic() + 600  # only a guard against a hung run
            while process.poll() is None and time.monotonic() < deadline:
                replaced = sum(p.stat().st_ino != inodes[p.name] for p in _workbooks(folder))
                if replaced >= target:
                    break
                time.sleep(0.002)
        finally:
            _stop(process)
        after = [(r.run_id, r.workbook, r.digest) for r in read_records(folder)]
        if after == before:
            killed_before += 1
            continue
        # Otherwise the whole run is there: every workbook (the prices moved in all).
        assert after[: len(before)] == before
        added = after[len(before) :]
        assert len({run for run, _, _ in added}) == 1
        assert sorted(name for _, name, _ in added) == sorted(p.name for p in _workbooks(folder))
        killed_after += 1
    assert killed_before >= 1
    last = subprocess.run(
        _command(months[rounds], folder), cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert last.returncode == 0, last.stderr
    latest = {r.workbook: r for r in read_records(folder)}
    assert sorted(latest) == sorted(p.name for p in _workbooks(folder))
    # Whatever the kills did, the store ends with every workbook as its file now is.
    for path in _workbooks(folder):
        changes = compare_snapshots(latest[path.name].snapshot, read_state(path).snapshot)
        assert changes.empty, (path.name, changes.as_dict())


def test_the_command_says_what_it_recorded(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    paths = write_inputs(tmp_path / "inputs")
    result = cli("regenerate", *paths.arguments(), "--dir", str(folder), "--json")
    assert result.exit_code == 0, result.output
    assert result.json()["revisions"] == {
        "store": STORE_NAME,
        "run": 1,
        "workbooks": 2,
        "error": None,
    }
    again = cli("regenerate", *paths.arguments(), "--dir", str(folder))
    assert again.exit_code == 0
    assert "the revision history is unchanged" in again.lines()


FIXTURE_V1 = Path(__file__).parents[1] / "fixtures" / "coverage-v1.xlsx"


def test_a_v1_workbook_upgraded_by_regeneration_keeps_its_history(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    shutil.copy(FIXTURE_V1, folder / "hk-internet.xlsx")
    files = v1_fixture_inputs(tmp_path / "inputs")
    first = regenerate_folder(folder, load_inputs(files, SettingsChoices()), RegenerateOptions())
    assert first.workbooks[0].migrated_from == 1
    [record] = read_records(folder)
    assert record.snapshot.template_version == TEMPLATE_VERSION
    # The v1 workbook's inputs are what the first record holds.
    assert record.snapshot.companies["0700.HK"].inputs["eps_fy2"] == 26.3
    type_estimate(folder / "hk-internet.xlsx", "0700.HK", "eps_fy2", 27.1)
    regenerate_folder(folder, load_inputs(files, SettingsChoices()), RegenerateOptions())
    result = cli("revisions", str(folder))
    [line] = [line for line in result.lines() if "27.1" in line]
    assert "0700.HK" in line
    assert "26.3" in line
    assert "+3.0%" in line


def test_a_workbook_rewritten_in_another_language_has_no_revision(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    paths = write_inputs(tmp_path / "inputs")
    regenerate(folder, paths, lang="en")
    type_estimate(folder / "hk-internet.xlsx", "0700.HK", "rating_override", "Neutral")
    regenerate(folder, paths, lang="en")
    regenerate(folder, paths, lang="zh")
    report = cli("revisions", str(folder), "--format", "json").json()
    # Names and rating labels changed language; no estimate or rating did.
    assert [(r["run"], r["field"], r["old"], r["new"]) for r in report["revisions"]] == [
        (2, "rating_override", None, "Neutral"),
        (2, "rating", "Outperform", "Neutral"),
    ]
