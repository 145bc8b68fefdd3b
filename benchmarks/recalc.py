"""Recalculation: the SQ_ calls of a full recalculation, one per row (v2) against one per column.

An sq coverage workbook is saved to recalculate fully on open, and classic
desktop Excel pays a COM round trip for every call of an xlwings function:
13.2 ms by default and 3.8 ms at best (xlwings issue 1976), against tens of
microseconds of Python work. For 50 and 500 companies this benchmark builds
the sq workbook twice from the same inputs, in the per-row layout of
template v2 and in the current one (one spilled formula per computed
column), and recalculates each with the ``formulas`` engine, the SQ_
functions registered, to record every call a full recalculation makes and
the cells it is given (every company has its close, shares, EPS and a
blended target, so every formula calls its function, in Excel as in the
engine). The calls are then replayed through xlwings' own
desktop call path (``xlwings.udfs.call_udf``, the arguments as pywin32 hands
them over: a Range whose value is a scalar or a tuple of row tuples, a value
computed in the formula as that value) and timed, best of ``repeat``.

Each size prints three lines, per-row layout against spilled layout: the
time the functions take for all the calls, then the estimated full
recalculation at 3.8 and at 13.2 ms a call (calls x round trip + that time).
The labels carry the number of calls. Excel's own work (lookups, the rest
of the workbook) is the same in both layouts and is not estimated.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks import Timing
from benchmarks.build import reference_inputs

__all__ = [
    "ROUND_TRIPS",
    "SIZES",
    "Recalculation",
    "estimate",
    "record_calls",
    "replay",
    "run",
    "workbooks",
]

#: Companies of the two workbooks compared.
SIZES = (50, 500)
#: History dates, a month's: they size the PE-TTM series the percentiles read, not the
#: number of calls, and the engine's recalculation (which only records the calls) grows
#: with them.
DATES = 25
#: Seconds of one COM round trip of a desktop xlwings call: the best and the default.
ROUND_TRIPS = (0.0038, 0.0132)
REPEAT = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes of the run, for ``python -m benchmarks recalc``."""
    parser.add_argument(
        "--companies",
        type=int,
        action="append",
        metavar="N",
        help="companies of a workbook (repeatable; default: 50 and 500)",
    )
    parser.add_argument(
        "--repeat", type=int, default=REPEAT, metavar="N", help=f"best of N (default {REPEAT})"
    )


@dataclass(frozen=True)
class Recalculation:
    """The SQ_ calls one full recalculation of a workbook makes, with their COM arguments."""

    calls: list[tuple[str, tuple[Any, ...]]]

    @property
    def count(self) -> int:
        return len(self.calls)

    def by_function(self) -> Counter[str]:
        return Counter(name for name, _ in self.calls)


def _com_cell(cell: Any) -> Any:
    import numpy as np
    import schedula

    from tests.excel_hosts import COM_ERRORS

    if cell is schedula.EMPTY or cell is None:
        return None
    if isinstance(cell, np.generic):
        cell = cell.item()
    if type(cell).__name__ == "XlError" or (isinstance(cell, str) and cell in COM_ERRORS):
        return COM_ERRORS.get(str(cell), COM_ERRORS["#VALUE!"])
    return cell


def _com_argument(argument: Any) -> Any:
    """An argument as the VBA wrapper passes it: a Range for a reference, else its value."""
    import numpy as np

    from tests.excel_hosts import ComRange

    reference = hasattr(argument, "ranges")
    grid = np.asarray(argument.value if hasattr(argument, "value") else argument, dtype=object)
    if grid.ndim < 2:
        grid = grid.reshape(1, -1) if grid.ndim == 1 else grid.reshape(1, 1)
    rows = tuple(tuple(_com_cell(cell) for cell in row) for row in grid)
    value: Any = rows[0][0] if grid.size == 1 else rows
    return ComRange(value, *grid.shape) if reference else value


