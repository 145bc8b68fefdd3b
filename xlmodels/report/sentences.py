"""The month's performance sentences, in Chinese and English.

The report states the month in a few fixed sentences: how the indexes moved,
which stocks led each market and by how much they beat (or trailed) their
benchmark, and where the index's PE-TTM stands in its history. These
functions write them from a :class:`~xlmodels.report.month.MonthReport`.

The direction word follows the figure as printed: a relative return that
prints as -0.1pct reads "跑输 0.1pct" / "underperformed by 0.1pct", never
"跑赢 -0.1pct", and one that prints as 0.0pct reads "持平" / "in line with".
When the named stocks do not all beat their benchmark, each direction gets
its own clause naming its stocks, so the figures stay positive and the
sentence stays grammatical in both languages. Chinese text spaces figures
from the characters around them, as the report's typesetting does.

Examples
--------
>>> from xlmodels.sources import sample
>>> from xlmodels.report.month import build_month_report
>>> month = build_month_report(sample.load_inputs())
>>> text = movers_sentence(month.markets[1], month.lang)
>>> text[text.index("SEA、亚马逊跑赢"):]
'SEA、亚马逊跑赢纳斯达克指数 14.8pct、5.3pct，微博跑输 0.1pct。'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from xlmodels.core.display import (
    MONTH_NAMES,
    display_sign,
    format_date,
    format_multiple,
    format_percent,
    format_points,
    shows_as_missing,
)
from xlmodels.core.markers import is_nm
from xlmodels.report.month import IndexMove, MarketMovers, MonthReport

__all__ = [
    "MonthSentences",
    "SentenceRules",
    "index_sentence",
    "month_sentences",
    "movers_sentence",
    "series_since",
    "valuation_sentence",
]

_ZH_COUNTS = ("一", "两", "三", "四", "五", "六", "七", "八", "九", "十")
_EN_COUNTS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass(frozen=True)
class SentenceRules:
    """Decimal places of the figures in the sentences (the report's, by default)."""

    return_decimals: int = 1
    points_decimals: int = 1
    multiple_decimals: int = 2
    percentile_decimals: int = 2


def _join(items: Sequence[str], lang: str) -> str:
    """``A、B、C`` in Chinese, ``A, B and C`` in English."""
    if lang == "zh":
        return "、".join(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _count(n: int, lang: str) -> str:
    words = _ZH_COUNTS if lang == "zh" else _EN_COUNTS
    if 1 <= n <= len(words):
        return words[n - 1]
    return f" {n} " if lang == "zh" else str(n)


def _percents(values: Sequence[float], decimals: int, signed: bool = False) -> list[str]:
    return [format_percent(v, decimals, signed=signed) for v in values]


def index_sentence(
    moves: Sequence[IndexMove], month: int, lang: str, rules: SentenceRules | None = None
) -> str:
    """How the quoted indexes moved over the month.

    The first index leads; the others follow as "over the same period".

    Examples
    --------
    >>> moves = [IndexMove("HSTECH.HI", "恒生科技指数", -0.0324),
    ...          IndexMove("QNET.GI", "纳斯达克互联网指数", 0.092)]
    >>> index_sentence(moves, 11, "zh")
    '11 月恒生科技指数单月下跌 3.2%。同期，纳斯达克互联网指数录得上涨，单月涨幅为 9.2%。'
    """
    rules = rules or SentenceRules()
    if not moves:
        return ""
    decimals = rules.return_decimals
    signs = [display_sign(m.period_return, decimals) for m in moves]
    sizes = [format_percent(abs(m.period_return), decimals) for m in moves]
    first, rest = moves[0], list(zip(moves[1:], signs[1:], sizes[1:], strict=True))
    if lang == "zh":
        lead_verb = {1: "上涨 ", -1: "下跌 ", 0: "持平"}[signs[0]]
        lead = f"{month} 月{first.name}单月{lead_verb}{sizes[0] if signs[0] else ''}。"
        follow = []
        for move, sign, size in rest:
            if sign == 0:
                follow.append(f"{move.name}单月持平")
            else:
                word, change = ("上涨", "涨幅") if sign > 0 else ("下跌", "跌幅")
                follow.append(f"{move.name}录得{word}，单月{change}为 {size}")
        return lead + (f"同期，{'；'.join(follow)}。" if follow else "")
    month_name = MONTH_NAMES[month - 1]

    def verb(sign: int, size: str) -> str:
        return {1: f"rose {size}", -1: f"fell {size}", 0: "was flat"}[sign]

    lead = f"In {month_name}, the {first.name} {verb(signs[0], sizes[0])}."
    if not rest:
        return lead
    follow = [f"the {move.name} {verb(sign, size)}" for move, sign, size in rest]
    return f"{lead} Over the same period, {_join(follow, 'en')}."


def _relative_clause(gainers: pd.DataFrame, lang: str, rules: SentenceRules) -> tuple[str, bool]:
    """Outperformance of the named stocks, one clause per direction and benchmark.

    Returns the text and whether it names no stock (one direction against
    one benchmark for all: the figures follow the names already listed).
    """
    decimals = rules.points_decimals
    rows = gainers[gainers["relative_return"].notna()]
    if rows.empty:
        return "", False
    # (direction, benchmark) -> names and figures, in the order first met.
    clauses: dict[tuple[int, str], tuple[list[str], list[str]]] = {}
    for name, relative, benchmark in zip(
        rows["short_name"].astype(str),
        rows["relative_return"].astype(float).tolist(),
        rows["benchmark_name"].astype(str),
        strict=True,
    ):
        sign = display_sign(relative, decimals)
        names, figures = clauses.setdefault((sign, benchmark), ([], []))
        names.append(name)
        figures.append(format_points(abs(relative), decimals))
    # One direction against one benchmark for every named stock: the figures
    # follow the names already listed, as the report writes it.
    anonymous = len(clauses) == 1 and len(rows) == len(gainers)
    parts = []
    previous_benchmark = None
    for (sign, benchmark), (names, figures) in clauses.items():
        who = "" if anonymous else _join(names, lang)
        same = benchmark == previous_benchmark
        previous_benchmark = benchmark
        if lang == "zh":
            values = "、".join(figures)
            if sign == 0:
                parts.append(f"{who}与{benchmark}持平")
            else:
                word = "跑赢" if sign > 0 else "跑输"
                parts.append(f"{who}{word}{'' if same else benchmark} {values}")
            continue
        target = "it" if same else f"the {benchmark}"
        respectively = " respectively" if len(figures) > 1 else ""
        if sign == 0:
            verb = "performing" if anonymous else "performed"
            text = f"{verb} in line with {target}"
        else:
            word = "outperforming" if anonymous else "outperformed"
            if sign < 0:
                word = "underperforming" if anonymous else "underperformed"
            text = f"{word} {target} by {_join(figures, 'en')}{respectively}"
        parts.append(text if anonymous else f"{who} {text}")
    if lang == "zh":
        return "，".join(parts), anonymous
    if len(parts) == 1:
        return parts[0], anonymous
    return ", ".join(parts[:-1]) + ", while " + parts[-1], anonymous


def movers_sentence(market: MarketMovers, lang: str, rules: SentenceRules | None = None) -> str:
    """The market's top risers, their returns and their outperformance.

    Only stocks whose return prints above zero are named: a fall is never
    called a gain. With fewer risers than the ``top_n`` asked for, the
    sentence says so ("金山软件为本月唯一上涨的股票", "本月仅 A、B 两只股票上涨",
    "本月无上涨个股"; "was the only stock to rise", "only A and B rose",
    "no stock rose").

    Examples
    --------
    >>> from xlmodels.sources import sample
    >>> from xlmodels.report.month import build_month_report
    >>> month = build_month_report(sample.load_inputs(), lang="en")
    >>> print(movers_sentence(month.markets[0], "en"))  # doctest: +NORMALIZE_WHITESPACE
    Among Hong Kong stocks, Kingsoft, NetEase and Kingdee were the month's top three
    performers, up 16.7%, 9.1% and 7.7%, outperforming the Hang Seng TECH Index by
    20.0pct, 12.3pct and 11.0pct respectively.
    """
    rules = rules or SentenceRules()
    decimals = rules.return_decimals
    gainers = market.gainers
    if not gainers.empty:
        rising = [display_sign(float(r), decimals) > 0 for r in gainers["return"]]
        gainers = gainers[rising]
    if gainers.empty:
        if lang == "zh":
            return f"{market.name}方面，本月无上涨个股。"
        return f"Among {market.name} stocks, no stock rose this month."
    names = [str(name) for name in gainers["short_name"]]
    returns = [float(r) for r in gainers["return"]]
    n = len(names)
    # Fewer risers than asked for: "top three" would claim a ranking that
    # includes stocks that did not rise.
    fewer = n < market.top_n
    relative, anonymous = _relative_clause(gainers, lang, rules)
    if lang == "zh":
        figures = "、".join(_percents(returns, decimals))
        if fewer and n == 1:
            lead = f"{names[0]}为本月唯一上涨的股票"
        elif fewer:
            lead = f"本月仅{'、'.join(names)}{_count(n, 'zh')}只股票上涨"
        else:
            rank = "最好" if n == 1 else f"前{_count(n, 'zh')}"
            lead = f"{'、'.join(names)}为本月表现{rank}的股票"
        text = f"{market.name}方面，{lead}，单月涨幅为 {figures}"
        return text + (f"，{relative}。" if relative else "。")
    if fewer and n == 1:
        lead = f"{names[0]} was the only stock to rise this month"
    elif fewer:
        lead = f"only {_join(names, 'en')} rose this month"
    elif n == 1:
        lead = f"{names[0]} was the month's best performer"
    else:
        lead = f"{_join(names, 'en')} were the month's top {_count(n, 'en')} performers"
    moved = f"up {_join(_percents(returns, decimals), 'en')}"
    text = f"Among {market.name} stocks, {lead}, {moved}"
    if not relative:
        return text + "."
    return text + (f", {relative}." if anonymous else f"; {relative}.")


def series_since(row: pd.Series, lang: str) -> str:
    """Where a PE-TTM series' history starts, as the text names it.

    "成立以来" / "since launch" only when the series starts at the index's
    launch (``since_launch``); otherwise the first date of the series
    ("2024 年 5 月 31 日以来" / "since 31 May 2024"): a percentile of four
    years is not one since 1969.

    Examples
    --------
    >>> import datetime as dt
    >>> row = pd.Series({"first_date": dt.date(2024, 5, 31), "since_launch": False})
    >>> series_since(row, "zh"), series_since(row, "en")
    ('2024 年 5 月 31 日以来', 'since 31 May 2024')
    """
    if bool(row.get("since_launch", False)):
        return "成立以来" if lang == "zh" else "since launch"
    first = pd.Timestamp(row["first_date"]).date()
    if lang == "zh":
        return f"{format_date(first, 'zh')}以来"
    return f"since {format_date(first, 'en')}"


def valuation_sentence(row: pd.Series, lang: str, rules: SentenceRules | None = None) -> str:
    """Where a PE-TTM series stands today within its history.

    ``row`` is a row of :attr:`MonthReport.valuation` (``label``, ``as_of``,
    ``pe_ttm``, ``percentile``, ``first_date``, ``since_launch``, optionally
    ``pe_ttm_start``); the percentile is of the whole stored series, named
    by :func:`series_since`. With the value at the start of the month, the
    sentence opens with the month's direction ("从市盈率看，恒生科技指数估值有
    下降：..."), judged on the printed decimals.

    Examples
    --------
    >>> import datetime as dt
    >>> row = pd.Series({"label": "恒生科技指数", "as_of": dt.date(2024, 12, 2),
    ...                  "pe_ttm": 20.59, "percentile": 0.0885,
    ...                  "first_date": dt.date(2020, 7, 27), "since_launch": True})
    >>> valuation_sentence(row, "zh")
    '截至 2024 年 12 月 2 日，恒生科技指数 PE-TTM 为 20.59x，处于恒生科技指数成立以来 8.85%分位点。'
    """
    rules = rules or SentenceRules()
    name = str(row["label"])
    day = pd.Timestamp(row["as_of"]).date()
    multiple = format_multiple(row["pe_ttm"], rules.multiple_decimals)
    percentile = format_percent(row["percentile"], rules.percentile_decimals)
    direction = _valuation_direction(row, rules.multiple_decimals)
    since = series_since(row, lang)
    if lang == "zh":
        lead = (
            f"从市盈率看，{name}估值{('有下降', '基本持平', '有上升')[direction + 1]}："
            if direction is not None
            else ""
        )
        # Figures are spaced from the characters around them.
        gap = " " if since[0].isdigit() else ""
        return (
            f"{lead}截至 {format_date(day, 'zh')}，{name} PE-TTM 为 {multiple}，"
            f"处于{name}{gap}{since} {percentile}分位点。"
        )
    body = (
        f"as of {format_date(day, 'en')}, the {name} traded at {multiple} PE-TTM, "
        f"at the {percentile} percentile of its history {since}."
    )
    if direction is None:
        return body[0].upper() + body[1:]
    moved = ("fell", "was little changed", "rose")[direction + 1]
    return f"On PE, the {name}'s valuation {moved} over the month: {body}"


def _valuation_direction(row: pd.Series, decimals: int) -> int | None:
    """-1, 0 or 1: how PE-TTM moved over the month as printed; None if unknown."""
    start, end = row.get("pe_ttm_start"), row["pe_ttm"]
    if (
        start is None
        or shows_as_missing(start)
        or shows_as_missing(end)
        or is_nm(start)
        or is_nm(end)
    ):
        return None
    change = round(float(end), decimals) - round(float(start), decimals)
    return 0 if abs(change) < 0.5 * 10**-decimals else (1 if change > 0 else -1)


@dataclass(frozen=True)
class MonthSentences:
    """The month's statements: indexes, one per market, one per PE-TTM series."""

    indexes: str
    markets: tuple[tuple[str, str], ...]
    valuation: tuple[str, ...]

    def paragraphs(self) -> list[str]:
        """Every non-empty statement, in reading order."""
        texts = [self.indexes, *(text for _, text in self.markets), *self.valuation]
        return [text for text in texts if text]


def month_sentences(report: MonthReport, rules: SentenceRules | None = None) -> MonthSentences:
    """All of the month's statements in the report's language."""
    rules = rules or SentenceRules()
    lang = report.lang
    return MonthSentences(
        indexes=index_sentence(report.indexes, report.period_end.month, lang, rules),
        markets=tuple(
            (market.name, movers_sentence(market, lang, rules)) for market in report.markets
        ),
        valuation=tuple(
            valuation_sentence(row, lang, rules) for _, row in report.valuation.iterrows()
        ),
    )
