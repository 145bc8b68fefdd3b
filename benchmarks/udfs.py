"""SQ_ functions: one SQ_PE call on 10,000 rows against 10,000 one-cell calls and the core.

Excel hands every argument over as a list of lists (xlwings' ``ndim=2``): a
column of 10,000 prices is 10,000 one-element lists, a single cell
``[[x]]``. The data mimic coverage: one EPS in twenty is a loss, so NM
results are written too.

Goals: the range call at least 50x cheaper per row than one call per cell
(first ratio), and within 2x of the bare core given the same cell values
(second ratio). The third line is the floor, the core on ready float arrays,
for information. The time Excel itself spends per call (COM or Office.js
round trips, milliseconds each) is not measured and widens the first gap.
"""

from __future__ import annotations

import numpy as np

import xlmodels as xm
from benchmarks import Timing, compare

ROWS = 10_000


def run(rows: int = ROWS) -> list[Timing]:
    # Imported here: listing the benchmarks need not load the Excel layer.
    from udfs import SQ_PE

    rng = np.random.default_rng(7)
    price = rng.uniform(5.0, 500.0, rows)
    eps = rng.uniform(-2.0, 38.0, rows)
    fx = 1.0702
    price_cells = [[p] for p in price.tolist()]
    eps_cells = [[e] for e in eps.tolist()]
    fx_cell = [[fx]]

    def range_call() -> object:
        return SQ_PE(price_cells, eps_cells, fx_cell)

    def one_call_per_cell() -> object:
        return [SQ_PE([p], [e], fx_cell) for p, e in zip(price_cells, eps_cells, strict=True)]

    label = f"one SQ_PE call, {rows:,} rows"
    return [
        compare(
            f"{rows:,} one-cell SQ_PE calls",
            one_call_per_cell,
            label,
            range_call,
            repeat=3,
        ),
        compare(
            label,
            range_call,
            "xlmodels.pe on the same cells",
            lambda: xm.pe(price_cells, eps_cells, fx_cell),
        ),
        compare(
            label,
            range_call,
            "xlmodels.pe on float arrays",
            lambda: xm.pe(price, eps, fx),
        ),
    ]
