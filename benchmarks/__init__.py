"""Benchmarks that print ratios measured side by side in one run.

Run ``python -m benchmarks NAME`` (``python -m benchmarks --list``
lists them). Each benchmark times xlmodels and its baseline alternately on
the same data and reports the best of several repeats, so machine noise
affects both sides alike. Nothing here is asserted: speed goals are read
from the printed ratios, not enforced by tests.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Timing", "best_time", "compare", "machine"]


def machine() -> str:
    """One line describing the machine, for quoting next to the figures."""
    import os

    import numpy as np

    return (
        f"{platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    ).replace("  ", " ")


def best_time(function: Callable[[], object], repeat: int = 7, number: int = 1) -> float:
    """Best wall-clock seconds of ``number`` calls, over ``repeat`` rounds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        best = min(best, (time.perf_counter() - start) / number)
    return best


@dataclass(frozen=True)
class Timing:
    """One side-by-side measurement."""

    label: str
    seconds: float
    baseline_label: str
    baseline_seconds: float

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_seconds

    def line(self) -> str:
        return (
            f"{self.label:<34} {self.seconds * 1e3:10.2f} ms   "
            f"{self.baseline_label:<30} {self.baseline_seconds * 1e3:10.2f} ms   "
            f"ratio {self.ratio:6.2f}x"
        )


def compare(
    label: str,
    function: Callable[[], object],
    baseline_label: str,
    baseline: Callable[[], object],
    repeat: int = 7,
    number: int = 1,
    rounds: int = 1,
) -> Timing:
    """Time ``function`` and ``baseline`` in alternation; best of ``repeat`` each.

    Each turn runs one side ``rounds`` times in a row and keeps its best.
    For calls of a few milliseconds over arrays larger than the caches,
    ``rounds`` of 3 or more measures each side in its own steady state
    (its buffers reused, its data in cache as a caller's loop would have
    them), where single calls in alternation time each side partly on the
    memory the other one left behind.
    """
    ours, theirs = float("inf"), float("inf")
    function()
    baseline()
    for _ in range(repeat):
        ours = min(ours, best_time(function, rounds, number))
        theirs = min(theirs, best_time(baseline, rounds, number))
    return Timing(label, ours, baseline_label, theirs)
