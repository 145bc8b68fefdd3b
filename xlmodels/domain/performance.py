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

from xlmodels.core.percentile import percentile_rank
from xlmodels.core.returns import period_return, relative_return
from xlmodels.domain.model import CoverageInputs

__all__ = [
    "MAX_CLOSE_AGE_DAYS",
    "carry_to_period",
    "compute_performance",
    "compute_valuation",
    "extend_history",
    "history_panel",
    "period_figures",
    "stale_message",
    "stale_series",
    "stale_series_ends",
]

#: How many days a close (or PE-TTM) may predate a period boundary and still
#: stand for it: a long holiday (Lunar New Year, Golden Week) closes a market
#: for up to a week. Older, the figure is a month-old close passed off as
#: today's, and the month's return cannot be computed.
MAX_CLOSE_AGE_DAYS = 10


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


def extend_history(
    history: pd.DataFrame | None, closes: pd.DataFrame | None
) -> pd.DataFrame | None:
    """History with each series extended by a later close from the market snapshot.

    The market file's close is a close on its price date: where a series of
    ``history`` ends before that date, the close is appended (on the day a
    row exists without a close, it fills it). Codes without a series in
    ``history`` are not added: one close is no history.

    Parameters
    ----------
    history : DataFrame or None
        Long history (``date``, ``code``, ``close``, ``pe_ttm``).
    closes : DataFrame or None
        The snapshot's closes, long: ``date``, ``code``, ``close``.

    Examples
    --------
    >>> long = pd.DataFrame({"date": pd.to_datetime(["2024-12-30", "2024-12-31"]),
    ...                      "code": ["A", "A"], "close": [1.0, 2.0], "pe_ttm": [None, None]})
    >>> snap = pd.DataFrame({"date": pd.to_datetime(["2025-01-31", "2025-01-31"]),
    ...                      "code": ["A", "B"], "close": [3.0, 9.0]})
    >>> extend_history(long, snap)["close"].tolist()
    [1.0, 2.0, 3.0]
    """
    if history is None or history.empty or closes is None or closes.empty:
        return history
    known = history.loc[history["close"].notna(), ["date", "code"]]
    # observed: a code given as a category is grouped only where it has a close.
    last = known.groupby("code", observed=True)["date"].max()
    last.index = pd.Index(list(last.index), dtype=object)
    snapshot = closes.dropna(subset=["date", "close"])
    snapshot = snapshot[snapshot["code"].isin(last.index)]
    later = snapshot[pd.to_datetime(snapshot["date"]) > last.reindex(snapshot["code"]).to_numpy()]
    if later.empty:
        return history
    extended = history.copy()
    # Only rows of a later close's code on its day can take it: no other is looked at.
    candidates = np.flatnonzero(
        (
            extended["code"].isin(set(later["code"]))
            & extended["date"].isin(pd.to_datetime(later["date"]))
        ).to_numpy()
    )
    pairs = zip(extended["date"].iloc[candidates], extended["code"].iloc[candidates], strict=True)
    rows = {key: int(position) for position, key in zip(candidates, pairs, strict=True)}
    additions = []
    for day, code, close in zip(
        pd.to_datetime(later["date"]), later["code"], later["close"].astype(float), strict=True
    ):
        match = rows.get((day, code))
        if match is not None:
            extended.loc[extended.index[match], "close"] = close
        else:
            additions.append({"date": day, "code": code, "close": close, "pe_ttm": math.nan})
    if additions:
        extended = pd.concat([extended, pd.DataFrame(additions)], ignore_index=True)
    # Appended, not sorted: the order codes first appear in orders the History columns.
    return extended


def _value_dates(panel: pd.DataFrame, day: dt.date | None, *, last: bool = True) -> pd.Series:
    """Per column, the date of the last (or first) value on or before ``day`` (NaT if none)."""
    upto = panel.loc[: pd.Timestamp(day)] if day is not None else panel
    out = pd.Series(pd.NaT, index=panel.columns, dtype="datetime64[ns]")
    if upto.empty:
        return out
    present = upto.notna().to_numpy()
    # Vectorised first/last valid index of every column: one pass, not one per code.
    rows = present[::-1].argmax(axis=0) if last else present.argmax(axis=0)
    positions = len(present) - 1 - rows if last else rows
    found = present.any(axis=0)
    dates = pd.DatetimeIndex(upto.index)[positions]
    return out.mask(pd.Series(found, index=panel.columns), pd.Series(dates, index=panel.columns))


