"""A synthetic year of a Hong Kong and US market, written as the project's input files.

:class:`Year` generates, from a fixed seed, the daily closes of four Hong
Kong and two US internet names and of their benchmark indexes on each
market's own trading calendar (Christmas, Lunar New Year and Easter holidays
included), the PE-TTM series of an index (from 2023) and of a company (from
2024), and month-end FX rates and share counts (buybacks shrink some).
:func:`write_month` writes any month-end's files in the formats of
``docs/templates/*.csv``: universe, indexes, the market snapshot (closes on
each market's last trading day, FX rows) and the long history to date. The
year-in-the-life test (``tests/regenerate/test_year_in_the_life.py``) runs on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240731

#: The month-ends of the year: built in July 2024, refreshed each month to June 2025.
MONTH_ENDS = [
    dt.date(2024, 7, 31),
    dt.date(2024, 8, 31),
    dt.date(2024, 9, 30),
    dt.date(2024, 10, 31),
    dt.date(2024, 11, 30),
    dt.date(2024, 12, 31),
    dt.date(2025, 1, 31),
    dt.date(2025, 2, 28),
    dt.date(2025, 3, 31),
    dt.date(2025, 4, 30),
    dt.date(2025, 5, 31),
    dt.date(2025, 6, 30),
]

#: Closes start here; the index's PE-TTM series a year and a half earlier.
CLOSES_FROM = dt.date(2024, 1, 2)
INDEX_PE_FROM = dt.date(2023, 1, 3)

GROUP = "China Internet"
WORKBOOK = "china-internet.xlsx"

#: Days each market is shut on a weekday (the exchanges' 2023-2025 calendars, abridged).
HOLIDAYS = {
    "HK": {
        "2023-01-02", "2023-01-23", "2023-01-24", "2023-01-25", "2023-04-05", "2023-04-07",
        "2023-04-10", "2023-05-01", "2023-05-26", "2023-06-22", "2023-09-29", "2023-10-02",
        "2023-10-23", "2023-12-25", "2023-12-26", "2024-01-01", "2024-02-12", "2024-02-13",
        "2024-03-29", "2024-04-01", "2024-04-04", "2024-05-01", "2024-05-15", "2024-06-10",
        "2024-07-01", "2024-09-18", "2024-10-01", "2024-10-11", "2024-12-25", "2024-12-26",
        "2025-01-01", "2025-01-29", "2025-01-30", "2025-01-31", "2025-04-04", "2025-04-18",
        "2025-04-21", "2025-05-01", "2025-05-05",
    },
    "US": {
        "2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19",
        "2023-07-04", "2023-09-04", "2023-11-23", "2023-12-25", "2024-01-01", "2024-01-15",
        "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02",
        "2024-11-28", "2024-12-25", "2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17",
        "2025-04-18", "2025-05-26", "2025-06-19",
    },
}  # fmt: skip


@dataclass(frozen=True)
class Company:
    """A covered company and the analyst's first estimates (EPS by calendar year)."""

    code: str
    name: str
    name_en: str
    market: str
    price_currency: str
    eps_currency: str
    benchmark: str
    first_close: float
    shares_mn: float
    eps: dict[int, float]
    target_multiple: float
    target_year: str


COMPANIES = (
    Company("0700.HK", "腾讯控股", "Tencent", "HK", "HKD", "CNY", "HSTECH.HI", 372.0, 9300.0,
            {2024: 22.5, 2025: 25.8, 2026: 28.9, 2027: 32.0}, 20.0, "FY2"),
    Company("9988.HK", "阿里巴巴-W", "Alibaba", "HK", "HKD", "CNY", "HSTECH.HI", 75.0, 19100.0,
            {2024: 8.1, 2025: 9.0, 2026: 10.2, 2027: 11.3}, 9.0, "FY2"),
    Company("3690.HK", "美团-W", "Meituan", "HK", "HKD", "CNY", "HSTECH.HI", 110.0, 6200.0,
            {2024: 5.6, 2025: 6.9, 2026: 8.3, 2027: 9.8}, 18.0, "FY2"),
    Company("1810.HK", "小米集团-W", "Xiaomi", "HK", "HKD", "CNY", "HSTECH.HI", 17.0, 24900.0,
            {2024: 0.78, 2025: 0.95, 2026: 1.15, 2027: 1.35}, 22.0, "FY2"),
    Company("PDD.O", "拼多多", "PDD Holdings", "US", "USD", "CNY", "IXIC.GI", 135.0, 1390.0,
            {2024: 78.0, 2025: 90.5, 2026: 103.0, 2027: 115.0}, 9.0, "FY2"),
    Company("AMZN.O", "亚马逊", "Amazon", "US", "USD", "USD", "IXIC.GI", 190.0, 10500.0,
            {2024: 5.2, 2025: 6.1, 2026: 7.0, 2027: 7.9}, 32.0, "FY2"),
)  # fmt: skip
CODES = [company.code for company in COMPANIES]
BY_CODE = {company.code: company for company in COMPANIES}

