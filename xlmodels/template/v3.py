"""The current coverage-workbook template (version 3): every sheet, column and formula.

This module is the single source of truth for the workbook's content; the
types it is written in are :mod:`~xlmodels.template.schema`'s, the names of
its sheets and fixed blocks :mod:`~xlmodels.template.names`'s.

Formulas are written with named ranges (``mkt_close``, ``set_scheme``) and
INDEX/MATCH lookups by code, so a sorted input sheet never shifts a number
onto the wrong company, and every row of a column has the same formula shape.
They use functions every Excel since 2007 knows, newer ones with Excel's
``_xlfn.`` prefix, and are checked by recalculating generated workbooks in
LibreOffice and in the ``formulas`` engine: a formula that only Excel
evaluates as intended does not belong here.

Examples
--------
>>> SPEC.version, SPEC.sheet_names()[:3]
(3, ['Guide', 'Coverage', 'Estimates'])
"""

from __future__ import annotations

from xlmodels.domain.model import EPS_SLOTS
from xlmodels.template import names
from xlmodels.template.schema import (
    ChartSpec,
    Column,
    DType,
    Formula,
    HistorySheet,
    Kind,
    TableSheet,
    TextSheet,
    WorkbookSpec,
)
from xlmodels.template.v3_formulas import (
    bench_expected_return,
    bi,
    eps_lookup,
    guard,
    history_close,
    latest,
    market_cap,
    market_cap_spill,
    model_rating_native,
    model_rating_spill,
    model_rating_sq,
    number,
    pe,
    pe_series,
    percentile_native,
    percentile_spill,
    percentile_sq,
    rating,
    relative_return_spill,
    return_spill,
    same,
    target_eps,
    target_eps_spill,
    target_price,
    target_price_spill,
    text,
    upside,
    upside_spill,
)
from xlmodels.template.v3_settings import SETTINGS

__all__ = [
    "COVERAGE",
    "ESTIMATES",
    "GUIDE",
    "HISTORY",
    "MARKET",
    "PERFORMANCE",
    "SETTINGS",
    "SPEC",
    "TEMPLATE_VERSION",
    "VALUATION",
    "XLWINGS_CONF",
    "XLWINGS_UDF_KEY",
]

#: Version of the template this module describes; stored in Settings.
TEMPLATE_VERSION = 3


# ---------------------------------------------------------------- Coverage

