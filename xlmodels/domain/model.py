"""The data model of a coverage universe: what every computation starts from.

Inputs flow one way: files (universe, market snapshot, estimates, history)
are read into :class:`CoverageInputs`; the core computes tables from it; the
workbook writer, the validator and the reports consume those tables. Frames
are indexed by stock code and use the column names listed here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from xlmodels.core.fx import FxTable
from xlmodels.core.ratings import DEFAULT_SCHEME
from xlmodels.core.valuation import fy1_remaining

__all__ = [
    "EPS_BASES",
    "EPS_SLOTS",
    "ESTIMATE_COLUMNS",
    "FISCAL_YEARS",
    "HISTORY_COLUMNS",
    "INDEX_COLUMNS",
    "MARKET_COLUMNS",
    "TARGET_YEARS",
    "UNIVERSE_COLUMNS",
    "CoverageInputs",
    "Settings",
]

#: Fiscal-year slots of the estimates, FY1 being the current year.
FISCAL_YEARS = ("fy1", "fy2", "fy3")
#: Every EPS column of a coverage row, each with its PE: the last reported
#: fiscal year (``lyr``, the year before FY1; an optional input, for the
#: static PE LYR), then the forecast years.
EPS_SLOTS = ("lyr", *FISCAL_YEARS)
#: What a target multiple can apply to.
TARGET_YEARS = ("FY1", "FY2", "FY3", "blended")
#: EPS bases an estimate row can declare.
EPS_BASES = ("reported", "adjusted")

#: Universe: one row per company (index: code).
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
#: Benchmark indexes (index: code).
INDEX_COLUMNS = ("name", "name_en", "market", "currency")
#: Market snapshot of the companies (index: code).
MARKET_COLUMNS = ("close", "price_date", "shares_mn")
#: Analyst estimates (index: code), the inputs an analyst types.
ESTIMATE_COLUMNS = (
    "eps_basis",
    "eps_lyr",
    "eps_fy1",
    "eps_fy2",
    "eps_fy3",
    "target_multiple",
    "target_year",
    "rating_override",
    "override_reason",
    "notes",
)
#: History, long format: one row per date and code.
HISTORY_COLUMNS = ("date", "code", "close", "pe_ttm")


@dataclass(frozen=True)
class Settings:
    """Report-wide choices that change computed numbers.

    Attributes
    ----------
    report_date : date
        Date the report is published.
    fy1_year : int
        Calendar year of FY1 (2024 for "2024E").
    period_start, period_end : date or None
        The performance period (the month): returns run from the last close
        on or before ``period_start`` to the last close on or before
        ``period_end``.
    scheme : str
        Rating scheme id.
    lang : {"zh", "en"}
        Language of labels, headers and ratings.
    benchmark_expected_returns : dict
        Expected return of the rating benchmark by market over the scheme's
        horizon (fractions); ratings compare upside against it. Default 0.
    percentile_method : str
        Method of valuation percentiles (see :func:`xlmodels.percentile_rank`);
        default ``strict``, the share of history below today that reports
        quote (``SQ_PERCENTILE`` alone defaults to Excel's ``inc``).
    relative_method : str
        ``arithmetic`` (pct, the default) or ``geometric`` relative returns.
    fiscal_year_end : (month, day)
        Fiscal year end used to weight a blended EPS.
    data_note : str
        Provenance shown in the workbook (for example that series are synthetic).
    """

    report_date: dt.date
    fy1_year: int
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    scheme: str = DEFAULT_SCHEME
    lang: str = "zh"
    benchmark_expected_returns: dict[str, float] = field(default_factory=dict)
    # The report's "8.85% 分位点" is the share of history strictly below today.
    percentile_method: str = "strict"
    relative_method: str = "arithmetic"
    fiscal_year_end: tuple[int, int] = (12, 31)
    data_note: str = ""

    def fy1_remaining(self) -> float:
        """Share of FY1 still ahead on the report date (weight of a blended EPS).

        Clamped to [0, 1]: a report dated after FY1 has ended (before results
        roll the estimates) weighs FY2 only, as the workbook's formula does.
        """
        month, day = self.fiscal_year_end
        end = dt.date(self.fy1_year, month, day)
        start = end.replace(year=end.year - 1)
        if self.report_date >= end:
            return 0.0
        if self.report_date <= start:
            return 1.0
        return fy1_remaining(self.report_date, end)

    def year_labels(self) -> dict[str, str]:
        """Display labels of the EPS slots: ``{"lyr": "2023A", "fy1": "2024E", ...}``.

        Forecast years carry an E (estimate), the last reported year, the one
        before FY1, an A (actual).

        >>> Settings(dt.date(2024, 12, 2), 2024).year_labels()
        {'lyr': '2023A', 'fy1': '2024E', 'fy2': '2025E', 'fy3': '2026E'}
        """
        labels = {"lyr": f"{self.fy1_year - 1}A"}
        labels |= {slot: f"{self.fy1_year + i}E" for i, slot in enumerate(FISCAL_YEARS)}
        return labels

    def with_language(self, lang: str) -> Settings:
        """The same settings in another language."""
        return replace(self, lang=lang)


@dataclass(frozen=True)
class CoverageInputs:
    """Everything a coverage workbook is computed from, indexed by stock code.

    ``universe`` has :data:`UNIVERSE_COLUMNS`; ``market`` has
    :data:`MARKET_COLUMNS`; ``estimates`` has :data:`ESTIMATE_COLUMNS` (rows
    may be missing for companies without estimates); ``indexes`` has
    :data:`INDEX_COLUMNS`; ``history`` is long with :data:`HISTORY_COLUMNS`,
    or None. ``snapshot_closes`` is the market file's closes, each on its
    price date (long: ``date``, ``code``, ``close``; companies and indexes),
    which extend a history that stops before them; None when unknown.
    ``estimates_fy1_year`` is the FY1 the estimates file's headers name
    (``EPS 2024E``), None when its columns are FY1 to FY3 without a year.
    """

    universe: pd.DataFrame
    market: pd.DataFrame
    fx: FxTable
    estimates: pd.DataFrame
    indexes: pd.DataFrame
    settings: Settings
    history: pd.DataFrame | None = None
    snapshot_closes: pd.DataFrame | None = None
    estimates_fy1_year: int | None = None

    @classmethod
    def blank(cls, settings: Settings) -> CoverageInputs:
        """Inputs with no company, index or history: what a blank template shows.

        >>> CoverageInputs.blank(Settings(dt.date(2024, 12, 2), 2024)).universe.empty
        True
        """

        def empty(columns: tuple[str, ...]) -> pd.DataFrame:
            return pd.DataFrame(
                {column: pd.Series(dtype=object) for column in columns},
                index=pd.Index([], name="code", dtype=object),
            )

        market = empty(MARKET_COLUMNS)
        market[["close", "shares_mn"]] = market[["close", "shares_mn"]].astype(float)
        estimates = empty(ESTIMATE_COLUMNS)
        for column in (*(f"eps_{slot}" for slot in EPS_SLOTS), "target_multiple"):
            estimates[column] = estimates[column].astype(float)
        return cls(
            universe=empty(UNIVERSE_COLUMNS),
            market=market,
            fx=FxTable({}),
            estimates=estimates,
            indexes=empty(INDEX_COLUMNS),
            settings=settings,
            history=None,
        )
