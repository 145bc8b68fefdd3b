"""Ratings under schemes kept as data files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import xlmodels as xm
from xlmodels.core.ratings import ENVIRONMENT_VARIABLE, RatingScheme, SchemeError, load_scheme


def test_bundled_schemes() -> None:
    assert {"guosen", "csc", "cms", "ubs"} <= set(xm.available_schemes())


@pytest.mark.parametrize(
    ("expected", "label"),
    [(0.25, "优于大市"), (0.10, "中性"), (0.0, "中性"), (-0.10, "中性"), (-0.1001, "弱于大市")],
)
def test_guosen_thresholds_and_boundaries(expected: float, label: str) -> None:
    assert xm.rate(expected) == label


def test_rating_is_relative_to_the_benchmark() -> None:
    assert xm.rate(0.25, benchmark_return=0.18, lang="en") == "Neutral"


def test_every_label_exists_in_both_languages() -> None:
    for scheme_id in xm.available_schemes():
        scheme = load_scheme(scheme_id)
        assert len(scheme.labels("zh")) == len(scheme.labels("en")) == len(scheme.tiers) + 1


@pytest.mark.parametrize(
    ("expected", "label"),
    [
        (0.16, "Buy"),
        (0.15, "Accumulate"),
        (0.05, "Accumulate"),
        (0.0, "Neutral"),
        (-0.05, "Neutral"),
        (-0.15, "Reduce"),
        (-0.16, "Sell"),
    ],
)
def test_csc_five_tiers(expected: float, label: str) -> None:
    assert xm.rate(expected, scheme="csc", lang="en") == label


def test_ubs_style_uses_the_market_return_assumption() -> None:
    assert xm.rate(0.15, benchmark_return=0.08, scheme="ubs", lang="en") == "Buy"
    assert xm.rate(0.10, benchmark_return=0.08, scheme="ubs", lang="en") == "Neutral"


def test_vectorized_with_missing_and_nm() -> None:
    result = xm.rate(np.array([0.3, np.nan, float(xm.NM), -0.5]), lang="en")
    assert result.tolist() == ["Outperform", None, "Not rated", "Underperform"]


def test_series_keeps_its_index() -> None:
    result = xm.rate(pd.Series([0.3, -0.3], index=["A", "B"]), lang="en")
    assert result.to_dict() == {"A": "Outperform", "B": "Underperform"}


def test_scheme_names_are_case_insensitive_and_unknown_ones_listed() -> None:
    assert xm.rate(0.3, scheme="GUOSEN") == "优于大市"
    with pytest.raises(SchemeError, match=r"scheme must be one of .*'guosen'.*got 'gs'"):
        xm.rate(0.3, scheme="gs")


def test_bad_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang must be one of 'zh', 'en'"):
        xm.rate(0.3, lang="fr")


SCHEME = textwrap.dedent(
    """
    id = "house"
    name = { zh = "本所", en = "House" }
    basis = "absolute"
    horizon = { zh = "12个月", en = "12 months" }
    not_rated = { zh = "无评级", en = "Not rated" }

    [[tiers]]
    key = "buy"
    zh = "买入"
    en = "Buy"
    above = 0.2
    inclusive = true

    [[tiers]]
    key = "hold"
    zh = "持有"
    en = "Hold"
    """
)


def test_a_user_scheme_is_added_by_dropping_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "house.toml").write_text(SCHEME, encoding="utf-8")
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path))
    assert "house" in xm.available_schemes()
    assert xm.rate(0.2, scheme="house", lang="en") == "Buy"  # inclusive boundary
    assert xm.rate(0.19, scheme="house") == "持有"
    # An absolute scheme ignores the benchmark.
    assert xm.rate(0.2, benchmark_return=0.5, scheme="house", lang="en") == "Buy"


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        (SCHEME.replace("above = 0.2", 'above = "ten"'), "tiers[0].above"),
        (SCHEME.replace('en = "Hold"', ""), "tiers[1].en"),
        (SCHEME.replace('basis = "absolute"', 'basis = "sideways"'), "basis"),
        (SCHEME.replace("inclusive = true", 'inclusive = "yes"'), "tiers[0].inclusive"),
        (SCHEME.replace('not_rated = { zh = "无评级", en = "Not rated" }', ""), "not_rated"),
        (SCHEME.replace('id = "house"', 'id = "other"'), "id"),
    ],
)
def test_a_malformed_scheme_names_the_file_and_the_field(
    tmp_path: Path, broken: str, field: str
) -> None:
    path = tmp_path / "house.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(SchemeError) as error:
        RatingScheme.from_file(path)
    assert str(path) in str(error.value)
    assert f"field '{field}'" in str(error.value)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "house.toml"
    path.write_text("id = ", encoding="utf-8")
    with pytest.raises(SchemeError, match=r"house\.toml: not valid TOML"):
        RatingScheme.from_file(path)


def test_bounds_must_fall_from_the_best_tier_down(tmp_path: Path) -> None:
    text = SCHEME.replace(
        '[[tiers]]\nkey = "hold"',
        '[[tiers]]\nkey = "mid"\nzh = "中"\nen = "Mid"\nabove = 0.3\n\n[[tiers]]\nkey = "hold"',
    )
    path = tmp_path / "house.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeError, match=r"tiers\[1\].above' must be below"):
        RatingScheme.from_file(path)


def test_missing_scheme_folder_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path / "nowhere"))
    with pytest.raises(SchemeError, match="nowhere: rating-scheme folder"):
        xm.available_schemes()
