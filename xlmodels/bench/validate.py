"""Validation: 200 copies of a 50-company, 2,500-date workbook, against calamine reading them.

xlmodels validate checks every copy in one process (one core): the safety
checks on the bytes, openpyxl for formulas and names, calamine for the bulk
values, then every rule. The baseline opens each copy with python-calamine
and reads every sheet's values, nothing else: the floor any validator that
looks at the numbers pays. Goal: validation within 3x of the baseline. The
same batch with ``--jobs 2`` is timed too, and files per second printed.

The reference workbook is written by the workbook writer from the build
benchmark's deterministic universe (HK and US names, CNY and USD EPS, daily
history).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from python_calamine import CalamineWorkbook

from xlmodels.bench import Timing, best_time, compare
from xlmodels.bench.build import COMPANIES, DATES, reference_inputs
from xlmodels.validate import validate_paths
from xlmodels.workbook import write_workbook

COPIES = 200


def _read_all(paths: list[Path]) -> None:
    for path in paths:
        workbook = CalamineWorkbook.from_path(path)
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python()
        workbook.close()


def run(
    copies: int = COPIES, companies: int = COMPANIES, dates: int = DATES, repeat: int = 2
) -> list[Timing]:
    with tempfile.TemporaryDirectory(prefix="xlmodels-bench-validate-") as folder:
        reference = Path(folder) / "reference.xlsx"
        write_workbook(reference, reference_inputs(companies, dates), mode="sq")
        paths = []
        for index in range(copies):
            path = Path(folder) / f"coverage-{index:03d}.xlsx"
            shutil.copyfile(reference, path)
            paths.append(path)
        report = validate_paths(paths, jobs=1)
        if report.exit_code != 0:  # the timing would measure another workload
            raise RuntimeError(f"the reference workbook does not validate clean: {report.findings}")

        def one_job() -> object:
            return validate_paths(paths, jobs=1)

        single = compare(
            f"validate {copies} files, 1 job",
            one_job,
            "python-calamine reads every sheet",
            lambda: _read_all(paths),
            repeat=repeat,
        )
        parallel = best_time(lambda: validate_paths(paths, jobs=2), repeat=repeat)
        print(
            f"files per second: {copies / single.seconds:,.1f} with 1 job, "
            f"{copies / parallel:,.1f} with --jobs 2 "
            f"(python-calamine alone: {copies / single.baseline_seconds:,.1f})"
        )
        return [
            single,
            Timing(
                f"validate {copies} files, --jobs 2",
                parallel,
                f"validate {copies} files, 1 job",
                single.seconds,
            ),
        ]
