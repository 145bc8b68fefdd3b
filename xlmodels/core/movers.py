"""The month's movers: best performers and decliners, each against its benchmark."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlmodels.core.arguments import Arguments, choice
from xlmodels.core.returns import RELATIVE_METHODS, relative_return

__all__ = ["MOVER_DIRECTIONS", "top_movers"]

#: Accepted values of ``direction`` in :func:`top_movers`.
MOVER_DIRECTIONS = ("gainers", "decliners")


def top_movers(
    returns: pd.Series,
    benchmark_returns: Any = 0.0,
    n: int | None = 3,
    direction: str = "gainers",
    method: str = "arithmetic",
) -> pd.DataFrame:
    """Rank a period's returns and set each against its benchmark.

    * ``gainers``: the ``n`` highest returns, best first (the report's
      "top 3 performers of the month" and "top 10 gainers").
    * ``decliners``: the stocks whose price fell, worst first, at most ``n``
      of them (the report's "stocks that fell this month").

    Parameters
    ----------
    returns : pandas Series
        Period returns (fractions) indexed by stock code; missing returns are
        left out of the ranking.
    benchmark_returns : float or pandas Series, default 0
        The benchmark's return for each stock (a Series indexed like
        ``returns``, so Hong Kong names meet the Hang Seng Tech and US names
        the NASDAQ), or one figure for all.
    n : int or None, default 3
        How many to keep; ``None`` keeps all.
    direction : {"gainers", "decliners"}
    method : {"arithmetic", "geometric"}
        How outperformance is measured; see :func:`~xlmodels.relative_return`.

    Returns
    -------
    pandas DataFrame
        Indexed by code in rank order, with columns ``return``,
        ``benchmark_return``, ``relative_return`` (fractions; arithmetic
        relative returns print as pct) and ``rank`` (1 = first listed).

    Examples
    --------
    >>> r = pd.Series({"3888.HK": 0.1674, "9999.HK": 0.0908, "0700.HK": -0.05})
    >>> top_movers(r, -0.0324, n=2)["relative_return"].round(4).tolist()
    [0.1998, 0.1232]
    """
    how = choice("direction", direction, MOVER_DIRECTIONS)
    choice("method", method, RELATIVE_METHODS)
    if not isinstance(returns, pd.Series):
        raise ValueError("returns must be a pandas Series indexed by stock code")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"n must be a whole number of 1 or more, or None; got {n!r}")
    stock = pd.Series(Arguments().number("returns", returns), index=returns.index)
    if isinstance(benchmark_returns, pd.Series):
        missing = returns.index.difference(benchmark_returns.index)
        if len(missing):
            raise ValueError(
                f"benchmark_returns has no figure for {', '.join(map(str, missing[:5]))}"
            )
        bench = pd.Series(
            Arguments().number("benchmark_returns", benchmark_returns.reindex(returns.index)),
            index=returns.index,
        )
    else:
        figure = Arguments().number("benchmark_returns", benchmark_returns)
        if figure.ndim:
            raise ValueError("benchmark_returns must be one figure or a Series indexed by code")
        bench = pd.Series(float(figure), index=returns.index)
    table = pd.DataFrame({"return": stock, "benchmark_return": bench}).dropna(subset=["return"])
    if how == "gainers":
        table = table.sort_values("return", ascending=False, kind="stable")
    else:
        table = table[table["return"] < 0].sort_values("return", ascending=True, kind="stable")
    if n is not None:
        table = table.head(n)
    table["relative_return"] = relative_return(
        table["return"], table["benchmark_return"], method=method
    )
    table["rank"] = np.arange(1, len(table) + 1)
    table.index.name = returns.index.name or "code"
    return table
