"""Revisions: the semantic diff against a cell-by-cell one, and the store against a refresh.

Two side-by-side measurements on the build benchmark's workbook (50
companies, 2,500 days of history by default):

* ``xlmodels diff`` of the workbook against a copy with one EPS revised
  (both read with their template's layout, recomputed by the core, checked
  for integrity, compared company by company), against the cell-by-cell
  comparison regeneration uses (:func:`~xlmodels.workbook.cell_diff.diff_cells`
  of the two workbooks read with :func:`~xlmodels.workbook.read_cells`);
* what regeneration adds to record a run in the revision store (a snapshot
  of every workbook, computed by the core, and one SQLite transaction),
  against regenerating those workbooks: ``groups`` workbooks of three
  companies, regenerated with new prices, ``--jobs 1``.
"""

from __future__ import annotations

import argparse
import io
import shutil
import tempfile
import time
from pathlib import Path

import openpyxl

from benchmarks import Timing, compare
from benchmarks.build import COMPANIES, DATES, reference_inputs
from benchmarks.regenerate import write_synthetic_inputs
from xlmodels.regenerate import RegenerateOptions, regenerate_folder
from xlmodels.regenerate.plan import split_by_group
from xlmodels.revisions.snapshot import snapshot_of
from xlmodels.revisions.store import STORE_NAME, record_run
from xlmodels.revisions.workbooks import diff_workbooks
from xlmodels.sources import SettingsChoices, load_inputs
from xlmodels.workbook import read_cells, read_workbook, write_workbook
from xlmodels.workbook.cell_diff import diff_cells

__all__ = ["add_arguments", "run"]

GROUPS = 40


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--companies", type=int, default=COMPANIES, help="companies of the diff")
    parser.add_argument("--dates", type=int, default=DATES, help="History days of the diff")
    parser.add_argument("--groups", type=int, default=GROUPS, help="workbooks regenerated")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")


def _revised_pair(folder: Path, companies: int, dates: int) -> tuple[Path, Path]:
    old = folder / "old.xlsx"
    write_workbook(old, reference_inputs(companies, dates))
    data = read_workbook(old)
    code = str(data.tables["Estimates"].index[0])
    cell = data.names["est_eps_fy2"].cell(0)
    book = openpyxl.load_workbook(old)
    value = book["Estimates"][cell].value
    book["Estimates"][cell] = (float(value) if value is not None else 1.0) * 1.03
    new = folder / "new.xlsx"
    book.save(new)
    revised = diff_workbooks(old, new).estimates.estimates
    if not any(change.company and change.company.code == code for change in revised):
        raise RuntimeError(f"the benchmark's revision of {code} was not found by the diff")
    return old, new


def _store_overhead(root: Path, groups: int, repeat: int) -> Timing:
    first = write_synthetic_inputs(root / "month1", groups=groups)
    second = write_synthetic_inputs(
        root / "month2", groups=groups, price_factor=1.03, estimates=False
    )
    base = root / "base"
    base.mkdir()
    regenerate_folder(base, load_inputs(first, SettingsChoices()), RegenerateOptions())
    inputs = load_inputs(second, SettingsChoices())
    by_group = split_by_group(inputs)
    refresh_best = record_best = float("inf")
    for attempt in range(repeat):
        folder = root / f"run-{attempt}"
        shutil.copytree(base, folder)
        (folder / STORE_NAME).unlink()
        start = time.perf_counter()
        regenerate_folder(folder, load_inputs(second, SettingsChoices()), RegenerateOptions())
        refresh_best = min(refresh_best, time.perf_counter() - start)
        # What the run spent on its record: the snapshots and the transaction, measured apart.
        (folder / STORE_NAME).unlink()
        start = time.perf_counter()
        snapshots = [
            snapshot_of(group_inputs, workbook=f"{index}.xlsx", coverage_group=group)
            for index, (group, group_inputs) in enumerate(by_group.items())
        ]
        record_run(folder, snapshots, command="bench")
        record_best = min(record_best, time.perf_counter() - start)
        shutil.rmtree(folder)
    return Timing(
        f"record {groups} workbooks in the store",
        record_best,
        f"regenerate {groups} workbooks",
        refresh_best,
    )


def run(
    companies: int = COMPANIES, dates: int = DATES, groups: int = GROUPS, repeat: int = 3
) -> list[Timing]:
    with tempfile.TemporaryDirectory(prefix="xlmodels-bench-") as scratch:
        root = Path(scratch)
        old, new = _revised_pair(root, companies, dates)
        old_bytes, new_bytes = old.read_bytes(), new.read_bytes()

        def semantic() -> object:
            return diff_workbooks(io.BytesIO(old_bytes), io.BytesIO(new_bytes))

        def cells() -> object:
            return diff_cells(read_cells(io.BytesIO(old_bytes)), read_cells(io.BytesIO(new_bytes)))

        timings = [
            compare(
                f"xlmodels diff ({companies} cos, {dates} days)",
                semantic,
                "cell-by-cell diff",
                cells,
                repeat=repeat,
            )
        ]
        timings.append(_store_overhead(root, groups, repeat))
    return timings
