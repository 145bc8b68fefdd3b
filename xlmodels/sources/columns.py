"""The columns each input file may hold, under our names and the vendors'.

A header is matched after folding: Unicode NFKC (full-width letters and
brackets become ASCII), lower case, and every character that is not a letter,
digit or CJK ideograph dropped, so ``EPS (FY1)``, ``eps_fy1`` and ``EPS FY1``
are the same column. Only the first line of a multi-line header counts (Wind
puts the trading date and options below the name), except a ``[单位]`` line,
which gives the unit. A unit in brackets at the end (``总股本(万股)``) is read
as the column's unit; shares are converted to millions.

Every input file also takes the headers of the matching sheet of a coverage
workbook, in Chinese and English, so that a sheet saved as CSV reads back:
the Estimates sheet as an estimates file (its ``EPS 2024E（人民币）`` columns
are the fiscal years they name, its ``EPS 2023A`` column the last reported
year), the Market sheet as a market file (the
columns the workbook derives, such as the FX column, are passed over).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from xlmodels.sources.raw_tables import RawTable

__all__ = [
    "ESTIMATES_FIELDS",
    "HISTORY_FIELDS",
    "INDEX_FIELDS",
    "MARKET_DERIVED",
    "MARKET_FIELDS",
    "SHARE_UNITS",
    "UNIVERSE_FIELDS",
    "ColumnMatch",
    "FieldKind",
    "InputField",
    "fold_header",
    "match_columns",
    "split_unit",
]


class FieldKind(StrEnum):
    """How a column's cells are read."""

    CODE = "code"
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CURRENCY = "currency"
    MARKET = "market"


#: Multipliers from a share-count unit to millions of shares.
SHARE_UNITS = {
    "股": 1e-6,
    "shares": 1e-6,
    "万股": 1e-2,
    "百万股": 1.0,
    "mn": 1.0,
    "m": 1.0,
    "million": 1.0,
    "millions": 1.0,
    "亿股": 100.0,
}


@dataclass(frozen=True)
class InputField:
    """One column an input file may hold.

    Attributes
    ----------
    key : str
        Our name, the column name in :mod:`xlmodels.domain.model` frames.
    kind : FieldKind
    aliases : tuple of str
        Other headers that mean this column (Wind, Bloomberg, the workbook's).
    required : bool
    units : dict
        Folded alias -> multiplier to our unit, where an alias implies a unit
        (Wind's 总股本 is in shares, Bloomberg's EQY_SH_OUT in millions).
    positive : bool
        Numbers must be above 0 (prices, shares, multiples).
    """

    key: str
    kind: FieldKind
    aliases: tuple[str, ...] = ()
    required: bool = False
    units: Mapping[str, float] = field(default_factory=dict)
    positive: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.key, *self.aliases)


_UNIT_SUFFIX = re.compile(r"[(（\[【]\s*([^()（）\[\]【】]+?)\s*[)）\]】]\s*$")
_KNOWN_UNITS = {fold for unit in SHARE_UNITS for fold in (unit.lower(),)} | {
    "元",
    "港元",
    "美元",
    "人民币",
    "hkd",
    "usd",
    "cny",
    "x",
    "倍",
}


def split_unit(header: str) -> tuple[str, str | None]:
    """A header's name and its unit, from a trailing bracket or a Wind ``[单位]`` line.

    >>> split_unit("总股本(万股)"), split_unit("EPS(FY1)"), split_unit("收盘价\\n[单位] 元")
    (('总股本', '万股'), ('EPS(FY1)', None), ('收盘价', '元'))
    >>> split_unit("EPS 2024E（人民币/美元）")
    ('EPS 2024E', '人民币/美元')
    """
    lines = [line.strip() for line in str(header).splitlines() if line.strip()]
    if not lines:
        return "", None
    name, unit = lines[0], None
    for line in lines[1:]:
        marked = re.match(r"\[单位\]\s*(.+)$", line)
        if marked:
            unit = marked.group(1).strip()
    suffix = _UNIT_SUFFIX.search(name)
    # "人民币/美元": the workbook's header over rows of two currencies.
    if suffix and all(part.strip().lower() in _KNOWN_UNITS for part in suffix.group(1).split("/")):
        unit = unit or suffix.group(1).strip()
        name = name[: suffix.start()].strip()
    return name, unit