def carry_to_period(
    panel: pd.DataFrame,
    period_start: dt.date | None,
    period_end: dt.date | None,
    max_age_days: int = MAX_CLOSE_AGE_DAYS,
) -> pd.DataFrame:
    """Closes carried into the rows the period dates read, over a market's closing days.

    A period date reads the last row on or before it. When one market is
    shut on the days up to that row while another trades (Hong Kong closes
    for Lunar New Year on 29-31 January 2025, New York trades), the shut
    market's series have no close there; their last close stands for the
    period date, as a close does across a holiday inside a series, and is
    carried into the empty rows up to that row. Only a close no more than
    ``max_age_days`` older than every period date reading that row is
    carried: an older one is stale (:func:`stale_series`), and the month
    cannot be computed from it.

    Examples
    --------
    >>> panel = pd.DataFrame({"HK": [10.0, None, None], "US": [5.0, 6.0, 7.0]},
    ...                      index=pd.to_datetime(["2025-01-28", "2025-01-30", "2025-01-31"]))
    >>> carry_to_period(panel, dt.date(2024, 12, 31), dt.date(2025, 1, 31))["HK"].tolist()
    [10.0, 10.0, 10.0]
    >>> carry_to_period(panel, None, dt.date(2025, 2, 28))["HK"].tolist()  # too old
    [10.0, nan, nan]
    """
    if panel.empty:
        return panel
    # The row each period date reads, and the latest period date reading it.
    reads: dict[pd.Timestamp, pd.Timestamp] = {}
    for day in (period_start, period_end):
        if day is None:
            continue
        stamp = pd.Timestamp(day)
        rows = panel.index[panel.index <= stamp]
        if len(rows):
            reads[rows[-1]] = max(reads.get(rows[-1], stamp), stamp)
    carried = panel
    for row, day in reads.items():
        last = _value_dates(panel, row.date())
        limit = day - pd.Timedelta(days=max_age_days)
        missing = panel.loc[row].isna() & last.notna() & (last >= limit)
        for code in panel.columns[missing.to_numpy()]:
            if carried is panel:
                carried = panel.copy()
            since = last[code]
            gap = (carried.index > since) & (carried.index <= row)
            carried.loc[gap, code] = carried.loc[since, code]
    return carried


def stale_series(
    panel: pd.DataFrame,
    period_start: dt.date | None,
    period_end: dt.date | None,
    max_age_days: int = MAX_CLOSE_AGE_DAYS,
) -> pd.DataFrame:
    """Series whose value at a period boundary is too old to stand for it.

    A series with a value before ``period_end`` whose last value on or
    before it is more than ``max_age_days`` older ("History ends before the
    price date"), or whose value at ``period_start`` is, cannot give the
    month's change: the last value on or before a boundary would pass an
    old figure off as that day's (a 0.0% month for a history that stopped).

    Returns
    -------
    pandas DataFrame indexed by code
        One row per stale series: ``boundary`` (``"start"`` or ``"end"``),
        ``boundary_date`` and ``value_date`` (the date of the value the
        boundary would take; NaT when the series has none before it).

    Examples
    --------
    >>> panel = pd.DataFrame({"A": [1.0, 2.0, None], "B": [1.0, 2.0, 3.0]},
    ...                      index=pd.to_datetime(["2024-11-29", "2024-12-02", "2024-12-31"]))
    >>> stale_series(panel, dt.date(2024, 11, 30), dt.date(2024, 12, 31))["value_date"].tolist()
    [Timestamp('2024-12-02 00:00:00')]
    """
    rows: dict[str, dict[str, object]] = {}
    if panel.empty:
        return pd.DataFrame(columns=["boundary", "boundary_date", "value_date"])
    first = _value_dates(panel, None, last=False)
    for boundary, day in (("end", period_end), ("start", period_start)):
        if day is None:
            continue
        dates = _value_dates(panel, day)
        limit = pd.Timestamp(day) - pd.Timedelta(days=max_age_days)
        for code, value_date in dates.items():
            began = first.get(code)
            if pd.isna(began) or began > pd.Timestamp(day):
                continue  # no value before the boundary: missing, not stale
            if pd.isna(value_date) or value_date < limit:
                rows.setdefault(
                    str(code),
                    {"boundary": boundary, "boundary_date": day, "value_date": value_date},
                )
    table = pd.DataFrame.from_dict(
        rows, orient="index", columns=["boundary", "boundary_date", "value_date"]
    )
    table.index.name = "code"
    return table


