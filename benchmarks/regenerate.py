"""Regeneration: refresh 200 coverage workbooks with new prices, --jobs 2 against --jobs 1.

A deterministic universe of 200 coverage groups (three Hong Kong companies
each, with analyst estimates and 250 days of history) is written as input
files and regenerated once into a folder. Each timed run refreshes a copy of
that folder with new prices, through the library function the command line
calls (:func:`~xlmodels.regenerate.regenerate_folder`): every workbook is
read, checked for conflicts, carried over, rebuilt, compared cell by cell
and written. The two job counts run alternately on fresh copies, best of
``repeat`` each; the line prints workbooks per second of both and the ratio
of their times (below 1 means two jobs are faster). Worker processes start
inside the timed run, as they do for the command.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import Timing
from xlmodels.regenerate import RegenerateOptions, Status, regenerate_folder
from xlmodels.sources import InputFiles, SettingsChoices, load_inputs

__all__ = ["Throughput", "run", "write_synthetic_inputs"]

GROUPS = 200
COMPANIES = 3
DAYS = 250
PRICE_DATE = dt.date(2024, 11, 29)
BENCHMARK = "HSTECH.HI"


def write_synthetic_inputs(
    folder: Path,
    *,
    groups: int = GROUPS,
    companies: int = COMPANIES,
    days: int = DAYS,
    price_factor: float = 1.0,
    estimates: bool = True,
) -> InputFiles:
    """Write a deterministic universe, market, history and estimates file into ``folder``.

    Group ``g`` is ``Sector 001``..., its companies Hong Kong codes priced
    in HKD with EPS in CNY; ``price_factor`` scales every close of the
    market file (the month's new prices), not the history.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20241129)
    count = groups * companies
    codes = [f"{1000 + i:04d}.HK" for i in range(count)]
    universe = pd.DataFrame(
        {
            "code": codes,
            "name": [f"公司{i:04d}" for i in range(count)],
            "name_en": [f"Company {i:04d}" for i in range(count)],
            "market": "HK",
            "price_currency": "HKD",
            "eps_currency": "CNY",
            "benchmark": BENCHMARK,
            "analyst": [f"Analyst {i // companies % 7}" for i in range(count)],
            "coverage_group": [f"Sector {i // companies + 1:03d}" for i in range(count)],
        }
    )
    closes = rng.uniform(5, 500, count).round(2)
    market = pd.DataFrame(
        {
            "code": [*codes, BENCHMARK, "CNYHKD"],
            "close": [*(closes * price_factor).round(2), 4325.17, 1.0702],
            "price_date": PRICE_DATE.isoformat(),
            "shares_mn": [*rng.uniform(100, 20_000, count).round(1), None, None],
            "currency": "HKD",
        }
    )
    eps = closes / rng.uniform(8, 30, count)
    estimate_rows = pd.DataFrame(
        {
            "code": codes,
            "eps_basis": "adjusted",
            "eps_fy1": eps.round(2),
            "eps_fy2": (eps * 1.12).round(2),
            "eps_fy3": (eps * 1.25).round(2),
            "target_multiple": rng.uniform(8, 30, count).round(1),
            "target_year": "FY2",
            "notes": "Synthetic estimates",
        }
    )
    dates = pd.bdate_range(end=PRICE_DATE, periods=days)
    series = [*codes, BENCHMARK]
    walks = np.exp(np.cumsum(rng.normal(0, 0.015, (days, len(series))), axis=0))
    levels = np.concatenate([closes, [4300.0]])
    history = pd.DataFrame(
        {
            "date": np.repeat(dates.strftime("%Y-%m-%d").to_numpy(), len(series)),
            "code": np.tile(series, days),
            "close": (walks * levels).round(2).reshape(-1),
        }
    )
    universe.to_csv(folder / "universe.csv", index=False)
    market.to_csv(folder / "market.csv", index=False)
    history.to_csv(folder / "history.csv", index=False)
    if estimates:
        estimate_rows.to_csv(folder / "estimates.csv", index=False)
    return InputFiles(
        universe=folder / "universe.csv",
        market=folder / "market.csv",
        estimates=folder / "estimates.csv" if estimates else None,
        history=folder / "history.csv",
    )


@dataclass(frozen=True)
class Throughput(Timing):
    """A side-by-side timing of ``items`` workbooks, printed as workbooks per second."""

    items: int = 1

    def line(self) -> str:
        return (
            f"{self.label:<34} {self.items / self.seconds:8.1f} workbooks/s   "
            f"{self.baseline_label:<24} {self.items / self.baseline_seconds:8.1f} workbooks/s   "
            f"time ratio {self.ratio:5.2f}x"
        )


def run(
    groups: int = GROUPS, companies: int = COMPANIES, days: int = DAYS, repeat: int = 2
) -> list[Throughput]:
    with tempfile.TemporaryDirectory(prefix="xlmodels-bench-") as scratch:
        root = Path(scratch)
        first = write_synthetic_inputs(
            root / "month1", groups=groups, companies=companies, days=days
        )
        second = write_synthetic_inputs(
            root / "month2",
            groups=groups,
            companies=companies,
            days=days,
            price_factor=1.03,
            estimates=False,
        )
        base = root / "base"
        base.mkdir()
        regenerate_folder(base, load_inputs(first, SettingsChoices()), RegenerateOptions(jobs=2))

        def refresh(jobs: int, attempt: int) -> float:
            folder = root / f"run-{jobs}-{attempt}"
            shutil.copytree(base, folder)
            start = time.perf_counter()
            # Reading the input files is part of what the command does per run.
            inputs = load_inputs(second, SettingsChoices())
            result = regenerate_folder(folder, inputs, RegenerateOptions(jobs=jobs))
            seconds = time.perf_counter() - start
            if result.count(Status.UPDATED) != groups:
                raise RuntimeError(f"the benchmark run did not update every workbook: {result}")
            shutil.rmtree(folder)
            return seconds

        best = {1: float("inf"), 2: float("inf")}
        for attempt in range(repeat):
            for jobs in (2, 1):
                best[jobs] = min(best[jobs], refresh(jobs, attempt))
    return [
        Throughput(
            f"regenerate {groups} workbooks --jobs 2",
            best[2],
            "--jobs 1",
            best[1],
            items=groups,
        )
    ]