_COVERAGE_COLUMNS = (
    Column("code", bi("公司代码", "Code"), Kind.KEY, DType.TEXT, width=10),
    Column("name", bi("公司名称", "Company"), Kind.DATA, DType.TEXT, width=12),
    Column(
        "rating",
        bi("投资评级", "Rating"),
        Kind.FORMULA,
        DType.TEXT,
        width=10,
        formula=Formula(
            sq=lambda r: rating(r, r.col("model_rating")),
            native=lambda r: rating(r, r.col("model_rating")),
        ),
    ),
    # Each row's currencies: a coverage mixes listings, so no header names one.
    Column(
        "price_currency",
        bi("股价货币", "Price currency"),
        Kind.FORMULA,
        DType.TEXT,
        width=8,
        formula=same(lambda r: text(r.lookup("mkt", "price_currency"))),
    ),
    Column(
        "close",
        bi("昨收盘", "Last close"),
        Kind.FORMULA,
        number_format="#,##0.00",
        formula=same(lambda r: number(r.lookup("mkt", "close"))),
    ),
    Column(
        "market_cap",
        bi("总市值（{mcap_unit}）", "Mkt cap ({mcap_unit})"),
        Kind.FORMULA,
        number_format="#,##0",
        width=12,
        formula=Formula(
            sq=lambda r: market_cap(r, "SQ_MKT_CAP({close},{shares})"),
            native=lambda r: market_cap(r, "{close}*{shares}"),
            spill=market_cap_spill,
        ),
    ),
    Column(
        "eps_currency",
        bi("EPS货币", "EPS currency"),
        Kind.FORMULA,
        DType.TEXT,
        width=8,
        formula=same(lambda r: text(r.lookup("mkt", "eps_currency"))),
    ),
    *(
        Column(
            f"eps_{slot}",
            bi(f"EPS {{{slot}}}", f"EPS {{{slot}}}"),
            Kind.FORMULA,
            number_format="0.00",
            formula=eps_lookup(slot),
        )
        for slot in EPS_SLOTS
    ),
    *(
        Column(
            f"pe_{slot}",
            bi(f"PE {{{slot}}}（x）", f"PE {{{slot}}} (x)"),
            Kind.FORMULA,
            number_format='0.0"x"',
            formula=pe(slot),
        )
        for slot in EPS_SLOTS
    ),
    Column(
        "target_price",
        bi("目标价", "Target price"),
        Kind.FORMULA,
        number_format="#,##0.00",
        width=12,
        formula=Formula(
            sq=lambda r: target_price(r, "SQ_TARGET_PRICE({eps},{multiple},{fx})"),
            native=lambda r: target_price(r, 'IF({eps}<=0,"NM",{multiple}*{eps}*{fx})'),
            spill=target_price_spill,
        ),
    ),
    Column(
        "upside",
        bi("上涨空间（%）", "Upside (%)"),
        Kind.FORMULA,
        number_format="0.0%",
        formula=Formula(
            sq=lambda r: upside(r, "SQ_UPSIDE({t},{p})"),
            native=lambda r: upside(r, "{t}/{p}-1"),
            spill=upside_spill,
        ),
    ),
    Column(
        "target_eps",
        bi("目标价EPS", "Target EPS"),
        Kind.FORMULA,
        number_format="0.00",
        width=12,
        formula=Formula(
            sq=lambda r: target_eps(
                r, f"SQ_EPS_BLENDED({r.col('eps_fy1')},{r.col('eps_fy2')},set_fy1_remaining)"
            ),
            native=lambda r: target_eps(
                r,
                f"set_fy1_remaining*{r.col('eps_fy1')}+(1-set_fy1_remaining)*{r.col('eps_fy2')}",
            ),
            spill=target_eps_spill,
        ),
    ),
    Column(
        "fx",
        bi("汇率（每单位EPS货币）", "FX (price ccy per EPS ccy)"),
        Kind.FORMULA,
        number_format="0.0000",
        width=12,
        formula=same(lambda r: number(r.lookup("mkt", "fx"))),
    ),
    Column(
        "model_rating",
        bi("模型评级", "Model rating"),
        Kind.FORMULA,
        DType.TEXT,
        width=12,
        formula=Formula(sq=model_rating_sq, native=model_rating_native, spill=model_rating_spill),
    ),
    # What the spilled formulas read that is looked up by code: a spilled
    # formula takes whole columns of its own sheet, in the sheet's row order.
    Column(
        "shares_mn",
        bi("总股本（百万股）", "Shares (mn)"),
        Kind.FORMULA,
        number_format="#,##0.0",
        width=12,
        formula=same(lambda r: number(r.lookup("mkt", "shares_mn"))),
    ),
    Column(
        "target_multiple",
        bi("目标PE（x）", "Target PE (x)"),
        Kind.FORMULA,
        number_format='0.0"x"',
        formula=same(lambda r: number(r.lookup("est", "target_multiple"))),
    ),
    Column(
        "target_year",
        bi("目标PE适用年度", "Target PE on"),
        Kind.FORMULA,
        DType.TEXT,
        width=10,
        formula=same(lambda r: text(r.lookup("est", "target_year"))),
    ),
    Column(
        "bench_expected_return",
        bi("基准预期收益", "Benchmark expected return"),
        Kind.FORMULA,
        number_format="0.0%",
        width=12,
        formula=same(lambda r: number(bench_expected_return(r))),
        value="benchmark_return",
    ),
    Column(
        "reporting_fx",
        bi("折算报告货币汇率", "FX to reporting currency"),
        Kind.FORMULA,
        number_format="0.0000",
        width=12,
        formula=same(lambda r: number(r.lookup("mkt", "reporting_fx"))),
    ),
)

