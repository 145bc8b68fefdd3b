"""The coverage table in the reference report's layout (重点公司盈利预测及投资评级).

Code, name, rating, last close, market cap, then EPS and PE per fiscal year,
with the currency units in the headers. Values are formatted here, once, by
:class:`DisplayRules`; every output format (terminal, Markdown, HTML, XLSX,
CSV) renders the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from xlmodels.display import format_number
from xlmodels.display import is_blank as _is_blank
from xlmodels.model import FISCAL_YEARS, Settings

__all__ = ["CURRENCY_NAMES", "DisplayRules", "coverage_display_table"]

#: How each currency is named in a header, by language.
CURRENCY_NAMES = {
    "zh": {"HKD": "港元", "USD": "美元", "CNY": "人民币"},
    "en": {"HKD": "HKD", "USD": "USD", "CNY": "CNY"},
}


@dataclass(frozen=True)
class DisplayRules:
    """Decimal places of each column of the printed table."""

    close_decimals: int = 1
    market_cap_decimals: int = 0
    eps_decimals: int = 2
    pe_decimals: int = 0
    years: int = 2


def _currencies(codes: pd.Series, lang: str) -> str:
    names = CURRENCY_NAMES[lang]
    unique = list(dict.fromkeys(codes.dropna()))
    return "/".join(names.get(code, code) for code in unique)


def coverage_display_table(
    coverage: pd.DataFrame,
    settings: Settings,
    rules: DisplayRules | None = None,
    rated_only: bool = True,
) -> pd.DataFrame:
    """Format a :func:`~xlmodels.coverage.compute_coverage` result for printing.

    Parameters
    ----------
    coverage : DataFrame
        Output of :func:`~xlmodels.coverage.compute_coverage`.
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
    rules = rules or DisplayRules()
    lang = settings.lang
    rows = coverage[coverage["eps_fy1"].notna()] if rated_only else coverage
    labels = settings.year_labels()
    slots = FISCAL_YEARS[: rules.years]
    price_units = _currencies(rows["price_currency"], lang)
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
    table = pd.DataFrame(index=rows.index)
    table[headers["code"]] = rows.index
    table[headers["name"]] = rows["name"]
    table[headers["rating"]] = [("-" if _is_blank(r) else str(r)) for r in rows["rating"]]
    table[headers["close"]] = [format_number(v, rules.close_decimals) for v in rows["close"]]
    table[headers["market_cap"]] = [
        format_number(v, rules.market_cap_decimals) for v in rows["market_cap"]
    ]
    for slot in slots:
        table[f"EPS {labels[slot]}"] = [
            format_number(v, rules.eps_decimals) for v in rows[f"eps_{slot}"]
        ]
    for slot in slots:
        table[f"PE {labels[slot]}"] = [
            format_number(v, rules.pe_decimals) for v in rows[f"pe_{slot}"]
        ]
    return table.reset_index(drop=True)
