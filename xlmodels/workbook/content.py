"""What a coverage workbook holds, computed before anything is written.

:func:`build_content` turns :class:`~xlmodels.domain.model.CoverageInputs` into the
content of every sheet the spec describes: the rows of each table sheet with
the value of each column (inputs and data as given, formula columns as the
core computes them: these become the formulas' cached results), the History
blocks, the Settings values and blocks, and the labels that fill the headers'
placeholders. The writer only places this content; the content itself knows
nothing of xlsxwriter, so it can be compared, tested or diffed on its own.

Which rows a table sheet holds comes from the spec (``TableSheet.rows``):

``companies``
    the universe, in its order;
``performance``
    the companies, then the benchmark indexes and other indexes with history
    (:func:`~xlmodels.domain.performance.compute_performance`);
``pe_series``
    every code with a PE-TTM series (:func:`~xlmodels.domain.performance.compute_valuation`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from xlmodels.core.display import currency_label
from xlmodels.core.ratings import RatingScheme, load_scheme
from xlmodels.domain.coverage import compute_coverage, display_names, rating_override
from xlmodels.domain.model import ESTIMATE_COLUMNS, CoverageInputs
from xlmodels.domain.performance import (
    carry_to_period,
    compute_performance,
    compute_valuation,
    history_panel,
    stale_message,
    stale_series,
    stale_series_ends,
)
from xlmodels.errors import InputError
from xlmodels.excel.cells import excel_fixed, is_blank
from xlmodels.template.schema import FORMULA_MODES, TableSheet, WorkbookSpec
from xlmodels.template.v3 import SPEC

__all__ = [
    "LANGUAGES",
    "BenchmarkRow",
    "HistoryContent",
    "TableContent",
    "TierRow",
    "WorkbookContent",
    "build_content",
    "coverage_group",
    "localise_inputs",
]

#: Languages a workbook can be written in.
LANGUAGES = ("zh", "en")

#: Header placeholders' text when the workbook has no company (a blank template).
_NO_CURRENCY = {
    "zh": {"price_ccy": "股价货币", "eps_ccy": "EPS货币"},
    "en": {"price_ccy": "price ccy", "eps_ccy": "EPS ccy"},
}


def market_cap_unit(reporting_currency: str | None, lang: str) -> str:
    """The unit of market caps for a header: millions, of the reporting currency if one is set.

    >>> market_cap_unit("HKD", "zh"), market_cap_unit("HKD", "en"), market_cap_unit(None, "zh")
    ('百万港元', 'HKD mn', '百万')
    """
    if not reporting_currency:
        return "百万" if lang == "zh" else "mn"
    name = currency_label([reporting_currency], lang)
    return f"百万{name}" if lang == "zh" else f"{name} mn"


@dataclass(frozen=True)
class TableContent:
    """The rows of one table sheet: codes, and each column's value per row."""

    sheet: TableSheet
    codes: list[str]
    column_values: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class HistoryContent:
    """The History sheet: dates down, a block of closes and a block of PE-TTM series.

    ``close`` and ``pe`` are (dates x codes) float arrays, NaN where a
    series has no value. Closes are carried over holidays inside a series
    (:func:`~xlmodels.domain.performance.history_panel`); PE-TTM values are written
    as given, so a percentile counts each observation once.
    """

    dates: list[dt.date]
    close_codes: list[str]
    close: npt.NDArray[np.float64]
    pe_codes: list[str]
    pe: npt.NDArray[np.float64]

    @property
    def rows(self) -> int:
        return len(self.dates)


@dataclass(frozen=True)
class BenchmarkRow:
    """One row of the Settings benchmark block."""

    market: str
    expected_return: float
    benchmark: str


@dataclass(frozen=True)
class TierRow:
    """One row of the Settings tier block (the last tier has no bound)."""

    label: str
    bound: float | None
    inclusive: bool | None


@dataclass(frozen=True)
class WorkbookContent:
    """Everything a coverage workbook shows, by sheet.

    ``inputs`` are the inputs as the workbook shows them
    (:func:`localise_inputs`), and ``coverage`` the coverage table computed
    from them (:func:`~xlmodels.domain.coverage.compute_coverage`), whose
    figures the formula columns cache.
    """

    spec: WorkbookSpec
    mode: str
    lang: str
    inputs: CoverageInputs
    scheme: RatingScheme
    labels: dict[str, str]
    tables: dict[str, TableContent]
    history: HistoryContent
    settings: dict[str, Any]
    benchmarks: list[BenchmarkRow]
    tiers: list[TierRow]
    coverage: pd.DataFrame


