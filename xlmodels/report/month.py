"""The month's report data, assembled from one or more coverage universes.

A team keeps one coverage workbook per group (Hong Kong internet, US
internet...); the monthly report covers them together. This module calls the
core on each group and puts the results side by side: the coverage tables,
each index's return over the month, each market's top performers and
decliners measured against each stock's own benchmark, and where each PE-TTM
series stands within its history. It computes no figure itself: returns,
relative returns, rankings and percentiles all come from the core.

Examples
--------
>>> from xlmodels.sources import sample
>>> month = build_month_report(sample.load_inputs())
>>> [market.market for market in month.markets]
['HK', 'US']
>>> month.markets[0].gainers["short_name"].tolist()
['金山软件', '网易', '金蝶国际']
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from xlmodels.core.display import display_sign
from xlmodels.core.movers import top_movers
from xlmodels.domain.coverage import compute_coverage, display_names
from xlmodels.domain.model import CoverageInputs, Settings
from xlmodels.domain.performance import (
    compute_performance,
    compute_valuation,
    history_panel,
    stale_message,
    stale_series,
    stale_series_ends,
)
from xlmodels.errors import InputError
from xlmodels.report.revisions import EstimateRevisions
from xlmodels.sources.index_names import known_index_names, launch_date

__all__ = [
    "MARKET_NAMES",
    "CoverageGroup",
    "IndexMove",
    "MarketMovers",
    "MonthReport",
    "build_month_report",
    "short_name",
]

#: How far after an index's launch its PE series may begin and still be
#: "since launch": a weekly series, or one whose first day was a holiday.
LAUNCH_TOLERANCE = dt.timedelta(days=7)

#: How the sentences and charts name a market, by language.
MARKET_NAMES = {
    "zh": {"HK": "港股", "US": "美股", "A": "A股"},
    "en": {"HK": "Hong Kong", "US": "US", "A": "China A-shares"},
}

# Hong Kong short names carry share-class markers (网易-S: secondary listing,
# 美团-W: weighted voting rights, 阿里巴巴-SW, biotech -B, RMB counter -R);
# tables print them, running text drops them.
_HKEX_MARKER = re.compile(r"-(?:SW|SB|WR|[SWBPR])$")


def short_name(name: str) -> str:
    """A company's name as running text writes it: without HKEX share-class markers.

    >>> short_name("网易-S"), short_name("阿里巴巴-SW"), short_name("Sea Ltd")
    ('网易', '阿里巴巴', 'Sea Ltd')
    """
    return _HKEX_MARKER.sub("", name.strip())


@dataclass(frozen=True)
class CoverageGroup:
    """One coverage universe (one workbook) of the report.

    ``coverage`` is :func:`~xlmodels.domain.coverage.compute_coverage` of the
    group's inputs in the report's language; ``title`` names the group
    (its coverage groups, else its markets).
    """

    title: str
    coverage: pd.DataFrame
    settings: Settings


@dataclass(frozen=True)
class IndexMove:
    """An index's return over the month (a fraction)."""

    code: str
    name: str
    period_return: float


@dataclass(frozen=True)
class MarketMovers:
    """A market's movers of the month, each against its own benchmark.

    Each frame is :func:`~xlmodels.top_movers` output (``return``,
    ``benchmark_return``, ``relative_return``, ``rank``, indexed by code)
    with ``name``, ``short_name``, ``benchmark`` and ``benchmark_name``
    added:

    * ``gainers``: the top ``top_n`` risers, the ones the sentence names;
    * ``leaders``: up to ``chart_n`` risers, best first (the "top 10
      gainers" figure);
    * ``decliners``: every stock that fell, worst first.

    A riser is a stock whose return prints above zero, a decliner one whose
    return prints below zero: a return that rounds to 0.0% is neither, so a
    stock never appears among both, and a fall is never called a gain.
    ``top_n`` and ``chart_n`` are the counts asked for; fewer risers than
    that get their own wording ("唯一上涨", "only two rose").
    """

    market: str
    name: str
    gainers: pd.DataFrame
    leaders: pd.DataFrame
    decliners: pd.DataFrame
    top_n: int = 3
    chart_n: int = 10

    def benchmarks(self) -> list[tuple[str, str, float]]:
        """``(code, name, return)`` of the benchmarks of this market's stocks."""
        rows = pd.concat([self.gainers, self.leaders, self.decliners])
        seen = rows.drop_duplicates(subset="benchmark").dropna(subset=["benchmark"])
        return list(
            zip(
                seen["benchmark"].astype(str).tolist(),
                seen["benchmark_name"].astype(str).tolist(),
                seen["benchmark_return"].astype(float).tolist(),
                strict=True,
            )
        )