def fold_header(header: str) -> str:
    """The comparable form of a header (see the module docstring).

    >>> fold_header("EPS (FY1)") == fold_header("eps_fy1") == fold_header("ＥＰＳ　ＦＹ１")
    True
    """
    text = unicodedata.normalize("NFKC", header).lower()
    return "".join(char for char in text if char.isalnum())


def _f(
    key: str,
    kind: FieldKind,
    *aliases: str,
    required: bool = False,
    units: Mapping[str, float] | None = None,
    positive: bool = False,
) -> InputField:
    return InputField(key, kind, aliases, required, dict(units or {}), positive)


_CODE = _f(
    "code",
    FieldKind.CODE,
    "代码",
    "证券代码",
    "股票代码",
    "公司代码",
    "ticker",
    "security",
    required=True,
)
_NAME = (
    "名称",
    "证券简称",
    "简称",
    "股票简称",
    "公司名称",
    "short name",
    "security name",
    "company",
)

#: The coverage universe: one row per covered company.
UNIVERSE_FIELDS = (
    _CODE,
    _f("name", FieldKind.TEXT, *_NAME, "name_zh", "中文简称", required=True),
    _f("name_en", FieldKind.TEXT, "英文简称", "英文名称", "english name", "name (en)"),
    _f("market", FieldKind.MARKET, "市场", "上市地", "上市地点", "exchange market"),
    _f(
        "price_currency",
        FieldKind.CURRENCY,
        "股价货币",
        "交易币种",
        "币种",
        "currency",
        "crncy",
        required=True,
    ),
    _f(
        "eps_currency",
        FieldKind.CURRENCY,
        "EPS货币",
        "盈利预测币种",
        "财报币种",
        "报表币种",
        "eqy_fund_crncy",
        required=True,
    ),
    _f("benchmark", FieldKind.CODE, "基准指数", "基准", "benchmark index"),
    _f("analyst", FieldKind.TEXT, "分析师", "研究员"),
    _f("coverage_group", FieldKind.TEXT, "覆盖组", "行业组", "group", "coverage"),
)

#: The market snapshot: prices of the companies (and indexes), and FX pairs as rows.
MARKET_FIELDS = (
    _CODE,
    _f("name", FieldKind.TEXT, *_NAME),
    _f(
        "close",
        FieldKind.NUMBER,
        "收盘价",
        "最新价",
        "昨收盘",
        "px_last",
        "last price",
        "price",
        required=True,
        positive=True,
    ),
    _f(
        "price_date",
        FieldKind.DATE,
        "日期",
        "交易日期",
        "价格日期",
        "date",
        "dates",
        "last_update_dt",
        required=True,
    ),
    _f(
        "shares_mn",
        FieldKind.NUMBER,
        "shares",
        "总股本",
        "eqy_sh_out",
        # Wind gives total shares in shares, Bloomberg in millions.
        units={"shares": 1e-6, "总股本": 1e-6, "eqy_sh_out": 1.0},
        positive=True,
    ),
    _f(
        "currency",
        FieldKind.CURRENCY,
        "币种",
        "交易币种",
        "货币",
        "crncy",
        "price_currency",
        "股价货币",
    ),
)

#: Columns of the workbook's Market sheet that a market file does not need:
#: the workbook derives them (from the universe, or as the FX of each row).
MARKET_DERIVED = (
    "市场",
    "market",
    "EPS货币",
    "EPS currency",
    "汇率（股价货币/EPS货币）",
    "FX (price ccy per EPS ccy)",
    "基准指数",
    "benchmark",
)