def localise_inputs(inputs: CoverageInputs, lang: str) -> CoverageInputs:
    """The inputs as a workbook in ``lang`` shows them.

    Names switch to ``name_en`` in English where one is given (the
    universe's own names stay as ``name_zh`` and ``name_en``, which the
    workbook stores too), and rating overrides to the scheme's label in
    ``lang`` (an override typed as ``Outperform`` reads 优于大市 in a Chinese
    workbook).
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    scheme = load_scheme(inputs.settings.scheme)

    def named(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty:
            return frame
        out = frame.copy()
        if "name_zh" not in out:  # already localised inputs keep their own names
            out["name_zh"] = frame["name"]
            out["name_en"] = frame.get("name_en", None)
        both = pd.DataFrame({"name": out["name_zh"], "name_en": out["name_en"]})
        out["name"] = display_names(both, lang)
        return out

    def label(value: Any) -> Any:
        # Stripped as the coverage figures read it, so that the input cell, the
        # rating formula over it and the cached rating show the same text.
        text = rating_override(value)
        if text is None:
            return None
        tier = scheme.tier_of(text)
        if tier is not None:
            return tier.label(lang)
        if text in scheme.not_rated.values():
            return scheme.not_rated[lang]
        return text

    estimates = inputs.estimates.copy()
    if "rating_override" in estimates.columns:
        estimates["rating_override"] = estimates["rating_override"].map(label).astype(object)
    return replace(
        inputs,
        universe=named(inputs.universe),
        indexes=named(inputs.indexes),
        estimates=estimates,
        settings=inputs.settings.with_language(lang),
    )


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def header_labels(inputs: CoverageInputs, lang: str) -> dict[str, str]:
    """Fill-ins of the headers' placeholders: fiscal years, the market caps' unit.

    ``price_ccy`` and ``eps_ccy`` (the currencies present) fill the headers
    of earlier templates only: the current one shows each row's currencies
    in columns of their own.
    """
    labels = dict(inputs.settings.year_labels())
    universe = inputs.universe
    for key, column in (("price_ccy", "price_currency"), ("eps_ccy", "eps_currency")):
        text = currency_label(universe[column], lang) if len(universe) else ""
        labels[key] = text or _NO_CURRENCY[lang][key]
    labels["mcap_unit"] = market_cap_unit(inputs.settings.reporting_currency, lang)
    return labels


def _close_panel(inputs: CoverageInputs) -> pd.DataFrame | None:
    history = inputs.history
    if history is None or history.empty:
        return None
    dates = pd.DatetimeIndex(sorted(history["date"].unique()))
    # The History rows the period dates read hold a close for every fresh series,
    # so that the Performance formulas find it (see carry_to_period).
    settings = inputs.settings
    panel = history_panel(history, "close").reindex(dates)
    return carry_to_period(panel, settings.period_start, settings.period_end)


def _history(
    inputs: CoverageInputs, closes: pd.DataFrame | None, performance: pd.DataFrame
) -> HistoryContent:
    history = inputs.history
    if history is None or closes is None:
        empty = np.empty((0, 0), dtype=np.float64)
        return HistoryContent([], [], empty, [], empty)
    dates = closes.index
    # Companies and their benchmarks first, in the Performance sheet's order.
    order = [code for code in performance.index if code in closes.columns]
    order += [code for code in closes.columns if code not in set(order)]
    closes = closes[order] if order else closes
    with_pe = history.dropna(subset=["pe_ttm"])
    pe_codes = list(dict.fromkeys(with_pe["code"]))
    # PE-TTM is not carried over gaps: each observation counts once in a percentile.
    pe = (
        with_pe.pivot_table(index="date", columns="code", values="pe_ttm", aggfunc="last")
        .reindex(index=dates, columns=pe_codes)
        .to_numpy(dtype=np.float64)
        if pe_codes
        else np.empty((len(dates), 0), dtype=np.float64)
    )
    return HistoryContent(
        dates=[d.date() for d in dates],
        close_codes=[str(c) for c in closes.columns],
        close=closes.to_numpy(dtype=np.float64),
        pe_codes=[str(c) for c in pe_codes],
        pe=pe,
    )


def _position(codes: list[str]) -> dict[str, int]:
    return {code: index + 1 for index, code in enumerate(codes)}


def _label(pe: Any, percentile: Any) -> Any:
    if is_blank(pe) or is_blank(percentile):
        return None
    return f"{excel_fixed(pe, 2)}x | {excel_fixed(percentile, 2, percent=True)}"


def _refuse_stale_month(
    inputs: CoverageInputs, closes: pd.DataFrame | None, performance: pd.DataFrame
) -> None:
    """Refuse a workbook whose History cannot give the month's figures.

    The Performance formulas take the last History row on or before each
    period date: a History that stops a month early would show the old
    close as the new one and a 0.0% month. Better no workbook than that.
    """
    settings = inputs.settings
    problems = []
    if closes is not None and performance["stale"].any():
        stale = stale_series(closes, settings.period_start, settings.period_end)
        if not stale.empty:
            problems.append(
                stale_message(stale, "History closes")
                + " (give --history with closes to the price date, or a market file "
                "with their closes)"
            )
    history = inputs.history
    if history is not None:
        stale_pe = stale_series_ends(history, "pe_ttm", settings.period_end)
        if not stale_pe.empty:
            problems.append(
                stale_message(stale_pe, "PE-TTM values")
                + " (give --history or --pe-history with PE-TTM to the price date)"
            )
    if problems:
        raise InputError("the month's figures cannot be computed: " + "; ".join(problems))


def _sources(
    inputs: CoverageInputs,
    coverage: pd.DataFrame,
    history: HistoryContent,
    performance: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """One frame per kind of row, holding every column any sheet of that kind shows."""
    universe = inputs.universe
    estimates = inputs.estimates.reindex(index=universe.index, columns=list(ESTIMATE_COLUMNS))
    companies = coverage.copy()
    for column in ESTIMATE_COLUMNS:
        if column not in companies.columns:
            companies[column] = estimates[column].astype(object)
    for column in ("benchmark", "analyst", "coverage_group"):
        companies[column] = universe[column]
    for column in ("name_zh", "name_en"):
        companies[column] = universe.get(column, None)
    market = inputs.market.reindex(universe.index)
    companies["price_date"] = market["price_date"]
    # The Settings block lists the markets named in the universe: a row without
    # one has no benchmark there, and its column shows blank (rated against 0).
    companies["benchmark_return"] = companies["benchmark_return"].where(
        universe["market"].map(_is_text), np.nan
    )

    close_columns = _position(history.close_codes)
    performance = performance.copy()
    # An index the inputs do not name (its code stands for its name) has neither.
    both = ["name_zh", "name_en"]
    names = pd.concat([inputs.indexes.reindex(columns=both), universe.reindex(columns=both)])
    names = names[~names.index.duplicated(keep="last")].reindex(performance.index)
    performance["name_zh"] = names["name_zh"]
    performance["name_en"] = names["name_en"]
    performance["history_column"] = [close_columns.get(c) for c in performance.index]

    valuation = compute_valuation(inputs)
    pe_columns = _position(history.pe_codes)
    valuation["history_column"] = [pe_columns.get(c) for c in valuation.index]
    valuation["label"] = [
        _label(pe, pct)
        for pe, pct in zip(valuation["pe_ttm"], valuation["percentile"], strict=True)
    ]
    return {"companies": companies, "performance": performance, "pe_series": valuation}


def _table(sheet: TableSheet, frame: pd.DataFrame) -> TableContent:
    codes = [str(code) for code in frame.index]
    values: dict[str, list[Any]] = {}
    for column in sheet.columns:
        if column.key == "code":
            values["code"] = list(codes)
            continue
        if column.source not in frame.columns:
            raise KeyError(
                f"spec column {sheet.name}.{column.key} has no source value "
                f"{column.source!r} among the computed {sheet.rows} columns"
            )
        values[column.key] = frame[column.source].tolist()
    return TableContent(sheet, codes, values)


def coverage_group(inputs: CoverageInputs) -> str | None:
    """The coverage group every company of ``inputs`` belongs to, or None.

    A workbook records its group (the ``coverage_group`` setting) so that
    ``xlmodels regenerate`` finds it again whatever its file is called. A
    universe of several groups, or of none, records no group.

    >>> from xlmodels.sources import sample
    >>> inputs = sample.load_inputs()
    >>> coverage_group(inputs) is None
    True
    >>> hk = inputs.universe[inputs.universe["market"] == "HK"]
    >>> from dataclasses import replace
    >>> coverage_group(replace(inputs, universe=hk))
    'HK Internet'
    """
    if "coverage_group" not in inputs.universe:
        return None
    groups = {
        value.strip() if isinstance(value, str) else value
        for value in inputs.universe["coverage_group"]
    }
    if len(groups) != 1:
        return None
    (group,) = groups
    return group if _is_text(group) else None


def _period_row(dates: list[dt.date], day: dt.date | None) -> int | None:
    """1-based position of the last history date on or before ``day``, as MATCH(...,1) gives."""
    if day is None or not dates or day < dates[0]:
        return None
    return bisect.bisect_right(dates, day)


def _settings(
    content_inputs: CoverageInputs,
    spec: WorkbookSpec,
    history: HistoryContent,
    scheme: RatingScheme,
    mode: str,
) -> dict[str, Any]:
    settings = content_inputs.settings
    market_dates = [d for d in content_inputs.market["price_date"] if not is_blank(d)]
    values: dict[str, Any] = {
        "template_version": spec.version,
        "lang": settings.lang,
        "formula_mode": mode,
        "report_date": settings.report_date,
        "price_date": max(market_dates) if market_dates else None,
        "period_start": settings.period_start,
        "period_end": settings.period_end,
        "fy1_year": settings.fy1_year,
        "fy_end_month": settings.fiscal_year_end[0],
        "fy_end_day": settings.fiscal_year_end[1],
        "fy1_remaining": settings.fy1_remaining(),
        "scheme": scheme.id,
        "scheme_basis": scheme.basis,
        "not_rated": scheme.not_rated[settings.lang],
        "percentile_method": settings.percentile_method,
        "relative_method": settings.relative_method,
        "period_start_row": _period_row(history.dates, settings.period_start),
        "period_end_row": _period_row(history.dates, settings.period_end),
        "data_note": settings.data_note or None,
        "coverage_group": coverage_group(content_inputs),
        "reporting_currency": settings.reporting_currency,
    }
    missing = [item.key for item in spec.settings.settings if item.key not in values]
    if missing:
        raise KeyError(f"no value for the spec's settings {', '.join(missing)}")
    return {item.key: values[item.key] for item in spec.settings.settings}


def build_content(
    inputs: CoverageInputs,
    *,
    mode: str = "sq",
    lang: str | None = None,
    spec: WorkbookSpec = SPEC,
    estimates_override: pd.DataFrame | None = None,
) -> WorkbookContent:
    """Compute every sheet's content of the coverage workbook.

    Parameters
    ----------
    inputs : CoverageInputs
    mode : {"sq", "native"}
        Formula dialect (recorded; formulas are built by the writer from the spec).
    lang : {"zh", "en"}, optional
        Defaults to ``inputs.settings.lang``.
    spec : WorkbookSpec
        The template to fill (the current :data:`~xlmodels.template.v3.SPEC` unless a
        migration writes an older or newer one).
    estimates_override : DataFrame, optional
        Analyst inputs to use instead of ``inputs.estimates`` (indexed by code,
        :data:`~xlmodels.domain.model.ESTIMATE_COLUMNS`), e.g. those read back from an
        existing workbook.
    """
    if mode not in FORMULA_MODES:
        raise ValueError(f"mode must be one of {', '.join(FORMULA_MODES)}, got {mode!r}")
    if estimates_override is not None:
        inputs = replace(inputs, estimates=estimates_override)
    lang = lang or inputs.settings.lang
    inputs = localise_inputs(inputs, lang)
    scheme = load_scheme(inputs.settings.scheme)
    # Inputs within Excel's range can still overflow a product (close x shares
    # near the largest number): the writer shows such a cell as #NUM!, as
    # Excel does, so numpy's warning would only repeat it on the console.
    with np.errstate(over="ignore", invalid="ignore"):
        closes = _close_panel(inputs)
        performance = compute_performance(inputs, closes=closes)
        _refuse_stale_month(inputs, closes, performance)
        history = _history(inputs, closes, performance)
        coverage = compute_coverage(inputs)
        sources = _sources(inputs, coverage, history, performance)
        tables = {sheet.name: _table(sheet, sources[sheet.rows]) for sheet in spec.table_sheets()}
    markets = list(dict.fromkeys(m for m in inputs.universe["market"] if _is_text(m)))
    expected = inputs.settings.benchmark_expected_returns
    benchmarks = [
        BenchmarkRow(market, float(expected.get(market, 0.0)), scheme.benchmarks.get(market, ""))
        for market in markets
    ]
    tiers = [
        TierRow(tier.label(lang), tier.above, None if tier.above is None else tier.inclusive)
        for tier in scheme.tiers
    ]
    return WorkbookContent(
        spec=spec,
        mode=mode,
        lang=lang,
        inputs=inputs,
        scheme=scheme,
        labels=header_labels(inputs, lang),
        tables=tables,
        history=history,
        settings=_settings(inputs, spec, history, scheme, mode),
        benchmarks=benchmarks,
        tiers=tiers,
        coverage=coverage,
    )
