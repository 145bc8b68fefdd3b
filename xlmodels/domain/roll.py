"""Rolling estimates one fiscal year, as a broker does when a company reports its annual results.

After the results the reported year leaves the forecast window: FY2 becomes
FY1, FY3 becomes FY2, FY3 is left blank for the analyst, and the old FY1
EPS is kept as the last reported year (``eps_lyr``, where the estimates
have that column) for a PE LYR. The calendar year of FY1 moves on by one,
and the target multiple keeps applying to the same calendar year where it
can:

* a target on FY2 (or FY3) moves to FY1 (or FY2): the same calendar year,
  one slot earlier, so its target price does not move;
* a target on FY1 stays on FY1, the new one: its year was reported, so the
  target now applies one year later and its price moves
  (:attr:`CompanyRoll.target_moved` says so, for the analyst to review);
* a blended target stays blended: its weights follow the new FY1's
  remaining share.

Nothing is invented: a company without an FY2 estimate has no FY1 after the
roll (:attr:`CompanyRoll.no_fy1`), never a copy of an older year.

Which year to roll to is :func:`roll_years`: one year at a time, and by
default to the fiscal year in progress on the report date, so running a
roll twice rolls once.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"eps_fy1": [24.1], "eps_fy2": [26.3], "eps_fy3": [29.0],
...     "target_year": ["FY2"]}, index=pd.Index(["0700.HK"], name="code"))
>>> rolled = roll_estimates(frame, 2024)
>>> row = rolled.estimates.loc["0700.HK"]
>>> float(row["eps_fy1"]), float(row["eps_fy2"]), row["target_year"], rolled.to_year
(26.3, 29.0, 'FY1', 2025)
>>> bool(rolled.estimates["eps_fy3"].isna().all())
True
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from xlmodels.domain.model import FISCAL_YEARS, TARGET_YEARS

__all__ = [
    "LYR_COLUMN",
    "CompanyRoll",
    "EstimatesRoll",
    "RollRefused",
    "fiscal_year_end",
    "months_after",
    "roll_estimates",
    "roll_years",
    "year_in_progress",
]

#: The estimates column that keeps the last reported year's EPS.
LYR_COLUMN = "eps_lyr"

#: Where each target year goes when the estimates roll one year.
_TARGET_AFTER_ROLL = {"FY1": "FY1", "FY2": "FY1", "FY3": "FY2", "blended": "blended"}


class RollRefused(ValueError):
    """A roll that would give wrong numbers or undo one: the message says what to do instead."""


def fiscal_year_end(year: int, year_end: tuple[int, int]) -> dt.date:
    """The last day of fiscal ``year`` whose year-end is ``(month, day)``.

    A fiscal year is named by the calendar year it ends in (FY2025 of a
    company closing its books on 31 March ends on 2025-03-31), as
    :meth:`~xlmodels.domain.model.Settings.fy1_remaining` counts it.

    >>> fiscal_year_end(2024, (12, 31)), fiscal_year_end(2025, (3, 31))
    (datetime.date(2024, 12, 31), datetime.date(2025, 3, 31))
    """
    month, day = year_end
    return dt.date(year, month, day)


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later, or that month's last day if it is shorter.

    How long after a fiscal year-end its results are due: four months after
    31 December is 30 April.

    >>> months_after(dt.date(2024, 12, 31), 4), months_after(dt.date(2025, 3, 31), 4)
    (datetime.date(2025, 4, 30), datetime.date(2025, 7, 31))
    >>> months_after(dt.date(2024, 8, 31), 6)
    datetime.date(2025, 2, 28)
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def year_in_progress(day: dt.date, year_end: tuple[int, int]) -> int:
    """The fiscal year under way on ``day``: the first whose year-end comes after it.

    On the year-end itself that year is over (no share of it remains).

    >>> year_in_progress(dt.date(2025, 3, 31), (12, 31))
    2025
    >>> year_in_progress(dt.date(2024, 12, 31), (12, 31))
    2025
    >>> year_in_progress(dt.date(2025, 5, 20), (3, 31))
    2026
    """
    if fiscal_year_end(day.year, year_end) > day:
        return day.year
    return day.year + 1


def roll_years(
    fy1_year: int, report_date: dt.date, year_end: tuple[int, int], to: int | None = None
) -> tuple[int, str]:
    """How many years to roll a workbook whose FY1 is ``fy1_year``: 0 or 1, and why.

    Parameters
    ----------
    fy1_year : int
        The workbook's FY1 (its ``fy1_year`` setting).
    report_date : date
        The workbook's report date.
    year_end : (month, day)
        The fiscal year-end.
    to : int, optional
        The FY1 asked for (``--to``). Default: the fiscal year in progress
        on the report date (:func:`year_in_progress`), so that a workbook
        whose FY1 has not ended is left alone and a second run does nothing.

    Returns
    -------
    (int, str)
        1 and the reason to roll, or 0 and why there is nothing to roll.

    Raises
    ------
    RollRefused
        When ``to`` lies before FY1 (a roll never goes back), or the roll
        would jump more than one year: the old FY2 would pass for a reported
        year and FY2 would be left blank, so each year is rolled on its own,
        with the estimates checked in between.

    Examples
    --------
    >>> roll_years(2024, dt.date(2025, 3, 31), (12, 31))
    (1, 'FY1 2024 ended on 2024-12-31, before the report date 2025-03-31')
    >>> roll_years(2025, dt.date(2025, 3, 31), (12, 31))[0]
    0
    >>> roll_years(2025, dt.date(2025, 3, 31), (12, 31), to=2025)
    (0, 'FY1 is 2025 already: nothing to roll')
    """
    if to is not None:
        if to == fy1_year:
            return 0, f"FY1 is {fy1_year} already: nothing to roll"
        if to < fy1_year:
            raise RollRefused(
                f"FY1 is {fy1_year}, after {to}: a roll moves estimates forward, never back"
            )
        if to > fy1_year + 1:
            raise RollRefused(
                f"FY1 is {fy1_year}, {to - fy1_year} years before {to}: roll one year at a "
                f"time (--to {fy1_year + 1} first), checking the estimates in between, so that "
                "no estimate passes for a reported year"
            )
        return 1, f"FY1 {fy1_year} rolled to {to} as asked"
    ended = fiscal_year_end(fy1_year, year_end)
    current = year_in_progress(report_date, year_end)
    if current <= fy1_year:
        return 0, (
            f"FY1 {fy1_year} ends on {ended.isoformat()}, after the report date "
            f"{report_date.isoformat()}: nothing to roll (--to {fy1_year + 1} rolls it anyway)"
        )
    if current > fy1_year + 1:
        raise RollRefused(
            f"FY1 {fy1_year} ended on {ended.isoformat()}, {current - fy1_year} fiscal years "
            f"before the report date {report_date.isoformat()}: roll one year at a time "
            f"(--to {fy1_year + 1} first), checking the estimates in between"
        )
    return 1, (
        f"FY1 {fy1_year} ended on {ended.isoformat()}, before the report date "
        f"{report_date.isoformat()}"
    )


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


@dataclass(frozen=True)
class CompanyRoll:
    """What a roll did to one company's estimates.

    Attributes
    ----------
    code : str
    moved : tuple of (from, to, EPS)
        Each EPS that changed slot, as column keys: ``("eps_fy2", "eps_fy1",
        26.3)``; the old FY1 goes to ``eps_lyr`` (or to ``None`` where the
        estimates keep no last reported year).
    target_year : (old, new) or None
        The target multiple's year before and after, None where none is set.
    target_moved : bool
        The target applied to the old FY1, whose year is now reported: it
        applies to the new FY1, a year later, and the target price moves.
    no_fy1 : bool
        The company had no FY2 EPS, so it has no FY1 after the roll.
    """

    code: str
    moved: tuple[tuple[str, str | None, float], ...]
    target_year: tuple[str, str] | None = None
    target_moved: bool = False
    no_fy1: bool = False

    def as_dict(self, years: dict[str, int]) -> dict[str, Any]:
        """Plain data; ``years`` maps a column key to its calendar year after the roll."""
        return {
            "code": self.code,
            "moved": [
                {"from": source, "to": target, "year": years.get(source), "eps": value}
                for source, target, value in self.moved
            ],
            "target_year": None
            if self.target_year is None
            else {"from": self.target_year[0], "to": self.target_year[1]},
            "target_moved_a_year": self.target_moved,
            "no_fy1": self.no_fy1,
        }


@dataclass(frozen=True)
class EstimatesRoll:
    """Estimates rolled one fiscal year, and what moved.

    ``estimates`` has the columns it was given; ``companies`` lists every
    company in its row order.
    """

    from_year: int
    to_year: int
    estimates: pd.DataFrame
    companies: tuple[CompanyRoll, ...]

    @property
    def keeps_lyr(self) -> bool:
        return LYR_COLUMN in self.estimates.columns

    def source_years(self) -> dict[str, int]:
        """The calendar year each slot's EPS was for before the roll (``eps_fy2`` -> 2025)."""
        return {f"eps_{slot}": self.from_year + i for i, slot in enumerate(FISCAL_YEARS)}

    @property
    def target_moved(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.companies if c.target_moved)

    @property
    def without_fy1(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.companies if c.no_fy1)

    def summary(self) -> str:
        """One sentence: the years, what moved, what the analyst must look at."""
        moved = sum(1 for c in self.companies if c.moved)
        lyr = "to LYR" if self.keeps_lyr else "out of the estimates"
        head = f"FY1 {self.from_year} -> {self.to_year}: "
        if moved:
            head += (
                f"EPS of {moved} of {len(self.companies)} companies moved ({self.to_year}E to "
                f"FY1, {self.to_year + 1}E to FY2, {self.from_year}E {lyr}), "
                f"FY3 ({self.to_year + 2}E) blank to fill in"
            )
        else:
            head += "no company has EPS to move"
        parts = [head]
        if self.target_moved:
            parts.append(
                f"target PE on FY1 moved from {self.from_year}E to {self.to_year}E for "
                + ", ".join(self.target_moved)
            )
        if self.without_fy1:
            parts.append("no FY1 EPS now (no FY2 before) for " + ", ".join(self.without_fy1))
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        years = self.source_years()
        return {
            "from_year": self.from_year,
            "to_year": self.to_year,
            "eps_lyr_kept": self.keeps_lyr,
            "target_moved_a_year": list(self.target_moved),
            "without_fy1": list(self.without_fy1),
            "companies": [company.as_dict(years) for company in self.companies],
        }


