"""The coverage table: every computed column of a coverage universe, from its inputs.

This is the one place where inputs (universe, market snapshot, FX, analyst
estimates, settings) turn into the numbers a coverage table shows. The
workbook writer stores these numbers as the cached values of its formulas,
the validator recomputes them to check a workbook, and the reports print
them: all three call :func:`compute_coverage`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xlmodels.fx import FxTable
from xlmodels.ratings import DEFAULT_SCHEME, load_scheme
from xlmodels.targets import target_price, upside
from xlmodels.valuation import blended_eps, fy1_remaining, market_cap, pe

__all__ = [
    "ESTIMATE_COLUMNS",
    "FISCAL_YEARS",
    "MARKET_COLUMNS",
    "TARGET_YEARS",
    "UNIVERSE_COLUMNS",
    "CoverageInputs",
    "Settings",
    "compute_coverage",
]

#: Fiscal-year slots of the estimates, FY1 being the current year.
FISCAL_YEARS = ("fy1", "fy2", "fy3")
#: What a target multiple can apply to.
TARGET_YEARS = ("FY1", "FY2", "FY3", "blended")
#: EPS bases an estimate row can declare.
EPS_BASES = ("reported", "adjusted")

UNIVERSE_COLUMNS = (
    "name",
    "name_en",
    "market",
    "price_currency",
    "eps_currency",
    "benchmark",
    "analyst",
    "coverage_group",
)
MARKET_COLUMNS = ("close", "price_date", "shares_mn")
ESTIMATE_COLUMNS = (
    "eps_basis",
    "eps_fy1",
    "eps_fy2",
    "eps_fy3",
    "target_multiple",
    "target_year",
    "rating_override",
    "override_reason",
    "notes",
)


@dataclass(frozen=True)
class Settings:
    """Report-wide choices that change computed numbers.

    Attributes
    ----------
    report_date : date
        Date the report is published; FY1 is the fiscal year containing it.
    fy1_year : int
        Calendar year of FY1 (2024 for "2024E").
    scheme : str
        Rating scheme id.
    lang : {"zh", "en"}
        Language of labels and ratings.
    benchmark_expected_returns : dict
        Expected return of the rating benchmark by market over the scheme's
        horizon (fractions); ratings compare upside against it. Default 0.
    fiscal_year_end : (month, day)
        Fiscal year end used to weight a blended EPS.
    """

    report_date: dt.date
    fy1_year: int
    scheme: str = DEFAULT_SCHEME
    lang: str = "zh"
    benchmark_expected_returns: dict[str, float] = field(default_factory=dict)
    fiscal_year_end: tuple[int, int] = (12, 31)

    def fy1_remaining(self) -> float:
        """Share of FY1 still ahead on the report date (weight of a blended EPS)."""
        month, day = self.fiscal_year_end
        return fy1_remaining(self.report_date, dt.date(self.fy1_year, month, day))

    def year_labels(self) -> dict[str, str]:
        """Display labels of the fiscal-year slots: ``{"fy1": "2024E", ...}``."""
        return {slot: f"{self.fy1_year + i}E" for i, slot in enumerate(FISCAL_YEARS)}


@dataclass(frozen=True)
class CoverageInputs:
    """Everything a coverage table is computed from, indexed by stock code.

    ``universe`` has :data:`UNIVERSE_COLUMNS`; ``market`` has
    :data:`MARKET_COLUMNS` for stocks (and closes for indexes); ``estimates``
    has :data:`ESTIMATE_COLUMNS` for the companies with estimates;
    ``history`` is long (``date``, ``code``, ``close``, ``pe_ttm``) or None.
    """

    universe: pd.DataFrame
    market: pd.DataFrame
    fx: FxTable
    estimates: pd.DataFrame
    indexes: pd.DataFrame
    settings: Settings
    history: pd.DataFrame | None = None


def _target_eps(estimates: pd.DataFrame, weight: float) -> pd.Series:
    choice = estimates["target_year"].fillna("").astype(str)
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
        ``name``, ``market``, ``price_currency``, ``eps_currency``, ``fx``
        (price-currency units per EPS-currency unit), ``close``,
        ``shares_mn``, ``market_cap`` (millions of the price currency),
        ``eps_fy1..3``, ``pe_fy1..3``, ``target_eps``, ``target_price``,
        ``upside``, ``model_rating`` (from the scheme), ``rating`` (the
        override where one is recorded, else the model rating).
        NM results carry the :data:`~xlmodels.NM` marker.

    Examples
    --------
    >>> from xlmodels import sample
    >>> table = compute_coverage(sample.load_inputs())
    >>> table.loc["0700.HK", ["pe_fy1", "pe_fy2"]].round(0).tolist()
    [15.0, 14.0]
    """
    universe = inputs.universe
    settings = inputs.settings
    market = inputs.market.reindex(universe.index)
    estimates = inputs.estimates.reindex(universe.index)
    table = pd.DataFrame(index=universe.index)
    table["name"] = universe["name"]
    table["market"] = universe["market"]
    table["price_currency"] = universe["price_currency"]
    table["eps_currency"] = universe["eps_currency"]
    table["fx"] = inputs.fx.rates(universe["eps_currency"], universe["price_currency"])
    table["close"] = market["close"].astype(float)
    table["shares_mn"] = market["shares_mn"].astype(float)
    table["market_cap"] = market_cap(table["close"], table["shares_mn"])
    for slot in FISCAL_YEARS:
        table[f"eps_{slot}"] = estimates[f"eps_{slot}"].astype(float)
        table[f"pe_{slot}"] = pe(table["close"], table[f"eps_{slot}"], table["fx"])
    table["target_eps"] = _target_eps(estimates, settings.fy1_remaining())
    table["target_price"] = target_price(
        table["target_eps"], estimates["target_multiple"].astype(float), table["fx"]
    )
    table["upside"] = upside(table["target_price"], table["close"])
    scheme = load_scheme(settings.scheme)
    bench = universe["market"].map(settings.benchmark_expected_returns).fillna(0.0).astype(float)
    table["model_rating"] = scheme.rate(table["upside"], bench, settings.lang)
    override = estimates["rating_override"].where(estimates["rating_override"].notna(), None)
    overridden = override.map(lambda value: isinstance(value, str) and bool(value.strip()))
    table["rating"] = table["model_rating"].where(~overridden, override)
    return table
