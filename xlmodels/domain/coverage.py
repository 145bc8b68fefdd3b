"""The coverage table: every computed column of a coverage universe, from its inputs.

This is the one place where inputs (universe, market snapshot, FX, analyst
estimates, settings) turn into the numbers a coverage table shows. The
workbook writer stores these numbers as the cached values of its formulas,
the validator recomputes them to check a workbook, and the reports print
them: the writer and the reports call :func:`compute_coverage`, and the
validator, which reads its inputs from a workbook's cells rather than from a
:class:`~xlmodels.domain.model.CoverageInputs`, calls the
:func:`coverage_figures` it is built on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from xlmodels.core.ratings import load_scheme
from xlmodels.core.targets import target_price, upside
from xlmodels.core.valuation import blended_eps, market_cap, pe
from xlmodels.domain.model import EPS_SLOTS, ESTIMATE_COLUMNS, FISCAL_YEARS, CoverageInputs

__all__ = [
    "FIGURE_INPUTS",
    "compute_coverage",
    "coverage_figures",
    "display_names",
    "published_rating",
    "rating_override",
    "reporting_rates",
    "target_eps",
]

#: The columns :func:`coverage_figures` reads, one row per company.
FIGURE_INPUTS = (
    "market",
    "fx",
    "close",
    "shares_mn",
    "eps_lyr",
    "eps_fy1",
    "eps_fy2",
    "eps_fy3",
    "target_multiple",
    "target_year",
    "rating_override",
    "reporting_fx",
)


def display_names(companies: pd.DataFrame, lang: str) -> pd.Series:
    """Names in ``lang``: ``name_en`` in English, ``name`` (Chinese) otherwise.

    A name missing in ``lang`` falls back to the other language's, and only then.

    >>> frame = pd.DataFrame({"name": ["腾讯控股", "网易-S", None],
    ...                       "name_en": ["Tencent", None, "Sea"]})
    >>> display_names(frame, "en").tolist(), display_names(frame, "zh").tolist()
    (['Tencent', '网易-S', 'Sea'], ['腾讯控股', '网易-S', 'Sea'])
    """
    if "name_en" not in companies:
        return companies["name"]
    chinese = companies["name"].astype(object)
    english = companies["name_en"].astype(object)
    first, other = (english, chinese) if lang == "en" else (chinese, english)
    given = first.map(lambda value: isinstance(value, str) and bool(value.strip()))
    return first.where(given, other)


def target_eps(estimates: pd.DataFrame, weight: float) -> pd.Series:
    """The EPS each target multiple applies to, by the row's ``target_year``.

    ``FY1``/``FY2``/``FY3`` take that year's EPS; ``blended`` takes
    :func:`~xlmodels.blended_eps` of FY1 and FY2 with ``weight`` (the share
    of FY1 still ahead); anything else gives NaN.

    >>> frame = pd.DataFrame({"target_year": ["FY2", "blended", None],
    ...     "eps_fy1": [1.0, 1.0, 1.0], "eps_fy2": [2.0, 2.0, 2.0], "eps_fy3": [3.0] * 3})
    >>> target_eps(frame, 0.25).tolist()
    [2.0, 1.75, nan]
    """
    # One pass over the labels in Python: a coverage table has tens of rows, and
    # masked assignment through pandas costs far more than the choice itself.
    labels = estimates["target_year"].fillna("").astype(str).tolist()
    upper = [label.strip().upper() for label in labels]
    eps = np.full(len(labels), np.nan)
    for slot in FISCAL_YEARS:
        chosen = np.fromiter((label == slot.upper() for label in upper), bool, len(upper))
        if chosen.any():
            eps[chosen] = estimates[f"eps_{slot}"].to_numpy(dtype=float)[chosen]
    blended = np.fromiter((label == "BLENDED" for label in upper), bool, len(upper))
    if blended.any():
        eps[blended] = blended_eps(
            estimates["eps_fy1"].to_numpy(dtype=float)[blended],
            estimates["eps_fy2"].to_numpy(dtype=float)[blended],
            weight,
        )
    return pd.Series(eps, index=estimates.index)


def compute_coverage(inputs: CoverageInputs) -> pd.DataFrame:
    """Compute the coverage table, one row per company of the universe.

    Returns
    -------
    pandas DataFrame indexed by code
        ``name`` (in the settings' language), ``market``, ``price_currency``,
        ``eps_currency``, ``fx`` (price-currency units per EPS-currency unit), ``close``,
        ``shares_mn``, ``reporting_fx`` (reporting-currency units per
        price-currency unit; NaN without a reporting currency or a rate),
        ``market_cap`` (millions of the reporting currency when the
        settings name one, else of the price currency),
        ``eps_lyr``, ``eps_fy1..3`` (the last reported year, then the
        forecasts), ``pe_lyr``, ``pe_fy1..3``, ``target_eps``, ``target_price``,
        ``upside``, ``model_rating`` (from the scheme; "not rated" where there
        is no target), ``rating`` (the override where one is recorded, else
        the model rating), ``benchmark_return`` (the expected return of the
        company's market benchmark the rating weighs the upside against).
        NM results carry the :data:`~xlmodels.NM` marker.

    Examples
    --------
    >>> from xlmodels.sources import sample
    >>> table = compute_coverage(sample.load_inputs())
    >>> table.loc["0700.HK", ["pe_fy1", "pe_fy2"]].round(0).tolist()
    [15.0, 14.0]
    """
    universe = inputs.universe
    settings = inputs.settings
    market = inputs.market.reindex(universe.index)
    # An estimates frame without an optional column (EPS LYR) has it blank.
    estimates = inputs.estimates.reindex(index=universe.index, columns=list(ESTIMATE_COLUMNS))
    rows = pd.DataFrame(index=universe.index)
    rows["market"] = universe["market"]
    rows["fx"] = inputs.fx.rates(universe["eps_currency"], universe["price_currency"])
    rows["close"] = market["close"].astype(float)
    rows["shares_mn"] = market["shares_mn"].astype(float)
    for slot in EPS_SLOTS:
        rows[f"eps_{slot}"] = estimates[f"eps_{slot}"].astype(float)
    rows["target_multiple"] = estimates["target_multiple"].astype(float)
    rows["target_year"] = estimates["target_year"]
    rows["rating_override"] = estimates["rating_override"]
    rows["reporting_fx"] = reporting_rates(inputs)
    figures = coverage_figures(
        rows,
        fy1_weight=settings.fy1_remaining(),
        scheme=settings.scheme,
        lang=settings.lang,
        benchmark_expected_returns=settings.benchmark_expected_returns,
        reporting_currency=settings.reporting_currency,
    )
    table = pd.DataFrame(index=universe.index)
    table["name"] = display_names(universe, settings.lang)
    table["market"] = universe["market"]
    table["price_currency"] = universe["price_currency"]
    table["eps_currency"] = universe["eps_currency"]
    for column in ("fx", "close", "shares_mn", "reporting_fx"):
        table[column] = rows[column]
    table["market_cap"] = figures["market_cap"]
    for slot in EPS_SLOTS:
        table[f"eps_{slot}"] = rows[f"eps_{slot}"]
        table[f"pe_{slot}"] = figures[f"pe_{slot}"]
    for column in ("target_eps", "target_price", "upside", "model_rating", "rating"):
        table[column] = figures[column]
    table["benchmark_return"] = figures["benchmark_return"]
    return table


def reporting_rates(inputs: CoverageInputs) -> pd.Series:
    """Each company's rate from its price currency into the reporting currency.

    Reporting-currency units per price-currency unit, NaN where the FX table
    has no rate for the pair and for every company when the settings name no
    reporting currency (market caps then stay in each price currency).

    >>> from dataclasses import replace
    >>> from xlmodels.sources import sample
    >>> inputs = sample.load_inputs()
    >>> hkd = replace(inputs, settings=replace(inputs.settings, reporting_currency="HKD"))
    >>> reporting_rates(hkd)[["0700.HK", "AMZN.O"]].tolist()  # no USD/HKD in the sample
    [1.0, nan]
    """
    universe = inputs.universe
    currency = inputs.settings.reporting_currency
    if not currency:
        return pd.Series(np.nan, index=universe.index, dtype=float)
    rates = inputs.fx.rates(universe["price_currency"], [currency] * len(universe), missing="nan")
    return pd.Series(rates, index=universe.index, dtype=float)


def rating_override(value: Any) -> str | None:
    """The rating an override cell records, or None when it records none.

    Spaces around the label mean nothing to an analyst: they are dropped, and
    an override of spaces alone is no override. The workbook writer stores
    the override so read, so the workbook's rating formula, which shows the
    override cell as it is, gives the same label.

    >>> rating_override(" Buy "), rating_override("  "), rating_override(None)
    ('Buy', None, None)
    """
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def published_rating(model_rating: pd.Series, overrides: pd.Series) -> pd.Series:
    """The rating a company is published with: its override where one is typed, else the model's.

    ``overrides`` holds the override cells as typed (read with
    :func:`rating_override`: blank or spaces mean none), on the same index.

    >>> published_rating(pd.Series(["Buy", "Sell"]), pd.Series([None, " Neutral "])).tolist()
    ['Buy', 'Neutral']
    """
    typed = overrides.map(rating_override)
    return model_rating.where(typed.isna(), typed)


def coverage_figures(
    rows: pd.DataFrame,
    *,
    fy1_weight: float,
    scheme: str,
    lang: str,
    benchmark_expected_returns: Mapping[str, float],
    not_rated: str | None = None,
    reporting_currency: str | None = None,
) -> pd.DataFrame:
    """The computed figures of coverage rows, from each row's own inputs.

    Every figure of the Coverage table that is not an input is computed here,
    whoever asks: :func:`compute_coverage` for a universe, the validator for
    the rows of a workbook (where a code may repeat, so rows are not indexed
    by code).

    Parameters
    ----------
    rows : DataFrame
        One row per company with the columns of :data:`FIGURE_INPUTS`:
        ``market`` (the key of ``benchmark_expected_returns``), ``fx``
        (price-currency units per EPS-currency unit), ``close``,
        ``shares_mn``, ``eps_lyr`` (last reported year), ``eps_fy1..3``,
        ``target_multiple`` (numbers, NaN where missing), ``target_year`` and
        ``rating_override``.
    fy1_weight : float
        Share of FY1 still ahead, the weight of a blended EPS.
    scheme, lang : str
        The rating scheme and the language of its labels.
    benchmark_expected_returns : mapping
        Expected return of each market's benchmark; a market without one is rated
        against 0.
    not_rated : str, optional
        The label of a company without a target; the scheme's by default.
    reporting_currency : str, optional
        The currency market caps are shown in: each row's cap is converted
        at its ``reporting_fx`` (reporting-currency units per price-currency
        unit), and is missing where that rate is. None keeps each row's
        price currency (``reporting_fx`` is then not read).

    Returns
    -------
    pandas DataFrame, indexed as ``rows``
        ``market_cap``, ``pe_lyr``, ``pe_fy1..3`` (price / (EPS x FX), NM
        where EPS <= 0), ``target_eps``, ``target_price``,
        ``upside``, ``benchmark_return``, ``model_rating`` and ``rating``
        (the override, stripped, where one is recorded, else the model rating).

    Examples
    --------
    >>> rows = pd.DataFrame({"market": ["HK"], "fx": [1.1], "close": [440.0],
    ...     "shares_mn": [9300.0], "eps_lyr": [22.0], "eps_fy1": [25.0], "eps_fy2": [28.0],
    ...     "eps_fy3": [31.0],
    ...     "target_multiple": [20.0], "target_year": ["FY2"], "rating_override": [" Neutral "]})
    >>> figures = coverage_figures(rows, fy1_weight=0.5, scheme="guosen", lang="en",
    ...     benchmark_expected_returns={})
    >>> float(figures.loc[0, "target_price"]), figures.loc[0, "rating"]
    (616.0, 'Neutral')
    """
    close, fx = rows["close"].astype(float), rows["fx"].astype(float)
    with np.errstate(over="ignore"):  # an overflow is inf, shown as missing
        cap = market_cap(close, rows["shares_mn"].astype(float))
        if reporting_currency:
            # A missing rate leaves the cap missing: never a number in the wrong currency.
            cap = cap * rows["reporting_fx"].astype(float)
    figures: dict[str, pd.Series] = {"market_cap": cap}
    for slot in EPS_SLOTS:
        figures[f"pe_{slot}"] = pe(close, rows[f"eps_{slot}"].astype(float), fx)
    figures["target_eps"] = eps = target_eps(rows, fy1_weight)
    price = target_price(eps, rows["target_multiple"].astype(float), fx)
    figures["target_price"] = price
    figures["upside"] = expected = upside(price, close)
    rating_scheme = load_scheme(scheme)
    bench = rows["market"].map(benchmark_expected_returns).fillna(0.0).astype(float)
    figures["benchmark_return"] = bench
    rated = rating_scheme.rate(expected, bench, lang)
    # A company with no target has no basis for a rating: it is "not rated".
    unrated = rating_scheme.not_rated[lang] if not_rated is None else not_rated
    model = rated.where(rated.notna(), unrated)
    # The number columns in one frame (they share the rows' index, where a code
    # may repeat: nothing to align); the labels are set as columns, whose type
    # pandas infers from what they hold.
    table = pd.DataFrame(
        {key: column.to_numpy() for key, column in figures.items()}, index=rows.index
    )
    table["model_rating"] = model
    table["rating"] = published_rating(model, rows["rating_override"])
    return table
