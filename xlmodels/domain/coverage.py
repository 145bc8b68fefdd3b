"""The coverage table: every computed column of a coverage universe, from its inputs.

This is the one place where inputs (universe, market snapshot, FX, analyst
estimates, settings) turn into the numbers a coverage table shows. The
workbook writer stores these numbers as the cached values of its formulas,
the validator recomputes them to check a workbook, and the reports print
them: all three call :func:`compute_coverage`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlmodels.core.ratings import load_scheme
from xlmodels.core.targets import target_price, upside
from xlmodels.core.valuation import blended_eps, market_cap, pe
from xlmodels.domain.model import FISCAL_YEARS, CoverageInputs

__all__ = ["compute_coverage", "display_names", "target_eps"]


def display_names(companies: pd.DataFrame, lang: str) -> pd.Series:
    """Company names in the report's language: English names where given, else Chinese.

    >>> frame = pd.DataFrame({"name": ["腾讯控股", "网易-S"], "name_en": ["Tencent", None]})
    >>> display_names(frame, "en").tolist()
    ['Tencent', '网易-S']
    """
    if lang != "en" or "name_en" not in companies:
        return companies["name"]
    english = companies["name_en"].where(companies["name_en"].notna(), None)
    has_english = english.map(lambda value: isinstance(value, str) and bool(value.strip()))
    return companies["name"].where(~has_english, english)


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
    choice = estimates["target_year"].fillna("").astype(str).str.strip()
    eps = pd.Series(np.nan, index=estimates.index)
    for slot in FISCAL_YEARS:
        chosen = choice.str.upper() == slot.upper()
        eps[chosen] = estimates.loc[chosen, f"eps_{slot}"]
    blended = choice.str.lower() == "blended"
    if blended.any():
        eps[blended] = blended_eps(
            estimates.loc[blended, "eps_fy1"], estimates.loc[blended, "eps_fy2"], weight
        )
    return eps


def compute_coverage(inputs: CoverageInputs) -> pd.DataFrame:
    """Compute the coverage table, one row per company of the universe.

    Returns
    -------
    pandas DataFrame indexed by code
        ``name`` (in the settings' language), ``market``, ``price_currency``,
        ``eps_currency``, ``fx`` (price-currency units per EPS-currency unit), ``close``,
        ``shares_mn``, ``market_cap`` (millions of the price currency),
        ``eps_fy1..3``, ``pe_fy1..3``, ``target_eps``, ``target_price``,
        ``upside``, ``model_rating`` (from the scheme; "not rated" where there
        is no target), ``rating`` (the override where one is recorded, else
        the model rating).
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
    estimates = inputs.estimates.reindex(universe.index)
    table = pd.DataFrame(index=universe.index)
    table["name"] = display_names(universe, settings.lang)
    table["market"] = universe["market"]
    table["price_currency"] = universe["price_currency"]
    table["eps_currency"] = universe["eps_currency"]
    table["fx"] = inputs.fx.rates(universe["eps_currency"], universe["price_currency"])
    table["close"] = market["close"].astype(float)
    table["shares_mn"] = market["shares_mn"].astype(float)
    with np.errstate(over="ignore"):  # an overflow is inf, shown as missing
        table["market_cap"] = market_cap(table["close"], table["shares_mn"])
    for slot in FISCAL_YEARS:
        table[f"eps_{slot}"] = estimates[f"eps_{slot}"].astype(float)
        table[f"pe_{slot}"] = pe(table["close"], table[f"eps_{slot}"], table["fx"])
    table["target_eps"] = target_eps(estimates, settings.fy1_remaining())
    table["target_price"] = target_price(
        table["target_eps"], estimates["target_multiple"].astype(float), table["fx"]
    )
    table["upside"] = upside(table["target_price"], table["close"])
    scheme = load_scheme(settings.scheme)
    bench = universe["market"].map(settings.benchmark_expected_returns).fillna(0.0).astype(float)
    rated = scheme.rate(table["upside"], bench, settings.lang)
    # A company with no target has no basis for a rating: it is "not rated".
    table["model_rating"] = rated.where(rated.notna(), scheme.not_rated[settings.lang])
    override = estimates["rating_override"].where(estimates["rating_override"].notna(), None)
    overridden = override.map(lambda value: isinstance(value, str) and bool(value.strip()))
    table["rating"] = table["model_rating"].where(~overridden, override)
    return table
