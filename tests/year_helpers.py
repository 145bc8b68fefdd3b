"""A year of a Hong Kong and US coverage: input files, the analyst's desk, expected figures.

The year-in-the-life test (``tests/regenerate/test_year_in_the_life.py``)
runs twelve monthly cycles from these pieces:

* :class:`Year`, a synthetic but realistic market (deterministic seed): daily
  closes of four Hong Kong and two US names and of their benchmark indexes on
  each market's own trading calendar (Christmas, Lunar New Year and Easter
  holidays included), PE-TTM series of an index and of a company, month-end
  FX rates and share counts, written as the project's input files
  (``docs/templates/*.csv``) for any month;
* :class:`Desk`, the analyst: the estimates as the analyst keeps them, typed
  into the workbook with openpyxl between months as Excel would;
* the expected figures of a month (:func:`expected_coverage`,
  :func:`expected_month`, :func:`expected_valuation`), computed from the input
  files alone, read back with pandas, and the analyst's desk, with the core's
  single-purpose functions (``pe``, ``target_price``, ``upside``, ``rate``,
  ``percentile_rank``) and numpy for the returns: never the product's own
  table builders, whose results are what is checked;
* readers of what a month published (:func:`published_workbook`), with
  openpyxl alone and the workbook's defined names.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd

import xlmodels as xm

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


# --------------------------------------------------------------------------- the analyst


@dataclass
class Estimate:
    """One company's inputs as the analyst keeps them: EPS by fiscal year, target, rating."""

    eps: dict[int, float]
    target_multiple: float
    target_year: str
    basis: str = "adjusted"
    override: str | None = None
    reason: str | None = None
    notes: str | None = None


@dataclass
class Desk:
    """What the analyst has typed into the workbook, kept apart from the workbook.

    ``fy1`` is the workbook's FY1; ``lyr`` the last reported year's EPS once
    the estimates have rolled; ``benchmark_er`` the expected return of each
    market's rating benchmark (Settings).
    """

    fy1: int
    estimates: dict[str, Estimate]
    benchmark_er: dict[str, float] = field(default_factory=lambda: {"HK": 0.0, "US": 0.0})
    lyr: dict[str, float] = field(default_factory=dict)

    @classmethod
    def first(cls, fy1: int) -> Desk:
        """The desk as the first estimates file sets it: FY1 to FY3 from ``fy1``."""
        return cls(
            fy1,
            {
                c.code: Estimate(
                    {y: c.eps[y] for y in range(fy1, fy1 + 3)}, c.target_multiple, c.target_year
                )
                for c in COMPANIES
            },
        )

    def slot(self, code: str, number: int) -> float | None:
        """EPS of FY``number`` (1, 2 or 3), None where the analyst has none."""
        return self.estimates[code].eps.get(self.fy1 + number - 1)

    def years(self, code: str) -> dict[int, float]:
        """A company's EPS by fiscal year: the last reported one (once rolled) and the estimates."""
        reported = {self.fy1 - 1: self.lyr[code]} if code in self.lyr else {}
        return {**reported, **self.estimates[code].eps}

    def roll(self) -> None:
        """Roll one year after the results, as the manual says a roll does.

        FY2 becomes FY1, FY3 FY2, FY3 is blank; the old FY1 is the last
        reported year. A target keeps its calendar year (FY2 -> FY1, FY3 ->
        FY2); one on FY1 stays on FY1, a year later; a blended one stays blended.
        """
        for code, estimate in self.estimates.items():
            self.lyr[code] = estimate.eps.pop(self.fy1)
            later = {"FY2": "FY1", "FY3": "FY2"}
            estimate.target_year = later.get(estimate.target_year, estimate.target_year)
        self.fy1 += 1


#: Estimates fields and the defined name of their column on the Estimates sheet.
ESTIMATE_NAMES = {
    "eps_fy1": "est_eps_fy1",
    "eps_fy2": "est_eps_fy2",
    "eps_fy3": "est_eps_fy3",
    "eps_lyr": "est_eps_lyr",
    "target_multiple": "est_target_multiple",
    "target_year": "est_target_year",
    "rating_override": "est_rating_override",
    "override_reason": "est_override_reason",
    "notes": "est_notes",
    "eps_basis": "est_eps_basis",
}


