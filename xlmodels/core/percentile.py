"""Percentile rank of a value within its own history.

"PE-TTM 20.59x, at the 8.85% percentile since launch" is a statement about
where today's multiple sits in the multiple's own history. Definitions
differ between data vendors and Excel, so the method is always explicit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from xlmodels.core.arguments import Arguments, FloatArray, choice
from xlmodels.core.methods import PERCENTILE_METHODS

__all__ = ["PERCENTILE_METHODS", "percentile_rank", "percentile_ranks"]


def _truncate(values: FloatArray, significance: int) -> FloatArray:
    # Excel truncates, not rounds; the inner round absorbs binary noise
    # (0.3 x 1000 = 299.99999999999994) the way Excel's approximate floor does.
    factor = 10.0**significance
    return np.asarray(np.floor(np.round(values * factor, 9)) / factor, dtype=np.float64)


def _excel_rank(ordered: FloatArray, values: FloatArray, inclusive: bool) -> FloatArray:
    size = ordered.size
    below = np.searchsorted(ordered, values, side="left")
    exact = (below < size) & (ordered[np.minimum(below, size - 1)] == values)
    lower = ordered[np.clip(below - 1, 0, size - 1)]
    upper = ordered[np.minimum(below, size - 1)]
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = (values - lower) / (upper - lower)
        if inclusive:
            at_value = below / (size - 1)
            between = (below - 1 + fraction) / (size - 1)
        else:
            at_value = (below + 1) / (size + 1)
            between = (below + fraction) / (size + 1)
    result = np.where(exact, at_value, between)
    outside = (values < ordered[0]) | (values > ordered[-1]) | np.isnan(values)
    if inclusive and size == 1:
        # Excel: a one-value array ranks that value at 1.
        result = np.where(exact, 1.0, np.nan)
    return np.asarray(np.where(outside, np.nan, result), dtype=np.float64)


def percentile_rank(
    history: Any,
    value: Any = None,
    method: str = "inc",
    significance: int | None = 3,
) -> Any:
    """Percentile rank of ``value`` within ``history``, as a fraction in [0, 1].

    Methods, with ``n`` values in history (missing values dropped):

    * ``inc`` (default): Excel ``PERCENTRANK.INC``. For a value in the
      history, ``count(< value) / (n - 1)``; between two history values,
      linear interpolation; outside the history's range, missing (Excel
      ``#N/A``). Truncated (not rounded) to ``significance`` decimals, 3 by
      default, exactly as Excel does.
    * ``exc``: Excel ``PERCENTRANK.EXC``, ``(count(< value) + 1) / (n + 1)``
      with the same interpolation and truncation.
    * ``strict``: ``count(history < value) / n``, the share of history below.
    * ``weak``: ``count(history <= value) / n``, the share at or below.

    Parameters
    ----------
    history : array-like, 1-D
        The series the value is ranked in, e.g. daily PE-TTM since launch.
    value : float or array-like, optional
        Value(s) to rank; default the last non-missing value of ``history``
        (today's multiple in a series that ends today).
    method : {"inc", "exc", "strict", "weak"}
    significance : int or None, default 3
        Decimal places Excel keeps for ``inc`` and ``exc``; ``None`` keeps
        full precision. Ignored by ``strict`` and ``weak``, which are exact.

    Returns
    -------
    float or numpy.ndarray
        Fraction in [0, 1]; NaN when the value is missing or Excel would
        give ``#N/A``.

    Examples
    --------
    Microsoft's documented PERCENTRANK.INC examples:

    >>> data = [13, 12, 11, 8, 4, 3, 2, 1, 1, 1]
    >>> percentile_rank(data, 2), percentile_rank(data, 4), percentile_rank(data, 5)
    (0.333, 0.555, 0.583)
    >>> percentile_rank([18.0, 25.0, 30.0, 22.0, 20.59], method="strict")
    0.2
    """
    how = choice("method", method, PERCENTILE_METHODS)
    # history and value are different things (a series and the point ranked in
    # it), so only value's shape and index carry into the result.
    series = Arguments().number("history", history)
    args = Arguments()
    if series.ndim != 1:
        raise ValueError(f"history must be one-dimensional, got shape {series.shape}")
    present = series[~np.isnan(series)]
    if present.size == 0:
        raise ValueError("history has no values")
    target = np.asarray(present[-1]) if value is None else args.number("value", value)
    _check_significance(significance)
    result = _rank(np.sort(present), target, how, significance)
    return args.wrap(result, "percentile")


def _check_significance(significance: int | None) -> None:
    if significance is not None and (
        isinstance(significance, bool) or not isinstance(significance, int) or significance < 1
    ):
        raise ValueError(f"significance must be a whole number of 1 or more, got {significance!r}")


def _rank(
    ordered: FloatArray, target: FloatArray, how: str, significance: int | None
) -> FloatArray:
    """Ranks of ``target`` within the sorted, non-missing ``ordered`` by method ``how``."""
    if how in ("strict", "weak"):
        counts = np.searchsorted(ordered, target, side="left" if how == "strict" else "right")
        result = np.where(np.isnan(target), np.nan, counts / ordered.size)
    else:
        result = _excel_rank(ordered, target, inclusive=how == "inc")
        if significance is not None:
            result = _truncate(result, significance)
    return np.asarray(result, dtype=np.float64)


def percentile_ranks(
    histories: Any,
    values: Any,
    method: str = "inc",
    significance: int | None = 3,
) -> Any:
    """Percentile rank of each value within its own series: value ``j`` in column ``j``.

    :func:`percentile_rank` for several series at once, such as every
    PE-TTM series of a coverage list, each ranked by today's value in its
    own history: one call, one result per series.

    Parameters
    ----------
    histories : array-like, 2-D
        One series per column (observations down); missing values are
        dropped from each column on its own, so series of different lengths
        share the block.
    values : array-like
        One value per column of ``histories`` (a row, a column or a flat
        list); the result has its shape.
    method : {"inc", "exc", "strict", "weak"}
        As :func:`percentile_rank`.
    significance : int or None, default 3
        As :func:`percentile_rank`.

    Returns
    -------
    float or numpy.ndarray
        Fractions in [0, 1]; NaN where the value is missing, where Excel
        would give ``#N/A``, and for a series with no values.

    Examples
    --------
    >>> block = [[18.0, 10.0], [25.0, 12.0], [30.0, 11.0], [22.0, None]]
    >>> percentile_ranks(block, [22.0, 11.0], method="strict").tolist()
    [0.25, 0.3333333333333333]
    """
    how = choice("method", method, PERCENTILE_METHODS)
    _check_significance(significance)
    block = Arguments().number("histories", histories)
    if block.ndim != 2:
        raise ValueError(
            f"histories must be two-dimensional, one series per column, got shape {block.shape}"
        )
    args = Arguments()
    target = args.number("values", values)
    flat = target.reshape(-1)
    if flat.size != block.shape[1]:
        raise ValueError(
            f"values must give one value per series: histories holds {block.shape[1]} "
            f"series, values {flat.size}"
        )
    result = np.full(flat.shape, np.nan)
    for column in range(block.shape[1]):
        series = block[:, column]
        present = series[~np.isnan(series)]
        if present.size:
            result[column] = _rank(np.sort(present), flat[column : column + 1], how, significance)[
                0
            ]
    return args.wrap(result.reshape(target.shape), "percentile")
