"""A snapshot taken from the figures a workbook was built with equals one computed afresh.

Regeneration records each workbook's snapshot from the coverage table the
workbook was just built with (localised into its language) rather than
computing the table a second time: the record must be the same text either
way, whatever the language, the names given and the overrides typed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from xlmodels.domain.model import CoverageInputs
from xlmodels.revisions.snapshot import snapshot_of
from xlmodels.sources import sample
from xlmodels.workbook.content import build_content


def _inputs(lang: str, overrides: list[object], names_en: bool = True) -> CoverageInputs:
    inputs = sample.load_inputs()
    universe = inputs.universe.copy()
    if not names_en:
        universe = universe.drop(columns=["name_en"])
    else:
        # A name missing in one language falls back to the other's.
        universe.loc["9999.HK", "name_en"] = None
        universe.loc["3690.HK", "name"] = "  "
    # Companies past the overrides have no estimates row at all.
    codes = list(universe.index[: len(overrides)])
    estimates = inputs.estimates.reindex(codes)
    estimates["rating_override"] = estimates["rating_override"].astype(object)
    for code, value in zip(codes, overrides, strict=True):
        estimates.loc[code, "rating_override"] = value
    return replace(
        inputs,
        universe=universe,
        estimates=estimates,
        settings=inputs.settings.with_language(lang),
    )


#: Overrides typed in either language, padded, blank, unknown to the scheme, not text.
OVERRIDES: list[object] = ["Outperform", " 中性 ", "  ", "Hold it", np.nan, "无评级", "Not rated"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("names_en", [True, False])
def test_snapshot_from_the_built_workbook_is_the_same(lang: str, names_en: bool) -> None:
    inputs = _inputs(lang, OVERRIDES, names_en)
    built = build_content(inputs, lang=lang)
    afresh = snapshot_of(inputs, workbook="hk.xlsx", formula_mode="sq")
    taken = snapshot_of(inputs, workbook="hk.xlsx", formula_mode="sq", built=built)
    assert taken.to_json() == afresh.to_json()
    # The overrides are kept as typed (stripped), not as the workbook shows them.
    ratings = {code: c.outputs["rating"] for code, c in afresh.companies.items()}
    assert ratings["0700.HK"] == "Outperform"
    assert ratings["9999.HK"] == "中性"
    assert ratings["9988.HK"] == "Hold it"


def test_snapshot_without_an_override_column_is_the_same() -> None:
    inputs = sample.load_inputs()
    inputs = replace(inputs, estimates=inputs.estimates.drop(columns=["rating_override"]))
    built = build_content(inputs)
    afresh = snapshot_of(inputs, workbook="hk.xlsx")
    assert snapshot_of(inputs, workbook="hk.xlsx", built=built).to_json() == afresh.to_json()


def test_a_workbook_built_in_another_language_is_refused() -> None:
    inputs = _inputs("zh", ["Outperform"])
    built = build_content(inputs, lang="en")
    with pytest.raises(ValueError, match="not built from these inputs"):
        snapshot_of(inputs, workbook="hk.xlsx", built=built)


def test_a_workbook_of_other_companies_is_refused() -> None:
    inputs = sample.load_inputs()
    fewer = replace(inputs, universe=inputs.universe.iloc[:3])
    built = build_content(fewer)
    with pytest.raises(ValueError, match="not built from these inputs"):
        snapshot_of(inputs, workbook="hk.xlsx", built=built)


def test_estimates_of_companies_outside_the_universe_are_ignored() -> None:
    inputs = sample.load_inputs()
    extra = pd.DataFrame({"rating_override": ["Buy"]}, index=pd.Index(["XXXX.HK"], name="code"))
    inputs = replace(inputs, estimates=pd.concat([inputs.estimates, extra]))
    built = build_content(inputs)
    afresh = snapshot_of(inputs, workbook="hk.xlsx")
    assert snapshot_of(inputs, workbook="hk.xlsx", built=built).to_json() == afresh.to_json()
