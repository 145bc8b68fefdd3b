"""The month's performance and valuation percentiles, from price and PE history.

History arrives long (``date``, ``code``, ``close``, ``pe_ttm``); these
functions pivot it to one column per code, carry a close forward over a
market holiday *inside* a series (never before its first or after its last
value), and compute period returns, relative returns against each stock's
benchmark, and where each valuation series stands within its own history.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from xlmodels.model import CoverageInputs
from xlmodels.percentile import percentile_rank
from xlmodels.returns import period_return, relative_return

__all__ = ["compute_performance", "compute_valuation", "history_panel"]


def history_panel(history: pd.DataFrame, field: str = "close") -> pd.DataFrame:
    """Wide panel of one history field: dates down, one column per code.

    Gaps inside a series (a holiday in one market) are filled with the last
    value; the series is left empty before its first and after its last value.

    Examples
    --------
    >>> long = pd.DataFrame({"date": pd.to_datetime(["2024-11-28", "2024-11-29"] * 2),
    ...                      "code": ["A", "A", "B", "B"], "close": [1.0, 2.0, 3.0, None]})
    >>> history_panel(long)["B"].tolist()
    [3.0, nan]
    """
    values = history.dropna(subset=[field])
    try:
        # One value per date and code, as the input readers guarantee: a plain
        # pivot gives the panel without grouping.
        panel = values.pivot(index="date", columns="code", values=field)  # noqa: PD010
    except ValueError:  # several values for a date and code: keep the last
        panel = values.pivot_table(index="date", columns="code", values=field, aggfunc="last")
    all_dates = pd.DatetimeIndex(sorted(history["date"].unique()), name="date")
    panel = panel.reindex(all_dates)
    panel.columns.name = None
    return panel.ffill(limit_area="inside")


def _close_on_or_before(panel: pd.DataFrame, day: dt.date | None) -> pd.Series:
    if day is None or panel.empty:
        return pd.Series(np.nan, index=panel.columns)
    upto = panel.loc[: pd.Timestamp(day)]
    if upto.empty:
        return pd.Series(np.nan, index=panel.columns)
    return upto.iloc[-1]


def compute_performance(
    inputs: CoverageInputs, *, closes: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Period returns of every company and benchmark, and each company's outperformance.

    ``closes`` is ``history_panel(inputs.history, "close")`` when the caller
    has already built it (the workbook writer does), to save building it twice.

    Returns
    -------
    pandas DataFrame indexed by code
        Companies first (universe order), then the benchmark indexes they
        use and any other index with history, with ``name``, ``kind``
        (``stock`` or ``index``), ``market``, ``benchmark``, ``start_close``,
        ``end_close``, ``return``, ``benchmark_return`` and
        ``relative_return`` (fractions; NaN where the history does not cover
        the period).

    Examples
    --------
    >>> from xlmodels import sample
    >>> table = compute_performance(sample.load_inputs())
    >>> float(round(table.loc["3888.HK", "relative_return"] * 100, 1))
    20.0
    """
    universe, indexes, settings = inputs.universe, inputs.indexes, inputs.settings
    # The benchmarks the companies use, then any other index with history
    # (the report quotes the NASDAQ Internet index without benchmarking to it).
    # unique() first: a set built from a long object column costs far more.
    with_history = set() if inputs.history is None else set(inputs.history["code"].unique())
    used = list(
        dict.fromkeys(
            [*universe["benchmark"].dropna(), *[c for c in indexes.index if c in with_history]]
        )
    )
    index_rows = indexes.reindex(used)
    table = pd.concat(
        [
            pd.DataFrame(
                {
                    "name": universe["name"],
                    "kind": "stock",
                    "market": universe["market"],
                    "benchmark": universe["benchmark"],
                }
            ),
            pd.DataFrame(
                {
                    "name": index_rows["name"].fillna(pd.Series(used, index=used)),
                    "kind": "index",
                    "market": index_rows["market"],
                    "benchmark": None,
                },
                index=pd.Index(used),
            ),
        ]
    )
    table.index.name = "code"
    if inputs.history is None or inputs.history.empty:
        panel = pd.DataFrame()
    elif closes is not None:
        panel = closes
    else:
        panel = history_panel(inputs.history, "close")
    start = _close_on_or_before(panel, settings.period_start).reindex(table.index)
    end = _close_on_or_before(panel, settings.period_end).reindex(table.index)
    table["start_close"] = start.astype(float)
    table["end_close"] = end.astype(float)
    table["return"] = period_return(table["start_close"], table["end_close"])
    table["benchmark_return"] = table["benchmark"].map(table["return"]).astype(float)
    table["relative_return"] = relative_return(
        table["return"], table["benchmark_return"], settings.relative_method
    )
    return table


def compute_valuation(inputs: CoverageInputs) -> pd.DataFrame:
    """Where each PE-TTM series stands today within its own history.

    Returns
    -------
    pandas DataFrame indexed by code
        One row per code with a ``pe_ttm`` series: ``name``, ``first_date``,
        ``as_of`` (date of the latest value), ``pe_ttm`` (latest value),
        ``percentile`` (by ``settings.percentile_method``, a fraction),
        ``observations`` and ``pe_ttm_start`` (the value at the start of the
        performance period: the last on or before ``settings.period_start``;
        NaN without a period or a value by then).

    Examples
    --------
    >>> from xlmodels import sample
    >>> row = compute_valuation(sample.load_inputs()).loc["HSTECH.HI"]
    >>> float(row["pe_ttm"]), float(round(row["percentile"] * 100, 2))
    (20.59, 8.85)
    """
    columns = [
        "name",
        "first_date",
        "as_of",
        "pe_ttm",
        "percentile",
        "observations",
        "pe_ttm_start",
    ]
    start = inputs.settings.period_start
    history = inputs.history
    if history is None or history["pe_ttm"].isna().all():
        return pd.DataFrame(columns=columns, index=pd.Index([], name="code"))
    names = pd.concat([inputs.indexes["name"], inputs.universe["name"]])
    rows = {}
    for code, series in history.dropna(subset=["pe_ttm"]).groupby("code", sort=False):
        ordered = series.sort_values("date")
        values = ordered["pe_ttm"].to_numpy(dtype=float)
        before = (
            ordered["pe_ttm"][ordered["date"] <= pd.Timestamp(start)]
            if start is not None
            else ordered["pe_ttm"].iloc[:0]
        )
        rows[code] = {
            "name": names.get(code, code),
            "first_date": ordered["date"].iloc[0].date(),
            "as_of": ordered["date"].iloc[-1].date(),
            "pe_ttm": float(values[-1]),
            "percentile": percentile_rank(values, method=inputs.settings.percentile_method),
            "observations": len(values),
            "pe_ttm_start": float(before.iloc[-1]) if len(before) else math.nan,
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table.index.name = "code"
    return table
