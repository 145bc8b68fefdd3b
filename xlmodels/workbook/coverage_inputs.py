"""A coverage workbook's contents as :class:`~xlmodels.domain.model.CoverageInputs`.

The reports and the validator's finance rules compute from what a workbook
holds as inputs and data (Estimates, Market, Settings, History), never from
the numbers its formulas show: this module turns a
:class:`~xlmodels.workbook.reader.WorkbookData` back into the inputs every
core computation takes.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from xlmodels.core.fx import FxTable, currency_code
from xlmodels.domain.model import (
    ESTIMATE_COLUMNS,
    INDEX_COLUMNS,
    MARKET_COLUMNS,
    UNIVERSE_COLUMNS,
    CoverageInputs,
    Settings,
)
from xlmodels.errors import InputError
from xlmodels.template.names import MARKET_SHEET, PERFORMANCE_SHEET, VALUATION_SHEET
from xlmodels.template.v3 import SPEC
from xlmodels.workbook.reader import WorkbookData

__all__ = ["coverage_inputs"]


def _fx_table(market: pd.DataFrame, data: WorkbookData, reporting: str | None) -> FxTable:
    """The rates the Market sheet holds: EPS into price currency, price into reporting currency."""
    rates: dict[tuple[str, str], float] = {}
    sheet = SPEC.sheet(MARKET_SHEET)
    columns = [("fx", "eps_currency", "price_currency")]
    if reporting:
        columns.append(("reporting_fx", "price_currency", "reporting"))
    for code, row in market.iterrows():
        for column, base, quote in columns:
            rate = row.get(column)
            if rate is None or (isinstance(rate, float) and math.isnan(rate)):
                continue
            pair = (str(row[base]), str(reporting) if quote == "reporting" else str(row[quote]))
            if pair[0] == pair[1]:
                continue
            if pair in rates and not math.isclose(rates[pair], float(rate), rel_tol=1e-12):
                raise InputError(
                    f"{code} converts {pair[0]} into {pair[1]} at {float(rate):g}, but another "
                    f"row uses {rates[pair]:g}: one rate per currency pair",
                    file=data.file,
                    sheet=sheet.name,
                    column=sheet.column(column).label(),
                )
            rates[pair] = float(rate)
    return FxTable(rates)


def _reporting_currency(data: WorkbookData) -> str | None:
    value = _setting(data, "reporting_currency")
    try:
        return currency_code(value)
    except ValueError as error:
        raise InputError(
            f"the setting reporting_currency: {error}", file=data.file, sheet=SPEC.settings.name
        ) from None


def _index_names(
    performance: pd.DataFrame | None, valuation: pd.DataFrame | None, companies: pd.Index
) -> pd.DataFrame:
    """Both names of every index, from Performance (else the name it shows, then Valuation's)."""
    frames = []
    if performance is not None and "kind" in performance:
        rows = performance.loc[performance["kind"] == "index"]
        shown = rows["name"]
        chinese = (
            rows["name_zh"].where(_given(rows["name_zh"]), shown) if "name_zh" in rows else shown
        )
        english = rows["name_en"] if "name_en" in rows else pd.Series(None, index=rows.index)
        frames.append(pd.DataFrame({"name": chinese, "name_en": english}))
    if valuation is not None and not valuation.empty:
        frames.append(valuation[["name"]].assign(name_en=None))
    indexes = pd.DataFrame(columns=list(INDEX_COLUMNS), index=pd.Index([], name="code"))
    if frames:
        names = pd.concat(frames)
        # Valuation lists companies with a PE-TTM series too: they are no index.
        names = names[~names.index.duplicated() & ~names.index.isin(companies)]
        indexes = names.reindex(columns=list(INDEX_COLUMNS))
        indexes.index.name = "code"
    return indexes


def _given(values: pd.Series) -> pd.Series:
    return values.map(lambda value: isinstance(value, str) and bool(value.strip()))


def _setting(data: WorkbookData, key: str, default: Any = None) -> Any:
    value = data.settings.get(key, default)
    return default if value is None else value


def coverage_inputs(data: WorkbookData) -> CoverageInputs:
    """The inputs a workbook was computed from, as the core takes them.

    Names come in both languages, as the workbook stores them (``name``
    Chinese, ``name_en`` English); the universe's coverage group comes from
    the workbook's ``coverage_group`` setting (empty when it records none);
    the analyst is not stored in a workbook and comes back empty. The FX
    table holds the Market sheet's rates, into the reporting currency too.

    Examples
    --------
    >>> from xlmodels.workbook.reader import read_workbook
    >>> from xlmodels.domain.coverage import compute_coverage
    >>> inputs = coverage_inputs(read_workbook("workbooks/coverage-sample.xlsx"))
    >>> float(round(compute_coverage(inputs).loc["0700.HK", "pe_fy1"], 2))
    15.43
    """
    market_sheet = data.tables[MARKET_SHEET]
    universe = pd.DataFrame(index=market_sheet.index)
    for column in UNIVERSE_COLUMNS:
        universe[column] = market_sheet.get(column, None)
    universe["coverage_group"] = _setting(data, "coverage_group")
    market = market_sheet[[c for c in MARKET_COLUMNS if c in market_sheet]].copy()
    estimates = data.analyst.estimates.reindex(columns=list(ESTIMATE_COLUMNS))
    indexes = _index_names(
        data.tables.get(PERFORMANCE_SHEET), data.tables.get(VALUATION_SHEET), universe.index
    )
    reporting = _reporting_currency(data)
    report_date = _setting(data, "report_date")
    if report_date is None:
        raise InputError(
            "the workbook has no report date", file=data.file, sheet=SPEC.settings.name
        )
    settings = Settings(
        report_date=report_date,
        fy1_year=int(_setting(data, "fy1_year", report_date.year)),
        period_start=_setting(data, "period_start"),
        period_end=_setting(data, "period_end"),
        scheme=str(_setting(data, "scheme", Settings.scheme)),
        lang=str(_setting(data, "lang", Settings.lang)),
        benchmark_expected_returns=dict(data.analyst.benchmark_expected_returns),
        percentile_method=str(_setting(data, "percentile_method", Settings.percentile_method)),
        relative_method=str(_setting(data, "relative_method", Settings.relative_method)),
        fiscal_year_end=(
            int(_setting(data, "fy_end_month", 12)),
            int(_setting(data, "fy_end_day", 31)),
        ),
        data_note=str(_setting(data, "data_note", "")),
        reporting_currency=reporting,
    )
    return CoverageInputs(
        universe=universe,
        market=market,
        fx=_fx_table(market_sheet, data, reporting),
        estimates=estimates,
        indexes=indexes,
        settings=settings,
        history=data.history,
    )