def _target_after(value: Any) -> tuple[str, str] | None:
    if not isinstance(value, str) or not value.strip():
        return None
    folded = {choice.casefold(): choice for choice in TARGET_YEARS}
    known = folded.get(value.strip().casefold())
    if known is None:
        return None  # not a choice: the reader refuses such a workbook before a roll
    return known, _TARGET_AFTER_ROLL[known]


def roll_estimates(estimates: pd.DataFrame, fy1_year: int) -> EstimatesRoll:
    """Roll analyst estimates one fiscal year (see the module's table for the target year).

    Parameters
    ----------
    estimates : DataFrame
        Indexed by code, with ``eps_fy1``, ``eps_fy2``, ``eps_fy3`` and
        optionally ``target_year`` and :data:`LYR_COLUMN`; other columns
        (basis, multiple, override, notes) are kept as they are.
    fy1_year : int
        FY1's calendar year before the roll.

    Returns
    -------
    EstimatesRoll
        The rolled estimates (FY1 = old FY2, FY2 = old FY3, FY3 blank, LYR =
        old FY1) with FY1 in ``fy1_year + 1``, and what moved per company.
    """
    rolled = estimates.copy()
    fy1, fy2, fy3 = (f"eps_{slot}" for slot in FISCAL_YEARS)
    keeps_lyr = LYR_COLUMN in rolled.columns
    rolled[fy1] = pd.to_numeric(estimates[fy2], errors="coerce").astype(float)
    rolled[fy2] = pd.to_numeric(estimates[fy3], errors="coerce").astype(float)
    rolled[fy3] = float("nan")
    if keeps_lyr:
        rolled[LYR_COLUMN] = pd.to_numeric(estimates[fy1], errors="coerce").astype(float)
    companies = []
    has_target = "target_year" in estimates.columns
    targets: list[Any] = []
    for code in estimates.index:
        row = estimates.loc[code]
        moved: list[tuple[str, str | None, float]] = []
        for source, target in ((fy1, LYR_COLUMN if keeps_lyr else None), (fy2, fy1), (fy3, fy2)):
            value = _number(row[source])
            if value is not None:
                moved.append((source, target, value))
        target_year = _target_after(row["target_year"]) if has_target else None
        if has_target:
            targets.append(row["target_year"] if target_year is None else target_year[1])
        companies.append(
            CompanyRoll(
                code=str(code),
                moved=tuple(moved),
                target_year=target_year,
                target_moved=target_year is not None and target_year[0] == "FY1",
                no_fy1=_number(row[fy1]) is not None and _number(row[fy2]) is None,
            )
        )
    if has_target:
        rolled["target_year"] = pd.Series(targets, index=rolled.index, dtype=object)
    return EstimatesRoll(fy1_year, fy1_year + 1, rolled, tuple(companies))
