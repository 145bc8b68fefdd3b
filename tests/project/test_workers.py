"""Worker processes end with the process that started them, and a dying one takes no other.

A ``kill -9`` of ``regenerate --jobs 2`` left both workers and
multiprocessing's resource tracker running. Here a parent starts a pool as
regenerate does (spawned workers) and as validate does (the platform's
default), gives each worker a task of an hour, and kills itself with
SIGKILL: every worker and the tracker must be gone. The wait below is a
bound for a process to notice its parent died, not a speed measure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.regenerate_helpers import GROUPS, write_inputs
from xlmodels.regenerate import Status, batch
from xlmodels.regenerate.job import Job, JobOptions, JobOutcome, run_job
from xlmodels.regenerate.plan import plan_folder
from xlmodels.sources import SettingsChoices, load_inputs

PARENT = """
import multiprocessing, os, signal, sys, time
from multiprocessing import resource_tracker
from xlmodels.runtime.workers import process_pool

pool = process_pool(2, multiprocessing.get_context(sys.argv[1]))
futures = [pool.submit(time.sleep, 3600) for _ in range(2)]
while len(pool._processes) < 2 or not all(p.pid for p in pool._processes.values()):
    time.sleep(0.01)
pids = list(pool._processes)
tracker = resource_tracker._resource_tracker._pid
print(" ".join(str(pid) for pid in pids + ([tracker] if tracker else [])), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""

#: Upper bound for an orphaned worker to notice; a worker normally ends at once.
NOTICE_BOUND = 60.0


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        state = next(line for line in status.read_text().splitlines() if line.startswith("State"))
    except (FileNotFoundError, ProcessLookupError, StopIteration):
        return False
    return "Z" not in state.split()[1]  # a zombie has ended; only its entry remains


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_no_worker_outlives_a_killed_parent(tmp_path: Path, method: str) -> None:
    if method not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, method],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert parent.stdout is not None
    pids = [int(pid) for pid in parent.stdout.readline().split()]
    assert parent.wait() == -9
    assert len(pids) >= 2
    left = list(pids)
    gone = threading.Event()
    for _ in range(int(NOTICE_BOUND / 0.1)):
        left = [pid for pid in left if _alive(pid)]
        if not left:
            break
        gone.wait(0.1)
    assert left == [], f"processes {left} outlived their killed parent"


def crash_on_hong_kong(job: Job) -> JobOutcome:
    """A job runner whose process dies on the HK group's workbook, as a reader crash would."""
    if job.plan.group == "HK Internet":
        os._exit(3)
    return run_job(job)


def test_a_worker_that_dies_fails_its_workbook_alone(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    paths = write_inputs(tmp_path / "inputs")
    inputs = load_inputs(paths.files(), SettingsChoices())
    jobs = [Job(group, JobOptions()) for group in plan_folder(folder, inputs).groups]
    assert {job.plan.group for job in jobs} == set(GROUPS)
    outcomes = {o.result.file: o for o in batch._outcomes(jobs, 2, crash_on_hong_kong)}
    hong_kong, us = outcomes[GROUPS["HK Internet"]], outcomes[GROUPS["US Internet"]]
    assert hong_kong.result.status is Status.FAILED
    assert hong_kong.result.reason == batch._WORKER_DIED
    assert hong_kong.content is None
    assert us.result.status is Status.CREATED
    assert us.content is not None
