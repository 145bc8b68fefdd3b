"""The validator's expected figures are the domain's: one computation of each number."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from xlmodels.core.markers import is_nm
from xlmodels.core.ratings import load_scheme
from xlmodels.domain.coverage import compute_coverage
from xlmodels.domain.performance import compute_performance
from xlmodels.excel.ooxml.limits import Limits
from xlmodels.excel.ooxml.package import read_workbook_part
from xlmodels.excel.ooxml.safety import inspect_package
from xlmodels.sources import sample
from xlmodels.validate import validate_file
from xlmodels.validate.layout import Layout
from xlmodels.validate.loading import load_workbook
from xlmodels.validate.recompute import Recomputed, performance
from xlmodels.workbook import write_workbook


def _layout(path: Path) -> Layout:
    package = inspect_package(path.read_bytes(), Limits())
    return Layout.of(load_workbook(package, read_workbook_part(package), Limits()))


def _same(first: object, second: object) -> bool:
    if isinstance(first, float) and isinstance(second, float) and math.isnan(first):
        return math.isnan(second)
    return first == pytest.approx(second) if isinstance(first, float) else first == second


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_validator_expects_what_the_domain_computes(tmp_path: Path, lang: str) -> None:
    inputs = sample.load_inputs(lang=lang)
    estimates = inputs.estimates.copy().astype({"rating_override": object})
    estimates["override_reason"] = estimates["override_reason"].astype(object)
    code = estimates.index[0]
    worst = load_scheme(inputs.settings.scheme).labels(lang)[-2]  # the last before not rated
    # A label pasted with spaces around it (the drop-down refuses it typed).
    estimates.loc[code, "rating_override"] = f" {worst} "
    estimates.loc[code, "override_reason"] = "results below plan"
    # The last reported year's EPS: a profit, a loss (PE LYR is NM) and the rest blank.
    estimates.loc[estimates.index[:2], "eps_lyr"] = [16.3, -0.4]
    inputs = replace(inputs, estimates=estimates)
    path = tmp_path / "coverage.xlsx"
    write_workbook(path, inputs)
    layout = _layout(path)
    table = compute_coverage(inputs)
    rows = Recomputed.of(layout).rows
    assert [row.code for row in rows] == list(table.index)
    for row in rows:
        for key, value in row.computed.items():
            if key in table.columns:
                assert _same(value, table.loc[row.code, key]), (row.code, key)
    assert rows[0].computed["rating"] == worst != rows[0].computed["model_rating"]
    assert rows[0].computed["pe_lyr"] == pytest.approx(
        table.iloc[0]["close"] / (16.3 * table.iloc[0]["fx"])
    )
    assert is_nm(rows[1].computed["pe_lyr"])
    returns = compute_performance(inputs)
    for item in performance(layout):
        for key in ("return", "benchmark_return", "relative_return"):
            assert _same(item.computed[key], returns.loc[item.code, key]), (item.code, key)
    finance = [f for f in validate_file(path).findings if f.rule.startswith("finance.")]
    assert finance == []
