"""Core benchmark: PE, upside and rating over 1,000,000 rows against bare numpy.

Goals: the vectorized PE within 2x of the bare numpy expression; rating of
1,000,000 rows well under a second.
"""

from __future__ import annotations

import numpy as np

import xlmodels as xm
from benchmarks import Timing, compare

ROWS = 1_000_000
#: Each side is a few milliseconds: the best of many alternating turns keeps a shared
#: machine's noise from landing on one side only, and each turn's few calls in a row
#: time a side on its own memory, not on the buffers the other side just freed.
REPEAT, NUMBER, ROUNDS = 20, 1, 3


def run(rows: int = ROWS) -> list[Timing]:
    rng = np.random.default_rng(7)
    price = rng.uniform(5.0, 500.0, rows)
    # One EPS in twenty is a loss, so the NM path is exercised, as in real coverage.
    eps = rng.uniform(-2.0, 38.0, rows)
    fx = np.full(rows, 1.0702)
    target = price * rng.uniform(0.7, 1.6, rows)
    expected = rng.normal(0.05, 0.2, rows)
    scheme = xm.load_scheme("guosen")
    labels = np.array(scheme.labels("zh", include_not_rated=False), dtype=object)

    def bare_rating() -> object:
        index = np.select([expected > 0.10, expected >= -0.10], [0, 1], 2)
        return labels[index]

    return [
        compare(
            "xlmodels.pe",
            lambda: xm.pe(price, eps, fx),
            "numpy price / (eps * fx)",
            lambda: price / (eps * fx),
            REPEAT,
            NUMBER,
            ROUNDS,
        ),
        compare(
            "xlmodels.upside",
            lambda: xm.upside(target, price),
            "numpy target / price - 1",
            lambda: target / price - 1,
            REPEAT,
            NUMBER,
            ROUNDS,
        ),
        compare(
            "xlmodels.rate (guosen)",
            lambda: xm.rate(expected),
            "numpy select + labels",
            bare_rating,
        ),
    ]
