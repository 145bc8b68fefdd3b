"""Template upgrades: a v2 workbook becomes a v3 workbook with every analyst input carried.

The v2 workbook is written here with the frozen v2 spec (:data:`SPEC_V2`),
as a workbook an analyst kept since version 2: every input differs from the
defaults, so a carried input cannot pass for a default one.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from tests.regenerate_helpers import read_sample, write_inputs
from xlmodels.domain.model import CoverageInputs
from xlmodels.regenerate import (
    MIGRATIONS,
    RegenerateOptions,
    Status,
    migration_path,
    regenerate_folder,
    template_spec,
    upgrade_description,
)
from xlmodels.sources import SettingsChoices, load_inputs, sample
from xlmodels.template.migrations import reading_spec
from xlmodels.template.v2 import SPEC_V2
from xlmodels.template.v3 import SPEC, TEMPLATE_VERSION
from xlmodels.workbook import read_cells, read_workbook, write_workbook
from xlmodels.workbook.conflicts import find_conflicts
from xlmodels.workbook.identify import defined_names

CODES = ["0700.HK", "9999.HK", "3690.HK"]

#: The analyst inputs typed in the v2 workbook, by code.
TYPED_ESTIMATES: dict[str, dict[str, Any]] = {
    "0700.HK": {
        "eps_basis": "reported",
        "eps_fy1": 23.7,
        "eps_fy2": 26.9,
        "eps_fy3": 30.2,
        "target_multiple": 21.5,
        "target_year": "FY3",
        "notes": "=SUM(A1:A2) stays text",
    },
    "9999.HK": {
        "eps_basis": "adjusted",
        "eps_fy1": 11.4,
        "eps_fy2": 12.6,
        "target_multiple": 16.5,
        "target_year": "blended",
        "rating_override": "Neutral",
        "override_reason": "Game pipeline priced in",
    },
    "3690.HK": {
        "eps_basis": "adjusted",
        "eps_fy1": 6.9,
        "eps_fy2": 8.8,
        "eps_fy3": 10.7,
        "target_multiple": 23.0,
        "target_year": "FY1",
        "notes": "Food delivery competition",
    },
}
TYPED_SETTINGS = {
    "fy1_year": 2024,
    "fy_end_month": 6,
    "fy_end_day": 30,
    "scheme": "guosen",
    "percentile_method": "weak",
    "relative_method": "geometric",
}


def _v2_inputs() -> CoverageInputs:
    inputs = sample.load_inputs(lang="en")
    universe = inputs.universe.loc[CODES]
    estimates = pd.DataFrame.from_dict(TYPED_ESTIMATES, orient="index")
    estimates.index.name = "code"
    for column in ("eps_basis", "target_year", "rating_override", "override_reason", "notes"):
        estimates[column] = estimates[column].astype(object)
    settings = replace(
        inputs.settings,
        percentile_method="weak",
        relative_method="geometric",
        fiscal_year_end=(6, 30),
        benchmark_expected_returns={"HK": 0.07},
    )
    return replace(inputs, universe=universe, estimates=estimates, settings=settings)


def _unlocked(path: Path) -> dict[str, dict[str, Any]]:
    """Every non-empty unlocked cell by sheet, row key and header (found wherever it moved)."""
    workbook = openpyxl.load_workbook(path)
    out: dict[str, dict[str, Any]] = {}
    for sheet in workbook.worksheets:
        headers = {cell.column: cell.value for cell in sheet[4]}
        for row in sheet.iter_rows(min_row=5):
            for cell in row:
                if cell.protection.locked or cell.value is None:
                    continue
                key = sheet.cell(cell.row, 1).value
                header = headers.get(cell.column) if sheet.title != "Settings" else "value"
                # v3 headers name no currency: "EPS 2024E (CNY)" is "EPS 2024E" there.
                header = re.sub(r"\s*[(（](CNY|HKD|USD|人民币|港元|美元)[)）]$", "", str(header))
                out.setdefault(sheet.title, {})[f"{key} | {header}"] = cell.value
    return out


@pytest.fixture(params=["native", "sq"])
def v2_workbook(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    folder = tmp_path / "books"
    folder.mkdir()
    path = folder / "hk-internet.xlsx"
    write_workbook(path, _v2_inputs(), mode=request.param, lang="en", spec=SPEC_V2)
    return path


def _sq_formulas(path: Path) -> dict[str, int]:
    """Formulas calling an SQ_ function, by sheet."""
    return {
        sheet: sum(1 for cell in cells.values() if "SQ_" in (cell.formula or ""))
        for sheet, cells in read_cells(path).items()
    }


def _regenerate(folder: Path, tmp_path: Path, **inputs: Any) -> Any:
    universe = read_sample("universe.csv")
    universe = universe[universe["code"].isin(CODES)]
    files = write_inputs(tmp_path / "inputs", universe=universe, **inputs).files()
    return regenerate_folder(folder, load_inputs(files, SettingsChoices()), RegenerateOptions())


def test_the_v2_workbook_is_a_clean_v2_workbook(v2_workbook: Path) -> None:
    data = read_workbook(v2_workbook, spec=SPEC_V2)
    assert data.template_version == 2
    assert "est_eps_lyr" not in data.names
    assert "cov_pe_lyr" not in data.names
    _, names = defined_names(v2_workbook.read_bytes())
    assert find_conflicts(SPEC_V2, data, read_cells(v2_workbook), names) == []
    assert reading_spec(2, set(data.names)) is SPEC_V2
    with pytest.raises(Exception, match="no named range"):
        read_workbook(v2_workbook)  # the current spec cannot read it as it is


def test_v2_to_v3_carries_every_analyst_input(v2_workbook: Path, tmp_path: Path) -> None:
    mode = read_workbook(v2_workbook, spec=SPEC_V2).formula_mode
    before = _unlocked(v2_workbook)
    # 21 estimates, six settings and Hong Kong's benchmark expected return.
    assert {sheet: len(cells) for sheet, cells in before.items()} == {
        "Estimates": 21,
        "Settings": 7,
    }
    result = _regenerate(v2_workbook.parent, tmp_path, estimates=False)
    (outcome,) = result.workbooks
    assert outcome.status is Status.UPDATED, outcome
    assert outcome.migrated_from == 2
    assert outcome.conflicts == ()
    assert any("EPS LYR column" in note for note in outcome.notes)
    after = _unlocked(v2_workbook)
    for sheet, cells in before.items():
        for key, value in cells.items():
            assert after[sheet].get(key) == value, (sheet, key)
    data = read_workbook(v2_workbook)
    assert data.template_version == TEMPLATE_VERSION
    assert (data.formula_mode, data.lang) == (mode, "en")
    estimates = data.analyst.estimates
    for code, typed in TYPED_ESTIMATES.items():
        for field, value in typed.items():
            assert estimates.loc[code, field] == value, (code, field)
    assert estimates["eps_lyr"].isna().all()  # new in v3: blank for the analyst
    assert {key: data.settings[key] for key in TYPED_SETTINGS} == TYPED_SETTINGS
    assert data.analyst.benchmark_expected_returns == {"HK": 0.07}
    coverage = data.tables["Coverage"]
    assert coverage["pe_lyr"].isna().all()
    # v3 shows each row's currencies, keeps caps in them, and stores both names
    # although the workbook is English.
    assert data.settings["reporting_currency"] is None
    assert (coverage.loc["0700.HK", "price_currency"], coverage.loc["0700.HK", "eps_currency"]) == (
        "HKD",
        "CNY",
    )
    market = data.tables["Market"]
    assert (market.loc["0700.HK", "name"], market.loc["0700.HK", "name_en"]) == (
        "腾讯控股",
        "Tencent",
    )
    assert data.tables["Performance"].loc["HSTECH.HI", "name_zh"] == "恒生科技指数"
    assert math.isclose(
        coverage.loc["0700.HK", "market_cap"],
        coverage.loc["0700.HK", "close"] * market.loc["0700.HK", "shares_mn"],
    )
    # The forward PEs move to their v3 columns and still read the v3 cells.
    close, fx = coverage.loc["0700.HK", "close"], coverage.loc["0700.HK", "fx"]
    assert math.isclose(coverage.loc["0700.HK", "pe_fy3"], close / (30.2 * fx))


def test_the_upgraded_workbook_is_clean_and_stays_unchanged(
    v2_workbook: Path, tmp_path: Path
) -> None:
    _regenerate(v2_workbook.parent, tmp_path, estimates=False)
    data = read_workbook(v2_workbook)
    _, names = defined_names(v2_workbook.read_bytes())
    assert find_conflicts(SPEC, data, read_cells(v2_workbook), names) == []
    again = _regenerate(v2_workbook.parent, tmp_path / "again", estimates=False)
    assert [w.status for w in again.workbooks] == [Status.UNCHANGED]


def test_the_estimates_file_fills_eps_lyr_and_the_typed_values_win(
    v2_workbook: Path, tmp_path: Path
) -> None:
    file = pd.DataFrame(
        {"code": CODES, "EPS 2023A": [16.3, 9.9, 2.1], "eps_fy1": [25.0, 11.4, 6.9]}
    )
    (outcome,) = _regenerate(v2_workbook.parent, tmp_path, estimates=file).workbooks
    assert outcome.status is Status.UPDATED, outcome
    data = read_workbook(v2_workbook)
    estimates = data.analyst.estimates
    assert estimates["eps_lyr"].tolist() == [16.3, 9.9, 2.1]
    assert estimates.loc["0700.HK", "eps_fy1"] == 23.7
    assert [(d.code, d.field, d.workbook, d.file) for d in outcome.differences] == [
        ("0700.HK", "eps_fy1", 23.7, 25.0)
    ]
    coverage = data.tables["Coverage"]
    close, fx = coverage.loc["0700.HK", "close"], coverage.loc["0700.HK", "fx"]
    assert math.isclose(coverage.loc["0700.HK", "pe_lyr"], close / (16.3 * fx))


def test_the_registry_knows_both_steps() -> None:
    assert [m.label for m in migration_path(1)] == ["v1 -> v2", "v2 -> v3"]
    assert migration_path(2) == [MIGRATIONS[1]]
    assert template_spec(2) is SPEC_V2
    assert "EPS LYR" in upgrade_description(2)
    assert "EPS basis" in upgrade_description(1)
    assert "EPS LYR" in upgrade_description(1)


def test_a_workbook_of_sq_formulas_in_every_row_gets_one_formula_per_column(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    path = folder / "hk-internet.xlsx"
    write_workbook(path, _v2_inputs(), mode="sq", lang="en", spec=SPEC_V2)
    per_row = _sq_formulas(path)
    # Three companies: eight SQ_ formulas each on Coverage in v2.
    assert per_row["Coverage"] == 3 * 8
    before = read_workbook(path, spec=SPEC_V2).tables["Coverage"]
    (outcome,) = _regenerate(folder, tmp_path, estimates=False).workbooks
    assert outcome.status is Status.UPDATED, outcome
    assert outcome.conflicts == ()
    spilled = _sq_formulas(path)
    expected = {sheet.name: len(sheet.spilled("sq")) for sheet in SPEC.table_sheets()}
    assert {sheet: spilled[sheet] for sheet in expected} == expected
    after = read_workbook(path).tables["Coverage"]
    for key in ("market_cap", "pe_fy1", "pe_fy2", "target_price", "upside", "model_rating"):
        assert after[key].tolist() == before[key].tolist(), key
