"""The Settings sheet of the current template (version 3): its named cells and their blocks.

Part of :mod:`xlmodels.template.v3`, which places it among the sheets and
re-exports it; split off by size.

Examples
--------
>>> SETTINGS.row_of("template_version"), SETTINGS.setting("scheme").name
(5, 'set_scheme')
"""

from __future__ import annotations

from xlmodels.template import names
from xlmodels.template.schema import DType, Kind, Setting, SettingsSheet
from xlmodels.template.v3_formulas import bi, history_row, same

__all__ = ["SETTINGS"]

SETTINGS = SettingsSheet(
    name=names.SETTINGS_SHEET,
    titles=bi("设置", "Settings"),
    headers={"zh": ("设置项", "值", "说明"), "en": ("Setting", "Value", "Note")},
    bench_headers={
        "zh": ("市场", "基准预期收益", "评级基准指数"),
        "en": ("Market", "Benchmark expected return", "Rating benchmark"),
    },
    tier_headers={
        "zh": ("评级", "超额收益下限", "含下限"),
        "en": ("Rating", "Excess return above", "Bound inclusive"),
    },
    settings=(
        Setting(
            "template_version", bi("模板版本", "Template version"), Kind.DATA, DType.INTEGER, "0"
        ),
        Setting("lang", bi("语言", "Language"), Kind.DATA, DType.TEXT),
        Setting(
            "formula_mode",
            bi("公式模式", "Formula mode"),
            Kind.DATA,
            DType.TEXT,
            notes=bi(
                "sq：公司 SQ_ 函数（需 xlwings 加载项）；native：Excel 原生公式。",
                "sq: the firm's SQ_ functions (xlwings add-in); native: plain Excel formulas.",
            ),
        ),
        Setting("report_date", bi("报告日期", "Report date"), Kind.DATA, DType.DATE, "yyyy-mm-dd"),
        Setting(
            "price_date",
            bi("价格日期", "Price date"),
            Kind.DATA,
            DType.DATE,
            "yyyy-mm-dd",
            notes=bi("行情文件中最新的价格日期。", "Latest price date of the market file."),
        ),
        Setting(
            "period_start",
            bi("区间起点（收盘）", "Period start (close)"),
            Kind.DATA,
            DType.DATE,
            "yyyy-mm-dd",
            notes=bi(
                "区间收益自该日（或之前最近交易日）收盘起算。",
                "Returns run from the close on this date, or the last close before it.",
            ),
        ),
        Setting(
            "period_end",
            bi("区间终点（收盘）", "Period end (close)"),
            Kind.DATA,
            DType.DATE,
            "yyyy-mm-dd",
        ),
        Setting(
            "fy1_year",
            bi("FY1 年度", "FY1 year"),
            Kind.INPUT,
            DType.INTEGER,
            "0",
            bounds=(1990, 2200),
            notes=bi(
                "EPS FY1 对应的财年（如 2024 即 2024E）。",
                "Fiscal year of EPS FY1 (2024 for 2024E).",
            ),
        ),
        Setting(
            "fy_end_month",
            bi("财年结束月", "Fiscal year-end month"),
            Kind.INPUT,
            DType.INTEGER,
            "0",
            bounds=(1, 12),
        ),
        Setting(
            "fy_end_day",
            bi("财年结束日", "Fiscal year-end day"),
            Kind.INPUT,
            DType.INTEGER,
            "0",
            bounds=(1, 31),
        ),
        Setting(
            "fy1_remaining",
            bi("FY1 剩余比例", "Share of FY1 remaining"),
            Kind.FORMULA,
            DType.NUMBER,
            "0.0%",
            formula=same(
                lambda r: (
                    "MAX(0,MIN(1,(DATE(set_fy1_year,set_fy_end_month,set_fy_end_day)"
                    "-set_report_date)/(DATE(set_fy1_year,set_fy_end_month,set_fy_end_day)"
                    "-DATE(set_fy1_year-1,set_fy_end_month,set_fy_end_day))))"
                )
            ),
            notes=bi(
                "混合EPS中 FY1 的权重（按天数）。",
                "Weight of FY1 in a blended EPS, by days.",
            ),
        ),
        Setting(
            "scheme",
            bi("评级体系", "Rating scheme"),
            Kind.INPUT,
            DType.CHOICE,
            choices="scheme",
            notes=bi(
                "SQ 公式即时生效；native 公式读取下方评级档位，重新生成后更新。",
                "SQ formulas follow it at once; native formulas read the tier block below, updated at regeneration.",
            ),
        ),
        Setting(
            "scheme_basis",
            bi("评级基础", "Rating basis"),
            Kind.DATA,
            DType.TEXT,
            notes=bi(
                "relative：上涨空间减基准预期收益；absolute：上涨空间本身。",
                "relative: upside minus the benchmark's expected return; absolute: upside alone.",
            ),
        ),
        Setting("not_rated", bi("无评级标签", "Not-rated label"), Kind.DATA, DType.TEXT),
        Setting(
            "percentile_method",
            bi("分位方法", "Percentile method"),
            Kind.INPUT,
            DType.CHOICE,
            choices="percentile_method",
            notes=bi(
                "inc = Excel PERCENTRANK.INC；exc = PERCENTRANK.EXC；strict = 低于当前值的占比；weak = 不高于当前值的占比。",
                "inc = Excel PERCENTRANK.INC; exc = PERCENTRANK.EXC; strict = share below; weak = share at or below.",
            ),
        ),
        Setting(
            "relative_method",
            bi("超额收益算法", "Relative-return method"),
            Kind.INPUT,
            DType.CHOICE,
            choices="relative_method",
            notes=bi(
                "arithmetic = 个股收益 - 基准收益（pct）；geometric = (1+个股)/(1+基准) - 1。",
                "arithmetic = stock - benchmark (pct); geometric = (1 + stock) / (1 + benchmark) - 1.",
            ),
        ),
        Setting(
            "period_start_row",
            bi("区间起点所在行", "History row of period start"),
            Kind.FORMULA,
            DType.INTEGER,
            "0",
            formula=history_row("period_start"),
            notes=bi("在 History 日期列中的序号。", "Position in the History dates."),
        ),
        Setting(
            "period_end_row",
            bi("区间终点所在行", "History row of period end"),
            Kind.FORMULA,
            DType.INTEGER,
            "0",
            formula=history_row("period_end"),
        ),
        Setting("data_note", bi("数据说明", "Data note"), Kind.DATA, DType.TEXT),
        Setting(
            "coverage_group",
            bi("覆盖组", "Coverage group"),
            Kind.DATA,
            DType.TEXT,
            notes=bi(
                "来自覆盖名单；xlmodels regenerate 据此找到本工作簿。",
                "From the coverage universe; xlmodels regenerate finds this workbook by it.",
            ),
        ),
        Setting(
            "reporting_currency",
            bi("报告货币", "Reporting currency"),
            Kind.INPUT,
            DType.TEXT,
            notes=bi(
                "总市值统一折算的货币（ISO 代码，如 HKD），按 Market 表的折算汇率；留空则为各行股价货币。重新生成后生效。",
                "Currency all market caps are shown in (ISO code such as HKD), at the Market sheet's rates; blank: each row's price currency. Takes effect at regeneration.",
            ),
        ),
    ),
)
"""Besides these cells the writer places two blocks under the list, each a
named range (:meth:`SettingsSheet.blocks`): the benchmark expected returns by
market (``set_bench_er_market`` data, ``set_bench_er`` analyst inputs) and the
tiers of the rating scheme in force, best first (``set_tier_label``: every
label; ``set_tier_bound`` and ``set_tier_inclusive``: the bound of every tier
but the last, and TRUE where a return exactly at the bound earns the tier),
which the native rating formula reads. They are data: a change of scheme takes
effect in native formulas at the next regeneration."""
