"""Template version 1 of the coverage workbook, for reading and upgrading v1 workbooks.

Version 1 differs from version 2 (:data:`xlmodels.template.v2.SPEC_V2`) in three ways:

* Estimates has no EPS basis column: v2 added it because one company's
  reported and adjusted EPS give different multiples (the reference
  report's 15x against 16x for Tencent), so the basis must be explicit;
* Settings lists the rating tiers first and the benchmark expected returns
  under them; v2 moved the benchmark block up, next to the settings it
  qualifies, and the tiers below it;
* Settings records no coverage group: a v1 workbook is found by its file name.

Everything else (sheets, formulas, named ranges, formats) is version 2's.
The template is written as its differences from version 2, itself written
as its differences from the current template (:mod:`xlmodels.template.v2`),
so that regeneration reads a v1 workbook through its own names and checks
its formulas and layout as v1 wrote them.

Examples
--------
>>> SPEC_V1.version, [c.key for c in SPEC_V1.sheet("Estimates").columns][:4]
(1, ['code', 'name', 'eps_currency', 'eps_fy1'])
>>> blocks = SPEC_V1.settings.blocks(markets=2, tiers=4)
>>> blocks.tier_header_row < blocks.bench_header_row
True
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from xlmodels.template.schema import (
    FIRST_DATA_ROW,
    HistorySheet,
    SettingsBlocks,
    SettingsSheet,
    TableSheet,
    TextSheet,
    WorkbookSpec,
)
from xlmodels.template.v2 import SPEC_V2

__all__ = ["SPEC_V1", "SettingsSheetV1"]

#: Columns and settings version 2 added.
ADDED_COLUMNS = {"Estimates": ("eps_basis",)}
ADDED_SETTINGS = ("coverage_group",)


@dataclass(frozen=True)
class SettingsSheetV1(SettingsSheet):
    """The v1 Settings sheet: the tier block first, the benchmark block under it."""

    def blocks(self, markets: int, tiers: int) -> SettingsBlocks:
        """Where v1 put the tier and benchmark blocks.

        >>> SPEC_V1.settings.blocks(markets=1, tiers=3).names("Settings")["set_bench_er"]
        "'Settings'!$B$31:$B$31"
        """
        tier_header = FIRST_DATA_ROW + len(self.settings) + 1
        tier_rows = max(tiers, 1)
        bench_header = tier_header + 1 + tier_rows + 1
        return SettingsBlocks(
            bench_header_row=bench_header,
            bench_first_row=bench_header + 1,
            bench_rows=max(markets, 1),
            tier_header_row=tier_header,
            tier_first_row=tier_header + 1,
            tier_rows=tier_rows,
        )


def _sheet_v1(
    sheet: TableSheet | SettingsSheet | HistorySheet | TextSheet,
) -> TableSheet | SettingsSheet | HistorySheet | TextSheet:
    if isinstance(sheet, TableSheet) and sheet.name in ADDED_COLUMNS:
        added = ADDED_COLUMNS[sheet.name]
        return replace(sheet, columns=tuple(c for c in sheet.columns if c.key not in added))
    if isinstance(sheet, SettingsSheet):
        return SettingsSheetV1(
            name=sheet.name,
            titles=sheet.titles,
            settings=tuple(s for s in sheet.settings if s.key not in ADDED_SETTINGS),
            headers=sheet.headers,
            bench_headers=sheet.bench_headers,
            tier_headers=sheet.tier_headers,
            protected=sheet.protected,
        )
    return sheet


#: The coverage workbook as template version 1 laid it out.
SPEC_V1 = WorkbookSpec(
    version=1,
    sheets=tuple(_sheet_v1(sheet) for sheet in SPEC_V2.sheets),
    charts=SPEC_V2.charts,
    xlwings_udf_modules=SPEC_V2.xlwings_udf_modules,
)
