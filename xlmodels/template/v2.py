"""Template version 2 of the coverage workbook, for reading and upgrading v2 workbooks.

Version 2 differs from version 3 (:data:`xlmodels.template.v3.SPEC`) in these ways:

* Estimates has no EPS LYR column (the last reported fiscal year's EPS) and
  Coverage neither that EPS nor its PE LYR: v3 added them so that rolling
  the estimates after a company reports keeps the year it reported, and a
  static PE beside the forward ones;
* Coverage has no price and EPS currency columns: its price, market-cap and
  EPS headers named the currencies present (``昨收盘（港元/美元）``), which
  says nothing of a row when a coverage mixes listings;
* market caps are in each row's price currency: v3 can show them in one
  reporting currency (Settings ``reporting_currency``, converted at the
  Market sheet's ``reporting_fx``);
* Market holds the company name in the workbook's language only: v3 holds
  the Chinese and the English name (and Performance both names of every
  company and index), so a report in the other language names them;
* every formula is written row by row, in both formula modes: v3 writes
  each column an SQ_ function computes as one formula spilling over the
  rows (one call per column, not per company), and added the columns those
  formulas read from their own sheet (Coverage: shares, target PE, the year
  it applies to, the benchmark's expected return, the rate into the
  reporting currency). v2's Coverage is an Excel table in both modes.

Everything else (sheets, formulas, named ranges, formats) is version 3's;
so are the Guide's lines and the sheets' notes, text that regeneration
writes anew and nothing reads back.
The template is written as its differences from the current one, so that
regeneration reads a v2 workbook through its own names and checks its
formulas and layout as v2 wrote them. When the current template moves on to
version 4, version 3 must first be frozen the same way (as its differences
from version 4) and this module rebased on it.

Examples
--------
>>> SPEC_V2.version, [c.key for c in SPEC_V2.sheet("Estimates").columns][3:5]
(2, ['eps_basis', 'eps_fy1'])
>>> SPEC_V2.sheet("Coverage").column("close").header("zh", {"price_ccy": "港元/美元"})
'昨收盘（港元/美元）'
>>> SPEC_V2.sheet("Coverage").spilled("sq")
()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from xlmodels.domain.model import FISCAL_YEARS
from xlmodels.template.schema import (
    Column,
    Formula,
    HistorySheet,
    RowContext,
    SettingsSheet,
    TableSheet,
    TextSheet,
    WorkbookSpec,
)
from xlmodels.template.v3 import SPEC
from xlmodels.template.v3_formulas import bi, guard

__all__ = ["ADDED_COLUMNS", "ADDED_SETTINGS", "CHANGED_COLUMNS", "SPEC_V2"]

#: Columns version 3 added, by sheet.
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    "Estimates": ("eps_lyr",),
    "Coverage": (
        "price_currency",
        "eps_currency",
        "eps_lyr",
        "pe_lyr",
        "shares_mn",
        "target_multiple",
        "target_year",
        "bench_expected_return",
        "reporting_fx",
    ),
    "Market": ("name_en", "reporting_fx"),
    "Performance": ("name_zh", "name_en"),
}
#: Settings version 3 added.
ADDED_SETTINGS: tuple[str, ...] = ("reporting_currency",)


def _market_cap_v2() -> Formula:
    def cap(function: str) -> Callable[[RowContext], str]:
        def build(r: RowContext) -> str:
            close, shares = r.col("close"), r.lookup("mkt", "shares_mn")
            return guard([close, shares], function.format(close=close, shares=shares))

        return build

    return Formula(sq=cap("SQ_MKT_CAP({close},{shares})"), native=cap("{close}*{shares}"))


def _eps_headers(slot: str) -> dict[str, str]:
    return bi(f"EPS {{{slot}}}（{{eps_ccy}}）", f"EPS {{{slot}}} ({{eps_ccy}})")


#: Columns version 2 wrote otherwise, by sheet: what differs from version 3.
CHANGED_COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "Coverage": {
        "close": {"headers": bi("昨收盘（{price_ccy}）", "Close ({price_ccy})")},
        "market_cap": {
            "headers": bi("总市值（百万{price_ccy}）", "Mkt cap ({price_ccy} mn)"),
            "formula": _market_cap_v2(),
        },
        **{f"eps_{slot}": {"headers": _eps_headers(slot)} for slot in FISCAL_YEARS},
        "target_price": {"headers": bi("目标价（{price_ccy}）", "Target price ({price_ccy})")},
        "target_eps": {"headers": bi("目标价EPS（{eps_ccy}）", "Target EPS ({eps_ccy})")},
    },
    "Estimates": {f"eps_{slot}": {"headers": _eps_headers(slot)} for slot in FISCAL_YEARS},
    # The name in the workbook's language, not the universe's Chinese name.
    "Market": {"name": {"headers": bi("公司名称", "Company"), "value": None}},
}
#: Where version 2 put its charts' top-left cells.
CHART_ANCHORS = {"relative_returns": "L4"}


def _column_v2(sheet: str, column: Column) -> Column:
    changed = CHANGED_COLUMNS.get(sheet, {}).get(column.key)
    column = replace(column, **changed) if changed else column
    if column.formula is not None and column.formula.spill is not None:
        # v2 wrote every formula in every row: none spilled.
        column = replace(column, formula=replace(column.formula, spill=None))
    return column


def _sheet_v2(
    sheet: TableSheet | SettingsSheet | HistorySheet | TextSheet,
) -> TableSheet | SettingsSheet | HistorySheet | TextSheet:
    if isinstance(sheet, TableSheet):
        added = ADDED_COLUMNS.get(sheet.name, ())
        columns = tuple(_column_v2(sheet.name, c) for c in sheet.columns if c.key not in added)
        return replace(sheet, columns=columns)
    if isinstance(sheet, SettingsSheet) and ADDED_SETTINGS:
        return replace(
            sheet, settings=tuple(s for s in sheet.settings if s.key not in ADDED_SETTINGS)
        )
    return sheet


#: The coverage workbook as template version 2 laid it out.
SPEC_V2 = WorkbookSpec(
    version=2,
    sheets=tuple(_sheet_v2(sheet) for sheet in SPEC.sheets),
    charts=tuple(
        replace(chart, anchor=CHART_ANCHORS.get(chart.key, chart.anchor)) for chart in SPEC.charts
    ),
    xlwings_udf_modules=SPEC.xlwings_udf_modules,
)