COVERAGE = TableSheet(
    name=names.COVERAGE_SHEET,
    prefix="cov",
    titles=bi("重点公司盈利预测及投资评级", "Coverage: earnings forecasts and ratings"),
    notes=bi(
        "全部为公式：输入请在 Estimates 与 Market 表中修改。股价与目标价以股价货币计，EPS 以 EPS 货币计；"
        "PE = 股价 / (EPS × 汇率)。总市值以 Settings 的报告货币计（留空则为股价货币）。",
        "All formulas: change inputs on Estimates and Market. Prices and targets are in the price "
        "currency, EPS in the EPS currency; PE = price / (EPS x FX). Market cap is in the "
        "Settings reporting currency (blank: the price currency).",
    ),
    rows="companies",
    columns=_COVERAGE_COLUMNS,
    excel_table=True,
)

# --------------------------------------------------------------- Estimates
ESTIMATES = TableSheet(
    name=names.ESTIMATES_SHEET,
    prefix="est",
    titles=bi("盈利预测与估值假设（分析师输入）", "Estimates and valuation inputs (analyst)"),
    notes=bi(
        "蓝色单元格为分析师输入；重新生成工作簿时保留。EPS 以 EPS 货币计。",
        "Blue cells are analyst inputs, kept by every regeneration. EPS in the EPS currency.",
    ),
    rows="companies",
    columns=(
        Column("code", bi("公司代码", "Code"), Kind.KEY, DType.TEXT, width=10),
        Column("name", bi("公司名称", "Company"), Kind.DATA, DType.TEXT, width=12),
        Column("eps_currency", bi("EPS货币", "EPS currency"), Kind.DATA, DType.TEXT, width=8),
        Column(
            "eps_basis",
            bi("EPS口径", "EPS basis"),
            Kind.INPUT,
            DType.CHOICE,
            width=10,
            choices="eps_basis",
            required=True,
        ),
        *(
            Column(
                f"eps_{slot}",
                bi(f"EPS {{{slot}}}", f"EPS {{{slot}}}"),
                Kind.INPUT,
                number_format="0.00",
                required=slot == "fy1",
            )
            for slot in EPS_SLOTS
        ),
        Column(
            "target_multiple",
            bi("目标PE（x）", "Target PE (x)"),
            Kind.INPUT,
            number_format='0.0"x"',
            positive=True,
        ),
        Column(
            "target_year",
            bi("目标PE适用年度", "Target PE on"),
            Kind.INPUT,
            DType.CHOICE,
            width=10,
            choices="target_year",
        ),
        Column(
            "rating_override",
            bi("评级（手动）", "Rating override"),
            Kind.INPUT,
            DType.CHOICE,
            width=12,
            choices="rating",
        ),
        Column(
            "override_reason",
            bi("手动评级理由", "Override reason"),
            Kind.INPUT,
            DType.TEXT,
            width=24,
        ),
        Column("notes", bi("备注", "Notes"), Kind.INPUT, DType.TEXT, width=40),
    ),
    protected=True,
)