def _name_cells(book: Any, name: str) -> list[Any]:
    """The cells a defined name covers, top to bottom (one column or one row)."""
    sheet, reference = next(iter(book.defined_names[name].destinations))
    cells = book[sheet][reference.replace("$", "")]
    if not isinstance(cells, tuple):
        return [cells]
    return [cell for row in cells for cell in (row if isinstance(row, tuple) else (row,))]


def type_estimates(path: Path, edits: dict[str, dict[str, Any]]) -> None:
    """Type into the Estimates sheet, as an analyst in Excel: ``{code: {field: value}}``.

    Rows and columns are found as the analyst finds them, by the code and by
    the defined name of the column, so the edit lands where Excel shows it.
    """
    book = openpyxl.load_workbook(path)
    codes = [cell.value for cell in _name_cells(book, "est_code")]
    for code, fields in edits.items():
        row = codes.index(code)
        for name, value in fields.items():
            _name_cells(book, ESTIMATE_NAMES[name])[row].value = value
    book.save(path)


def type_benchmark_er(path: Path, market: str, value: float) -> None:
    """Type a market's benchmark expected return in Settings."""
    book = openpyxl.load_workbook(path)
    markets = [cell.value for cell in _name_cells(book, "set_bench_er_market")]
    _name_cells(book, "set_bench_er")[markets.index(market)].value = value
    book.save(path)


#: The analyst's own sheet: a title, merged; the month's thesis; a live formula.
OWN_SHEET = "Analyst notes"
OWN_CELLS = {
    "A1": "Thesis tracker",
    "A3": "Tencent: games pipeline and ad load",
    "B3": 0.15,
    "A4": "Tencent target price, from Coverage",
    "B4": '=INDEX(cov_target_price,MATCH("0700.HK",cov_code,0))',
}


def add_own_sheet(path: Path) -> None:
    """Add a sheet of the analyst's own, with text, a number, a formula, a merge and widths."""
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet(OWN_SHEET)
    for reference, value in OWN_CELLS.items():
        sheet[reference] = value
    sheet.merge_cells("A1:C1")
    sheet.column_dimensions["A"].width = 42
    sheet["B3"].number_format = "0.0%"
    book.save(path)


def own_sheet(path: Path) -> dict[str, Any]:
    """The analyst's own sheet as carried: its cells, merges, width and number format."""
    book = openpyxl.load_workbook(path)
    sheet = book[OWN_SHEET]
    return {
        "cells": {reference: sheet[reference].value for reference in OWN_CELLS},
        "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
        "width": sheet.column_dimensions["A"].width,
        "format": sheet["B3"].number_format,
    }


# --------------------------------------------------------------------------- what was published


def published_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """The workbook's figures as stored, read with openpyxl alone through its defined names.

    One frame per block (``cov``, ``est``, ``perf``, ``val``, ``set``), indexed
    by code (Settings: one row), with the column the name gives
    (``cov_pe_fy1`` -> ``pe_fy1``). Formulas give the value stored with them.
    """
    book = openpyxl.load_workbook(path, data_only=True)
    columns: dict[str, dict[str, list[Any]]] = {}
    for name in book.defined_names:
        prefix, _, key = name.partition("_")
        if prefix in ("cov", "est", "perf", "val", "set"):
            columns.setdefault(prefix, {})[key] = [cell.value for cell in _name_cells(book, name)]
    out = {}
    for prefix, values in columns.items():
        if prefix == "set":
            out[prefix] = pd.DataFrame({k: [v[0]] for k, v in values.items() if len(v) == 1})
            out["bench_er"] = pd.Series(values["bench_er"], index=values["bench_er_market"])
            continue
        frame = pd.DataFrame({k: v for k, v in values.items()}).set_index("code")
        # A blank cell is None whatever the column's other values.
        out[prefix] = frame.astype(object).where(frame.notna(), None)
    return out


# --------------------------------------------------------------------------- what it should say

#: A close may stand for a period boundary up to this many days after it (holidays).
MAX_CLOSE_AGE = dt.timedelta(days=10)


@dataclass(frozen=True)
class MonthData:
    """A month's input files read back with pandas alone: what the month's figures rest on."""

    prices: pd.DataFrame  # code -> close, price_date, shares_mn (companies and indexes)
    fx: dict[tuple[str, str], float]  # (EPS currency, price currency) -> rate
    closes: pd.DataFrame  # long: date, code, close (history file and market snapshot)
    pe_ttm: pd.DataFrame  # long: date, code, pe_ttm
    report_date: dt.date
    period_start: dt.date

    @property
    def period_end(self) -> dt.date:
        return self.report_date