#: Analyst estimates: one row per company.
ESTIMATES_FIELDS = (
    _CODE,
    _f("name", FieldKind.TEXT, *_NAME),
    _f("eps_currency", FieldKind.CURRENCY, "EPS货币", "盈利预测币种"),
    _f("eps_basis", FieldKind.TEXT, "EPS口径", "口径", "basis"),
    _f(
        "eps_lyr",
        FieldKind.NUMBER,
        "EPS LYR",
        "LYR EPS",
        "EPS (LYR)",
        "last reported EPS",
        "上年EPS",
        "最近年报EPS",
        "每股收益 LYR",
    ),
    *(
        _f(
            f"eps_{slot}",
            FieldKind.NUMBER,
            f"EPS {slot}",
            f"{slot} EPS",
            f"预测EPS {slot}",
            f"每股收益 {slot}",
            f"预测每股收益 {slot}",
        )
        for slot in ("fy1", "fy2", "fy3")
    ),
    _f(
        "target_multiple",
        FieldKind.NUMBER,
        "目标PE",
        "目标市盈率",
        "target PE",
        "target multiple",
        positive=True,
    ),
    _f("target_year", FieldKind.TEXT, "目标PE适用年度", "目标年度", "target PE on", "target year"),
    # Only an explicit override column: a vendor's "rating" is not the analyst's override.
    _f("rating_override", FieldKind.TEXT, "评级（手动）", "手动评级", "rating override"),
    _f("override_reason", FieldKind.TEXT, "手动评级理由", "评级理由", "reason"),
    _f("notes", FieldKind.TEXT, "备注", "note", "comment", "comments"),
)

#: Benchmark indexes: one row per index.
INDEX_FIELDS = (
    _CODE,
    _f("name", FieldKind.TEXT, *_NAME, "指数名称", "指数简称", required=True),
    _f("name_en", FieldKind.TEXT, "英文简称", "英文名称", "english name"),
    _f("market", FieldKind.MARKET, "市场"),
    _f("currency", FieldKind.CURRENCY, "币种", "货币", "crncy"),
)

#: History in the long layout: one row per date and code.
HISTORY_FIELDS = (
    _f("date", FieldKind.DATE, "日期", "交易日期", "dates", required=True),
    _CODE,
    _f("close", FieldKind.NUMBER, "收盘价", "px_last", "price", positive=True),
    _f(
        "pe_ttm",
        FieldKind.NUMBER,
        "PE(TTM)",
        "市盈率TTM",
        "市盈率PE(TTM)",
        "pe_ratio",
    ),
)


@dataclass(frozen=True)
class ColumnMatch:
    """Where a field's column is in a file, its header as written and its unit multiplier.

    ``year`` is the fiscal year a year-labelled header names (``EPS 2024E``).
    """

    field: InputField
    position: int
    header: str
    multiplier: float = 1.0
    year: int | None = None


#: An EPS header naming its fiscal year, folded: ``EPS 2024E（人民币）`` -> ``eps2024e``.
_YEAR_HEADER = re.compile(r"^(?:eps|预测eps|每股收益|预测每股收益)(\d{4})e$")
#: The EPS header of a reported (actual) year: ``EPS 2023A（人民币）`` -> ``eps2023a``.
_REPORTED_HEADER = re.compile(r"^(?:eps|每股收益)(\d{4})a$")
#: The fields a year-labelled EPS header fills, first year first.
_YEAR_FIELDS = ("eps_fy1", "eps_fy2", "eps_fy3")


def _year_columns(
    table: RawTable,
    fields: Sequence[InputField],
    years: dict[int, tuple[int, str]],
    found: dict[str, ColumnMatch],
) -> None:
    """Map ``EPS 2024E``, ``EPS 2025E``... to FY1, FY2... in order of year."""
    if not years:
        return
    ordered = sorted(years)
    headers = ", ".join(repr(years[year][1]) for year in ordered)
    if len(ordered) > len(_YEAR_FIELDS) or ordered != list(
        range(ordered[0], ordered[0] + len(ordered))
    ):
        raise table.error(
            f"the EPS columns {headers} must be consecutive fiscal years, at most "
            f"{len(_YEAR_FIELDS)} (FY1 to FY3)",
            row=table.header_row,
            column=years[ordered[0]][1],
        )
    by_key = {item.key: item for item in fields}
    for key, year in zip(_YEAR_FIELDS, ordered, strict=False):
        position, header = years[year]
        if key in found:
            raise table.error(
                f"columns {found[key].header!r} and {header!r} both give {key!r}",
                row=table.header_row,
                column=header,
            )
        found[key] = ColumnMatch(by_key[key], position, header, year=year)


