"""The report's pictures: produced, of the expected size, and Chinese drawn with real glyphs."""

from __future__ import annotations

import io
import re
import struct
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from xlmodels.report import fonts
from xlmodels.report.charts import (
    MOVERS_SIZE,
    PE_SIZE,
    Picture,
    figure_texts,
    movers_figure,
    pe_history_figure,
    report_pictures,
)
from xlmodels.report.month import MonthReport, build_month_report
from xlmodels.sources import sample

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module", params=["zh", "en"])
def report(request: pytest.FixtureRequest) -> MonthReport:
    return build_month_report(sample.load_inputs(), lang=request.param)


@pytest.fixture(scope="module")
def pictures(report: MonthReport) -> list[Picture]:
    # Any "Glyph ... missing from font" warning while drawing fails the test.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return report_pictures(report)


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_one_movers_chart_per_market_and_one_pe_chart_per_series(
    pictures: list[Picture],
) -> None:
    assert [p.key for p in pictures] == ["movers-hk", "movers-us", "pe-hstech-hi"]


def test_pngs_have_the_expected_pixel_size_and_are_not_blank(pictures: list[Picture]) -> None:
    for picture in pictures:
        assert _png_size(picture.png) == (picture.width, picture.height)
        image = Image.open(io.BytesIO(picture.png)).convert("L")
        histogram = image.histogram()
        ink = sum(histogram[:200]) / (picture.width * picture.height)
        assert 0.01 < ink < 0.5, f"{picture.key}: {ink:.1%} of the picture is drawn"


def test_svgs_are_well_formed_and_of_the_same_size(pictures: list[Picture]) -> None:
    for picture in pictures:
        root = ET.fromstring(picture.svg)
        assert root.tag.endswith("svg")
        size = MOVERS_SIZE if picture.key.startswith("movers") else PE_SIZE
        width_pt = size.width / size.dpi * 72
        assert root.get("viewBox") == f"0 0 {width_pt:g} {size.height / size.dpi * 72:g}"
        # Text is drawn as glyph outlines: the picture needs no font where it is shown.
        assert "<text" not in picture.svg


def _figures(report: MonthReport) -> list[Figure]:
    return [
        *(movers_figure(market, report) for market in report.markets),
        *(pe_history_figure(str(code), report) for code in report.valuation.index),
    ]


def test_every_chinese_text_is_drawn_with_a_font_that_has_its_glyphs(
    report: MonthReport,
) -> None:
    font = fonts.cjk_font()
    chinese = []
    for figure in _figures(report):
        with matplotlib.rc_context(font.rc_params()):
            for text in figure_texts(figure):
                content = text.get_text()
                if not CJK.search(content):
                    continue
                chinese.append(content)
                # The font matplotlib picks for this text is the CJK font...
                used = Path(font_manager.findfont(text.get_fontproperties()))
                assert used == font.path, f"{content!r} is set in {used.name}"
    # ...and its character map has every character of every Chinese text.
    assert fonts.missing_glyphs(font, chinese) == set()
    if report.lang == "zh":
        drawn = "".join(chinese)
        for name in ("金山软件", "网易", "金蝶国际", "阿里巴巴", "恒生科技指数", "腾讯控股"):
            assert name in drawn


def test_the_check_catches_a_font_without_chinese_glyphs() -> None:
    dejavu = Path(font_manager.findfont("DejaVu Sans"))
    assert fonts.missing_glyphs(dejavu, ["金山软件 16.7%"]) == set("金山软件")
    figure = Figure(figsize=(2, 1))
    FigureCanvasAgg(figure)
    figure.text(0.1, 0.5, "金山软件")
    with (
        matplotlib.rc_context({"font.family": "DejaVu Sans"}),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="missing from font"):
            figure.savefig(io.BytesIO(), format="png")


def test_the_packaged_font_is_used_first() -> None:
    font = fonts.cjk_font()
    assert font.source == "package"
    assert font.family == "Noto Sans SC"
    assert font.path.name == "NotoSansSC-Regular.otf"


def test_a_system_font_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_packaged", lambda: None)
    fonts.cjk_font.cache_clear()
    try:
        system = fonts._system()
        if system is None:
            with pytest.raises(fonts.FontNotFoundError, match="no font with Chinese glyphs"):
                fonts.cjk_font()
        else:
            assert fonts.cjk_font() == system
            assert system.family in fonts.SYSTEM_FAMILIES
            assert fonts.missing_glyphs(system, ["金山软件恒生科技指数"]) == set()
    finally:
        fonts.cjk_font.cache_clear()


def test_no_font_at_all_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_packaged", lambda: None)
    monkeypatch.setattr(fonts, "_system", lambda: None)
    fonts.cjk_font.cache_clear()
    try:
        with pytest.raises(fonts.FontNotFoundError, match="pylopdf-fonts-zh-cn"):
            fonts.cjk_font()
    finally:
        fonts.cjk_font.cache_clear()


def test_chinese_bars_are_red_for_rises(report: MonthReport) -> None:
    figure = movers_figure(report.markets[0], report)
    left = figure.axes[0]
    colours = {matplotlib.colors.to_hex(bar.get_facecolor()) for bar in left.patches}
    assert colours == ({"#c8312b"} if report.lang == "zh" else {"#1f8a4c"})


def test_a_market_where_nothing_fell_gets_one_full_width_panel(report: MonthReport) -> None:
    us = next(market for market in report.markets if market.market == "US")
    assert us.decliners.empty
    figure = movers_figure(us, report)
    assert len(figure.axes) == 1
    title = figure.axes[0].get_title(loc="left")
    # Three rose and ten were asked for: the panel shows every riser, not a "top 3".
    assert title in ("上涨个股（本月无下跌个股）", "Gainers (no stock fell this month)")
    hong_kong = movers_figure(report.markets[0], report)
    assert len(hong_kong.axes) == 2


def test_the_risers_panel_says_top_n_only_when_n_rose() -> None:
    report = build_month_report(sample.load_inputs(), chart_n=2)
    figure = movers_figure(report.markets[0], report)
    assert figure.axes[0].get_title(loc="left") == "涨幅前 2"
    bars = [tick.get_text() for tick in figure.axes[0].get_yticklabels()]
    assert bars == ["金山软件", "网易"]
    assert not set(bars) & {t.get_text() for t in figure.axes[1].get_yticklabels()}


def test_the_pe_chart_says_since_launch_as_the_sentence_does(report: MonthReport) -> None:
    figure = pe_history_figure("HSTECH.HI", report)
    title = figure.axes[0].get_title()
    assert title in ("恒生科技指数 PE-TTM（成立以来）", "Hang Seng TECH Index PE-TTM since launch")