def read_month(files: MonthFiles) -> MonthData:
    market = pd.read_csv(files.market, dtype={"code": str}, parse_dates=["price_date"])
    pairs = {code: pair for pair, (code, _) in FX_PAIRS.items()}
    fx = {pairs[row.code]: float(row.close) for row in market.itertuples() if row.code in pairs}
    prices = market[~market["code"].isin(list(pairs))].set_index("code")
    history = pd.read_csv(files.history, dtype={"code": str}, parse_dates=["date"])
    # The market file's closes are closes on its price dates, as much as the history's.
    snapshot = prices.reset_index()[["price_date", "code", "close"]].rename(
        columns={"price_date": "date"}
    )
    closes = pd.concat([history[["date", "code", "close"]].dropna(), snapshot])
    closes = closes.drop_duplicates(subset=["date", "code"], keep="last")
    report_date = market["price_date"].max().date()
    return MonthData(
        prices=prices,
        fx=fx,
        closes=closes.sort_values("date", kind="stable"),
        pe_ttm=history[["date", "code", "pe_ttm"]].dropna(),
        report_date=report_date,
        period_start=month_start(report_date),
    )


def fy1_weight(report_date: dt.date, fy1: int) -> float:
    """Share of FY1 still ahead on the report date; 0 once FY1 has ended."""
    end = dt.date(fy1, 12, 31)
    if report_date >= end:
        return 0.0
    return float(xm.fy1_remaining(report_date, end))


def expected_coverage(month: MonthData, desk: Desk, lang: str) -> pd.DataFrame:
    """The coverage table the month must show, by code, from the files and the desk.

    Columns: ``close``, ``fx``, ``market_cap``, ``eps_fy1..3``, ``pe_fy1..3``,
    ``eps_lyr``, ``pe_lyr``, ``target_eps``, ``target_price``, ``upside``, ``rating``.
    """
    rows = {}
    weight = fy1_weight(month.report_date, desk.fy1)
    for company in COMPANIES:
        estimate = desk.estimates[company.code]
        close = float(month.prices.loc[company.code, "close"])
        shares = float(month.prices.loc[company.code, "shares_mn"])
        same = company.eps_currency == company.price_currency
        fx = 1.0 if same else month.fx[(company.eps_currency, company.price_currency)]
        eps = {n: desk.slot(company.code, n) for n in (1, 2, 3)}
        row: dict[str, Any] = {"close": close, "fx": fx, "market_cap": xm.market_cap(close, shares)}
        for n, value in eps.items():
            row[f"eps_fy{n}"] = math.nan if value is None else value
            row[f"pe_fy{n}"] = math.nan if value is None else float(xm.pe(close, value, fx))
        # The last reported year, once a roll has kept it: its static PE (LYR).
        lyr = desk.lyr.get(company.code)
        row["eps_lyr"] = math.nan if lyr is None else lyr
        row["pe_lyr"] = math.nan if lyr is None else float(xm.pe_lyr(close, lyr, fx))
        choice = estimate.target_year
        if choice == "blended":
            target_eps = float(xm.blended_eps(eps[1], eps[2], weight))
        else:
            picked = eps[int(choice[-1])]
            target_eps = math.nan if picked is None else picked
        row["target_eps"] = target_eps
        row["target_price"] = float(xm.target_price(target_eps, estimate.target_multiple, fx))
        row["upside"] = float(xm.upside(row["target_price"], close))
        if estimate.override:
            row["rating"] = estimate.override.strip()
        else:
            er = desk.benchmark_er[company.market]
            row["rating"] = xm.rate(row["upside"], er, "guosen", lang)
        rows[company.code] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def _last_on_or_before(series: pd.Series, day: dt.date) -> tuple[dt.date, float] | None:
    upto = series.loc[: pd.Timestamp(day)]
    if upto.empty:
        return None
    return upto.index[-1].date(), float(upto.iloc[-1])


