"""The analyst's desk, what a month published, and what it should have published.

For the year-in-the-life test (``tests/regenerate/test_year_in_the_life.py``),
on the market of :mod:`tests.year_market`:

* :class:`Desk`, the analyst: the estimates as the analyst keeps them, typed
  into the workbook with openpyxl between months as Excel would
  (:func:`type_estimates`, :func:`type_benchmark_er`, :func:`add_own_sheet`);
* readers of what a month published, with openpyxl alone: the workbook's
  figures through its defined names (:func:`published_workbook`), the
  report's ``coverage.xlsx`` (:func:`report_tables`) and revisions table;
* the figures a month must publish (:func:`expected_coverage`,
  :func:`expected_month`, :func:`expected_movers`, :func:`expected_valuation`,
  :func:`expected_revisions`), computed from the month's input files alone,
  read back with pandas, and the analyst's desk, with the core's
  single-purpose functions (``pe``, ``target_price``, ``upside``, ``rate``,
  ``percentile_rank``) and numpy for the returns: never the product's own
  table builders, whose results are what is checked.
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
from tests.year_market import (
    BY_CODE,
    CODES,
    COMPANIES,
    FX_PAIRS,
    INDEXES,
    MonthFiles,
    market_of,
    month_start,
)

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
