"""The formulas of the current template (version 3), as builders of one row's formula text.

Each builder takes a :class:`~xlmodels.template.schema.RowContext` and
returns the formula of that row's cell without its leading ``=``; the
template (:mod:`~xlmodels.template.v3`) pairs an ``sq`` builder (the firm's
SQ_ functions) with a ``native`` one (plain Excel) that gives the same
result. A row with a blank input shows a blank, never an error value.

Examples
--------
>>> guard(["D5", "F5"], "D5/F5")
'IF(COUNT(D5,F5)<2,"",D5/F5)'
"""

from __future__ import annotations

from xlmodels.template.schema import Formula, FormulaBuilder, RowContext

__all__ = [
    "bi",
    "eps_lookup",
    "guard",
    "history_close",
    "history_row",
    "latest",
    "model_rating_native",
    "model_rating_sq",
    "number",
    "pe",
    "pe_series",
    "percentile_native",
    "percentile_sq",
    "rating",
    "same",
    "target_eps",
    "target_price",
    "upside",
]


def same(builder: FormulaBuilder) -> Formula:
    """A formula that needs no SQ_ function: both dialects are the same."""
    return Formula(sq=builder, native=builder)


def bi(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def guard(needed: list[str], expression: str) -> str:
    # A row with a blank input shows a blank result, not #N/A: the validator
    # treats every error value as a defect, and an uncovered name is not one.
    return f'IF(COUNT({",".join(needed)})<{len(needed)},"",{expression})'


def pe(slot: str) -> Formula:
    def refs(r: RowContext) -> tuple[str, str, str]:
        return r.col("close"), r.col(f"eps_{slot}"), r.col("fx")

    def sq(r: RowContext) -> str:
        price, eps, fx = refs(r)
        return guard([price, eps, fx], f"SQ_PE({price},{eps},{fx})")

    def native(r: RowContext) -> str:
        price, eps, fx = refs(r)
        return guard([price, eps, fx], f'IF({eps}*{fx}<=0,"NM",{price}/({eps}*{fx}))')

    return Formula(sq, native)


def target_eps(r: RowContext, blend: str) -> str:
    year = r.lookup("est", "target_year")
    fy1, fy2, fy3 = r.col("eps_fy1"), r.col("eps_fy2"), r.col("eps_fy3")
    chosen = (
        f'IF({year}="FY1",{fy1},IF({year}="FY2",{fy2},IF({year}="FY3",{fy3},'
        f'IF({year}="blended",IF(COUNT({fy1},{fy2})<2,"",{blend}),""))))'
    )
    return f'IF(LEN({year})=0,"",{chosen})'


def target_price(r: RowContext, function: str) -> str:
    eps, multiple, fx = r.col("target_eps"), r.lookup("est", "target_multiple"), r.col("fx")
    return guard([eps, multiple, fx], function.format(eps=eps, multiple=multiple, fx=fx))


def upside(r: RowContext, function: str) -> str:
    target, close = r.col("target_price"), r.col("close")
    return f'IF({target}="NM","NM",{guard([target, close], function.format(t=target, p=close))})'


def rating(r: RowContext, model: str) -> str:
    override = r.lookup("est", "rating_override")
    return f"IF(LEN({override})>0,{override},{model})"


def model_rating_sq(r: RowContext) -> str:
    upside = r.col("upside")
    bench = f"INDEX(set_bench_er,MATCH({r.lookup('mkt', 'market')},set_bench_er_market,0))"
    return f"IF(ISNUMBER({upside}),SQ_RATING({upside},{bench},set_scheme,set_lang),set_not_rated)"


def model_rating_native(r: RowContext) -> str:
    upside = r.col("upside")
    bench = f"INDEX(set_bench_er,MATCH({r.lookup('mkt', 'market')},set_bench_er_market,0))"
    # An absolute scheme rates the upside alone, whatever the benchmark.
    excess = f'({upside}-IF(set_scheme_basis="absolute",0,{bench}))'
    # Tiers are listed best first with descending bounds, so the number of
    # bounds the excess return fails to clear is the index of its tier. A
    # bound is cleared when excess > bound, or >= where the tier is inclusive.
    missed = (
        f"SUMPRODUCT((set_tier_inclusive=FALSE)*(set_tier_bound>={excess})"
        f"+(set_tier_inclusive=TRUE)*(set_tier_bound>{excess}))"
    )
    return f"IF(ISNUMBER({upside}),INDEX(set_tier_label,1+{missed}),set_not_rated)"


def number(reference: str) -> str:
    # A blank source cell must stay blank, not turn into a zero price.
    return f'IF(ISNUMBER({reference}),{reference},"")'


def eps_lookup(slot: str) -> Formula:
    return same(lambda r: number(r.lookup("est", f"eps_{slot}")))


def history_close(r: RowContext, row_setting: str) -> str:
    column, row = r.col("history_column"), r.setting(row_setting)
    cell = f"INDEX(hist_close,{row},{column})"
    return f'IF(COUNT({column},{row})<2,"",IF(ISNUMBER({cell}),{cell},""))'


def pe_series(r: RowContext) -> str:
    # The row's PE-TTM column of the History block, as a reference from its first
    # to its last cell. INDEX(hist_pe,0,col) means the same in Excel, but
    # formula engines other than Excel's and LibreOffice's read row 0 as row 1.
    column = r.col("history_column")
    return f"INDEX(hist_pe,1,{column}):INDEX(hist_pe,ROWS(hist_pe),{column})"


def latest(r: RowContext, of: str) -> str:
    # MATCH of a number larger than any value finds the last number in a range.
    return f"INDEX({of},MATCH(9.99E+307,{pe_series(r)}))"


def excel_percentrank(function: str, series: str, today: str) -> str:
    # Excel truncates PERCENTRANK to 3 decimals, LibreOffice rounds: asking
    # for 15 digits and truncating with TRUNC gives Excel's result in both.
    return f"TRUNC(_xlfn.{function}({series},{today},15),3)"


def percentile_sq(r: RowContext) -> str:
    series, today = pe_series(r), r.col("pe_ttm")
    return guard([today], f"SQ_PERCENTILE({series},{today},set_percentile_method)")


def percentile_native(r: RowContext) -> str:
    series, today = pe_series(r), r.col("pe_ttm")
    return guard(
        [today],
        f'IF(set_percentile_method="strict",COUNTIF({series},"<"&{today})/COUNT({series}),'
        f'IF(set_percentile_method="weak",COUNTIF({series},"<="&{today})/COUNT({series}),'
        f'IF(set_percentile_method="exc",{excel_percentrank("PERCENTRANK.EXC", series, today)},'
        f"{excel_percentrank('PERCENTRANK.INC', series, today)})))",
    )


def history_row(setting: str) -> Formula:
    # Row of the last history date on or before the period date ("" if before).
    return same(
        lambda r: (
            f'IF(COUNT(hist_date)=0,"",IF(set_{setting}<MIN(hist_date),"",'
            f"MATCH(set_{setting},hist_date,1)))"
        )
    )