# ------------------------------------------------------------------ Market
MARKET = TableSheet(
    name=names.MARKET_SHEET,
    prefix="mkt",
    titles=bi("行情与汇率", "Market data and FX"),
    notes=bi(
        "由行情文件刷新；请勿手工修改。汇率 = 每单位EPS货币对应的股价货币；折算报告货币汇率 = 每单位股价货币对应的报告货币（Settings 未设报告货币时留空）。",
        "Refreshed from the market file; do not edit. FX = price-currency units per EPS-currency unit; FX to reporting currency = reporting-currency units per price-currency unit (blank without a reporting currency in Settings).",
    ),
    rows="companies",
    columns=(
        Column("code", bi("公司代码", "Code"), Kind.KEY, DType.TEXT, width=10),
        # Both names, whatever the workbook's language: a report in the other
        # language prints the company as its readers know it.
        Column(
            "name", bi("中文名称", "Chinese name"), Kind.DATA, DType.TEXT, width=12, value="name_zh"
        ),
        Column("name_en", bi("英文名称", "English name"), Kind.DATA, DType.TEXT, width=14),
        Column("market", bi("市场", "Market"), Kind.DATA, DType.TEXT, width=6),
        Column("close", bi("收盘价", "Close"), Kind.DATA, number_format="#,##0.00", positive=True),
        Column(
            "price_date",
            bi("价格日期", "Price date"),
            Kind.DATA,
            DType.DATE,
            number_format="yyyy-mm-dd",
            width=11,
        ),
        Column(
            "shares_mn",
            bi("总股本（百万股）", "Shares (mn)"),
            Kind.DATA,
            number_format="#,##0.0",
            width=12,
            positive=True,
        ),
        Column("price_currency", bi("股价货币", "Price currency"), Kind.DATA, DType.TEXT),
        Column("eps_currency", bi("EPS货币", "EPS currency"), Kind.DATA, DType.TEXT),
        Column(
            "fx",
            bi("汇率（股价货币/EPS货币）", "FX (price ccy per EPS ccy)"),
            Kind.DATA,
            number_format="0.0000",
            width=12,
        ),
        Column(
            "reporting_fx",
            bi("折算报告货币汇率", "FX to reporting currency"),
            Kind.DATA,
            number_format="0.0000",
            width=12,
            positive=True,
        ),
        Column("benchmark", bi("基准指数", "Benchmark"), Kind.DATA, DType.TEXT, width=12),
    ),
)


# ------------------------------------------------------------- Performance

PERFORMANCE = TableSheet(
    name=names.PERFORMANCE_SHEET,
    prefix="perf",
    titles=bi("本月行情回顾", "The month's performance"),
    notes=bi(
        "区间收益 = 期末收盘 / 期初收盘 - 1；超额收益（pct）= 个股收益 - 基准收益。",
        "Return = end close / start close - 1; relative return (pct) = stock return - benchmark return.",
    ),
    rows="performance",
    columns=(
        Column("code", bi("代码", "Code"), Kind.KEY, DType.TEXT, width=10),
        Column("name", bi("名称", "Name"), Kind.DATA, DType.TEXT, width=14),
        Column("kind", bi("类型", "Kind"), Kind.DATA, DType.TEXT, width=6),
        Column("benchmark", bi("基准指数", "Benchmark"), Kind.DATA, DType.TEXT, width=12),
        Column(
            "history_column",
            bi("History列号", "History column"),
            Kind.FORMULA,
            DType.INTEGER,
            number_format="0",
            formula=same(
                lambda r: (
                    f'IF(COUNTIF(hist_close_codes,{r.key()})=0,"",'
                    f"MATCH({r.key()},hist_close_codes,0))"
                )
            ),
        ),
        Column(
            "start_close",
            bi("期初收盘", "Start close"),
            Kind.FORMULA,
            number_format="#,##0.00",
            formula=same(lambda r: history_close(r, "period_start_row")),
        ),
        Column(
            "end_close",
            bi("期末收盘", "End close"),
            Kind.FORMULA,
            number_format="#,##0.00",
            formula=same(lambda r: history_close(r, "period_end_row")),
        ),
        Column(
            "return",
            bi("区间涨跌幅", "Return"),
            Kind.FORMULA,
            number_format="0.0%",
            formula=Formula(
                sq=lambda r: guard(
                    [r.col("start_close"), r.col("end_close")],
                    f"SQ_RETURN({r.col('start_close')},{r.col('end_close')})",
                ),
                native=lambda r: guard(
                    [r.col("start_close"), r.col("end_close")],
                    f"{r.col('end_close')}/{r.col('start_close')}-1",
                ),
                spill=return_spill,
            ),
        ),
        Column(
            "benchmark_return",
            bi("基准涨跌幅", "Benchmark return"),
            Kind.FORMULA,
            number_format="0.0%",
            formula=same(
                lambda r: (
                    f'IF(COUNTIF(perf_code,{r.col("benchmark")})=0,"",'
                    f"IF(ISNUMBER(INDEX(perf_return,MATCH({r.col('benchmark')},perf_code,0))),"
                    f'INDEX(perf_return,MATCH({r.col("benchmark")},perf_code,0)),""))'
                )
            ),
        ),
        Column(
            "relative_return",
            bi("超额收益（pct）", "Relative return (pct)"),
            Kind.FORMULA,
            number_format="0.0%",
            width=12,
            formula=Formula(
                sq=lambda r: guard(
                    [r.col("return"), r.col("benchmark_return")],
                    f"SQ_REL_RETURN({r.col('return')},{r.col('benchmark_return')},"
                    f"set_relative_method)",
                ),
                native=lambda r: guard(
                    [r.col("return"), r.col("benchmark_return")],
                    f'IF(set_relative_method="geometric",(1+{r.col("return")})/'
                    f"(1+{r.col('benchmark_return')})-1,{r.col('return')}-{r.col('benchmark_return')})",
                ),
                spill=relative_return_spill,
            ),
        ),
        # Both names of every company and index, whatever the workbook's language.
        Column("name_zh", bi("中文名称", "Chinese name"), Kind.DATA, DType.TEXT, width=14),
        Column("name_en", bi("英文名称", "English name"), Kind.DATA, DType.TEXT, width=16),
    ),
)