#: Benchmark indexes: code, names, market, first level, PE-TTM on the first day.
INDEXES = (
    ("HSTECH.HI", "恒生科技指数", "Hang Seng TECH Index", "HK", 3800.0, 21.0),
    ("IXIC.GI", "纳斯达克指数", "NASDAQ Composite", "US", 17600.0, None),
)
INDEX_MARKET = {code: market for code, _, _, market, _, _ in INDEXES}

#: FX pairs of the market file: price-currency units per EPS-currency unit.
FX_PAIRS = {("CNY", "HKD"): ("CNYHKD", 1.085), ("CNY", "USD"): ("CNYUSD", 0.1385)}

#: A month in which a stock's close ends where it began, to the cent or nearly:
#: its return prints 0.0%, neither a gain nor a loss.
FLAT_MONTHS = {("AMZN.O", dt.date(2024, 11, 30))}


def trading_days(market: str, start: dt.date, end: dt.date) -> pd.DatetimeIndex:
    """The weekdays a market trades between two dates (both included)."""
    days = pd.bdate_range(start, end)
    shut = pd.DatetimeIndex(sorted(HOLIDAYS[market]))
    return days.difference(shut)


def last_trading_day(market: str, day: dt.date) -> dt.date:
    """The market's last trading day on or before ``day``."""
    days = trading_days(market, day - dt.timedelta(days=20), day)
    return days[-1].date()


def market_of(code: str) -> str:
    return BY_CODE[code].market if code in BY_CODE else INDEX_MARKET[code]


def month_start(month_end: dt.date) -> dt.date:
    """The period start of a month: the previous month's last calendar day."""
    return month_end.replace(day=1) - dt.timedelta(days=1)


class Year:
    """The synthetic market of the year, generated once from :data:`SEED`.

    ``closes`` has one column per company and index, a row per day either
    market traded, NaN where a market was shut; ``pe_ttm`` the PE-TTM series
    of HSTECH.HI (from 2023) and of Tencent (from 2024); ``fx`` a rate per
    month-end and pair; ``shares`` a count per month-end and company (share
    buybacks shrink some).
    """

    def __init__(self, seed: int = SEED) -> None:
        rng = np.random.default_rng(seed)
        end = MONTH_ENDS[-1]
        hk = trading_days("HK", INDEX_PE_FROM, end)
        us = trading_days("US", INDEX_PE_FROM, end)
        days = hk.union(us)
        self.days = days
        factor = rng.normal(0.0, 0.012, len(days))
        columns: dict[str, np.ndarray] = {}
        for code, _, _, market, level, _ in INDEXES:
            moves = factor * (1.0 if market == "HK" else 0.8) + rng.normal(0.0, 0.006, len(days))
            columns[code] = level * np.exp(np.cumsum(moves))
        for company in COMPANIES:
            beta = rng.uniform(0.8, 1.3)
            moves = beta * factor + rng.normal(0.0004, 0.017, len(days))
            columns[company.code] = np.exp(np.cumsum(moves))
        closes = pd.DataFrame(columns, index=days)
        # Each company at its first close at the end of June 2024, a month before the build.
        anchor = closes.index.get_indexer([pd.Timestamp("2024-06-28")])[0]
        for company in COMPANIES:
            closes[company.code] *= company.first_close / closes[company.code].iloc[anchor]
        for code in closes.columns:
            open_days = trading_days(market_of(code), INDEX_PE_FROM, end)
            closes.loc[~closes.index.isin(open_days), code] = np.nan
        closes = closes.round(2)
        for code, month_end in FLAT_MONTHS:
            self._make_flat(closes, code, month_end)
        self.closes = closes
        # PE-TTM: the index's level over slowly growing earnings; Tencent's likewise.
        growth = np.exp(np.linspace(0.0, 0.12, len(days)))
        index_level = closes["HSTECH.HI"].ffill()
        pe = pd.DataFrame(index=days)
        pe["HSTECH.HI"] = (21.0 * index_level / index_level.iloc[0] / growth).round(2)
        tencent = closes["0700.HK"].ffill()
        pe["0700.HK"] = (tencent / 20.4 / growth).round(2)
        pe.loc[closes["HSTECH.HI"].isna(), :] = np.nan
        pe.loc[pe.index < pd.Timestamp(CLOSES_FROM), "0700.HK"] = np.nan
        self.pe_ttm = pe
        self.fx = {
            month_end: {
                pair: round(rate * (1 + rng.normal(0.0, 0.004)), 4)
                for pair, (_, rate) in FX_PAIRS.items()
            }
            for month_end in MONTH_ENDS
        }
        self.shares = {}
        counts = {company.code: company.shares_mn for company in COMPANIES}
        for month_end in MONTH_ENDS:
            for code in ("0700.HK", "9988.HK", "AMZN.O"):
                counts[code] = round(counts[code] * (1 - rng.uniform(0.0, 0.004)), 1)
            self.shares[month_end] = dict(counts)

    @staticmethod
    def _make_flat(closes: pd.DataFrame, code: str, month_end: dt.date) -> None:
        market = market_of(code)
        before = pd.Timestamp(last_trading_day(market, month_start(month_end)))
        at = pd.Timestamp(last_trading_day(market, month_end))
        target = round(float(closes.loc[before, code]) * (1 - 0.0002), 2)
        closes.loc[closes.index >= at, code] *= target / float(closes.loc[at, code])
        closes[code] = closes[code].round(2)

    def close(self, code: str, day: dt.date) -> tuple[dt.date, float]:
        """The last close of ``code`` on or before ``day``, with its date."""
        series = self.closes[code].loc[: pd.Timestamp(day)].dropna()
        return series.index[-1].date(), float(series.iloc[-1])