@dataclass(frozen=True)
class MonthReport:
    """Everything the monthly report prints, in one language.

    Attributes
    ----------
    settings : Settings
        Report-wide settings (of the first group, in the report's language):
        report date, performance period, methods.
    groups : tuple of CoverageGroup
        One coverage table per universe, in the order given.
    performance : DataFrame
        :func:`~xlmodels.domain.performance.compute_performance` of all groups
        (a code present in two groups is kept once, from the first), with
        ``label`` (name in the report's language) and ``short_name``.
    indexes : tuple of IndexMove
        The indexes the month's summary quotes, in order.
    markets : tuple of MarketMovers
        One per market, in order of first appearance.
    valuation : DataFrame
        :func:`~xlmodels.domain.performance.compute_valuation` of all groups, with
        ``label``, ``launch_date`` (the index's, from the reference list;
        None for a stock or an index the list does not date) and
        ``since_launch`` (the series starts at the launch, so its percentile
        is "since launch"; otherwise the text names ``first_date``).
    pe_history : DataFrame
        PE-TTM history, dates down, one column per code of ``valuation``.
    top_n : int
        How many top performers the sentences name per market.
    revisions : EstimateRevisions or None
        The month's estimate revisions, when the workbooks' folders keep a
        revision history (:func:`~xlmodels.report.revisions.report_revisions`).
    """

    settings: Settings
    groups: tuple[CoverageGroup, ...]
    performance: pd.DataFrame
    indexes: tuple[IndexMove, ...]
    markets: tuple[MarketMovers, ...]
    valuation: pd.DataFrame
    pe_history: pd.DataFrame
    top_n: int
    revisions: EstimateRevisions | None = None

    @property
    def lang(self) -> str:
        return self.settings.lang

    @property
    def period_end(self) -> dt.date:
        end = self.settings.period_end
        assert end is not None  # build_month_report refuses a report without a period
        return end


def _group_title(inputs: CoverageInputs) -> str:
    universe = inputs.universe
    for column in ("coverage_group", "market"):
        if column in universe:
            values = [str(v) for v in dict.fromkeys(universe[column].dropna()) if str(v).strip()]
            if values:
                return " / ".join(values)
    return "Coverage"


def _labels(inputs: CoverageInputs, lang: str) -> pd.Series:
    """Display name of every company and index by code, in ``lang``.

    A workbook stores both names; where one is missing the other stands in,
    except that a well-known index missing its English name gets its usual
    one (:mod:`xlmodels.sources.index_names`).
    """
    known = known_index_names()
    frames = [inputs.universe, inputs.indexes]
    names = []
    for position, frame in enumerate(frames):
        english = (
            frame["name_en"].astype(object)
            if "name_en" in frame
            else pd.Series(None, index=frame.index, dtype=object)
        )
        if position == 1:
            english = english.where(english.notna(), known["name_en"].reindex(frame.index))
        both = pd.DataFrame({"name": frame["name"].astype(object), "name_en": english})
        names.append(display_names(both, lang))
    labels: pd.Series = pd.concat(names)
    return labels[~labels.index.duplicated()].astype(str)


