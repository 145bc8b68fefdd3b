"""Each template version is the next one's differences: v3 current, v2 and v1 frozen."""

from __future__ import annotations

from xlmodels.template.migrations import TEMPLATES, migration_path
from xlmodels.template.schema import RowContext
from xlmodels.template.v1 import SPEC_V1
from xlmodels.template.v2 import ADDED_COLUMNS, ADDED_SETTINGS, SPEC_V2
from xlmodels.template.v3 import SPEC, TEMPLATE_VERSION


def test_the_current_template_is_version_3_and_every_version_has_a_spec() -> None:
    assert TEMPLATE_VERSION == SPEC.version == 3
    assert {version: spec.version for version, spec in TEMPLATES.items()} == {1: 1, 2: 2, 3: 3}
    assert [m.label for m in migration_path(1)] == ["v1 -> v2", "v2 -> v3"]


def test_v2_is_v3_without_what_v3_added() -> None:
    for sheet in SPEC.table_sheets():
        added = ADDED_COLUMNS.get(sheet.name, ())
        current = [c.key for c in sheet.columns]
        assert [c.key for c in SPEC_V2.sheet(sheet.name).columns] == [
            key for key in current if key not in added
        ]
    current = [s.key for s in SPEC.settings.settings]
    # A setting added at the end moves no v2 setting's row.
    assert current[-len(ADDED_SETTINGS) :] == list(ADDED_SETTINGS)
    assert [s.key for s in SPEC_V2.settings.settings] == current[: -len(ADDED_SETTINGS)]
    assert [c.key for c in SPEC_V1.sheet("Estimates").columns if c.key == "eps_basis"] == []


def test_no_current_header_names_the_currencies_present_while_v2_did() -> None:
    placeholders = ("{price_ccy}", "{eps_ccy}")
    for sheet in SPEC.table_sheets():
        for column in sheet.columns:
            text = " ".join(column.headers.values())
            assert not any(p in text for p in placeholders), (sheet.name, column.key)
    v2 = SPEC_V2.sheet("Coverage")
    labels = {"price_ccy": "港元/美元", "eps_ccy": "人民币/美元", "fy1": "2024E"}
    assert v2.column("close").header("zh", labels) == "昨收盘（港元/美元）"
    assert v2.column("eps_fy1").header("zh", labels) == "EPS 2024E（人民币/美元）"


def test_v2_market_caps_stay_in_the_price_currency_and_v3_can_convert_them() -> None:
    v2, v3 = SPEC_V2.sheet("Coverage"), SPEC.sheet("Coverage")
    for mode in ("sq", "native"):
        old = v2.column("market_cap").formula_for(mode, RowContext(SPEC_V2, v2, 5))
        new = v3.column("market_cap").formula_for(mode, RowContext(SPEC, v3, 5))
        assert "reporting" not in old
        assert "set_reporting_currency" in new
        assert "mkt_reporting_fx" in new