def stale_series_ends(
    history: pd.DataFrame,
    field: str,
    period_end: dt.date | None,
    max_age_days: int = MAX_CLOSE_AGE_DAYS,
) -> pd.DataFrame:
    """:func:`stale_series` at the period end only, from long history without a pivot.

    For PE-TTM series, which no market file extends: a series whose last
    value is more than ``max_age_days`` before ``period_end`` (and that began
    by then) is not the month's.

    Examples
    --------
    >>> long = pd.DataFrame({"date": pd.to_datetime(["2024-11-29", "2024-12-31"]),
    ...                      "code": ["A", "B"], "pe_ttm": [20.0, 30.0]})
    >>> stale_series_ends(long, "pe_ttm", dt.date(2024, 12, 31)).index.tolist()
    ['A']
    """
    columns = ["boundary", "boundary_date", "value_date"]
    if period_end is None or history.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="code"))
    dated = history.loc[history[field].notna(), ["code", "date"]]
    spans = dated.groupby("code", sort=False)["date"].agg(["min", "max"])
    end = pd.Timestamp(period_end)
    stale = spans[(spans["min"] <= end) & (spans["max"] < end - pd.Timedelta(days=max_age_days))]
    table = pd.DataFrame(
        {"boundary": "end", "boundary_date": period_end, "value_date": stale["max"]},
        index=stale.index,
        columns=columns,
    )
    table.index.name = "code"
    return table


def stale_message(stale: pd.DataFrame, what: str = "closes") -> str:
    """One sentence naming the stale series of :func:`stale_series` and why.

    Examples
    --------
    >>> table = pd.DataFrame({"boundary": ["end"], "boundary_date": [dt.date(2025, 1, 31)],
    ...                       "value_date": [pd.Timestamp("2024-12-31")]}, index=["0700.HK"])
    >>> stale_message(table)
    'the closes of 0700.HK end 2024-12-31, more than 10 days before the period end 2025-01-31'
    """
    groups: dict[tuple[str, str, str], list[str]] = {}
    for code, row in stale.iterrows():
        value_date = row["value_date"]
        last = "nothing" if pd.isna(value_date) else pd.Timestamp(value_date).date().isoformat()
        boundary_date = pd.Timestamp(row["boundary_date"]).date().isoformat()
        groups.setdefault((str(row["boundary"]), boundary_date, last), []).append(str(code))
    parts = []
    for (boundary, boundary_date, last), codes in groups.items():
        shown = ", ".join(codes[:8]) + (f" and {len(codes) - 8} more" if len(codes) > 8 else "")
        if boundary == "end":
            parts.append(
                f"the {what} of {shown} end {last}, more than {MAX_CLOSE_AGE_DAYS} days "
                f"before the period end {boundary_date}"
            )
        else:
            parts.append(
                f"the {what} of {shown} have nothing from {last} to the period start "
                f"{boundary_date} (more than {MAX_CLOSE_AGE_DAYS} days)"
            )
    return "; ".join(parts)


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
        the period), and ``stale``: True where the history stops more than
        :data:`MAX_CLOSE_AGE_DAYS` before a period boundary
        (:func:`stale_series`); the month's return is then NaN, never the
        0.0% an old close repeated would give.

    Examples
    --------
    >>> from xlmodels.sources import sample
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
    stale = stale_series(panel, settings.period_start, settings.period_end)
    panel = carry_to_period(panel, settings.period_start, settings.period_end)
    start = _close_on_or_before(panel, settings.period_start).reindex(table.index)
    end = _close_on_or_before(panel, settings.period_end).reindex(table.index)
    table["start_close"] = start.astype(float)
    table["end_close"] = end.astype(float)
    table["stale"] = table.index.isin(stale.index)
    rows = table[["benchmark", "start_close", "end_close", "stale"]].assign(code=table.index)
    figures = period_figures(rows, settings.relative_method)
    for column in ("return", "benchmark_return", "relative_return"):
        table[column] = figures[column]
    return table


