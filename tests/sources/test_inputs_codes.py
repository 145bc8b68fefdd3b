"""Security codes: one spelling whatever the vendor, and resolution across files."""

from __future__ import annotations

import pytest

from xlmodels.sources.codes import CodeBook, market_of, normalise_code, parse_fx_pair


@pytest.mark.parametrize(
    ("raw", "market", "expected"),
    [
        ("0700.HK", None, "0700.HK"),
        ("700.HK", None, "0700.HK"),
        ("700 HK", None, "0700.HK"),
        ("700 HK Equity", None, "0700.HK"),
        ("  700  hk  equity ", None, "0700.HK"),
        ("00700", "HK", "0700.HK"),
        ("9988.HK", None, "9988.HK"),
        ("09988", "HK", "9988.HK"),
        ("80737.HK", None, "80737.HK"),
        ("600519.SH", None, "600519.SH"),
        ("600519", None, "600519.SH"),
        ("600519", "A", "600519.SH"),
        ("000001", "A", "000001.SZ"),
        ("300750 CH Equity", None, "300750.SZ"),
        ("430047 CH", None, "430047.BJ"),
        ("AMZN.O", None, "AMZN.O"),
        ("amzn.oq", None, "AMZN.O"),
        ("AMZN UW Equity", None, "AMZN.O"),
        ("SE UN Equity", None, "SE.N"),
        ("AMZN US Equity", None, "AMZN.US"),
        ("AMZN", "US", "AMZN.US"),
        ("HSTECH.HI", None, "HSTECH.HI"),
        ("HSTECH Index", None, "HSTECH Index"),
        ("7203 JT Equity", None, "7203.T"),
    ],
)
def test_codes_are_normalised(raw: str, market: str | None, expected: str) -> None:
    assert normalise_code(raw, market) == expected


def test_a_bare_number_without_a_market_is_kept() -> None:
    assert normalise_code("00700") == "00700"


@pytest.mark.parametrize(
    ("raw", "pair"),
    [
        ("CNYHKD", ("CNY", "HKD")),
        ("CNYHKD Curncy", ("CNY", "HKD")),
        ("CNYHKD.EX", ("CNY", "HKD")),
        ("cny/hkd", ("CNY", "HKD")),
        ("USDCNH", ("USD", "CNY")),  # offshore yuan counts as the yuan
        ("HSTECH", None),
        ("0700.HK", None),
        ("AMZN US Equity", None),
    ],
)
def test_fx_pairs_are_recognised(raw: str, pair: tuple[str, str] | None) -> None:
    assert parse_fx_pair(raw) == pair


def test_markets_of_codes() -> None:
    assert [market_of(c) for c in ("0700.HK", "600519.SH", "AMZN.US", "HSTECH.HI", "X")] == [
        "HK",
        "A",
        "US",
        "index",
        None,
    ]


def test_other_files_resolve_to_the_universe_spelling() -> None:
    book = CodeBook(["0700.HK", "AMZN.O", "SE.N", "HSTECH.HI", "IXIC.GI"])
    assert book.resolve("700 HK Equity") == "0700.HK"
    assert book.resolve("00700") == "0700.HK"
    assert book.resolve("AMZN US Equity") == "AMZN.O"
    assert book.resolve("SE US Equity") == "SE.N"
    assert book.resolve("HSTECH Index") == "HSTECH.HI"
    # Bloomberg's NASDAQ Composite ticker is CCMP, not IXIC: no match, kept as written.
    assert book.resolve("CCMP Index") == "CCMP Index"
    assert book.resolve("9999 HK") == "9999.HK"


def test_an_ambiguous_number_is_not_guessed() -> None:
    book = CodeBook(["0700.HK", "000700.SZ"])
    assert book.resolve("700") == "700"
