"""The names a coverage workbook is found by: its sheets and its fixed defined names.

The template (:mod:`~xlmodels.template.v3`) builds its sheets with these
names, and every reader of a workbook (reader, validator, regeneration,
reports) looks things up through them, so a sheet or a name is spelled in
one place. Column ranges (``cov_pe_fy1``) and settings (``set_scheme``) are
named by their sheet and key (:meth:`~xlmodels.template.schema.TableSheet.range_name`,
:func:`setting_name`); the blocks below have fixed names.

Examples
--------
>>> setting_name("template_version") == SET_TEMPLATE_VERSION
True
>>> HISTORY_SHEET, HIST_PE
('History', 'hist_pe')
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "COVERAGE_SHEET",
    "ESTIMATES_SHEET",
    "GUIDE_SHEET",
    "HISTORY_SHEET",
    "HIST_CLOSE",
    "HIST_CLOSE_CODES",
    "HIST_DATE",
    "HIST_PE",
    "HIST_PE_CODES",
    "MARKET_SHEET",
    "PERFORMANCE_SHEET",
    "SETTINGS_SHEET",
    "SET_BENCH_ER",
    "SET_BENCH_ER_MARKET",
    "SET_COVERAGE_GROUP",
    "SET_TEMPLATE_VERSION",
    "SET_TIER_BOUND",
    "SET_TIER_INCLUSIVE",
    "SET_TIER_LABEL",
    "VALUATION_SHEET",
    "XLWINGS_CONF_SHEET",
    "setting_name",
]

# Sheets, in the template's tab order.
GUIDE_SHEET: Final = "Guide"
COVERAGE_SHEET: Final = "Coverage"
ESTIMATES_SHEET: Final = "Estimates"
MARKET_SHEET: Final = "Market"
PERFORMANCE_SHEET: Final = "Performance"
VALUATION_SHEET: Final = "Valuation"
HISTORY_SHEET: Final = "History"
SETTINGS_SHEET: Final = "Settings"
#: The sheet the xlwings add-in reads its settings from; xlwings fixes its name.
XLWINGS_CONF_SHEET: Final = "xlwings.conf"

#: Prefix of a setting's named cell.
SETTING_PREFIX: Final = "set_"


def setting_name(key: str) -> str:
    """Named cell of the setting ``key`` (``set_scheme``)."""
    return f"{SETTING_PREFIX}{key}"


#: Settings found before the rest: a workbook's template version and coverage group.
SET_TEMPLATE_VERSION: Final = setting_name("template_version")
SET_COVERAGE_GROUP: Final = setting_name("coverage_group")

# The Settings blocks (:class:`~xlmodels.template.schema.SettingsBlocks`).
SET_BENCH_ER_MARKET: Final = "set_bench_er_market"
SET_BENCH_ER: Final = "set_bench_er"
SET_TIER_LABEL: Final = "set_tier_label"
SET_TIER_BOUND: Final = "set_tier_bound"
SET_TIER_INCLUSIVE: Final = "set_tier_inclusive"

# The History blocks (:class:`~xlmodels.template.schema.HistorySheet`).
HIST_DATE: Final = "hist_date"
HIST_CLOSE: Final = "hist_close"
HIST_CLOSE_CODES: Final = "hist_close_codes"
HIST_PE: Final = "hist_pe"
HIST_PE_CODES: Final = "hist_pe_codes"
