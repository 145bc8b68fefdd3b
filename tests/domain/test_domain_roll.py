"""Rolling estimates a fiscal year: which EPS goes where, which year to roll to, what is refused."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xlmodels.domain.roll import (
    LYR_COLUMN,
    RollRefused,
    fiscal_year_end,
    roll_estimates,
    roll_years,
    year_in_progress,
)

DECEMBER = (12, 31)
MARCH = (3, 31)


def _estimates(lyr: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "eps_basis": ["adjusted", "reported", "adjusted", "reported", None, "adjusted"],
            "eps_fy1": [24.1, 11.2, 7.1, -1.2, np.nan, 3.0],
            "eps_fy2": [26.3, 12.0, 8.6, 0.4, np.nan, np.nan],
            "eps_fy3": [29.0, np.nan, 9.9, 0.9, np.nan, np.nan],
            "target_multiple": [20.0, 15.0, 25.0, 12.0, np.nan, 10.0],
            "target_year": ["FY2", "FY1", "blended", "FY3", None, "fy2"],
            "rating_override": [None, "中性", None, None, None, None],
            "override_reason": [None, "a reason", None, None, None, None],
            "notes": ["note", None, None, None, "new name", None],
        },
        index=pd.Index(["0700.HK", "9999.HK", "3690.HK", "1111.HK", "3888.HK", "2222.HK"]),
    )
    if lyr:
        frame.insert(1, LYR_COLUMN, [21.0, np.nan, np.nan, np.nan, np.nan, np.nan])
    return frame


def test_each_eps_moves_one_slot_and_the_old_fy1_becomes_the_last_reported_year() -> None:
    rolled = roll_estimates(_estimates(), 2024)
    frame = rolled.estimates
    assert (rolled.from_year, rolled.to_year) == (2024, 2025)
    assert frame.loc["0700.HK", ["eps_lyr", "eps_fy1", "eps_fy2"]].tolist() == [24.1, 26.3, 29.0]
    assert frame["eps_fy3"].isna().all()
    assert frame.loc["3690.HK", ["eps_lyr", "eps_fy1", "eps_fy2"]].tolist() == [7.1, 8.6, 9.9]
    # Nothing is made up where a slot was blank.
    assert np.isnan(frame.loc["9999.HK", "eps_fy2"])
    assert frame.loc["3888.HK", ["eps_lyr", "eps_fy1", "eps_fy2"]].isna().all()


def test_every_other_input_is_kept_as_it_was() -> None:
    before = _estimates()
    after = roll_estimates(before, 2024).estimates
    kept = ["eps_basis", "target_multiple", "rating_override", "override_reason", "notes"]
    pd.testing.assert_frame_equal(after[kept], before[kept])
    assert list(after.columns) == list(before.columns)
    assert list(after.index) == list(before.index)


def test_the_target_stays_on_its_calendar_year_and_one_on_fy1_moves_on_and_is_listed() -> None:
    rolled = roll_estimates(_estimates(), 2024)
    years = [v if isinstance(v, str) else None for v in rolled.estimates["target_year"]]
    assert years == ["FY1", "FY1", "blended", "FY2", None, "FY1"]
    by_code = {company.code: company for company in rolled.companies}
    assert by_code["0700.HK"].target_year == ("FY2", "FY1")
    assert by_code["2222.HK"].target_year == ("FY2", "FY1")  # typed in lower case
    assert rolled.target_moved == ("9999.HK",)
    assert by_code["9999.HK"].target_year == ("FY1", "FY1")
    assert by_code["3888.HK"].target_year is None
    assert "target PE on FY1 moved from 2024E to 2025E for 9999.HK" in rolled.summary()


def test_a_company_without_fy2_has_no_fy1_after_the_roll_and_is_named() -> None:
    rolled = roll_estimates(_estimates(), 2024)
    assert rolled.without_fy1 == ("2222.HK",)
    assert np.isnan(rolled.estimates.loc["2222.HK", "eps_fy1"])
    assert "no FY1 EPS now (no FY2 before) for 2222.HK" in rolled.summary()


def test_what_moved_is_listed_by_slot_with_its_value() -> None:
    rolled = roll_estimates(_estimates(), 2024)
    tencent = next(c for c in rolled.companies if c.code == "0700.HK")
    assert tencent.moved == (
        ("eps_fy1", "eps_lyr", 24.1),
        ("eps_fy2", "eps_fy1", 26.3),
        ("eps_fy3", "eps_fy2", 29.0),
    )
    listed = rolled.as_dict()
    assert listed["from_year"] == 2024
    assert listed["to_year"] == 2025
    moves = listed["companies"][0]["moved"]
    assert [(m["from"], m["to"], m["year"], m["eps"]) for m in moves] == [
        ("eps_fy1", "eps_lyr", 2024, 24.1),
        ("eps_fy2", "eps_fy1", 2025, 26.3),
        ("eps_fy3", "eps_fy2", 2026, 29.0),
    ]


def test_without_a_last_reported_year_column_the_old_fy1_leaves() -> None:
    rolled = roll_estimates(_estimates(lyr=False), 2024)
    assert LYR_COLUMN not in rolled.estimates.columns
    assert not rolled.keeps_lyr
    tencent = rolled.companies[0]
    assert tencent.moved[0] == ("eps_fy1", None, 24.1)
    assert "2024E out of the estimates" in rolled.summary()


def test_fiscal_years_are_named_by_the_year_they_end_in() -> None:
    assert fiscal_year_end(2025, MARCH) == dt.date(2025, 3, 31)
    assert year_in_progress(dt.date(2025, 3, 30), MARCH) == 2025
    assert year_in_progress(dt.date(2025, 3, 31), MARCH) == 2026  # the year-end day is over
    assert year_in_progress(dt.date(2024, 12, 30), DECEMBER) == 2024
    assert year_in_progress(dt.date(2024, 12, 31), DECEMBER) == 2025


@pytest.mark.parametrize(
    ("fy1", "report", "year_end", "years"),
    [
        (2024, dt.date(2024, 12, 30), DECEMBER, 0),  # FY1 not over yet
        (2024, dt.date(2024, 12, 31), DECEMBER, 1),  # over on its year-end
        (2024, dt.date(2025, 3, 31), DECEMBER, 1),
        (2025, dt.date(2025, 3, 31), DECEMBER, 0),  # rolled already: a second run does nothing
        (2025, dt.date(2025, 3, 30), MARCH, 0),
        (2025, dt.date(2025, 5, 20), MARCH, 1),
        (2026, dt.date(2025, 3, 31), DECEMBER, 0),  # rolled early: left alone
    ],
)
def test_by_default_a_workbook_rolls_once_its_fy1_has_ended(
    fy1: int, report: dt.date, year_end: tuple[int, int], years: int
) -> None:
    assert roll_years(fy1, report, year_end)[0] == years


def test_the_reason_names_the_years_and_the_way_to_roll_anyway() -> None:
    years, why = roll_years(2025, dt.date(2025, 3, 31), DECEMBER)
    assert years == 0
    assert "FY1 2025 ends on 2025-12-31, after the report date 2025-03-31" in why
    assert "--to 2026" in why


def test_an_explicit_year_rolls_one_year_or_does_nothing_at_that_year() -> None:
    report = dt.date(2024, 11, 29)  # before FY1 ends: --to rolls anyway
    assert roll_years(2024, report, DECEMBER, to=2025)[0] == 1
    assert roll_years(2025, report, DECEMBER, to=2025) == (
        0,
        "FY1 is 2025 already: nothing to roll",
    )


def test_a_jump_of_two_years_or_a_roll_back_is_refused_with_the_way_forward() -> None:
    with pytest.raises(RollRefused, match=r"roll one year at a time \(--to 2025 first\)"):
        roll_years(2024, dt.date(2025, 3, 31), DECEMBER, to=2026)
    with pytest.raises(RollRefused, match="never back"):
        roll_years(2025, dt.date(2025, 3, 31), DECEMBER, to=2024)
    # Two fiscal years behind its report date: the default roll is refused too.
    with pytest.raises(RollRefused, match=r"2 fiscal years before the report date 2025-03-31"):
        roll_years(2023, dt.date(2025, 3, 31), DECEMBER)