def expected_month(month: MonthData) -> pd.DataFrame:
    """Each company's and index's return over the month, and against its benchmark.

    From the closes of the history file and the market snapshot, numpy only:
    the last close on or before each period boundary, which must be at most
    :data:`MAX_CLOSE_AGE` old (else the figure cannot be computed: NaN).
    """
    codes = [*CODES, *(code for code, *_ in INDEXES)]
    rows = {}
    for code in codes:
        series = month.closes[month.closes["code"] == code].set_index("date")["close"]
        points = []
        for day in (month.period_start, month.period_end):
            found = _last_on_or_before(series, day)
            fresh = found is not None and day - found[0] <= MAX_CLOSE_AGE
            points.append(found[1] if fresh and found is not None else math.nan)
        start, end = np.array(points)
        rows[code] = {
            "kind": "stock" if code in BY_CODE else "index",
            "market": market_of(code),
            "benchmark": BY_CODE[code].benchmark if code in BY_CODE else None,
            "start_close": start,
            "end_close": end,
            "return": float(np.divide(end, start) - 1.0),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    bench = table["benchmark"].map(table["return"])
    table["benchmark_return"] = bench.astype(float)
    table["relative_return"] = np.subtract(table["return"], table["benchmark_return"])
    return table


def printed_percent(value: float) -> float:
    """A fraction as the report prints it in %, one decimal (0.0 for a figure that rounds to 0)."""
    return round(value * 100, 1) + 0.0


def expected_movers(month: pd.DataFrame, market: str, top: int = 3) -> tuple[list[str], list[str]]:
    """The market's named leaders (risers, best first, at most ``top``) and its decliners.

    A riser's return prints above 0.0%, a decliner's below: a return that
    prints 0.0% is neither.
    """
    stocks = month[(month["kind"] == "stock") & (month["market"] == market)]
    shown = stocks["return"].map(printed_percent)
    risers = stocks[shown > 0].sort_values("return", ascending=False, kind="stable")
    fallers = stocks[shown < 0].sort_values("return", ascending=True, kind="stable")
    return list(risers.index[:top]), list(fallers.index)


def expected_valuation(month: MonthData) -> pd.DataFrame:
    """Each PE-TTM series today: value, percentile (share of history below), span."""
    rows = {}
    for code, series in month.pe_ttm.groupby("code", sort=False):
        ordered = series.sort_values("date")
        values = ordered["pe_ttm"].to_numpy(dtype=float)
        rows[code] = {
            "pe_ttm": values[-1],
            "percentile": float(xm.percentile_rank(values, method="strict")),
            "first_date": ordered["date"].iloc[0].date(),
            "as_of": ordered["date"].iloc[-1].date(),
            "observations": len(values),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------- the report's files


@dataclass(frozen=True)
class ReportTables:
    """The figures of a report's ``coverage.xlsx``, stored as numbers."""

    coverage: pd.DataFrame  # by code: rating, close, market_cap, eps_fyN, pe_fyN
    indexes: pd.Series  # code -> the month's return
    movers: pd.DataFrame  # rows: market, list, rank, code, return, benchmark_return, relative
    valuation: pd.DataFrame  # by code: pe_ttm, percentile, observations


#: Headers of the report's coverage table by what they hold: a header starts with one of these.
_COVERAGE_HEADERS = {
    "code": ("公司代码", "Code"),
    "rating": ("投资评级", "Rating"),
    "close": ("昨收盘", "Close"),
    "market_cap": ("总市值", "Mkt cap"),
}


def report_tables(path: Path, fy1: int) -> ReportTables:
    """Read a report's ``coverage.xlsx``; the EPS and PE columns are found by the years they name.

    A table that does not name FY1 and FY2 as ``fy1`` and the year after has
    no such column, and the lookup fails.
    """
    book = openpyxl.load_workbook(path, data_only=True)
    sheets = book.worksheets
    rows = list(sheets[0].iter_rows(min_row=2, values_only=True))
    headers = [str(h) for h in rows[0]]
    starts = dict(_COVERAGE_HEADERS)
    for offset in range(2):
        starts[f"eps_fy{offset + 1}"] = (f"EPS {fy1 + offset}E",)
        starts[f"pe_fy{offset + 1}"] = (f"PE {fy1 + offset}E",)
    where = {}
    for key, prefixes in starts.items():
        found = [i for i, h in enumerate(headers) if h.startswith(prefixes)]
        assert len(found) == 1, f"{path}: no single column for {key} in {headers}"
        where[key] = found[0]
    coverage = pd.DataFrame(
        [{key: row[i] for key, i in where.items()} for row in rows[1:] if row[0] is not None]
    ).set_index("code")
    month = list(sheets[1].iter_rows(min_row=3, values_only=True))
    blank = next(i for i, row in enumerate(month) if row[0] is None)
    indexes = pd.Series({row[0]: row[2] for row in month[:blank]}, dtype=float)
    keys = ["market", "list", "rank", "code", "name", "return", "benchmark", "benchmark_return"]
    movers = pd.DataFrame(
        [dict(zip([*keys, "relative_points"], row, strict=False)) for row in month[blank + 2 :]],
        columns=[*keys, "relative_points"],
    )
    valuation_rows = list(sheets[2].iter_rows(min_row=3, values_only=True))
    valuation = pd.DataFrame(
        [
            {"code": r[0], "pe_ttm": r[4], "percentile": r[5], "observations": r[6]}
            for r in valuation_rows
            if r[0] is not None
        ],
        columns=["code", "pe_ttm", "percentile", "observations"],
    ).set_index("code")
    return ReportTables(coverage, indexes, movers, valuation)


def short_name(code: str, lang: str) -> str:
    """A company's name as running text writes it: English, or Chinese without ``-W``."""
    company = BY_CODE[code]
    return company.name_en if lang == "en" else company.name.removesuffix("-W")


def short_names(code: str) -> tuple[str, str]:
    """The company's running-text names in Chinese and in English."""
    return short_name(code, "zh"), short_name(code, "en")


def index_name(code: str, lang: str) -> str:
    return next(en if lang == "en" else zh for c, zh, en, *_ in INDEXES if c == code)


def revision_rows(markdown: str) -> list[list[str]] | None:
    """The rows of a report's estimate revisions table; None without the section, [] empty."""
    lines = markdown.splitlines()
    titles = ("## 盈利预测调整", "## Estimate revisions")
    starts = [i for i, line in enumerate(lines) if line.strip() in titles]
    if not starts:
        return None
    rows = []
    for line in lines[starts[0] + 1 :]:
        if line.startswith("## "):
            break
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[1:]  # the header row is not a revision


def expected_revisions(
    before: tuple[MonthData, Desk], after: tuple[MonthData, Desk], lang: str
) -> set[tuple[str, str, str, str, str]]:
    """The revisions a report lists against last month's record, as printed.

    Rows ``(code, what, before, after, change)``: ``what`` is ``EPS <year>``,
    ``target`` or ``rating``. An EPS is listed by fiscal year when its value
    changed (a reported year kept as LYR is the same year); a target price
    when it prints differently (two decimals); a rating when it changed
    (``up`` or ``down``).
    """
    tiers = {
        "zh": ["弱于大市", "中性", "优于大市"],
        "en": ["Underperform", "Neutral", "Outperform"],
    }
    old_table = expected_coverage(*before, lang)
    new_table = expected_coverage(*after, lang)

    def change(old: float, new: float) -> str:
        shown = round((new - old) / abs(old) * 100, 1) + 0.0
        return f"{shown:+.1f}%" if shown else "0.0%"

    rows = set()
    for code in CODES:
        old_years, new_years = before[1].years(code), after[1].years(code)
        for year in sorted(set(old_years) | set(new_years)):
            old, new = old_years.get(year), new_years.get(year)
            if old != new:
                rows.add((code, f"EPS {year}", "-" if old is None else f"{old:.2f}",
                          "-" if new is None else f"{new:.2f}",
                          "" if old is None or new is None else change(old, new)))  # fmt: skip
        old_tp, new_tp = old_table.loc[code, "target_price"], new_table.loc[code, "target_price"]
        if f"{old_tp:.2f}" != f"{new_tp:.2f}":
            rows.add((code, "target", f"{old_tp:.2f}", f"{new_tp:.2f}", change(old_tp, new_tp)))
        old_rating, new_rating = old_table.loc[code, "rating"], new_table.loc[code, "rating"]
        if old_rating != new_rating:
            up = tiers[lang].index(new_rating) > tiers[lang].index(old_rating)
            rows.add((code, "rating", old_rating, new_rating, "up" if up else "down"))
    return rows


def listed_revisions(rows: list[list[str]]) -> set[tuple[str, str, str, str, str]]:
    """A report's revision rows in :func:`expected_revisions`' terms."""
    out = set()
    for code, _, item, old, new, change in rows:
        if item.startswith("EPS "):
            what = f"EPS {item[4:8]}"
        elif item in ("目标价", "Target price"):
            what = "target"
        elif item in ("投资评级", "Rating"):
            what = "rating"
            change = {"上调": "up", "upgrade": "up", "下调": "down", "downgrade": "down"}[change]
        else:
            raise AssertionError(f"a revision of something unexpected: {item}")
        out.add((code, what, old, new, change))
    return out
