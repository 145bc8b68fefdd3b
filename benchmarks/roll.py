"""Roll: roll a folder of coverage workbooks a fiscal year, against regenerating it with new prices.

A deterministic universe (the regeneration benchmark's: Hong Kong companies
with estimates and history, three per coverage group) is regenerated once
into a folder. Each timed run takes a fresh copy of that folder and either
rolls every workbook to the next fiscal year (what ``xlmodels roll DIR
--to YEAR`` runs: read, check, roll, rebuild from the workbook's own data,
compare, write, record) or regenerates it with the next month's prices
(the baseline, the month's refresh every team already runs). Both run with
one job, alternately, best of ``repeat``; the line prints workbooks per
second of both and the ratio of their times (about 1 means a roll costs
what a monthly refresh does).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.regenerate import Throughput, write_synthetic_inputs
from xlmodels.regenerate import (
    RegenerateOptions,
    RollOptions,
    Status,
    regenerate_folder,
    roll_workbooks,
)
from xlmodels.sources import SettingsChoices, load_inputs
from xlmodels.workbook import read_workbook

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--groups", type=int, default=50, help="workbooks in the folder")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each side")


def run(groups: int = 50, repeat: int = 2) -> list[Throughput]:
    with tempfile.TemporaryDirectory(prefix="xlmodels-bench-") as scratch:
        root = Path(scratch)
        first = write_synthetic_inputs(root / "month1", groups=groups, companies=3, days=250)
        second = write_synthetic_inputs(
            root / "month2", groups=groups, companies=3, days=250, price_factor=1.03
        )
        base = root / "base"
        base.mkdir()
        regenerate_folder(base, load_inputs(first, SettingsChoices()), RegenerateOptions())
        fy1 = int(read_workbook(next(base.glob("*.xlsx"))).settings["fy1_year"])

        def timed(kind: str, attempt: int) -> float:
            folder = root / f"{kind}-{attempt}"
            shutil.copytree(base, folder)
            start = time.perf_counter()
            if kind == "roll":
                rolled = roll_workbooks([folder], RollOptions(to=fy1 + 1))
                updated = sum(r.status is Status.UPDATED for _, r in rolled.workbooks)
            else:
                inputs = load_inputs(second, SettingsChoices())
                updated = regenerate_folder(folder, inputs, RegenerateOptions()).count(
                    Status.UPDATED
                )
            seconds = time.perf_counter() - start
            if updated != groups:
                raise RuntimeError(f"the {kind} run updated {updated} of {groups} workbooks")
            shutil.rmtree(folder)
            return seconds

        best = {"roll": float("inf"), "regenerate": float("inf")}
        for attempt in range(repeat):
            for kind in best:
                best[kind] = min(best[kind], timed(kind, attempt))
    return [
        Throughput(
            f"roll {groups} workbooks",
            best["roll"],
            "regenerate, new prices",
            best["regenerate"],
            items=groups,
        )
    ]