def period_figures(rows: pd.DataFrame, method: str) -> pd.DataFrame:
    """The month's return of each row, its benchmark's, and the relative return.

    The one computation behind the Performance table: :func:`compute_performance`
    calls it for a universe, the validator for the rows of a workbook's
    Performance sheet (whose codes may repeat).

    Parameters
    ----------
    rows : DataFrame
        ``code``, ``benchmark`` (the code of the row whose return is the
        benchmark's; missing for none), ``start_close`` and ``end_close``
        (NaN where unknown), and optionally ``stale`` (True where the closes
        are too old to stand for the period: no return).
    method : str
        ``arithmetic`` or ``geometric`` relative returns.

    Returns
    -------
    pandas DataFrame, indexed as ``rows``
        ``return`` (end / start - 1), ``benchmark_return`` (the return of the
        first row with the benchmark's code, as the workbook's MATCH finds it)
        and ``relative_return``; NaN where a figure cannot be computed.

    Examples
    --------
    >>> rows = pd.DataFrame({"code": ["A", "IDX"], "benchmark": ["IDX", None],
    ...                      "start_close": [100.0, 50.0], "end_close": [120.0, 55.0]})
    >>> period_figures(rows, "arithmetic")["relative_return"].round(4).tolist()
    [0.1, nan]
    """
    returns = period_return(rows["start_close"].astype(float), rows["end_close"].astype(float))
    if "stale" in rows:
        returns = returns.where(~rows["stale"].astype(bool))
    by_code = pd.Series(returns.to_numpy(), index=pd.Index(rows["code"]))
    first = by_code[~by_code.index.duplicated()]
    bench = rows["benchmark"].map(first).astype(float)
    # A return below -100% is no price move; it has no relative return.
    usable = ~((returns < -1) | (bench < -1))
    relative = relative_return(returns.where(usable), bench.where(usable), method)
    return pd.DataFrame(
        {"return": returns, "benchmark_return": bench, "relative_return": relative},
        index=rows.index,
    )


def compute_valuation(inputs: CoverageInputs) -> pd.DataFrame:
    """Where each PE-TTM series stands today within its own history.

    Returns
    -------
    pandas DataFrame indexed by code
        One row per code with a ``pe_ttm`` series: ``name``, ``first_date``,
        ``as_of`` (date of the latest value), ``pe_ttm`` (latest value),
        ``percentile`` (by ``settings.percentile_method``, a fraction),
        ``observations``, ``pe_ttm_start`` (the value at the start of the
        performance period: the last on or before ``settings.period_start``;
        NaN without a period, without a value by then or with one more than
        :data:`MAX_CLOSE_AGE_DAYS` older) and ``stale`` (True when the series
        ends more than :data:`MAX_CLOSE_AGE_DAYS` before the period end: its
        latest value is not the month's).

    Examples
    --------
    >>> from xlmodels.sources import sample
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
        "stale",
    ]
    start, end = inputs.settings.period_start, inputs.settings.period_end
    age = pd.Timedelta(days=MAX_CLOSE_AGE_DAYS)
    history = inputs.history
    if history is None or history["pe_ttm"].isna().all():
        return pd.DataFrame(columns=columns, index=pd.Index([], name="code"))
    names = pd.concat([inputs.indexes["name"], inputs.universe["name"]])
    rows = {}
    for code, series in history.dropna(subset=["pe_ttm"]).groupby("code", sort=False):
        ordered = series.sort_values("date")
        values = ordered["pe_ttm"].to_numpy(dtype=float)
        before = (
            ordered[ordered["date"] <= pd.Timestamp(start)]
            if start is not None
            else ordered.iloc[:0]
        )
        fresh_start = (
            start is not None
            and len(before) > 0
            and before["date"].iloc[-1] >= pd.Timestamp(start) - age
        )
        rows[code] = {
            "name": names.get(code, code),
            "first_date": ordered["date"].iloc[0].date(),
            "as_of": ordered["date"].iloc[-1].date(),
            "pe_ttm": float(values[-1]),
            "percentile": percentile_rank(values, method=inputs.settings.percentile_method),
            "observations": len(values),
            "pe_ttm_start": float(before["pe_ttm"].iloc[-1]) if fresh_start else math.nan,
            "stale": end is not None
            and ordered["date"].iloc[-1] < pd.Timestamp(end) - age
            and ordered["date"].iloc[0] <= pd.Timestamp(end),
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table.index.name = "code"
    return table
