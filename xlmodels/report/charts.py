"""The report's pictures: the month's movers and the PE-TTM history.

* :func:`movers_figure`, one per market (the report's figures 4 and 5): the
  month's top risers and every decliner as horizontal bars, with each
  benchmark's return as a dashed reference line.
* :func:`pe_history_figure`, one per PE-TTM series (figure 6): the multiple
  since the series began, today's value marked with its percentile.

Figures are built on matplotlib's object API with the Agg canvas (no pyplot
state, no display), their text set in :func:`~xlmodels.report.fonts.cjk_font`,
and rendered to PNG and SVG of a fixed pixel size. Colours follow the
reader's convention: in Chinese red is up and green down, in English the
reverse.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import matplotlib
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from xlmodels.core.display import format_date, format_multiple, format_percent
from xlmodels.report.fonts import CjkFont, cjk_font
from xlmodels.report.month import MarketMovers, MonthReport
from xlmodels.report.sentences import series_since

__all__ = [
    "ChartSize",
    "Picture",
    "figure_texts",
    "movers_figure",
    "pe_history_figure",
    "render",
    "report_pictures",
]

#: Bar colours: (up, down) by language; Chinese markets print rises in red.
COLOURS = {"zh": ("#c8312b", "#1f8a4c"), "en": ("#1f8a4c", "#c8312b")}
REFERENCE_COLOURS = ("#3a5a8c", "#8c5a3a", "#5a3a8c")
LINE_COLOUR = "#3a5a8c"
GRID_COLOUR = "#d9d9d9"
#: Base text size in points: legible when a picture is shown at page width.
TEXT = 9
#: Day zero of the PE chart's x axis (matplotlib's own date epoch).
EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True)
class ChartSize:
    """Pixel size and resolution of a picture."""

    width: int = 1600
    height: int = 900
    dpi: int = 200


MOVERS_SIZE = ChartSize(1600, 900, 200)
PE_SIZE = ChartSize(1600, 800, 200)


@dataclass(frozen=True)
class Picture:
    """A rendered picture: PNG bytes, SVG text, and what it shows."""

    key: str
    title: str
    png: bytes
    svg: str
    width: int
    height: int


@contextmanager
def _font_context(font: CjkFont) -> Iterator[None]:
    # Font families resolve when text is drawn: keep the settings for both
    # building and rendering, without touching the caller's rcParams.
    with matplotlib.rc_context(font.rc_params()):
        yield


def _new_figure(size: ChartSize) -> Figure:
    figure = Figure(figsize=(size.width / size.dpi, size.height / size.dpi), dpi=size.dpi)
    figure.set_layout_engine("constrained")
    FigureCanvasAgg(figure)
    return figure


def _labels(lang: str) -> dict[str, str]:
    if lang == "zh":
        return {
            "risers": "涨幅前 {n}",
            "all_risers": "上涨个股",
            "decliners": "下跌个股",
            "no_risers": "本月无上涨个股",
            "no_decliners": "本月无下跌个股",
            "movers_title": "{period}{market}个股涨跌幅（%）",
            "pe_title": "{name} PE-TTM（{since}）",
            "now": "{day}：{pe}，处于{since} {pct}分位",
            "pe_axis": "PE-TTM（倍）",
        }
    return {
        "risers": "Top {n} gainers",
        "all_risers": "Gainers",
        "decliners": "Decliners",
        "no_risers": "No stock rose this month",
        "no_decliners": "No stock fell this month",
        "movers_title": "{market} stocks: returns in {period} (%)",
        "pe_title": "{name} PE-TTM {since}",
        "now": "{day}: {pe}, {pct} percentile {since}",
        "pe_axis": "PE-TTM (x)",
    }


def _period(report: MonthReport) -> str:
    end = report.period_end
    if report.lang == "zh":
        return f"{end.year} 年 {end.month} 月"
    return format_date(end, "en").split(" ", 1)[1]


def _bars(
    axes: Axes,
    frame: pd.DataFrame,
    title: str,
    empty: str,
    colours: tuple[str, str],
    limits: tuple[float, float],
) -> None:
    axes.set_title(title, fontsize=TEXT + 2, loc="left")
    axes.set_xlim(*limits)
    axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.5)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.axvline(0, color="#7f7f7f", linewidth=0.6)
    axes.tick_params(labelsize=TEXT)
    if frame.empty:
        axes.set_axis_off()
        axes.text(
            0.5, 0.5, empty, transform=axes.transAxes, ha="center", va="center", fontsize=TEXT
        )
        return
    names = frame["short_name"].astype(str).tolist()
    values = (frame["return"].astype(float) * 100).tolist()
    positions = list(range(len(names)))[::-1]  # first listed on top
    up, down = colours
    axes.barh(positions, values, color=[up if v >= 0 else down for v in values], height=0.62)
    axes.set_yticks(positions, names)
    axes.set_ylim(-0.7, max(len(names), 3) - 0.3)
    span = limits[1] - limits[0]
    for position, value, fraction in zip(positions, values, frame["return"], strict=True):
        offset = span * 0.01 * (1 if value >= 0 else -1)
        axes.text(
            value + offset,
            position,
            format_percent(fraction, 1),
            va="center",
            ha="left" if value >= 0 else "right",
            fontsize=TEXT,
            # Keep a reference line that passes behind the figure from striking it out.
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
            zorder=4,
        )


def movers_figure(
    market: MarketMovers, report: MonthReport, size: ChartSize = MOVERS_SIZE
) -> Figure:
    """The market's risers (left) and decliners (right) against their benchmarks."""
    font = cjk_font()
    lang = report.lang
    labels = _labels(lang)
    with _font_context(font):
        figure = _new_figure(size)
        benchmarks = market.benchmarks()
        values = [
            *(market.leaders["return"].astype(float) * 100),
            *(market.decliners["return"].astype(float) * 100),
            *(ret * 100 for _, _, ret in benchmarks),
            0.0,
        ]
        low, high = min(values), max(values)
        pad = max(high - low, 1.0) * 0.2
        limits = (low - (pad if low < 0 else 0), high + (pad if high > 0 else 0))
        colours = COLOURS.get(lang, COLOURS["en"])
        # "Top 10" only when ten rose: with fewer, the panel shows every riser.
        risers = (
            labels["risers"].format(n=len(market.leaders))
            if len(market.leaders) >= market.chart_n
            else labels["all_risers"]
        )
        panels = [
            (market.leaders, risers, labels["no_risers"]),
            (market.decliners, labels["decliners"], labels["no_decliners"]),
        ]
        # A month where nothing fell (or nothing rose) gets one full-width
        # panel, its title saying what is missing, not half a chart of blank.
        kept = [i for i, panel in enumerate(panels) if not panel[0].empty] or [0]
        shown = [panels[i] for i in kept]
        missing = [panel[2] for i, panel in enumerate(panels) if i not in kept]
        axes_row = figure.subplots(1, len(shown), squeeze=False)[0]
        drawn: list[tuple[Axes, pd.DataFrame]] = []
        for axes, (frame, title, empty) in zip(axes_row, shown, strict=True):
            heading = f"{title}（{missing[0]}）" if missing and lang == "zh" else title
            if missing and lang != "zh":
                heading = f"{title} ({missing[0].lower()})"
            _bars(axes, frame, heading, empty, colours, limits)
            drawn.append((axes, frame))
        for position, (_, name, ret) in enumerate(benchmarks):
            colour = REFERENCE_COLOURS[position % len(REFERENCE_COLOURS)]
            for axes, frame in drawn:
                if frame.empty:
                    continue
                axes.axvline(
                    ret * 100,
                    color=colour,
                    linestyle="--",
                    linewidth=1.0,
                    label=f"{name} {format_percent(ret, 1)}",
                )
        if benchmarks:
            figure.legend(
                *drawn[0][0].get_legend_handles_labels(),
                loc="outside lower center",
                ncols=min(len(benchmarks), 3),
                fontsize=TEXT,
                frameon=False,
            )
        figure.suptitle(
            labels["movers_title"].format(period=_period(report), market=market.name),
            fontsize=TEXT + 3,
        )
    return figure


