"""Worker processes end with the process that started them, however it ends.

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

PARENT = """
import multiprocessing, os, signal, sys, time
from multiprocessing import resource_tracker
from xlmodels.workers import process_pool

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
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
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