def _check_same_month(groups: Sequence[CoverageInputs]) -> None:
    first = groups[0].settings
    if first.period_start is None or first.period_end is None:
        raise InputError(
            "the settings have no performance period (period start and end): "
            "a monthly report needs one"
        )
    for position, inputs in enumerate(groups[1:], start=2):
        other = inputs.settings
        mine = (other.period_start, other.period_end, other.report_date)
        theirs = (first.period_start, first.period_end, first.report_date)
        if mine != theirs:
            raise InputError(
                f"coverage universe {position} covers {other.period_start} to "
                f"{other.period_end} (report date {other.report_date}), the first "
                f"{first.period_start} to {first.period_end} (report date "
                f"{first.report_date}): one report covers one month"
            )


def _refuse_stale(groups: Sequence[CoverageInputs]) -> None:
    """Refuse a month whose History stops before the period's dates.

    An old close taken for the month's last would print a 0.0% month (and a
    PE-TTM a month old its direction): the report states no figure it
    cannot compute, so it names the workbooks and codes instead.
    """
    problems = []
    for inputs in groups:
        history, settings = inputs.history, inputs.settings
        if history is None or history.empty:
            continue
        stale = stale_series(
            history_panel(history, "close"), settings.period_start, settings.period_end
        )
        texts = [stale_message(stale, "History closes")] if not stale.empty else []
        stale_pe = stale_series_ends(history, "pe_ttm", settings.period_end)
        if not stale_pe.empty:
            texts.append(stale_message(stale_pe, "PE-TTM values"))
        if texts:
            problems.append(f"{_group_title(inputs)}: {'; '.join(texts)}")
    if problems:
        raise InputError(
            "the month's returns cannot be computed, so the report is not written: "
            + "; ".join(problems)
            + ". Regenerate the workbooks with the month's closes (xlmodels regenerate, "
            "with --history reaching the price date), then report again"
        )


def _movers_frame(
    movers: pd.DataFrame, performance: pd.DataFrame, labels: pd.Series
) -> pd.DataFrame:
    frame = movers.copy()
    frame["name"] = performance["label"].reindex(frame.index)
    frame["short_name"] = performance["short_name"].reindex(frame.index)
    frame["benchmark"] = performance["benchmark"].reindex(frame.index)
    frame["benchmark_name"] = frame["benchmark"].map(labels)
    return frame