def pe_history_figure(code: str, report: MonthReport, size: ChartSize = PE_SIZE) -> Figure:
    """A PE-TTM series since it began, with today's value and its percentile."""
    font = cjk_font()
    lang = report.lang
    labels = _labels(lang)
    row: dict[str, Any] = {str(key): value for key, value in report.valuation.loc[code].items()}
    series = report.pe_history[code].dropna()
    now = float(row["pe_ttm"])
    # The same words as the valuation sentence: "since launch" only when true.
    since = series_since(pd.Series(row), lang)
    today = pd.Timestamp(row["as_of"])
    # Dates as matplotlib's day numbers: one axis unit for the line and the note.
    days = (pd.DatetimeIndex(series.index) - EPOCH) / pd.Timedelta(days=1)
    today_day = (today - EPOCH) / pd.Timedelta(days=1)
    with _font_context(font):
        figure = _new_figure(size)
        axes = figure.subplots()
        axes.plot(days, series.to_numpy(dtype=float), color=LINE_COLOUR, linewidth=1.0)
        axes.axhline(now, color="#c8312b", linestyle="--", linewidth=0.8)
        axes.plot([today_day], [now], marker="o", color="#c8312b", markersize=4)
        note = labels["now"].format(
            day=format_date(today.date(), lang),
            pe=format_multiple(row["pe_ttm"], 2),
            pct=format_percent(row["percentile"], 2),
            since=since,
        )
        # The note sits in the top right corner, clear of the line, with an
        # arrow to today's point wherever the series happens to be.
        axes.annotate(
            note,
            xy=(today_day, now),
            xytext=(0.99, 0.96),
            textcoords="axes fraction",
            ha="right",
            va="top",
            fontsize=TEXT + 1,
            color="#c8312b",
            arrowprops={"arrowstyle": "->", "color": "#c8312b", "linewidth": 0.8},
        )
        axes.set_ylabel(labels["pe_axis"], fontsize=TEXT)
        years = pd.date_range(series.index[0], today, freq="YS")
        axes.set_xticks(
            ((years - EPOCH) / pd.Timedelta(days=1)).to_numpy(), [str(y.year) for y in years]
        )
        axes.tick_params(labelsize=TEXT)
        axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.5)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.set_title(
            labels["pe_title"].format(name=row["label"], since=since),
            fontsize=TEXT + 3,
        )
    return figure


