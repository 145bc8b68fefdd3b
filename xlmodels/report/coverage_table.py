"""The coverage table in the reference report's layout (重点公司盈利预测及投资评级).

Code, name, rating, last close, market cap, then EPS and PE per fiscal year,
with the currency units in the headers. Values are formatted here, once, by
:class:`DisplayRules`; every output format (terminal, Markdown, HTML, XLSX,
CSV) renders the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from xlmodels.core.display import currency_label, format_number, shows_as_missing
from xlmodels.domain.model import FISCAL_YEARS, Settings

__all__ = [
    "DisplayRules",
    "TableColumn",
    "coverage_columns",
    "coverage_display_table",
    "coverage_rows",
]


@dataclass(frozen=True)
class DisplayRules:
    """Decimal places of each column of the printed table.

    The reference report prints PE as whole numbers; ``pe_decimals=1`` gives
    one decimal. ``years`` is how many fiscal years of EPS and PE to show.
    """

    close_decimals: int = 1
    market_cap_decimals: int = 0
    eps_decimals: int = 2
    pe_decimals: int = 0
    years: int = 2


@dataclass(frozen=True)
class TableColumn:
    """One printed column: where its values come from and how they print.

    ``key`` is ``code`` (the index) or a column of
    :func:`~xlmodels.domain.coverage.compute_coverage`; ``kind`` is ``text`` or
    ``number``. Numbers print with ``decimals`` places (and thousands
    separators when ``thousands``): the text formats through
    :func:`~xlmodels.core.display.format_number`, spreadsheets through the
    matching :func:`~xlmodels.core.display.excel_number_format`.
    """

    key: str
    header: str
    kind: str = "number"
    decimals: int = 0
    thousands: bool = True


def coverage_rows(coverage: pd.DataFrame, rated_only: bool = True) -> pd.DataFrame:
    """The companies the printed table lists, in universe order.

    With ``rated_only`` only companies with an FY1 EPS are kept: the table
    lists covered names, not the movers monitored for the month.
    """
    return coverage[coverage["eps_fy1"].notna()] if rated_only else coverage


def coverage_columns(
    coverage: pd.DataFrame, settings: Settings, rules: DisplayRules | None = None
) -> tuple[TableColumn, ...]:
    """The printed columns of the coverage table, headers in ``settings.lang``.

    Currency units in the headers are those of the rows given (``港元/美元``
    when a table mixes Hong Kong and US listings); EPS headers carry the EPS
    currency and PE headers the multiple's ``x``.
    """
    rules = rules or DisplayRules()
    lang = settings.lang
    labels = settings.year_labels()
    slots = FISCAL_YEARS[: rules.years]
    price_units = currency_label(coverage["price_currency"], lang)
    # EPS is in the currency the company reports in, often not the quote
    # currency (RMB EPS of a Hong Kong listing): the header says which.
    eps_units = currency_label(coverage["eps_currency"], lang)
    if lang == "zh":
        headers = {
            "code": "公司代码",
            "name": "公司名称",
            "rating": "投资评级",
            "close": f"昨收盘（{price_units}）",
            "market_cap": f"总市值（百万{price_units}）",
        }
    else:
        headers = {
            "code": "Code",
            "name": "Company",
            "rating": "Rating",
            "close": f"Close ({price_units})",
            "market_cap": f"Mkt cap ({price_units} mn)",
        }
    return (
        TableColumn("code", headers["code"], kind="text"),
        TableColumn("name", headers["name"], kind="text"),
        TableColumn("rating", headers["rating"], kind="text"),
        TableColumn("close", headers["close"], decimals=rules.close_decimals),
        TableColumn("market_cap", headers["market_cap"], decimals=rules.market_cap_decimals),
        *(
            TableColumn(
                f"eps_{slot}",
                _with_unit(f"EPS {labels[slot]}", eps_units, lang),
                decimals=rules.eps_decimals,
            )
            for slot in slots
        ),
        *(
            TableColumn(
                f"pe_{slot}",
                _with_unit(f"PE {labels[slot]}", "x", lang),
                decimals=rules.pe_decimals,
            )
            for slot in slots
        ),
    )


def _with_unit(header: str, unit: str, lang: str) -> str:
    if not unit:
        return header
    return f"{header}（{unit}）" if lang == "zh" else f"{header} ({unit})"


def _text(value: object) -> str:
    return "-" if shows_as_missing(value) else str(value)


def coverage_display_table(
    coverage: pd.DataFrame,
    settings: Settings,
    rules: DisplayRules | None = None,
    rated_only: bool = True,
) -> pd.DataFrame:
    """Format a :func:`~xlmodels.domain.coverage.compute_coverage` result for printing.

    Parameters
    ----------
    coverage : DataFrame
        Output of :func:`~xlmodels.domain.coverage.compute_coverage`.
    settings : Settings
        Supplies the language and the fiscal-year labels.
    rules : DisplayRules, optional
        Decimal places; the default prints PE as whole numbers like the report.
    rated_only : bool, default True
        Keep only companies with an FY1 EPS (the table lists covered names,
        not the movers monitored for the month).

    Returns
    -------
    DataFrame of str
        Columns are the printed headers, in order.
    """
    rows = coverage_rows(coverage, rated_only)
    table = pd.DataFrame(index=rows.index)
    for column in coverage_columns(rows, settings, rules):
        values = rows.index if column.key == "code" else rows[column.key]
        if column.kind == "text":
            table[column.header] = [_text(value) for value in values]
        else:
            table[column.header] = [
                format_number(value, column.decimals, column.thousands) for value in values
            ]
    return table.reset_index(drop=True)
