"""Template upgrades: the v1 fixture becomes a current workbook with every analyst input carried."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from tests.regenerate_helpers import v1_fixture_inputs
from xlmodels.regenerate import (
    MIGRATIONS,
    SPEC_V1,
    RegenerateOptions,
    Status,
    TemplateVersionError,
    migration_path,
    regenerate_folder,
    template_spec,
    upgrade_description,
)
from xlmodels.sources import InputFiles, SettingsChoices, load_inputs, sample
from xlmodels.template.v2 import SPEC_V2
from xlmodels.template.v3 import SPEC, TEMPLATE_VERSION
from xlmodels.workbook import read_cells, read_workbook, write_workbook
from xlmodels.workbook.conflicts import find_conflicts
from xlmodels.workbook.identify import defined_names

FIXTURE = Path(__file__).parents[1] / "fixtures" / "coverage-v1.xlsx"
CODES = ["0700.HK", "9999.HK", "3690.HK", "1024.HK"]

#: The analyst inputs typed in the fixture (tools/make_v1_fixture.py), by code.
TYPED_ESTIMATES: dict[str, dict[str, Any]] = {
    "0700.HK": {
        "eps_fy1": 24.1,
        "eps_fy2": 26.3,
        "eps_fy3": 29.8,
        "target_multiple": 21.5,
        "target_year": "FY2",
        "notes": "Adjusted EPS per company guidance",
    },
    "9999.HK": {
        "eps_fy1": 11.2,
        "eps_fy2": 12.0,
        "eps_fy3": 13.1,
        "target_multiple": 16.0,
        "target_year": "blended",
        "notes": "=SUM(A1:A2) is text, not a formula",
    },
    "3690.HK": {
        "eps_fy1": 7.1,
        "eps_fy2": 8.6,
        "eps_fy3": 10.2,
        "target_multiple": 24.0,
        "target_year": "FY3",
        "rating_override": "Accumulate",
        "override_reason": "Take-out competition eases",
    },
    "1024.HK": {
        "eps_fy1": 3.4,
        "eps_fy2": 4.2,
        "target_multiple": 13.5,
        "target_year": "FY1",
        "notes": "Initiation pending",
    },
}
TYPED_SETTINGS = {
    "fy1_year": 2024,
    "fy_end_month": 3,
    "fy_end_day": 31,
    "scheme": "csc",
    "percentile_method": "strict",
    "relative_method": "geometric",
}


def _unlocked(path: Path) -> dict[str, dict[str, Any]]:
    """Every non-empty unlocked cell (an analyst's input), read with openpyxl alone.

    Keyed by sheet, then by the row's key in column A (a code, a setting's
    label, a market) and the column's header, which v1 and v2 share: a
    cell is found again wherever the upgrade moved it.
    """
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
                out.setdefault(sheet.title, {})[f"{key} | {header}"] = cell.value
    return out


def _regenerate(folder: Path, files: InputFiles, **options: Any) -> Any:
    return regenerate_folder(
        folder, load_inputs(files, SettingsChoices()), RegenerateOptions(**options)
    )


@pytest.fixture
def upgraded(tmp_path: Path) -> Path:
    folder = tmp_path / "books"
    folder.mkdir()
    # A v1 workbook records no coverage group: it is found by its file name.
    shutil.copy(FIXTURE, folder / "hk-internet.xlsx")
    result = _regenerate(folder, v1_fixture_inputs(tmp_path / "inputs"))
    (outcome,) = result.workbooks
    assert outcome.status is Status.UPDATED, outcome
    assert outcome.migrated_from == 1
    assert "upgraded from template v1" in outcome.reason
    assert outcome.conflicts == ()
    assert any("EPS basis column is blank" in note for note in outcome.notes)
    assert any("EPS LYR column" in note for note in outcome.notes)
    return folder / "hk-internet.xlsx"


def test_the_fixture_is_a_clean_v1_workbook() -> None:
    data = read_workbook(FIXTURE, spec=SPEC_V1)
    assert data.template_version == 1
    assert "set_coverage_group" not in data.names
    assert "est_eps_basis" not in data.names
    # v1 keeps the benchmark expected returns under the rating tiers.
    assert data.names["set_bench_er"].first_row > data.names["set_tier_label"].last_row
    cells = read_cells(FIXTURE)
    _, names = defined_names(FIXTURE.read_bytes())
    assert find_conflicts(SPEC_V1, data, cells, names) == []
    with pytest.raises(Exception, match="est_eps_basis"):
        read_workbook(FIXTURE, spec=SPEC_V2)  # version 2's spec cannot read it as it is
    with pytest.raises(Exception, match="no named range"):
        read_workbook(FIXTURE)  # nor the current one


def test_v1_to_current_carries_every_analyst_input(upgraded: Path) -> None:
    before, after = _unlocked(FIXTURE), _unlocked(upgraded)
    # 24 estimates (one company has no FY3, rating override or reason on three),
    # six settings and Hong Kong's benchmark expected return.
    assert {sheet: len(cells) for sheet, cells in before.items()} == {
        "Estimates": 24,
        "Settings": 7,
    }
    for sheet, cells in before.items():
        for key, value in cells.items():
            assert after[sheet].get(key) == value, (sheet, key)
    data = read_workbook(upgraded)
    assert data.template_version == TEMPLATE_VERSION
    assert (data.formula_mode, data.lang) == ("native", "en")
    assert data.settings["coverage_group"] == "HK Internet"
    estimates = data.analyst.estimates
    for code, typed in TYPED_ESTIMATES.items():
        for field, value in typed.items():
            assert estimates.loc[code, field] == value, (code, field)
    assert estimates["eps_basis"].isna().all()  # new in v2: blank for the analyst
    assert estimates["eps_lyr"].isna().all()  # new in v3: blank too
    assert {key: data.settings[key] for key in TYPED_SETTINGS} == TYPED_SETTINGS
    assert data.analyst.benchmark_expected_returns == {"HK": 0.06}
    # v2 and later keep the benchmark block above the tiers, at the spec's rows.
    blocks = SPEC.settings.blocks(markets=1, tiers=5)
    assert data.names["set_bench_er"].first_row == blocks.bench_first_row
    assert data.names["set_bench_er"].first_row < data.names["set_tier_label"].first_row
    workbook = openpyxl.load_workbook(upgraded)
    assert workbook["Settings"][f"B{blocks.bench_first_row}"].value == 0.06
    # Prices are the new month's; the history is the workbook's own.
    assert data.tables["Market"].loc["0700.HK", "close"] == 412.6
    original = read_workbook(FIXTURE, spec=SPEC_V1).history
    assert original is not None
    assert data.history is not None
    pd.testing.assert_frame_equal(original, data.history)


def test_the_upgraded_workbook_is_a_clean_current_workbook(upgraded: Path, tmp_path: Path) -> None:
    data = read_workbook(upgraded)
    _, names = defined_names(upgraded.read_bytes())
    assert find_conflicts(SPEC, data, read_cells(upgraded), names) == []
    again = _regenerate(upgraded.parent, v1_fixture_inputs(tmp_path / "inputs"))
    assert [w.status for w in again.workbooks] == [Status.UNCHANGED]


def test_the_estimates_file_fills_the_new_column(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "hk-internet.xlsx")
    estimates = pd.DataFrame(
        {
            "code": CODES,
            "eps_basis": ["adjusted", "adjusted", "reported", "adjusted"],
            "eps_fy1": [25.0, 11.2, 7.1, 3.4],
        }
    )
    files = v1_fixture_inputs(tmp_path / "inputs", estimates=estimates)
    (outcome,) = _regenerate(folder, files).workbooks
    assert outcome.status is Status.UPDATED
    data = read_workbook(folder / "hk-internet.xlsx").analyst.estimates
    assert data["eps_basis"].tolist() == ["adjusted", "adjusted", "reported", "adjusted"]
    assert data.loc["0700.HK", "eps_fy1"] == 24.1
    assert [(d.code, d.field, d.workbook, d.file) for d in outcome.differences] == [
        ("0700.HK", "eps_fy1", 24.1, 25.0)
    ]


def test_a_newer_template_is_refused_and_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    newer = replace(SPEC, version=TEMPLATE_VERSION + 1)
    inputs = sample.load_inputs()
    hk = inputs.universe[inputs.universe["coverage_group"] == "HK Internet"]
    write_workbook(folder / "hk-internet.xlsx", replace(inputs, universe=hk), spec=newer)
    before = (folder / "hk-internet.xlsx").read_bytes()
    files = InputFiles(
        sample.sample_path("universe.csv"),
        sample.sample_path("market.csv"),
        indexes=sample.sample_path("indexes.csv"),
    )
    result = _regenerate(folder, files)
    outcome = {w.file: w for w in result.workbooks}["hk-internet.xlsx"]
    assert outcome.status is Status.FAILED
    assert outcome.reason == (
        "template version 4 is newer than 3, the latest this xlmodels knows: upgrade xlmodels "
        "to regenerate it"
    )
    assert (folder / "hk-internet.xlsx").read_bytes() == before
    assert result.exit_code == 1


def test_the_migration_registry_answers_the_validator() -> None:
    assert migration_path(1) == [MIGRATIONS[0], MIGRATIONS[1]]
    assert migration_path(TEMPLATE_VERSION) == []
    assert MIGRATIONS[0].label == "v1 -> v2"
    assert "EPS basis" in upgrade_description(1)
    assert template_spec(1) is SPEC_V1
    with pytest.raises(TemplateVersionError, match="newer than 3"):
        migration_path(4)
    with pytest.raises(TemplateVersionError, match="unknown"):
        migration_path(0)


def test_a_migration_refuses_inputs_of_another_version() -> None:
    from xlmodels.regenerate.carry import carried_from_workbook

    data = read_workbook(io.BytesIO(FIXTURE.read_bytes()), spec=SPEC_V1)
    carried = carried_from_workbook(data, SPEC_V1)
    upgraded = MIGRATIONS[0](carried)
    assert upgraded.version == 2
    assert upgraded.estimates.columns[0] == "eps_basis"
    with pytest.raises(TemplateVersionError, match="applies to version 1"):
        MIGRATIONS[0](upgraded)


def test_a_v2_workbook_written_before_the_coverage_group_setting_is_read(tmp_path: Path) -> None:
    from xlmodels.template.migrations import reading_spec

    folder = tmp_path / "books"
    folder.mkdir()
    earlier = reading_spec(2, set())
    assert "coverage_group" not in [item.key for item in earlier.settings.settings]
    inputs = sample.load_inputs()
    hk = inputs.universe[inputs.universe["coverage_group"] == "HK Internet"]
    write_workbook(folder / "hk-internet.xlsx", replace(inputs, universe=hk), spec=earlier)
    files = InputFiles(
        sample.sample_path("universe.csv"),
        sample.sample_path("market.csv"),
        indexes=sample.sample_path("indexes.csv"),
    )
    result = _regenerate(folder, files)
    outcome = {w.file: w for w in result.workbooks}["hk-internet.xlsx"]
    assert outcome.status is Status.UPDATED, outcome
    assert outcome.conflicts == ()
    data = read_workbook(folder / "hk-internet.xlsx")
    assert data.settings["coverage_group"] == "HK Internet"
    assert data.analyst.estimates.loc["0700.HK", "eps_fy1"] == 24.1
