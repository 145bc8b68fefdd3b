"""The coverage numbers recomputed by the core from a workbook's own inputs.

For every company row of the Coverage sheet, the close, shares and FX of its
Market row, the estimates of its Estimates row (both found by code, as the
workbook's INDEX/MATCH formulas find them) and the settings go through the
same core functions :func:`xlmodels.domain.coverage.compute_coverage` uses. The
finance rules compare these numbers with what the workbook shows; where a
workbook was saved without results they are the only numbers there are.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pandas import DataFrame

import xlmodels as xm
from xlmodels.core.ratings import DEFAULT_SCHEME, SchemeError, load_scheme
from xlmodels.core.returns import RELATIVE_METHODS
from xlmodels.domain.coverage import target_eps as coverage_target_eps
from xlmodels.domain.model import FISCAL_YEARS, Settings
from xlmodels.template.spec import FIRST_DATA_ROW, SPEC
from xlmodels.validate.layout import Layout, TableRows
from xlmodels.validate.loading import is_blank
from xlmodels.validate.values import as_date, as_int, as_number

__all__ = ["CompanyRow", "PerformanceRow", "Recomputed", "performance"]


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

    @classmethod
    def of(cls, layout: Layout) -> Recomputed:
        coverage = layout.table(SPEC.sheet("Coverage").name)
        market = layout.table("Market")
        estimates = layout.table("Estimates")
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
        unlocated = any(
            name in layout.tables and layout.table(name) is None
            for name in ("Coverage", "Market", "Estimates")
        )
        if coverage is None or unlocated:
            # Inputs read from columns that could not be found would make every
            # number look wrong; structure.header says the checks were skipped.
            return cls([], scheme_id, lang, not_rated, benchmarks)
        market_rows = _first_rows(market)
        estimate_rows = _first_rows(estimates)
        rows = []
        for row in coverage.rows:
            code = str(coverage.key_of(row))
            inputs: dict[str, Any] = {}
            m_row, e_row = market_rows.get(code), estimate_rows.get(code)
            if market is not None and m_row is not None:
                for key in ("close", "shares_mn", "fx", "market", "price_currency", "eps_currency"):
                    if key in {c.key for c in market.spec.columns}:
                        inputs[key] = market.value(m_row, key)
            if estimates is not None and e_row is not None:
                for key in (
                    "eps_fy1",
                    "eps_fy2",
                    "eps_fy3",
                    "target_multiple",
                    "target_year",
                    "rating_override",
                    "override_reason",
                ):
                    inputs[key] = estimates.value(e_row, key)
            rows.append(CompanyRow(code, row, m_row, e_row, inputs))
        recomputed = cls(rows, scheme_id, lang, not_rated, benchmarks)
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

        close, shares, fx = numbers("close", True), numbers("shares_mn", True), numbers("fx", True)
        results: dict[str, Any] = {"close": close, "fx": fx}
        results["market_cap"] = xm.market_cap(close, shares)
        for slot in FISCAL_YEARS:
            eps = numbers(f"eps_{slot}")
            results[f"eps_{slot}"] = eps
            results[f"pe_{slot}"] = xm.pe(close, eps, fx)
        chosen = DataFrame(
            {f"eps_{slot}": results[f"eps_{slot}"] for slot in FISCAL_YEARS}
            | {"target_year": [row.inputs.get("target_year") for row in self.rows]}
        )
        target_eps = coverage_target_eps(chosen, weight).to_numpy(dtype=float)
        results["target_eps"] = target_eps
        multiple = numbers("target_multiple", True)
        results["target_price"] = xm.target_price(target_eps, multiple, fx)
        results["upside"] = xm.upside(results["target_price"], close)
        scheme = load_scheme(self.scheme)
        bench = np.array(
            [self.benchmark_returns.get(str(row.inputs.get("market")), 0.0) for row in self.rows]
        )
        rated = scheme.rate(results["upside"], bench, self.lang)
        results["benchmark_return"] = bench
        for index, row in enumerate(self.rows):
            for key, array in results.items():
                row.computed[key] = array[index]
            label = rated[index] if isinstance(rated[index], str) else None
            row.computed["model_rating"] = label or self.not_rated
            override = row.inputs.get("rating_override")
            if isinstance(override, str) and override.strip():
                row.computed["rating"] = override.strip()
            else:
                row.computed["rating"] = row.computed["model_rating"]


def _first_rows(table: TableRows | None) -> dict[str, int]:
    """Code -> first row holding it (MATCH(...,0) finds the first)."""
    rows: dict[str, int] = {}
    if table is None:
        return rows
    for row in table.rows:
        rows.setdefault(str(table.key_of(row)), row)
    return rows


def _benchmark_returns(layout: Layout) -> dict[str, float]:
    markets = layout.range_values("set_bench_er_market")
    returns = layout.range_values("set_bench_er")
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
    """The month's returns recomputed from History's closes and the period settings.

    As the workbook's formulas do: each period date takes the last History
    date on or before it, the close there in the code's column of the close
    block, the return end / start - 1, the benchmark's return from the
    benchmark's own row, and the relative return by the workbook's method.
    """
    table = layout.table("Performance")
    history = layout.history()
    if table is None or history is None:
        return []
    dates = [
        as_date(history.data.get(row, 1)) for row in range(FIRST_DATA_ROW, history.last_row + 1)
    ]
    known = [(day, FIRST_DATA_ROW + offset) for offset, day in enumerate(dates) if day is not None]

    def row_of(key: str) -> int | None:
        day = as_date(layout.setting(key))
        if day is None or not known or day < known[0][0]:
            return None
        position = bisect.bisect_right([d for d, _ in known], day) - 1
        return known[position][1]

    start_row, end_row = row_of("period_start"), row_of("period_end")

    def close(row: int | None, column: int | None) -> float:
        if row is None or column is None:
            return math.nan
        number = as_number(history.data.get(row, column))
        return number if number is not None and number > 0 else math.nan

    rows = []
    for row in table.rows:
        code = str(table.key_of(row)).strip()
        column = history.close_columns.get(code)
        start, end = close(start_row, column), close(end_row, column)
        rows.append(
            PerformanceRow(
                code,
                row,
                {"start_close": start, "end_close": end, "return": end / start - 1},
            )
        )
    returns: dict[str, float] = {}
    for item in rows:
        returns.setdefault(item.code, item.computed["return"])
    method = layout.setting("relative_method")
    method = method if method in RELATIVE_METHODS else "arithmetic"
    for item in rows:
        benchmark = table.value(item.row, "benchmark")
        bench = (
            returns.get(str(benchmark).strip(), math.nan) if not is_blank(benchmark) else math.nan
        )
        item.computed["benchmark_return"] = bench
        own = item.computed["return"]
        if math.isnan(own) or math.isnan(bench) or own < -1 or bench < -1:
            item.computed["relative_return"] = math.nan
        else:
            item.computed["relative_return"] = float(xm.relative_return(own, bench, method=method))
    return rows
