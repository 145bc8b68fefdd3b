"""A year in the life of a coverage workbook: twelve monthly cycles across a year end.

One Hong Kong and US coverage (four HK names, two US names, their benchmark
indexes) is built at the end of July 2024 and refreshed every month to June
2025 through the command line, as a research team runs it: each month a new
market snapshot and a longer history, analyst edits typed into the workbook
between months, ``regenerate``, ``validate`` and ``report`` in Chinese and
English, and in May the roll after the 2024 results. The story
(``tests/year_story.py``) crosses the calendar year end, the Lunar New Year
holidays at a January month-end, the March results season, a January whose
history was not refreshed, and a month in which a stock ends where it began.

Every month's published figures (the workbook's stored Coverage,
Performance and Valuation figures; the report's table, movers, valuation
percentiles, sentences and estimate revisions) are checked against figures
computed from the month's input files alone, with the core's functions and
numpy (``tests/year_helpers.py``); never read back from a workbook.

The year runs once per module (about fifteen seconds of work) and each test
reads what it needs from the record.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.year_helpers import (
    OWN_CELLS,
    Desk,
    expected_coverage,
    expected_month,
    expected_movers,
    expected_revisions,
    expected_valuation,
    index_name,
    listed_revisions,
    own_sheet,
    printed_percent,
    report_tables,
    revision_rows,
    short_names,
)
from tests.year_market import BY_CODE, CODES, INDEXES, WORKBOOK, last_trading_day
from tests.year_story import FIRST_FY1, MONTHS, STORY, YearRecord, run_year

pytestmark = pytest.mark.cli


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> YearRecord:
    return run_year(tmp_path_factory.mktemp("year"))


# --------------------------------------------------------------------------- the checks


def _close(actual: Any, expected: float, what: str, rel: float = 1e-9) -> None:
    if isinstance(expected, float) and math.isnan(expected):
        assert actual in (None, ""), f"{what}: expected nothing, got {actual!r}"
        return
    assert isinstance(actual, int | float), f"{what}: expected {expected}, got {actual!r}"
    assert actual == pytest.approx(expected, rel=rel, abs=1e-12), what


def test_every_month_is_refreshed_and_validates_clean(year: YearRecord) -> None:
    for month in year:
        statuses = {w["file"]: w["status"] for w in month.regenerated["workbooks"]}
        assert statuses == {WORKBOOK: "created" if month.end == MONTHS[0] else "updated"}
        findings = [
            (f["rule"], f.get("location")) for file in month.validated["files"]
            for f in file["findings"]
        ]  # fmt: skip
        assert findings == [], f"{month.end}: {findings}"
        assert month.validated["summary"]["exit_code"] == 0


def test_the_dates_follow_the_market_file(year: YearRecord) -> None:
    for month in year:
        settings = month.published["set"].iloc[0]
        assert settings["report_date"].date() == month.data.report_date
        assert settings["period_start"].date() == month.data.period_start
        assert settings["period_end"].date() == month.data.period_end
        assert settings["fy1_year"] == month.desk.fy1
    # Lunar New Year shuts Hong Kong from 29 January 2025: its last close is the 28th.
    january = year.months[6]
    assert january.data.prices.loc["0700.HK", "price_date"].date() == dt.date(2025, 1, 28)
    assert january.data.report_date == dt.date(2025, 1, 31)


def test_the_workbook_shows_each_months_coverage_figures(year: YearRecord) -> None:
    for month in year:
        lang = str(month.published["set"].iloc[0]["lang"])
        expected = expected_coverage(month.data, month.desk, lang)
        shown = month.published["cov"]
        assert list(shown.index) == CODES
        for code, row in expected.iterrows():
            for column in (
                "close", "fx", "market_cap", "eps_lyr", "pe_lyr",
                "target_eps", "target_price", "upside",
            ):  # fmt: skip
                _close(shown.loc[code, column], row[column], f"{month.end} {code} {column}")
            for n in (1, 2, 3):
                for column in (f"eps_fy{n}", f"pe_fy{n}"):
                    _close(shown.loc[code, column], row[column], f"{month.end} {code} {column}")
            assert shown.loc[code, "rating"] == row["rating"], f"{month.end} {code} rating"


def test_the_workbook_shows_each_months_returns(year: YearRecord) -> None:
    for month in year:
        expected = expected_month(month.data)
        shown = month.published["perf"]
        assert set(shown.index) == set(expected.index)
        for code, row in expected.iterrows():
            for column in ("start_close", "end_close", "return"):
                _close(shown.loc[code, column], row[column], f"{month.end} {code} {column}")
            if row["kind"] == "stock":
                for column in ("benchmark_return", "relative_return"):
                    _close(shown.loc[code, column], row[column], f"{month.end} {code} {column}")
            assert not math.isnan(row["return"]), f"{month.end} {code}: no return expected?"


def test_the_workbook_shows_each_months_valuation_percentiles(year: YearRecord) -> None:
    for month in year:
        expected = expected_valuation(month.data)
        shown = month.published["val"]
        assert set(shown.index) == {"HSTECH.HI", "0700.HK"}
        for code, row in expected.iterrows():
            _close(shown.loc[code, "pe_ttm"], row["pe_ttm"], f"{month.end} {code} PE-TTM")
            _close(shown.loc[code, "percentile"], row["percentile"], f"{month.end} {code} pct")
            assert shown.loc[code, "observations"] == row["observations"]
            assert shown.loc[code, "first_date"].date() == row["first_date"]
            assert shown.loc[code, "as_of"].date() == row["as_of"]


def test_the_report_tables_show_each_months_figures(year: YearRecord) -> None:
    checked = 0
    for month in year:
        for lang, folder in month.reports.items():
            where = f"{month.end} {lang}"
            tables = report_tables(folder / "coverage.xlsx", month.desk.fy1)
            coverage = expected_coverage(month.data, month.desk, lang)
            assert list(tables.coverage.index) == CODES, where
            for code, row in coverage.iterrows():
                shown = tables.coverage.loc[code]
                for column in ("close", "market_cap", "eps_fy1", "eps_fy2", "pe_fy1", "pe_fy2"):
                    _close(shown[column], row[column], f"{where} {code} {column}")
                assert shown["rating"] == row["rating"], f"{where} {code} rating"
            returns = expected_month(month.data)
            for code, *_ in INDEXES:
                _close(tables.indexes[code], returns.loc[code, "return"], f"{where} {code}")
            for market in ("HK", "US"):
                leaders, decliners = expected_movers(returns, market)
                rows = tables.movers[tables.movers["market"] == tables.movers["market"].iloc[0]]
                rows = tables.movers[
                    tables.movers["code"].map(lambda c, m=market: BY_CODE[c].market == m)
                ]
                top = rows.iloc[: len(leaders)]
                assert list(top["code"]) == leaders, f"{where} {market} leaders"
                assert list(rows.iloc[len(leaders) :]["code"]) == decliners, f"{where} decliners"
                assert not set(leaders) & set(decliners)
                for _, mover in rows.iterrows():
                    expected = returns.loc[mover["code"]]
                    _close(mover["return"], expected["return"], f"{where} {mover['code']}")
                    _close(mover["benchmark_return"], expected["benchmark_return"], where)
                    _close(mover["relative_points"], expected["relative_return"] * 100, where)
            valuation = expected_valuation(month.data)
            for code, row in valuation.iterrows():
                _close(tables.valuation.loc[code, "percentile"], row["percentile"], where)
                _close(tables.valuation.loc[code, "pe_ttm"], row["pe_ttm"], where)
            checked += 1
    assert checked == sum(len(STORY[m].langs) for m in MONTHS)


def _percent(value: float) -> str:
    return f"{abs(printed_percent(value)):.1f}%"


def _market_sentence(text: str, market: str, lang: str) -> str:
    openings = {
        "zh": {"HK": "港股方面", "US": "美股方面"},
        "en": {"HK": "Among Hong Kong stocks", "US": "Among US stocks"},
    }
    opening = openings[lang][market]
    lines = [line for line in text.splitlines() if opening in line]
    assert len(lines) == 1, f"no single sentence opening {opening!r}:\n{text}"
    return lines[0]


#: How the sentence words the number of risers: one, two, three or more.
RISER_WORDINGS = {
    "zh": ("为本月唯一上涨的股票", "两只股票上涨", "为本月表现前三的股票"),
    "en": ("was the only stock to rise this month", "rose this month", "month's top three"),
}


def _named_at(sentence: str, code: str) -> int | None:
    """Where the sentence names a company, in either language (None: not named).

    Either language: a workbook keeps one name per company, so an English
    report of a Chinese workbook names it in Chinese (see
    test_an_english_report_names_the_companies_in_english).
    """
    found = [sentence.index(name) for name in short_names(code) if name in sentence]
    return min(found) if found else None


def test_the_report_sentences_are_true_to_each_months_numbers(year: YearRecord) -> None:
    seen_wordings = set()
    for month in year:
        returns = expected_month(month.data)
        valuation = expected_valuation(month.data)
        for lang, folder in month.reports.items():
            where = f"{month.end} {lang}"
            text = (folder / "report.md").read_text(encoding="utf-8")
            assert not re.search(r"[+-]0\.0(%|pct)", text), f"{where}: a signed zero"
            for market in ("HK", "US"):
                sentence = _market_sentence(text, market, lang)
                leaders, decliners = expected_movers(returns, market)
                risers = len(expected_movers(returns, market, top=10)[0])
                if not leaders:
                    assert ("无上涨个股" if lang == "zh" else "no stock rose") in sentence, where
                    seen_wordings.add(0)
                else:
                    positions = [_named_at(sentence, code) for code in leaders]
                    assert None not in positions, f"{where}: {leaders} in {sentence}"
                    assert positions == sorted(positions), f"{where}: {sentence}"  # type: ignore[type-var]
                    figures = [_percent(returns.loc[code, "return"]) for code in leaders]
                    if lang == "zh":
                        assert f"单月涨幅为 {'、'.join(figures)}" in sentence, where
                    else:
                        assert "up " + ", ".join(figures[:-1]) in sentence, where
                        assert figures[-1] in sentence, where
                    for code in leaders:
                        points = abs(printed_percent(returns.loc[code, "relative_return"]))
                        assert f"{points:.1f}pct" in sentence, f"{where}: {sentence}"
                    wording = RISER_WORDINGS[lang][min(risers, 3) - 1]
                    assert wording in sentence, f"{where}: {risers} risers: {sentence}"
                    seen_wordings.add(min(risers, 3))
                for code in decliners:
                    assert _named_at(sentence, code) is None, f"{where}: {sentence}"
            for code, *_ in INDEXES:
                shown = printed_percent(returns.loc[code, "return"])
                name = index_name(code, lang)
                if lang == "zh":
                    verb = "上涨" if shown > 0 else "下跌" if shown < 0 else "持平"
                    figure = f"{abs(shown):.1f}%"
                    assert re.search(f"{name}[^。]*{verb}[^。]*{re.escape(figure)}", text), where
                else:
                    verb = "rose" if shown > 0 else "fell" if shown < 0 else "was flat"
                    assert f"the {name} {verb} {abs(shown):.1f}%" in text, where
            index = valuation.loc["HSTECH.HI"]
            percentile = f"{index['percentile'] * 100:.2f}%"
            if lang == "zh":
                # The series starts on 3 January 2023, years after the index's launch.
                assert f"PE-TTM 为 {index['pe_ttm']:.2f}x" in text, where
                assert f"2023 年 1 月 3 日以来 {percentile}分位点" in text, where
                assert "成立以来" not in text, where
            else:
                assert f"traded at {index['pe_ttm']:.2f}x PE-TTM" in text, where
                assert f"{percentile} percentile of its history since 3 January 2023" in text
                assert "since launch" not in text, where
    # The year met every wording: no riser, one, two, three or more.
    assert seen_wordings == {0, 1, 2, 3}


def test_a_stock_that_ends_where_it_began_is_neither_a_gain_nor_a_loss(year: YearRecord) -> None:
    november = next(m for m in year if m.end == dt.date(2024, 11, 30))
    returns = expected_month(november.data)
    amazon = returns.loc["AMZN.O", "return"]
    assert amazon < 0
    assert printed_percent(amazon) == 0.0
    tables = report_tables(november.reports["zh"] / "coverage.xlsx", november.desk.fy1)
    assert "AMZN.O" not in set(tables.movers["code"])
    assert "亚马逊" not in _market_sentence(
        (november.reports["zh"] / "report.md").read_text(encoding="utf-8"), "US", "zh"
    )


def test_analyst_edits_survive_every_later_month(year: YearRecord) -> None:
    own_from = dt.date(2024, 11, 30)
    for month in year:
        inputs = month.published["est"]
        for code, estimate in month.desk.estimates.items():
            where = f"{month.end} {code}"
            for n in (1, 2, 3):
                value = month.desk.slot(code, n)
                shown = inputs.loc[code, f"eps_fy{n}"]
                assert shown == (value if value is not None else None), f"{where} FY{n}"
            assert inputs.loc[code, "target_multiple"] == estimate.target_multiple, where
            assert inputs.loc[code, "target_year"] == estimate.target_year, where
            assert inputs.loc[code, "rating_override"] == estimate.override, where
            assert inputs.loc[code, "override_reason"] == estimate.reason, where
            assert inputs.loc[code, "notes"] == estimate.notes, where
            assert inputs.loc[code, "eps_basis"] == estimate.basis, where
            assert inputs.loc[code, "eps_lyr"] == month.desk.lyr.get(code), where
        assert month.published["bench_er"].to_dict() == month.desk.benchmark_er
        if month.end >= own_from:
            carried = own_sheet(month.workbook)
            assert carried["cells"] == OWN_CELLS, month.end
            assert carried["merged"] == ["A1:C1"]
            assert carried["width"] == 42
            assert carried["format"] == "0.0%"


def test_the_estimates_file_never_overrides_the_analyst(year: YearRecord) -> None:
    first = Desk.first(FIRST_FY1)
    for month in year.months[1:]:
        if month.files.estimates is None:
            continue  # after the roll: last year's file is refused
        # The roll month regenerated before it rolled: April's estimates, untouched in May.
        desk = year.months[9].desk if month.roll else month.desk
        (workbook,) = month.regenerated["workbooks"]
        listed = {(d["code"], d["field"]): (d["workbook"], d["file"])
                  for d in workbook["estimate_differences"]}  # fmt: skip
        expected = {}
        for code, estimate in desk.estimates.items():
            original = first.estimates[code]
            for n in (1, 2, 3):
                year_ = desk.fy1 + n - 1
                if estimate.eps.get(year_) != original.eps.get(year_):
                    expected[(code, f"eps_fy{n}")] = (estimate.eps[year_], original.eps[year_])
            for name, now, then in (
                ("target_multiple", estimate.target_multiple, original.target_multiple),
                ("target_year", estimate.target_year, original.target_year),
                ("eps_basis", estimate.basis, original.basis),
            ):
                if now != then:
                    expected[(code, name)] = (now, then)
        assert listed == expected, month.end
        assert workbook["filled_from_estimates"] == 0


def test_a_month_without_fresh_history_is_refused_not_shown_as_flat(year: YearRecord) -> None:
    january = year.months[6]
    no_history, stale_file, validated, reported = january.refusals
    for attempt, reason in ((no_history, "PE-TTM values of HSTECH.HI, 0700.HK end 2024-12-31"),
                            (stale_file, "2024-12-31")):  # fmt: skip
        assert attempt["exit_code"] == 1
        (workbook,) = attempt["json"]["workbooks"]
        assert workbook["status"] == "failed"
        assert "cannot be computed" in workbook["reason"]
        assert reason in workbook["reason"], workbook["reason"]
    # The stale file's closes stop at November's end: every series is named.
    (workbook,) = stale_file["json"]["workbooks"]
    for code in CODES:
        assert code in workbook["reason"]
    assert validated["exit_code"] == 1
    stale = [f for f in validated["json"]["files"][0]["findings"]
             if f["rule"] == "data.stale-history"]  # fmt: skip
    assert stale, validated["json"]
    assert reported["exit_code"] == 2
    assert "cannot be computed" in reported["text"]
    assert not (reported["root"] / "report.md").exists()
    # Then the month with its history: January's returns, from 31 December.
    returns = expected_month(january.data)
    assert not returns["return"].isna().any()
    start = last_trading_day("HK", dt.date(2024, 12, 31))
    assert january.published["perf"].loc["0700.HK", "start_close"] == pytest.approx(
        float(january.data.closes.query("code == '0700.HK'").set_index("date")["close"].loc[
            pd.Timestamp(start)])
    )  # fmt: skip


def test_the_report_lists_what_it_wrote(year: YearRecord) -> None:
    for month in year:
        for lang, files in month.report_files.items():
            formats = {f["format"] for f in files}
            assert formats == set(STORY[month.end].formats.split(",")), (month.end, lang)
            for item in files:
                assert Path(item["path"]).is_file()
                assert Path(item["path"]).stat().st_size == item["bytes"]


def test_an_english_report_names_the_companies_in_english(year: YearRecord) -> None:
    month = year.months[0]
    text = (month.reports["en"] / "report.md").read_text(encoding="utf-8")
    for code in CODES:
        assert BY_CODE[code].name not in text
    tables = report_tables(month.reports["en"] / "coverage.xlsx", month.desk.fy1)
    assert tables.coverage.index.tolist() == CODES


ROLL_MONTH = MONTHS[10]


def test_the_roll_after_results_is_warned_of_then_done_once(year: YearRecord) -> None:
    """FY1 2024 ended on 31 December; in May, four months on, validate warns; the roll clears it."""
    for month in year:
        if month.end < ROLL_MONTH:
            assert month.desk.fy1 == 2024
    may = next(m for m in year if m.end == ROLL_MONTH)
    (file,) = may.roll["warned"]["files"]
    assert [(f["rule"], f["severity"], f["sheet"]) for f in file["findings"]] == [
        ("data.fy1-not-rolled", "warning", "Settings")
    ]
    assert "xlmodels roll" in file["findings"][0]["fix"]
    assert may.roll["warned"]["summary"]["exit_code"] == 0
    # The dry run says what would move and writes nothing.
    assert may.roll["dry_run"]["exit_code"] == 0
    assert not may.roll["dry_run_wrote"]
    (dry,) = may.roll["dry_run"]["json"]["workbooks"]
    assert (dry["roll"]["from_year"], dry["roll"]["to_year"]) == (2024, 2025)
    (rolled,) = may.roll["rolled"]["workbooks"]
    assert rolled["status"] == "updated"
    assert (rolled["roll"]["from_year"], rolled["roll"]["to_year"]) == (2024, 2025)
    before = year.months[9].desk  # April's desk: the estimates as they were before the roll
    for company in rolled["roll"]["companies"]:
        code = company["code"]
        moved = {(m["from"], m["to"]): (m["year"], m["eps"]) for m in company["moved"]}
        assert moved == {
            ("eps_fy1", "eps_lyr"): (2024, before.estimates[code].eps[2024]),
            ("eps_fy2", "eps_fy1"): (2025, before.estimates[code].eps[2025]),
            ("eps_fy3", "eps_fy2"): (2026, before.estimates[code].eps[2026]),
        }, code
        assert company["target_year"]["to"] == may.desk.estimates[code].target_year
    # Once is enough: a second roll finds FY1 in progress and leaves the file alone.
    (again,) = may.roll["again"]["workbooks"]
    assert again["status"] == "unchanged"
    assert not may.roll["again_wrote"]
    # After the roll the workbook validates clean again (test_every_month_...), on FY1 2025.
    assert may.published["set"].iloc[0]["fy1_year"] == 2025


def test_after_the_roll_pe_target_and_rating_follow_the_new_fiscal_years(
    year: YearRecord,
) -> None:
    april, may, june = year.months[9], year.months[10], year.months[11]
    for code in CODES:
        # FY1 is now 2025: the EPS that was FY2 in April, its PE on May's close.
        assert may.published["est"].loc[code, "eps_fy1"] == april.desk.estimates[code].eps[2025]
        assert may.published["est"].loc[code, "eps_fy3"] is None  # FY3 (2027E) left to fill
        close = may.data.prices.loc[code, "close"]
        fx = may.published["cov"].loc[code, "fx"]
        assert may.published["cov"].loc[code, "pe_fy1"] == pytest.approx(
            close / (april.desk.estimates[code].eps[2025] * fx)
        )
        assert may.published["cov"].loc[code, "pe_fy3"] is None
    # Targets on FY2 (2025) moved to FY1, still 2025: the same target EPS as in April.
    for code in ("0700.HK", "9988.HK", "1810.HK", "PDD.O", "AMZN.O"):
        assert may.desk.estimates[code].target_year == "FY1"
        assert may.published["cov"].loc[code, "target_eps"] == pytest.approx(
            april.published["cov"].loc[code, "target_eps"]
        )
    # Meituan's blended target weighs the new FY1 by the share of 2025 still ahead.
    weight = (dt.date(2025, 12, 31) - may.data.report_date).days / 365
    eps = may.desk.estimates["3690.HK"].eps
    assert may.published["cov"].loc["3690.HK", "target_eps"] == pytest.approx(
        weight * eps[2025] + (1 - weight) * eps[2026]
    )
    # In June the analyst values Tencent on the new FY2, 2026.
    assert june.published["cov"].loc["0700.HK", "target_eps"] == pytest.approx(
        june.desk.estimates["0700.HK"].eps[2026]
    )
    for lang in ("zh", "en"):
        # report_tables finds the PE and EPS columns by the years they name.
        assert report_tables(may.reports[lang] / "coverage.xlsx", 2025).coverage.index.tolist()


def test_last_years_estimates_file_is_refused_after_the_roll(year: YearRecord) -> None:
    june = year.months[11]
    assert june.old_estimates["exit_code"] == 1
    (workbook,) = june.old_estimates["json"]["workbooks"]
    assert workbook["status"] == "failed"
    assert "FY1 2024" in workbook["reason"]
    assert "FY1 is 2025" in workbook["reason"]


def test_the_old_fy1_is_kept_as_eps_lyr_and_gives_pe_lyr(year: YearRecord) -> None:
    may, june = year.months[10], year.months[11]
    (rolled,) = may.roll["rolled"]["workbooks"]
    assert rolled["roll"]["eps_lyr_kept"]
    for month in year:
        for code in CODES:
            lyr = month.published["est"].loc[code, "eps_lyr"]
            if month.end < ROLL_MONTH:
                assert lyr is None, (month.end, code)  # nothing reported was typed
                continue
            # 2024's EPS as the analyst left it after the March results.
            assert lyr == year.months[9].desk.estimates[code].eps[2024], (month.end, code)
            close = month.data.prices.loc[code, "close"]
            fx = month.published["cov"].loc[code, "fx"]
            assert month.published["cov"].loc[code, "pe_lyr"] == pytest.approx(close / (lyr * fx))
    assert june.desk.lyr == may.desk.lyr


def test_the_report_lists_each_months_revisions(year: YearRecord) -> None:
    """EPS the analyst changed, target prices and ratings that moved, against last month."""
    kinds = set()
    for number, month in enumerate(year):
        for lang, folder in month.reports.items():
            where = f"{month.end} {lang}"
            rows = revision_rows((folder / "report.md").read_text(encoding="utf-8"))
            if number == 0:
                # Built, never regenerated: the folder has no revision history yet.
                assert rows is None, where
                continue
            assert rows is not None, where
            if number == 1:
                # The first record is August's own: nothing to compare with.
                assert rows == [], where
                continue
            before = year.months[number - 1]
            expected = expected_revisions(
                (before.data, before.desk), (month.data, month.desk), lang
            )
            assert listed_revisions(rows) == expected, where
            kinds |= {what.split()[0] for _, what, *_ in expected}
    assert kinds == {"EPS", "target", "rating"}
