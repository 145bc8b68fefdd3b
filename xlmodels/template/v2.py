"""Template version 2 of the coverage workbook, for reading and upgrading v2 workbooks.

Version 2 differs from version 3 (:data:`xlmodels.template.v3.SPEC`) in one way:

* Estimates has no EPS LYR column (the last reported fiscal year's EPS) and
  Coverage neither that EPS nor its PE LYR: v3 added them so that rolling
  the estimates after a company reports keeps the year it reported, and a
  static PE beside the forward ones.

Everything else (sheets, formulas, named ranges, formats) is version 3's.
The template is written as its differences from the current one, so that
regeneration reads a v2 workbook through its own names and checks its
formulas and layout as v2 wrote them (its Coverage formulas point at
columns two places to the left of v3's from the FY1 EPS on). When the
current template moves on to version 4, version 3 must first be frozen the
same way (as its differences from version 4) and this module rebased on it.

Examples
--------
>>> SPEC_V2.version, [c.key for c in SPEC_V2.sheet("Estimates").columns][3:5]
(2, ['eps_basis', 'eps_fy1'])
>>> "pe_lyr" in [c.key for c in SPEC_V2.sheet("Coverage").columns]
False
"""

from __future__ import annotations

from dataclasses import replace

from xlmodels.template.schema import (
    HistorySheet,
    SettingsSheet,
    TableSheet,
    TextSheet,
    WorkbookSpec,
)
from xlmodels.template.v3 import SPEC

__all__ = ["ADDED_COLUMNS", "ADDED_SETTINGS", "SPEC_V2"]

#: Columns version 3 added, by sheet.
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    "Estimates": ("eps_lyr",),
    "Coverage": ("eps_lyr", "pe_lyr"),
}
#: Settings version 3 added.
ADDED_SETTINGS: tuple[str, ...] = ()


def _sheet_v2(
    sheet: TableSheet | SettingsSheet | HistorySheet | TextSheet,
) -> TableSheet | SettingsSheet | HistorySheet | TextSheet:
    if isinstance(sheet, TableSheet) and sheet.name in ADDED_COLUMNS:
        added = ADDED_COLUMNS[sheet.name]
        return replace(sheet, columns=tuple(c for c in sheet.columns if c.key not in added))
    if isinstance(sheet, SettingsSheet) and ADDED_SETTINGS:
        return replace(
            sheet, settings=tuple(s for s in sheet.settings if s.key not in ADDED_SETTINGS)
        )
    return sheet


#: The coverage workbook as template version 2 laid it out.
SPEC_V2 = WorkbookSpec(
    version=2,
    sheets=tuple(_sheet_v2(sheet) for sheet in SPEC.sheets),
    charts=SPEC.charts,
    xlwings_udf_modules=SPEC.xlwings_udf_modules,
)