# --------------------------------------------------------------- Valuation

VALUATION = TableSheet(
    name=names.VALUATION_SHEET,
    prefix="val",
    titles=bi("估值分位", "Valuation percentiles"),
    notes=bi(
        "PE-TTM 当前值在其自身历史（自序列起点）中的分位点；方法见 Settings。",
        "Where today's PE-TTM sits in its own history since the series began; method on Settings.",
    ),
    rows="pe_series",
    columns=(
        Column("code", bi("代码", "Code"), Kind.KEY, DType.TEXT, width=10),
        Column("name", bi("名称", "Name"), Kind.DATA, DType.TEXT, width=14),
        Column(
            "history_column",
            bi("History列号", "History column"),
            Kind.FORMULA,
            DType.INTEGER,
            number_format="0",
            formula=same(lambda r: f"MATCH({r.key()},hist_pe_codes,0)"),
        ),
        Column(
            "first_date",
            bi("序列起点", "Series start"),
            Kind.DATA,
            DType.DATE,
            number_format="yyyy-mm-dd",
            width=11,
        ),
        Column(
            "as_of",
            bi("最新日期", "As of"),
            Kind.FORMULA,
            DType.DATE,
            number_format="yyyy-mm-dd",
            width=11,
            formula=same(lambda r: latest(r, "hist_date")),
        ),
        Column(
            "pe_ttm",
            bi("PE-TTM（x）", "PE-TTM (x)"),
            Kind.FORMULA,
            number_format='0.00"x"',
            formula=same(lambda r: latest(r, pe_series(r))),
        ),
        Column(
            "percentile",
            bi("历史分位", "Percentile"),
            Kind.FORMULA,
            number_format="0.00%",
            formula=Formula(sq=percentile_sq, native=percentile_native, spill=percentile_spill),
        ),
        Column(
            "observations",
            bi("样本数", "Observations"),
            Kind.FORMULA,
            DType.INTEGER,
            number_format="#,##0",
            formula=same(lambda r: f"COUNT({pe_series(r)})"),
        ),
        Column(
            "label",
            bi("当前值 | 分位", "Today | percentile"),
            Kind.FORMULA,
            DType.TEXT,
            width=16,
            # The PE-TTM chart marks today's point with this text.
            formula=same(
                lambda r: guard(
                    [r.col("pe_ttm"), r.col("percentile")],
                    f'TEXT({r.col("pe_ttm")},"0.00")&"x | "&TEXT({r.col("percentile")},"0.00%")',
                )
            ),
        ),
    ),
)