@dataclass
class MonthFiles:
    """The input files of one month."""

    universe: Path
    market: Path
    indexes: Path
    history: Path
    estimates: Path | None = None

    def arguments(self, *, history: Path | bool = True) -> list[str]:
        """Command-line options; ``history`` False leaves the history out, a path replaces it."""
        out = ["--universe", str(self.universe), "--market", str(self.market)]
        out += ["--indexes", str(self.indexes)]
        if history is True:
            out += ["--history", str(self.history)]
        elif isinstance(history, Path):
            out += ["--history", str(history)]
        if self.estimates is not None:
            out += ["--estimates", str(self.estimates)]
        return out


def write_universe(folder: Path) -> Path:
    path = folder / "universe.csv"
    pd.DataFrame(
        {
            "code": CODES,
            "name": [c.name for c in COMPANIES],
            "name_en": [c.name_en for c in COMPANIES],
            "market": [c.market for c in COMPANIES],
            "price_currency": [c.price_currency for c in COMPANIES],
            "eps_currency": [c.eps_currency for c in COMPANIES],
            "benchmark": [c.benchmark for c in COMPANIES],
            "analyst": "Analyst",
            "coverage_group": GROUP,
        }
    ).to_csv(path, index=False)
    return path


def write_indexes(folder: Path) -> Path:
    path = folder / "indexes.csv"
    pd.DataFrame(
        [(code, zh, en, market, "HKD" if market == "HK" else "USD")
         for code, zh, en, market, _, _ in INDEXES],
        columns=["code", "name", "name_en", "market", "currency"],
    ).to_csv(path, index=False)  # fmt: skip
    return path


def write_estimates(folder: Path, fy1: int) -> Path:
    """The analyst's first estimates, the EPS headers naming their years (``EPS 2024E``)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "estimates.csv"
    frame = pd.DataFrame({"code": CODES, "eps_basis": "adjusted"})
    for offset in range(3):
        frame[f"EPS {fy1 + offset}E"] = [c.eps[fy1 + offset] for c in COMPANIES]
    frame["target_multiple"] = [c.target_multiple for c in COMPANIES]
    frame["target_year"] = [c.target_year for c in COMPANIES]
    frame.to_csv(path, index=False)
    return path


def write_month(
    year: Year, folder: Path, month_end: dt.date, *, history_through: dt.date | None = None
) -> MonthFiles:
    """The month's files: the market snapshot at month-end and the history to date.

    ``history_through`` ends the history file earlier than the month-end
    (a vendor export taken before the close, or one not refreshed at all).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for company in COMPANIES:
        day, close = year.close(company.code, month_end)
        rows.append((company.code, company.name, close, day, year.shares[month_end][company.code],
                     company.price_currency))  # fmt: skip
    for code, name, _, market, _, _ in INDEXES:
        day, close = year.close(code, month_end)
        rows.append((code, name, close, day, None, "HKD" if market == "HK" else "USD"))
    fx_day = pd.bdate_range(month_end - dt.timedelta(days=6), month_end)[-1].date()
    for pair, (code, _) in FX_PAIRS.items():
        rows.append((code, None, year.fx[month_end][pair], fx_day, None, pair[1]))
    market = pd.DataFrame(
        rows, columns=["code", "name", "close", "price_date", "shares_mn", "currency"]
    )
    market_path = folder / "market.csv"
    market.to_csv(market_path, index=False)
    through = pd.Timestamp(history_through or month_end)
    closes = year.closes.loc[pd.Timestamp(CLOSES_FROM) : through]
    pe = year.pe_ttm.loc[:through]
    long = [
        frame.rename_axis("date").reset_index().melt("date", var_name="code", value_name=field)
        for frame, field in ((closes, "close"), (pe, "pe_ttm"))
    ]
    history = long[0].merge(long[1], on=["date", "code"], how="outer")
    history = history.dropna(subset=["close", "pe_ttm"], how="all")
    history = history.sort_values(["date", "code"], kind="stable")
    history["date"] = history["date"].dt.strftime("%Y-%m-%d")
    history_path = folder / "history.csv"
    history.to_csv(history_path, index=False)
    return MonthFiles(write_universe(folder), market_path, write_indexes(folder), history_path)
