"""The coverage table in the reference report's layout (重点公司盈利预测及投资评级).

Code, name, rating, last close, market cap, then EPS and PE per fiscal year.
A currency shared by every row is named in the headers, as the reference
report does (``昨收盘（港元）``); when rows differ, the table gains a column
of each row's currency instead, and no header names a mix of currencies.
Market caps are in the settings' reporting currency when one is set.
Values are formatted here, once, by :class:`DisplayRules`; every output
format (terminal, Markdown, HTML, XLSX, CSV) renders the same table.
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


def _shared(codes: pd.Series, lang: str) -> str | None:
    """The name of the one currency of a column, None when its rows differ (or have none)."""
    unique = {code for code in codes if isinstance(code, str) and code.strip()}
    return currency_label(unique, lang) if len(unique) == 1 else None


def coverage_columns(
    coverage: pd.DataFrame, settings: Settings, rules: DisplayRules | None = None
) -> tuple[TableColumn, ...]:
    """The printed columns of the coverage table, headers in ``settings.lang``.

    A price or EPS currency shared by every row given is named in the
    headers (``昨收盘（港元）``, ``EPS 2024E（人民币）``); a table mixing
    currencies (Hong Kong and US listings) gets a column of each row's
    currency instead. Market caps are in millions of the settings'
    reporting currency when one is set, else of the price currency; PE
    headers carry the multiple's ``x``.
    """
    rules = rules or DisplayRules()
    lang = settings.lang
    zh = lang == "zh"
    labels = settings.year_labels()
    slots = FISCAL_YEARS[: rules.years]
    price_units = _shared(coverage["price_currency"], lang)
    # EPS is in the currency the company reports in, often not the quote
    # currency (RMB EPS of a Hong Kong listing): the header or a column says which.
    eps_units = _shared(coverage["eps_currency"], lang)
    reporting = settings.reporting_currency
    cap_units = currency_label([reporting], lang) if reporting else price_units
    if cap_units:
        market_cap = f"总市值（百万{cap_units}）" if zh else f"Mkt cap ({cap_units} mn)"
    else:
        market_cap = "总市值（百万）" if zh else "Mkt cap (mn)"
    close = "昨收盘" if zh else "Close"
    currency_columns = {
        "price_currency": None
        if price_units
        else TableColumn("price_currency", "股价货币" if zh else "Price ccy", kind="text"),
        "eps_currency": None
        if eps_units
        else TableColumn("eps_currency", "EPS货币" if zh else "EPS ccy", kind="text"),
    }
    return tuple(
        column
        for column in (
            TableColumn("code", "公司代码" if zh else "Code", kind="text"),
            TableColumn("name", "公司名称" if zh else "Company", kind="text"),
            TableColumn("rating", "投资评级" if zh else "Rating", kind="text"),
            currency_columns["price_currency"],
            TableColumn(
                "close", _with_unit(close, price_units or "", lang), decimals=rules.close_decimals
            ),
            TableColumn("market_cap", market_cap, decimals=rules.market_cap_decimals),
            currency_columns["eps_currency"],
            *(
                TableColumn(
                    f"eps_{slot}",
                    _with_unit(f"EPS {labels[slot]}", eps_units or "", lang),
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
        if column is not None
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
