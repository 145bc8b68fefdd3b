"""The HTML page: self-contained, correct, and clean in a real browser."""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path

import pytest
from chromium_devtools import load_page
from PIL import Image

from xlmodels.report.charts import report_pictures
from xlmodels.report.html import report_html
from xlmodels.report.month import MonthReport, build_month_report
from xlmodels.report.sentences import month_sentences
from xlmodels.sources import sample


@pytest.fixture(scope="module", params=["zh", "en"])
def report(request: pytest.FixtureRequest) -> MonthReport:
    return build_month_report(
        sample.load_inputs(), lang=request.param, index_codes=["HSTECH.HI", "QNET.GI"]
    )


@pytest.fixture(scope="module")
def page(report: MonthReport) -> str:
    return report_html(report, month_sentences(report), report_pictures(report))


def test_the_page_declares_its_language_and_encoding(report: MonthReport, page: str) -> None:
    expected = "zh-Hans" if report.lang == "zh" else "en"
    assert page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{expected}">' in page
    assert '<meta charset="utf-8">' in page


def test_the_page_carries_the_statements_the_table_and_the_pictures(
    report: MonthReport, page: str
) -> None:
    for text in month_sentences(report).paragraphs():
        assert html.escape(text) in page
    for cell in ("0700.HK", "3,688,428", "24.10", ">15<"):
        assert cell in page
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert len(images) == 3
    for encoded in images:
        assert base64.b64decode(encoded).lstrip().startswith(b"<?xml")


def test_the_page_needs_nothing_from_outside(page: str) -> None:
    assert "<script" not in page
    assert "<link" not in page
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", page)
    assert "url(" not in page
    assert "@import" not in page


def test_text_from_the_data_is_escaped(report: MonthReport) -> None:
    hostile = report.groups[0]
    coverage = hostile.coverage.copy()
    coverage.loc["0700.HK", "name"] = "<b>腾讯</b>"
    tampered = type(hostile)(hostile.title, coverage, hostile.settings)
    changed = type(report)(**{**report.__dict__, "groups": (tampered,)})
    text = report_html(changed, month_sentences(changed), [])
    assert "<b>腾讯</b>" not in text
    assert "&lt;b&gt;腾讯&lt;/b&gt;" in text


@pytest.mark.chromium
def test_the_page_loads_in_chromium_without_console_errors(
    chromium: str, report: MonthReport, page: str, tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    loaded = load_page(chromium, path, width=1200, height=900)
    assert loaded.errors == []
    # Nothing is fetched but the page itself and its embedded pictures.
    assert loaded.requests
    assert all(url.startswith(("file:", "data:")) for url in loaded.requests), loaded.requests
    assert loaded.lang == ("zh-Hans" if report.lang == "zh" else "en")
    assert loaded.title.startswith("2024 年 11 月" if report.lang == "zh" else "November 2024")
    screenshot = Image.open(io.BytesIO(loaded.screenshot))
    assert screenshot.width == 1200
    assert screenshot.height > 2000, "the whole page, pictures included, is captured"
    # Not a blank page: a fair share of it is ink.
    grey = screenshot.convert("L")
    ink = sum(grey.histogram()[:200]) / (grey.width * grey.height)
    assert ink > 0.02
    (tmp_path / f"report-{report.lang}.png").write_bytes(loaded.screenshot)
    assert loaded.pdf.startswith(b"%PDF")


@pytest.mark.chromium
def test_the_check_sees_console_errors_and_failed_loads(chromium: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
        '<body><img src="missing.png" alt="x"><script>console.error("boom");'
        "undefinedFunction();</script></body></html>",
        encoding="utf-8",
    )
    loaded = load_page(chromium, broken)
    joined = "\n".join(loaded.errors)
    assert "console.error: boom" in joined
    assert "undefinedFunction" in joined
    assert "missing.png" in joined or "ERR_FILE_NOT_FOUND" in joined