def record_calls(path: Path) -> Recalculation:
    """Every SQ_ call the ``formulas`` engine makes recalculating ``path`` from scratch."""
    import formulas
    import numpy as np
    import schedula

    import udfs

    calls: list[tuple[str, tuple[Any, ...]]] = []
    table = formulas.get_functions()
    saved = {name: table.get(name) for name in udfs.FUNCTIONS}

    def plain(argument: Any) -> Any:
        grid = np.asarray(argument.value if hasattr(argument, "value") else argument, dtype=object)
        if grid.ndim < 2:
            grid = grid.reshape(1, -1) if grid.ndim == 1 else grid.reshape(1, 1)
        return [
            [
                None
                if cell is schedula.EMPTY
                else (cell.item() if isinstance(cell, np.generic) else cell)
                for cell in row
            ]
            for row in grid
        ]

    for name, function in udfs.FUNCTIONS.items():

        def call(*arguments: Any, _function: Any = function, _name: str = name) -> Any:
            calls.append((_name, tuple(_com_argument(a) for a in arguments)))
            result = _function(*(plain(a) for a in arguments))
            while isinstance(result, list) and len(result) == 1:
                result = result[0]
            return result

        table[name] = call
    try:
        formulas.ExcelModel().loads(str(path)).finish().calculate()
    finally:
        for name, function in saved.items():
            if function is None:
                table.pop(name, None)
            else:
                table[name] = function
    return Recalculation(calls)


def replay(recalculation: Recalculation, repeat: int) -> tuple[float, list[Any]]:
    """Best seconds of making every call through xlwings' desktop ``call_udf``, and the results."""
    from tests.excel_hosts import Typed, desktop_excel

    best = float("inf")
    results: list[Any] = []
    with desktop_excel() as call:
        # Typed hands an argument over as it is: each is already what pywin32 passes.
        prepared = [(name, tuple(map(Typed, arguments))) for name, arguments in recalculation.calls]

        def calls() -> list[Any]:
            return [call(name, arguments) for name, arguments in prepared]

        results = calls()  # the first call imports the functions' module
        for _ in range(repeat):
            start = time.perf_counter()
            calls()
            best = min(best, time.perf_counter() - start)
    return best, results


def workbooks(folder: Path, companies: int) -> tuple[Path, Path]:
    """The sq workbook of ``companies`` companies, per-row (v2) and spilled (current)."""
    from xlmodels.template.v2 import SPEC_V2
    from xlmodels.workbook import write_workbook

    inputs = reference_inputs(companies, DATES)
    # Every target blended, so that every row's SQ_EPS_BLENDED is called: Excel
    # skips the branch of an IF it does not take, the formulas engine does not.
    estimates = inputs.estimates.copy()
    estimates["target_year"] = "blended"
    inputs = replace(inputs, estimates=estimates)
    per_row, spilled = folder / f"v2-{companies}.xlsx", folder / f"v3-{companies}.xlsx"
    write_workbook(per_row, inputs, mode="sq", spec=SPEC_V2)
    write_workbook(spilled, inputs, mode="sq")
    return per_row, spilled


def _line(label: str, recalculation: Recalculation) -> str:
    return f"{label}, {recalculation.count:,} calls"


def run(companies: list[int] | None = None, repeat: int = REPEAT) -> list[Timing]:
    """Per size: the functions' time, then the estimated recalculation at each round trip."""
    timings: list[Timing] = []
    with tempfile.TemporaryDirectory() as scratch:
        for size in companies or SIZES:
            per_row_path, spilled_path = workbooks(Path(scratch), size)
            per_row, spilled = record_calls(per_row_path), record_calls(spilled_path)
            seconds: dict[str, float] = {}
            for label, recalculation in (("per row", per_row), ("spilled", spilled)):
                seconds[label] = replay(recalculation, repeat)[0]
            timings.append(
                Timing(
                    _line(f"{size} companies, per row", per_row),
                    seconds["per row"],
                    _line("spilled", spilled),
                    seconds["spilled"],
                )
            )
            for trip in ROUND_TRIPS:
                timings.append(
                    Timing(
                        f"  recalculation at {trip * 1e3:.1f} ms a call",
                        estimate(per_row.count, seconds["per row"], trip),
                        "spilled",
                        estimate(spilled.count, seconds["spilled"], trip),
                    )
                )
    return timings


def estimate(calls: int, python_seconds: float, round_trip: float) -> float:
    """Seconds of a full recalculation: every call's round trip plus the Python work."""
    return calls * round_trip + python_seconds
