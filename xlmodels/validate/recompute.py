"""The coverage numbers the domain computes from a workbook's own inputs.

For every company row of the Coverage sheet, the close, shares and FX of its
Market row, the estimates of its Estimates row (both found by code, as the
workbook's INDEX/MATCH formulas find them) and the settings are read from
their cells and given to :func:`xlmodels.domain.coverage.coverage_figures`,
the computation behind :func:`~xlmodels.domain.coverage.compute_coverage`
and so behind the values the workbook writer caches. The finance rules
compare these numbers with what the workbook shows; where a workbook was
saved without results they are the only numbers there are.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pandas import DataFrame, Series

from xlmodels.core.ratings import DEFAULT_SCHEME, SchemeError, load_scheme
from xlmodels.core.returns import RELATIVE_METHODS
from xlmodels.domain.coverage import coverage_figures
from xlmodels.domain.model import EPS_SLOTS, Settings
from xlmodels.domain.performance import period_figures
from xlmodels.template.names import (
    COVERAGE_SHEET,
    ESTIMATES_SHEET,
    MARKET_SHEET,
    PERFORMANCE_SHEET,
    SET_BENCH_ER,
    SET_BENCH_ER_MARKET,
)
from xlmodels.validate.layout import Layout, TableRows
from xlmodels.validate.loading import is_blank
from xlmodels.validate.values import as_date, as_int, as_number

__all__ = ["CompanyRow", "PerformanceRow", "Recomputed", "performance"]

#: What a company's Market row gives the computation, where the sheet has the column.
_MARKET_INPUTS = (
    "close",
    "shares_mn",
    "fx",
    "reporting_fx",
    "market",
    "price_currency",
    "eps_currency",
)
#: What its Estimates row gives.
_ESTIMATE_INPUTS = (
    *(f"eps_{slot}" for slot in EPS_SLOTS),
    "target_multiple",
    "target_year",
    "rating_override",
    "override_reason",
)


@dataclass(frozen=True)
class CompanyRow:
    """One Coverage row: where its inputs are and what the core computes from them."""

    code: str
    coverage_row: int
    market_row: int | None
    estimates_row: int | None
    inputs: dict[str, Any]
    computed: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recomputed:
    """Recomputed numbers by Coverage row, and the settings they used."""

    rows: list[CompanyRow]
    scheme: str
    lang: str
    not_rated: str
    benchmark_returns: dict[str, float]
    reporting_currency: str | None = None

    @classmethod
    def of(cls, layout: Layout) -> Recomputed:
        coverage = layout.table(COVERAGE_SHEET)
        market = layout.table(MARKET_SHEET)
        estimates = layout.table(ESTIMATES_SHEET)
        scheme_id = layout.setting("scheme")
        scheme_id = scheme_id if isinstance(scheme_id, str) else DEFAULT_SCHEME
        lang = layout.setting("lang")
        lang = lang if lang in ("zh", "en") else "zh"
        try:
            scheme = load_scheme(scheme_id)
        except SchemeError:
            scheme_id = DEFAULT_SCHEME
            scheme = load_scheme(scheme_id)
        not_rated = layout.setting("not_rated")
        if not isinstance(not_rated, str):
            not_rated = scheme.not_rated[lang]
        benchmarks = _benchmark_returns(layout)
        # As the market-cap formula reads the cell: any text converts.
        reporting = layout.setting("reporting_currency")
        reporting = None if is_blank(reporting) else str(reporting).strip()
        unlocated = any(
            name in layout.tables and layout.table(name) is None
            for name in (COVERAGE_SHEET, MARKET_SHEET, ESTIMATES_SHEET)
        )
        if coverage is None or unlocated:
            # Inputs read from columns that could not be found would make every
            # number look wrong; structure.header says the checks were skipped.
            return cls([], scheme_id, lang, not_rated, benchmarks, reporting)
        market_rows = _first_rows(market)
        estimate_rows = _first_rows(estimates)
        # Each input's column is looked up once, not once per company.
        market_columns: list[tuple[str, int]] = []
        if market is not None:
            present = {c.key for c in market.spec.columns}
            market_columns = [(key, market.column(key)) for key in _MARKET_INPUTS if key in present]
        estimate_columns: list[tuple[str, int]] = []
        if estimates is not None:
            estimate_columns = [(key, estimates.column(key)) for key in _ESTIMATE_INPUTS]
        rows = []
        for row in coverage.rows:
            code = str(coverage.key_of(row))
            inputs: dict[str, Any] = {}
            m_row, e_row = market_rows.get(code), estimate_rows.get(code)
            if market is not None and m_row is not None:
                get = market.data.get
                for key, column in market_columns:
                    inputs[key] = get(m_row, column)
            if estimates is not None and e_row is not None:
                get = estimates.data.get
                for key, column in estimate_columns:
                    inputs[key] = get(e_row, column)
            rows.append(CompanyRow(code, row, m_row, e_row, inputs))
        recomputed = cls(rows, scheme_id, lang, not_rated, benchmarks, reporting)
        # A product near the largest number overflows: the workbook shows #NUM!
        # there (integrity.error-value says so), and the result is NaN or inf here.
        with np.errstate(over="ignore", invalid="ignore"):
            recomputed._compute(_fy1_weight(layout))
        return recomputed

    def _compute(self, weight: float) -> None:
        if not self.rows:
            return

        def numbers(key: str, positive: bool = False) -> np.ndarray:
            values = [as_number(row.inputs.get(key)) for row in self.rows]
            array = np.array([np.nan if v is None else v for v in values], dtype=float)
            if positive:
                array[array <= 0] = np.nan  # data.not-positive reports these
            return array

        def cells(key: str) -> list[Any]:
            return [row.inputs.get(key) for row in self.rows]

        # The workbook's cells as the domain's inputs, one row per Coverage row
        # (a code may repeat, so the rows keep their order, not their codes).
        inputs = DataFrame(
            {
                "market": [None if m is None else str(m) for m in cells("market")],
                "fx": numbers("fx", True),
                "close": numbers("close", True),
                "shares_mn": numbers("shares_mn", True),
                "reporting_fx": numbers("reporting_fx", True),
            }
            | {f"eps_{slot}": numbers(f"eps_{slot}") for slot in EPS_SLOTS}
            | {
                "target_multiple": numbers("target_multiple", True),
                "target_year": cells("target_year"),
                "rating_override": cells("rating_override"),
            }
        )
        figures = coverage_figures(
            inputs,
            fy1_weight=weight,
            scheme=self.scheme,
            lang=self.lang,
            benchmark_expected_returns=self.benchmark_returns,
            not_rated=self.not_rated,
            reporting_currency=self.reporting_currency,
        )
        shown = ["close", "fx", *(f"eps_{slot}" for slot in EPS_SLOTS)]
        columns = [(key, _cells(inputs[key])) for key in shown]
        columns += [(key, _cells(figures[key])) for key in figures.columns]
        for index, row in enumerate(self.rows):
            for key, values in columns:
                row.computed[key] = values[index]


def _cells(column: Series) -> Any:
    """A column's values, each as ``column.iloc[i]`` gives it, without a lookup per cell.

    A number column gives numpy scalars, a text column its own values
    (``str`` or its missing marker): the rules see exactly what they saw
    when each cell was read with ``iloc``.
    """
    if column.dtype.kind in "biufcO":  # held in a plain numpy array
        return column.to_numpy()
    return column.array


def _first_rows(table: TableRows | None) -> dict[str, int]:
    """Code -> first row holding it (MATCH(...,0) finds the first)."""
    rows: dict[str, int] = {}
    if table is None:
        return rows
    for row in table.rows:
        rows.setdefault(str(table.key_of(row)), row)
    return rows


def _benchmark_returns(layout: Layout) -> dict[str, float]:
    markets = layout.range_values(SET_BENCH_ER_MARKET)
    returns = layout.range_values(SET_BENCH_ER)
    if markets is None or returns is None:
        return {}
    out: dict[str, float] = {}
    for (_, _, market), (_, _, value) in zip(markets[1], returns[1], strict=False):
        number = as_number(value)
        if not is_blank(market) and number is not None:
            out.setdefault(str(market), number)
    return out


def _fy1_weight(layout: Layout) -> float:
    """Share of FY1 remaining, as the Settings formula computes it (0.5 if unknown)."""
    year = as_int(layout.setting("fy1_year"))
    month = as_int(layout.setting("fy_end_month")) or 12
    day = as_int(layout.setting("fy_end_day")) or 31
    report = as_date(layout.setting("report_date"))
    if year is None or report is None:
        return 0.5
    try:
        return Settings(
            report_date=report, fy1_year=year, fiscal_year_end=(month, day)
        ).fy1_remaining()
    except (ValueError, OverflowError):
        return 0.5


def report_date(layout: Layout) -> dt.date | None:
    return as_date(layout.setting("report_date"))


@dataclass(frozen=True)
class PerformanceRow:
    """One Performance row (a company or an index) and its recomputed returns."""

    code: str
    row: int
    computed: dict[str, float]


def performance(layout: Layout) -> list[PerformanceRow]:
    """The month's returns computed from History's closes and the period settings.

    The closes are found as the workbook's formulas find them: each period
    date takes the last History date on or before it, the close there in the
    code's column of the close block. The returns are then
    :func:`xlmodels.domain.performance.period_figures` of those closes, by
    the workbook's relative-return method.
    """
    table = layout.table(PERFORMANCE_SHEET)
    history = layout.history()
    if table is None or history is None:
        return []
    known, days = layout.history_days

    def row_of(key: str) -> int | None:
        day = as_date(layout.setting(key))
        if day is None or not known or day < known[0][0]:
            return None
        position = bisect.bisect_right(days, day) - 1
        return known[position][1]

    start_row, end_row = row_of("period_start"), row_of("period_end")

    def close(row: int | None, column: int | None) -> float:
        if row is None or column is None:
            return math.nan
        number = as_number(history.data.get(row, column))
        return number if number is not None and number > 0 else math.nan

    method = layout.setting("relative_method")
    method = method if method in RELATIVE_METHODS else "arithmetic"
    codes, benchmarks, starts, ends = [], [], [], []
    for row in table.rows:
        code = str(table.key_of(row)).strip()
        column = history.close_columns.get(code)
        benchmark = table.value(row, "benchmark")
        codes.append(code)
        benchmarks.append(None if is_blank(benchmark) else str(benchmark).strip())
        starts.append(close(start_row, column))
        ends.append(close(end_row, column))
    closes = DataFrame(
        {"code": codes, "benchmark": benchmarks, "start_close": starts, "end_close": ends}
    )
    figures = period_figures(closes, method)
    returns, benchmark_returns, relative_returns = (
        _cells(figures[key]) for key in ("return", "benchmark_return", "relative_return")
    )
    return [
        PerformanceRow(
            code,
            row,
            {
                "start_close": start,
                "end_close": end,
                "return": returns[index],
                "benchmark_return": benchmark_returns[index],
                "relative_return": relative_returns[index],
            },
        )
        for index, (row, code, start, end) in enumerate(
            zip(table.rows, codes, starts, ends, strict=True)
        )
    ]