HISTORY = HistorySheet(
    name=names.HISTORY_SHEET,
    titles=bi("历史行情与估值", "Price and valuation history"),
    notes=bi(
        "日收盘价（节假日沿用前值）与 PE-TTM 序列；由历史文件刷新。",
        "Daily closes (carried over holidays inside a series) and PE-TTM series; refreshed from the history file.",
    ),
    date_header=bi("日期", "Date"),
    close_group=bi("收盘价", "Close"),
    pe_group=bi("PE-TTM（x）", "PE-TTM (x)"),
)

GUIDE = TextSheet(
    name=names.GUIDE_SHEET,
    lines={
        "zh": (
            "使用说明",
            "1. 只在蓝色单元格输入：Estimates 表（EPS、目标PE、评级手动调整及理由、备注）与 Settings 表。",
            "2. Coverage、Performance、Valuation 表全部为公式，已锁定；Market 与 History 由数据文件刷新。",
            "3. PE = 股价 / (EPS × 汇率)；汇率为每单位 EPS 货币对应的股价货币（如 每人民币兑港元）。每行的股价货币与 EPS 货币见 Coverage 表。",
            "4. EPS ≤ 0 时 PE 显示 NM（无意义），与缺失数据不同。",
            "5. 评级按 Settings 中的评级体系，由上涨空间相对基准预期收益得出；手动评级须填写理由。",
            "6. 每月刷新请用 xlmodels regenerate：行情、汇率与历史数据更新，分析师输入全部保留。",
            "7. SQ_ 函数需 xlwings 加载项（见 xlwings.conf 表）；不使用加载项的文件请用 native 公式模式生成。",
            "8. 公司发布年报后请用 xlmodels roll 滚动预测年度：FY2 变为 FY1，原 FY1 EPS 成为上一报告年度（LYR）。",
        ),
        "en": (
            "How to use this workbook",
            "1. Type only in blue cells: Estimates (EPS, target PE, rating override and its reason, notes) and Settings.",
            "2. Coverage, Performance and Valuation are formulas and locked; Market and History are refreshed from data files.",
            "3. PE = price / (EPS x FX); FX is price-currency units per EPS-currency unit (e.g. HKD per CNY). Coverage shows each row's price and EPS currency.",
            "4. EPS <= 0 shows NM (not meaningful), which is different from missing data.",
            "5. Ratings follow the Settings scheme, from upside against the benchmark's expected return; an override needs a reason.",
            "6. Refresh monthly with xlmodels regenerate: prices, FX and history update; every analyst input is kept.",
            "7. SQ_ functions need the xlwings add-in (see the xlwings.conf sheet); for files leaving the firm, generate native formulas.",
            "8. Once the companies report the year, roll with xlmodels roll: FY2 becomes FY1 and the old FY1 EPS the last reported year (LYR).",
        ),
    },
)

XLWINGS_CONF = TextSheet(name=names.XLWINGS_CONF_SHEET, lines={"zh": (), "en": ()})
#: Key of the UDF-modules entry on the xlwings.conf sheet. The xlwings add-in
#: reads that sheet as key (column A) and value (column B) pairs from A1 down
#: to the first blank key, upper-casing the key; "UDF Modules" is the name its
#: ribbon and its own release tooling write.
XLWINGS_UDF_KEY = "UDF Modules"

SPEC = WorkbookSpec(
    version=TEMPLATE_VERSION,
    sheets=(
        GUIDE,
        COVERAGE,
        ESTIMATES,
        MARKET,
        PERFORMANCE,
        VALUATION,
        HISTORY,
        SETTINGS,
        XLWINGS_CONF,
    ),
    charts=(
        ChartSpec(
            "relative_returns",
            names.PERFORMANCE_SHEET,
            "bar",
            bi("本月超额收益（pct）", "Relative return this month (pct)"),
            "N4",
        ),
        ChartSpec(
            "pe_ttm_history",
            names.VALUATION_SHEET,
            "line",
            bi("PE-TTM 历史与当前分位", "PE-TTM history and today's percentile"),
            "K4",
            per_row=True,
        ),
    ),
    xlwings_udf_modules="udfs",
)
