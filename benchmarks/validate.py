"""Validation: 200 copies of a 50-company, 2,500-date workbook, against calamine reading them.

xlmodels validate checks every copy in one process (one core): the safety
checks on the bytes, one read of the workbook (calamine for the values of
every sheet, the XML of the formula sheets for their formulas), then every
rule. The baseline opens each copy with python-calamine and reads every
sheet's values, nothing else: the floor any validator that looks at the
numbers pays. Goal: validation within 2x of the baseline. The same batch
with ``--jobs 2`` is timed too, and files per second printed.

The reference workbook is written by the workbook writer from the build
benchmark's deterministic universe (HK and US names, CNY and USD EPS, daily
history).

The full size takes minutes; a quick look at the ratios on a laptop:

    python -m benchmarks validate --copies 20 --companies 10 --dates 250
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from python_calamine import CalamineWorkbook

from benchmarks import Timing, best_time, compare
from benchmarks.build import COMPANIES, DATES, reference_inputs
from xlmodels.validate import validate_paths
from xlmodels.workbook import write_workbook

COPIES = 200
REPEAT = 2


def _at_least_one(text: str) -> int:
    try:
        number = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} must be 1 or more")
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes of the run, for ``python -m benchmarks validate``."""
    parser.add_argument(
        "--copies",
        type=_at_least_one,
        default=COPIES,
        metavar="N",
        help=f"workbooks validated in each timed run (default: {COPIES})",
    )
    parser.add_argument(
        "--companies",
        type=_at_least_one,
        default=COMPANIES,
        metavar="N",
        help=f"companies in the reference workbook (default: {COMPANIES})",
    )
    parser.add_argument(
        "--dates",
        type=_at_least_one,
        default=DATES,
        metavar="N",
        help=f"History rows (daily dates) in the reference workbook (default: {DATES:,})",
    )
    parser.add_argument(
        "--repeat",
        type=_at_least_one,
        default=REPEAT,
        metavar="N",
        help=f"timed runs of each side; the best counts (default: {REPEAT})",
    )


def _read_all(paths: list[Path]) -> None:
    for path in paths:
        workbook = CalamineWorkbook.from_path(path)
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python()
        workbook.close()


def run(
    copies: int = COPIES, companies: int = COMPANIES, dates: int = DATES, repeat: int = REPEAT
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