def build_month_report(
    inputs: CoverageInputs | Sequence[CoverageInputs],
    *,
    lang: str | None = None,
    top_n: int = 3,
    chart_n: int = 10,
    index_codes: Sequence[str] | None = None,
    return_decimals: int = 1,
) -> MonthReport:
    """Assemble the month's report data from one or more coverage universes.

    Parameters
    ----------
    inputs : CoverageInputs or sequence of them
        One per coverage workbook (for example a Hong Kong and a US group).
        All must cover the same period and report date.
    lang : {"zh", "en"}, optional
        Language of names, headers and ratings; default the first group's.
    top_n : int, default 3
        Top performers named per market.
    chart_n : int, default 10
        Risers shown per market in the movers chart.
    index_codes : sequence of str, optional
        Indexes the month's summary quotes, in order. Default: every index
        with a return over the period, benchmarks first.
    return_decimals : int, default 1
        Decimals of a percent the returns print with: a return that prints
        as 0.0% is neither a riser nor a decliner.

    Raises
    ------
    InputError
        No period in the settings, groups covering different months, a
        History that stops too long before the period end or start for the
        month's returns (:func:`~xlmodels.domain.performance.stale_series`), or an
        unknown or unpriced index in ``index_codes``.
    """
    groups = [inputs] if isinstance(inputs, CoverageInputs) else list(inputs)
    if not groups:
        raise ValueError("at least one coverage universe is needed")
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise ValueError(f"top_n must be a whole number of 1 or more, got {top_n!r}")
    if isinstance(chart_n, bool) or not isinstance(chart_n, int) or chart_n < 1:
        raise ValueError(f"chart_n must be a whole number of 1 or more, got {chart_n!r}")
    _check_same_month(groups)
    _refuse_stale(groups)
    language = lang or groups[0].settings.lang
    groups = [replace(g, settings=g.settings.with_language(language)) for g in groups]

    labels = pd.concat([_labels(g, language) for g in groups])
    labels = labels[~labels.index.duplicated()]
    coverage_groups = []
    for group in groups:
        coverage = compute_coverage(group)
        # Company names in the report's language (English names where given).
        coverage["name"] = labels.reindex(coverage.index).fillna(coverage["name"])
        coverage_groups.append(CoverageGroup(_group_title(group), coverage, group.settings))

    performance = pd.concat([compute_performance(g) for g in groups])
    performance = performance[~performance.index.duplicated()].copy()
    performance["label"] = labels.reindex(performance.index).fillna(
        pd.Series(performance.index, index=performance.index)
    )
    performance["short_name"] = performance["label"].map(short_name)

    indexes = performance[performance["kind"] == "index"]
    index_returns = dict(
        zip(indexes.index.astype(str), indexes["return"].astype(float).tolist(), strict=True)
    )
    index_names = dict(zip(indexes.index.astype(str), indexes["label"].astype(str), strict=True))
    if index_codes is None:
        quoted = [code for code, value in index_returns.items() if not math.isnan(value)]
    else:
        quoted = list(index_codes)
        for code in quoted:
            if code not in index_returns:
                raise InputError(f"index {code!r} is not among the report's indexes")
            if math.isnan(index_returns[code]):
                raise InputError(f"index {code!r} has no close at the start and end of the period")
    index_moves = tuple(IndexMove(code, index_names[code], index_returns[code]) for code in quoted)

    stocks = performance[(performance["kind"] == "stock") & performance["return"].notna()]
    method = groups[0].settings.relative_method
    markets = []
    for market, rows in stocks.groupby("market", sort=False):
        returns = rows["return"].astype(float)
        benchmark_returns = rows["benchmark_return"].astype(float)
        # Judged on the printed figure: -0.0001 prints 0.0% and is no fall.
        signs = returns.map(lambda value: display_sign(value, return_decimals))
        rising, falling = signs > 0, signs < 0
        market_code = str(market)
        markets.append(
            MarketMovers(
                market=market_code,
                name=MARKET_NAMES.get(language, {}).get(market_code, market_code),
                gainers=_movers_frame(
                    top_movers(returns[rising], benchmark_returns[rising], n=top_n, method=method),
                    performance,
                    labels,
                ),
                leaders=_movers_frame(
                    top_movers(
                        returns[rising], benchmark_returns[rising], n=chart_n, method=method
                    ),
                    performance,
                    labels,
                ),
                decliners=_movers_frame(
                    top_movers(
                        returns[falling],
                        benchmark_returns[falling],
                        n=None,
                        direction="decliners",
                        method=method,
                    ),
                    performance,
                    labels,
                ),
                top_n=top_n,
                chart_n=chart_n,
            )
        )

    valuation = pd.concat([compute_valuation(g) for g in groups])
    valuation = valuation[~valuation.index.duplicated()].copy()
    valuation["label"] = [str(labels.get(code, code)) for code in valuation.index]
    kinds = performance["kind"].reindex(valuation.index)
    valuation["launch_date"] = [
        launch_date(str(code)) if kinds.get(code) != "stock" else None for code in valuation.index
    ]
    valuation["since_launch"] = [
        launched is not None and launched <= first <= launched + LAUNCH_TOLERANCE
        for launched, first in zip(valuation["launch_date"], valuation["first_date"], strict=True)
    ]
    panels = [
        history_panel(g.history, "pe_ttm")
        for g in groups
        if g.history is not None and g.history["pe_ttm"].notna().any()
    ]
    pe_history = pd.concat(panels, axis=1) if panels else pd.DataFrame()
    pe_history = pe_history.loc[:, ~pe_history.columns.duplicated()]
    pe_history = pe_history.reindex(columns=valuation.index)

    return MonthReport(
        settings=groups[0].settings,
        groups=tuple(coverage_groups),
        performance=performance,
        indexes=index_moves,
        markets=tuple(markets),
        valuation=valuation,
        pe_history=pe_history,
        top_n=top_n,
    )