def _check_reported_year(table: RawTable, found: dict[str, ColumnMatch]) -> None:
    """Refuse an ``EPS 2022A`` column beside ``EPS 2024E``: LYR is the year before FY1."""
    reported, first = found.get("eps_lyr"), found.get("eps_fy1")
    if reported is None or reported.year is None or first is None or first.year is None:
        return
    if reported.year != first.year - 1:
        raise table.error(
            f"the last reported year {reported.header!r} must be the year before FY1 "
            f"({first.header!r}), that is {first.year - 1}A",
            row=table.header_row,
            column=reported.header,
        )


def _accepted(fields: Sequence[InputField]) -> str:
    return "; ".join(
        f"{f.key}" + (f" ({', '.join(f.aliases)})" if f.aliases else "") for f in fields
    )


def match_columns(
    table: RawTable,
    fields: Sequence[InputField],
    what: str,
    *,
    derived: Sequence[str] = (),
) -> dict[str, ColumnMatch]:
    """Map a file's headers to fields; unknown, duplicate or missing columns are errors.

    ``what`` names the kind of file in messages ("market file"); ``derived``
    are headers passed over (the workbook's derived columns). Where the
    fields include FY1 to FY3 EPS, headers naming a fiscal year (``EPS
    2024E``) fill them in order of year, each match keeping its ``year``,
    and a header naming a reported year (``EPS 2023A``) fills the last
    reported year's EPS, which must be the year before FY1.
    """
    by_name: dict[str, InputField] = {}
    for item in fields:
        for name in item.names():
            by_name.setdefault(fold_header(split_unit(name)[0]), item)
    skipped = {fold_header(split_unit(name)[0]) for name in derived}
    with_years = all(key in {item.key for item in fields} for key in _YEAR_FIELDS)
    by_key = {item.key: item for item in fields}
    years: dict[int, tuple[int, str]] = {}
    found: dict[str, ColumnMatch] = {}
    for position, header in enumerate(table.headers):
        if not header:
            if any(str(cell).strip() for cell in table.column(position)):
                raise table.error(
                    f"column {position + 1} has data but no header", row=table.header_row
                )
            continue
        name, unit = split_unit(header)
        folded = fold_header(name)
        matched = by_name.get(folded)
        if matched is None and folded in skipped:
            continue
        labelled = _YEAR_HEADER.match(folded) if with_years else None
        reported = _REPORTED_HEADER.match(folded) if with_years else None
        if matched is None and reported and "eps_lyr" in by_key:
            matched = by_key["eps_lyr"]
            reported_year = int(reported.group(1))
            if matched.key in found:
                raise table.error(
                    f"columns {found[matched.key].header!r} and {header!r} both give "
                    f"{matched.key!r}",
                    row=table.header_row,
                    column=header,
                )
            found[matched.key] = ColumnMatch(matched, position, header, year=reported_year)
            continue
        if matched is None and labelled:
            year = int(labelled.group(1))
            if year in years:
                raise table.error(
                    f"columns {years[year][1]!r} and {header!r} both give EPS {year}E",
                    row=table.header_row,
                    column=header,
                )
            years[year] = (position, header)
            continue
        if matched is None:
            raise table.error(
                f"unknown column in the {what}; accepted columns: {_accepted(fields)}",
                row=table.header_row,
                column=header,
            )
        if matched.key in found:
            raise table.error(
                f"columns {found[matched.key].header!r} and {header!r} both give {matched.key!r}",
                row=table.header_row,
                column=header,
            )
        multiplier = 1.0
        if matched.key == "shares_mn":
            if unit is not None:
                if unit.lower() not in SHARE_UNITS:
                    raise table.error(
                        f"unknown unit {unit!r} of shares; use one of {', '.join(SHARE_UNITS)}",
                        row=table.header_row,
                        column=header,
                    )
                multiplier = SHARE_UNITS[unit.lower()]
            else:
                units = {fold_header(k): v for k, v in matched.units.items()}
                multiplier = units.get(fold_header(name), 1.0)
        found[matched.key] = ColumnMatch(matched, position, header, multiplier)
    _year_columns(table, fields, years, found)
    _check_reported_year(table, found)
    for item in fields:
        if item.required and item.key not in found:
            also = f" (also accepted: {', '.join(item.aliases)})" if item.aliases else ""
            raise table.error(f"the {what} has no {item.key!r} column{also}", row=table.header_row)
    return found