def figure_texts(figure: Figure) -> list[Text]:
    """Every non-empty text a figure draws (titles, ticks, labels, legend)."""
    with _font_context(cjk_font()):
        # Tick labels exist once the figure has been laid out.
        figure.canvas.draw()
    return [
        text
        for text in figure.findobj(Text)
        if isinstance(text, Text) and text.get_visible() and text.get_text().strip()
    ]


def render(figure: Figure, size: ChartSize) -> tuple[bytes, str]:
    """PNG bytes and SVG text of a figure, ``size.width`` x ``size.height`` pixels."""
    with _font_context(cjk_font()):
        png = io.BytesIO()
        figure.savefig(png, format="png", dpi=size.dpi)
        svg = io.StringIO()
        figure.savefig(svg, format="svg", metadata={"Date": None})
    return png.getvalue(), svg.getvalue()


def report_pictures(report: MonthReport) -> list[Picture]:
    """Every picture of the month: one movers chart per market, one PE chart per series."""
    pictures = []
    for market in report.markets:
        figure = movers_figure(market, report)
        png, svg = render(figure, MOVERS_SIZE)
        title = _labels(report.lang)["movers_title"].format(
            period=_period(report), market=market.name
        )
        pictures.append(
            Picture(
                f"movers-{market.market.lower()}",
                title,
                png,
                svg,
                MOVERS_SIZE.width,
                MOVERS_SIZE.height,
            )
        )
    for code in report.valuation.index:
        if code not in report.pe_history or report.pe_history[code].dropna().empty:
            continue
        figure = pe_history_figure(str(code), report)
        png, svg = render(figure, PE_SIZE)
        title = f"{report.valuation.loc[code, 'label']} PE-TTM"
        pictures.append(
            Picture(
                f"pe-{_slug(str(code))}",
                title,
                png,
                svg,
                PE_SIZE.width,
                PE_SIZE.height,
            )
        )
    return pictures


def _slug(code: str) -> str:
    return "".join(char if char.isalnum() else "-" for char in code.lower()).strip("-")
