"""Worker processes that never outlive the process that started them.

``regenerate --jobs N`` and ``validate --jobs N`` run workbooks in worker
processes. If the command is killed (``kill -9``, an out-of-memory killer, a
CI job cancelled), nothing tells its workers: they would go on computing,
and keep multiprocessing's resource tracker alive with them. Every worker
started through :func:`process_pool` watches its parent instead: on Linux the
kernel kills it the moment the parent dies (``PR_SET_PDEATHSIG``); elsewhere,
and as a second guard, a thread notices that the parent is gone within a
second and ends the worker. The resource tracker ends once no worker is left.

>>> with process_pool(1) as pool:
...     pool.submit(abs, -3).result()
3
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext

__all__ = ["process_pool"]

#: prctl option asking the kernel to signal this process when its parent dies.
_PR_SET_PDEATHSIG = 1
#: Seconds between two looks at the parent, where the kernel cannot watch it.
_POLL = 0.5


def _parent_gone(parent: int) -> bool:
    return os.getppid() != parent


def _watch(parent: int) -> None:
    while not _parent_gone(parent):
        threading.Event().wait(_POLL)
    os._exit(1)  # no cleanup: whatever the worker was doing has no one to report to


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end this process when ``parent`` ends."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if _parent_gone(parent):  # it died before the kernel was asked to watch
        os._exit(1)
    if os.name == "posix":  # getppid changes when the parent dies only on POSIX
        threading.Thread(target=_watch, args=(parent,), daemon=True, name="parent").start()


def process_pool(workers: int, context: BaseContext | None = None) -> ProcessPoolExecutor:
    """A process pool whose workers end when this process ends, however it ends.

    Parameters
    ----------
    workers : int
        Number of worker processes.
    context : multiprocessing context, optional
        How workers start (``spawn`` when the parent runs threads); the
        platform's default otherwise.
    """
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context or multiprocessing.get_context(),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )
