"""The month's report data and sentences against the reference report's own text.

The quotations below are the reference report's 行情回顾 statements as
printed (December 2024 internet-sector monthly), the PDF's line breaks
removed. The generated sentences must reproduce them, with one deliberate
correction: the report prints "跑赢纳斯达克指数 ... -0.1pct" for Weibo; a
clean output says it underperformed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from xlmodels.core.display import format_percent, format_points
from xlmodels.domain.model import CoverageInputs
from xlmodels.errors import InputError
from xlmodels.report.month import (
    IndexMove,
    MarketMovers,
    MonthReport,
    build_month_report,
    short_name,
)
from xlmodels.report.sentences import (
    index_sentence,
    month_sentences,
    movers_sentence,
    valuation_sentence,
)
from xlmodels.sources import sample

REPORT_INDEXES = (
    "11 月恒生科技指数单月下跌 3.2%。同期，纳斯达克互联网指数录得上涨，单月涨幅为 9.2%。"
)
REPORT_HONG_KONG = (
    "港股方面，金山软件、网易、金蝶国际为本月表现前三的股票，单月涨幅为 16.7%、9.1%、7.7%，"
    "跑赢恒生科技指数 20.0pct、12.3pct、11.0pct。"
)
REPORT_US_AS_PRINTED = (
    "美股方面，SEA、亚马逊、微博为本月表现前三的股票，单月涨幅为 21.0%、11.5%、6.1%，"
    "跑赢纳斯达克指数 14.8pct、5.3pct、-0.1pct。"
)
REPORT_VALUATION = (
    "从市盈率看，恒生科技指数估值有下降：截至 2024 年 12 月 2 日，恒生科技指数 PE-TTM 为 20.59x，"
    "处于恒生科技指数成立以来 8.85%分位点。"
)
# The report's indexes sentence quotes the Hang Seng TECH and the NASDAQ Internet index.
QUOTED = ["HSTECH.HI", "QNET.GI"]


def _split(inputs: CoverageInputs) -> list[CoverageInputs]:
    """The sample as two workbooks: the Hong Kong group and the US group."""
    groups = []
    for market in ("HK", "US"):
        codes = inputs.universe.index[inputs.universe["market"] == market]
        benchmarks = set(inputs.universe.loc[codes, "benchmark"])
        keep_index = [c for c in inputs.indexes.index if c in benchmarks or market == "US"]
        history = inputs.history
        assert history is not None
        groups.append(
            dataclasses.replace(
                inputs,
                universe=inputs.universe.loc[codes],
                market=inputs.market.reindex(codes),
                estimates=inputs.estimates.loc[inputs.estimates.index.intersection(codes)],
                indexes=inputs.indexes.loc[keep_index],
                history=history[history["code"].isin([*codes, *keep_index])],
            )
        )
    return groups


@pytest.fixture(scope="module")
def zh() -> MonthReport:
    return build_month_report(sample.load_inputs("zh"), index_codes=QUOTED)


@pytest.fixture(scope="module")
def en() -> MonthReport:
    return build_month_report(sample.load_inputs("zh"), lang="en", index_codes=QUOTED)


def test_the_index_sentence_is_the_reports(zh: MonthReport) -> None:
    assert month_sentences(zh).indexes == REPORT_INDEXES


def test_the_hong_kong_movers_sentence_is_the_reports(zh: MonthReport) -> None:
    markets = dict(month_sentences(zh).markets)
    assert markets["港股"] == REPORT_HONG_KONG


def test_the_us_sentence_says_weibo_underperformed_by_0_1pct(zh: MonthReport) -> None:
    us = dict(month_sentences(zh).markets)["美股"]
    assert us == (
        "美股方面，SEA、亚马逊、微博为本月表现前三的股票，单月涨幅为 21.0%、11.5%、6.1%，"
        "SEA、亚马逊跑赢纳斯达克指数 14.8pct、5.3pct，微博跑输 0.1pct。"
    )
    # Everything up to the outperformance clause is the report's own text.
    assert us.startswith(REPORT_US_AS_PRINTED.split("跑赢")[0])
    assert "-" not in us.split("跑赢")[1]


def test_the_valuation_sentence_is_the_reports(zh: MonthReport) -> None:
    assert month_sentences(zh).valuation == (REPORT_VALUATION,)


def test_english_sentences(en: MonthReport) -> None:
    sentences = month_sentences(en)
    assert sentences.indexes == (
        "In November, the Hang Seng TECH Index fell 3.2%. "
        "Over the same period, the NASDAQ Internet Index rose 9.2%."
    )
    hong_kong, us = (text for _, text in sentences.markets)
    assert hong_kong == (
        "Among Hong Kong stocks, Kingsoft, NetEase and Kingdee were the month's top three "
        "performers, up 16.7%, 9.1% and 7.7%, outperforming the Hang Seng TECH Index by "
        "20.0pct, 12.3pct and 11.0pct respectively."
    )
    assert us == (
        "Among US stocks, Sea Ltd, Amazon and Weibo were the month's top three performers, "
        "up 21.0%, 11.5% and 6.1%; Sea Ltd and Amazon outperformed the NASDAQ Composite by "
        "14.8pct and 5.3pct respectively, while Weibo underperformed it by 0.1pct."
    )
    assert sentences.valuation == (
        "On PE, the Hang Seng TECH Index's valuation fell over the month: as of "
        "2 December 2024, the Hang Seng TECH Index traded at 20.59x PE-TTM, "
        "at the 8.85% percentile of its history since launch.",
    )


def test_two_workbooks_give_the_same_month_as_one(zh: MonthReport) -> None:
    groups = _split(sample.load_inputs("zh"))
    split = build_month_report(groups, index_codes=QUOTED)
    assert month_sentences(split) == month_sentences(zh)
    assert [group.title for group in split.groups] == ["HK Internet", "US Internet"]
    # Each stock is measured against its own benchmark, from its own workbook.
    us = split.markets[1].gainers
    assert set(us["benchmark"]) == {"IXIC.GI"}


def test_workbooks_of_different_months_are_refused() -> None:
    hong_kong, us = _split(sample.load_inputs())
    moved = dataclasses.replace(
        us, settings=dataclasses.replace(us.settings, period_end=pd.Timestamp("2024-12-31").date())
    )
    with pytest.raises(InputError, match="one report covers one month"):
        build_month_report([hong_kong, moved])


def test_a_report_without_a_period_is_refused() -> None:
    inputs = sample.load_inputs()
    bare = dataclasses.replace(
        inputs, settings=dataclasses.replace(inputs.settings, period_start=None)
    )
    with pytest.raises(InputError, match="no performance period"):
        build_month_report(bare)


def test_an_unknown_quoted_index_is_refused() -> None:
    with pytest.raises(InputError, match=r"'HSI\.HI'"):
        build_month_report(sample.load_inputs(), index_codes=["HSI.HI"])


def test_by_default_every_priced_index_is_quoted_benchmarks_first() -> None:
    report = build_month_report(sample.load_inputs())
    assert [move.code for move in report.indexes] == ["HSTECH.HI", "IXIC.GI", "QNET.GI"]
    assert month_sentences(report).indexes == (
        "11 月恒生科技指数单月下跌 3.2%。同期，纳斯达克指数录得上涨，单月涨幅为 6.2%；"
        "纳斯达克互联网指数录得上涨，单月涨幅为 9.2%。"
    )


def test_decliners_and_risers_of_each_market() -> None:
    report = build_month_report(sample.load_inputs(), chart_n=2)
    hong_kong, us = report.markets
    assert hong_kong.decliners.index.tolist() == ["9988.HK", "3690.HK", "0700.HK"]
    assert hong_kong.leaders.index.tolist() == ["3888.HK", "9999.HK"]
    assert us.decliners.empty
    assert hong_kong.benchmarks()[0][:2] == ("HSTECH.HI", "恒生科技指数")


def _market(rows: dict[str, tuple[float, float, str]], name: str = "美股") -> MarketMovers:
    """A market whose named stocks have (return, relative return, benchmark name)."""
    frame = pd.DataFrame(
        {
            "return": [r for r, _, _ in rows.values()],
            "relative_return": [rel for _, rel, _ in rows.values()],
            "benchmark_name": [b for _, _, b in rows.values()],
            "short_name": list(rows),
        },
        index=list(rows),
    )
    frame["benchmark"] = frame["benchmark_name"]
    frame["benchmark_return"] = frame["return"] - frame["relative_return"]
    return MarketMovers("US", name, frame, frame, frame.iloc[0:0])


def test_all_underperforming_reads_paoshu_with_positive_figures() -> None:
    market = _market({"A": (0.02, -0.031, "纳指"), "B": (0.01, -0.041, "纳指")})
    text = movers_sentence(market, "zh")
    assert text.endswith("单月涨幅为 2.0%、1.0%，跑输纳指 3.1pct、4.1pct。")
    assert "跑赢" not in text
    english = movers_sentence(dataclasses.replace(market, name="US"), "en")
    assert english.endswith(
        "up 2.0% and 1.0%, underperforming the 纳指 by 3.1pct and 4.1pct respectively."
    )


def test_a_relative_return_that_prints_as_zero_reads_in_line() -> None:
    market = _market({"A": (0.05, 0.02, "纳指"), "B": (0.03, -0.0004, "纳指")})
    assert movers_sentence(market, "zh").endswith("A跑赢纳指 2.0pct，B与纳指持平。")
    assert movers_sentence(dataclasses.replace(market, name="US"), "en").endswith(
        "; A outperformed the 纳指 by 2.0pct, while B performed in line with it."
    )


def test_mixed_benchmarks_name_each_benchmark() -> None:
    market = _market(
        {
            "A": (0.05, 0.02, "恒生科技指数"),
            "B": (0.04, 0.01, "恒生指数"),
            "C": (0.01, -0.02, "恒生指数"),
        },
        name="港股",
    )
    assert movers_sentence(market, "zh").endswith(
        "A跑赢恒生科技指数 2.0pct，B跑赢恒生指数 1.0pct，C跑输 2.0pct。"
    )


def test_fallers_handed_to_the_sentence_are_never_called_gains() -> None:
    falling = _market({"A": (-0.01, 0.02, "纳指"), "B": (-0.02, 0.01, "纳指")})
    assert movers_sentence(falling, "zh") == "美股方面，本月无上涨个股。"
    assert movers_sentence(dataclasses.replace(falling, name="US"), "en") == (
        "Among US stocks, no stock rose this month."
    )
    mixed = _market({"A": (0.01, 0.02, "纳指"), "B": (-0.02, 0.01, "纳指")})
    text = movers_sentence(mixed, "zh")
    assert "B" not in text
    assert "-2.0%" not in text
    assert text.startswith("美股方面，A为本月唯一上涨的股票，单月涨幅为 1.0%")


def test_one_named_stock() -> None:
    market = dataclasses.replace(_market({"A": (0.05, 0.02, "纳指")}), top_n=1)
    assert movers_sentence(market, "zh") == (
        "美股方面，A为本月表现最好的股票，单月涨幅为 5.0%，跑赢纳指 2.0pct。"
    )
    assert "A was the month's best performer, up 5.0%, outperforming the 纳指 by 2.0pct." in (
        movers_sentence(dataclasses.replace(market, name="US"), "en")
    )


def test_fewer_risers_than_asked_get_their_own_words() -> None:
    one = _market({"A": (0.05, 0.02, "纳指")})
    assert movers_sentence(one, "zh") == (
        "美股方面，A为本月唯一上涨的股票，单月涨幅为 5.0%，跑赢纳指 2.0pct。"
    )
    assert movers_sentence(dataclasses.replace(one, name="US"), "en") == (
        "Among US stocks, A was the only stock to rise this month, up 5.0%, "
        "outperforming the 纳指 by 2.0pct."
    )
    two = _market({"A": (0.05, 0.02, "纳指"), "B": (0.04, 0.01, "纳指")})
    assert movers_sentence(two, "zh") == (
        "美股方面，本月仅A、B两只股票上涨，单月涨幅为 5.0%、4.0%，跑赢纳指 2.0pct、1.0pct。"
    )
    assert movers_sentence(dataclasses.replace(two, name="US"), "en") == (
        "Among US stocks, only A and B rose this month, up 5.0% and 4.0%, "
        "outperforming the 纳指 by 2.0pct and 1.0pct respectively."
    )


def _with_returns(inputs: CoverageInputs, returns: dict[str, float]) -> CoverageInputs:
    """The inputs with each code's close at the period end set to give ``returns``."""
    history = inputs.history
    assert history is not None
    history = history.copy()
    start = pd.Timestamp(inputs.settings.period_start)
    end = pd.Timestamp(inputs.settings.period_end)
    for code, value in returns.items():
        closes = history[(history["code"] == code) & history["close"].notna()]
        first = closes[closes["date"] <= start].sort_values("date").iloc[-1]
        last = closes[closes["date"] <= end].sort_values("date").index[-1]
        history.loc[last, "close"] = float(first["close"]) * (1 + value)
    return dataclasses.replace(inputs, history=history)


def _hong_kong_only(inputs: CoverageInputs, codes: list[str]) -> CoverageInputs:
    """The sample cut to a few Hong Kong names (the issue's three-name coverage)."""
    history = inputs.history
    assert history is not None
    keep = [*codes, "HSTECH.HI"]
    return dataclasses.replace(
        inputs,
        universe=inputs.universe.loc[codes],
        market=inputs.market.reindex(codes),
        estimates=inputs.estimates.loc[inputs.estimates.index.intersection(codes)],
        indexes=inputs.indexes.loc[["HSTECH.HI"]],
        history=history[history["code"].isin(keep)],
    )


def test_three_names_that_all_fell_are_no_top_three() -> None:
    inputs = _hong_kong_only(sample.load_inputs("zh"), ["0700.HK", "9988.HK", "3690.HK"])
    inputs = _with_returns(inputs, {"0700.HK": -0.05, "9988.HK": -0.213, "3690.HK": -0.02})
    for lang in ("zh", "en"):
        report = build_month_report(inputs, lang=lang)
        (hong_kong,) = report.markets
        assert hong_kong.gainers.empty
        assert hong_kong.leaders.empty
        assert hong_kong.decliners.index.tolist() == ["9988.HK", "0700.HK", "3690.HK"]
        text = month_sentences(report).markets[0][1]
        assert text in (
            "港股方面，本月无上涨个股。",
            "Among Hong Kong stocks, no stock rose this month.",
        )


def test_a_stock_is_never_both_a_leader_and_a_decliner() -> None:
    inputs = _hong_kong_only(sample.load_inputs("zh"), ["0700.HK", "9988.HK", "3690.HK"])
    inputs = _with_returns(inputs, {"0700.HK": 0.05, "9988.HK": -0.213, "3690.HK": 0.02})
    report = build_month_report(inputs)
    (hong_kong,) = report.markets
    assert hong_kong.gainers.index.tolist() == ["0700.HK", "3690.HK"]
    assert hong_kong.decliners.index.tolist() == ["9988.HK"]
    assert not set(hong_kong.leaders.index) & set(hong_kong.decliners.index)
    text = month_sentences(report).markets[0][1]
    assert text.startswith("港股方面，本月仅腾讯控股、美团两只股票上涨，单月涨幅为 5.0%、2.0%")
    assert "阿里巴巴" not in text


def test_a_return_that_rounds_to_zero_is_neither_gain_nor_loss() -> None:
    inputs = _hong_kong_only(sample.load_inputs("zh"), ["0700.HK", "9988.HK", "3690.HK"])
    # 97.00 to 96.99: -0.0103%, printed 0.0%.
    inputs = _with_returns(inputs, {"0700.HK": 0.05, "9988.HK": -0.01 / 97, "3690.HK": -0.03})
    report = build_month_report(inputs)
    (hong_kong,) = report.markets
    assert "9988.HK" not in hong_kong.gainers.index
    assert "9988.HK" not in hong_kong.decliners.index
    assert hong_kong.decliners.index.tolist() == ["3690.HK"]
    printed = report.performance.loc["9988.HK", "return"]
    assert format_percent(printed) == "0.0%"
    assert format_percent(printed, signed=True) == "0.0%"
    assert format_points(-0.0004) == "0.0pct"


def test_index_sentence_directions() -> None:
    moves = [IndexMove("A", "甲指数", 0.012), IndexMove("B", "乙指数", -0.0004)]
    assert index_sentence(moves, 3, "zh") == "3 月甲指数单月上涨 1.2%。同期，乙指数单月持平。"
    assert index_sentence(moves, 3, "en") == (
        "In March, the 甲指数 rose 1.2%. Over the same period, the 乙指数 was flat."
    )


def test_a_series_that_starts_after_launch_names_its_start() -> None:
    row = pd.Series(
        {
            "label": "恒生科技指数",
            "as_of": pd.Timestamp("2024-12-02"),
            "pe_ttm": 18.0,
            "percentile": 0.5,
            "first_date": pd.Timestamp("2024-05-31").date(),
            "since_launch": False,
        }
    )
    assert valuation_sentence(row, "zh").endswith(
        "处于恒生科技指数 2024 年 5 月 31 日以来 50.00%分位点。"
    )
    assert valuation_sentence(row, "en").endswith(
        "at the 50.00% percentile of its history since 31 May 2024."
    )
    assert "成立以来" not in valuation_sentence(row, "zh")


def _history_from(inputs: CoverageInputs, code: str, first: str) -> CoverageInputs:
    history = inputs.history
    assert history is not None
    late = (history["code"] != code) | (history["date"] >= pd.Timestamp(first))
    return dataclasses.replace(inputs, history=history[late])


def test_since_launch_only_when_the_series_starts_at_the_launch() -> None:
    inputs = sample.load_inputs("zh")
    launched = build_month_report(inputs)
    assert bool(launched.valuation.loc["HSTECH.HI", "since_launch"])
    assert "成立以来" in month_sentences(launched).valuation[0]
    english = build_month_report(inputs, lang="en")
    assert "since launch" in month_sentences(english).valuation[0]

    later = build_month_report(_history_from(inputs, "HSTECH.HI", "2024-05-31"))
    assert not bool(later.valuation.loc["HSTECH.HI", "since_launch"])
    (text,) = month_sentences(later).valuation
    assert "成立以来" not in text
    assert "恒生科技指数 2024 年 5 月 31 日以来" in text
    later_en = build_month_report(_history_from(inputs, "HSTECH.HI", "2024-05-31"), lang="en")
    (text_en,) = month_sentences(later_en).valuation
    assert "since launch" not in text_en
    assert "since 31 May 2024" in text_en


def test_an_index_the_list_does_not_date_names_its_start() -> None:
    inputs = sample.load_inputs("zh")
    history = inputs.history
    assert history is not None
    # The NASDAQ Internet index's PE-TTM from its first close in the sample.
    qnet = history[history["code"] == "QNET.GI"].copy()
    qnet["pe_ttm"] = 30.0
    report = build_month_report(
        dataclasses.replace(
            inputs, history=pd.concat([history[history["code"] != "QNET.GI"], qnet])
        )
    )
    row = report.valuation.loc["QNET.GI"]
    assert row["launch_date"] is None
    assert not bool(row["since_launch"])
    first = pd.Timestamp(row["first_date"]).date()
    text = next(t for t in month_sentences(report).valuation if "纳斯达克互联网指数" in t)
    assert f"{first.year} 年 {first.month} 月 {first.day} 日以来" in text


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("网易-S", "网易"),
        ("美团-W", "美团"),
        ("阿里巴巴-SW", "阿里巴巴"),
        ("SEA", "SEA"),
        ("X-Y", "X-Y"),
    ],
)
def test_short_names_drop_share_class_markers(name: str, short: str) -> None:
    assert short_name(name) == short


def test_the_manual_shows_the_sentences_the_code_writes() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs"
    reports = (docs / "reports.md").read_text(encoding="utf-8")
    started = (docs / "getting-started.md").read_text(encoding="utf-8")
    for lang in ("zh", "en"):
        report = build_month_report(sample.load_inputs(), lang=lang, index_codes=QUOTED)
        block = "\n".join(month_sentences(report).paragraphs())
        assert f"```\n{block}\n```" in reports
        if lang == "zh":
            # What `xlmodels demo` prints, as the quickstart shows it.
            assert f"```\n{block}\n```" in started
