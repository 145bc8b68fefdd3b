"""The formulas of the current template (version 3), as builders of one row's formula text.

Each builder takes a :class:`~xlmodels.template.schema.RowContext` and
returns the formula of that row's cell without its leading ``=``; the
template (:mod:`~xlmodels.template.v3`) pairs an ``sq`` builder (the firm's
SQ_ functions) with a ``native`` one (plain Excel) that gives the same
result. A row with a blank input shows a blank, never an error value.

Columns computed by an SQ_ function also have a ``spill`` builder: the
``sq`` formula for all the rows at once, taking each input column as a
range (a :class:`~xlmodels.template.schema.SpillContext`), so the function
is called once per column. Its guard works element by element
(:func:`each`): ``COUNT`` would count the whole range.

Examples
--------
>>> guard(["D5", "F5"], "D5/F5")
'IF(COUNT(D5,F5)<2,"",D5/F5)'
>>> each(["D5:D9", "F5:F9"], "SQ_X(D5:D9,F5:F9)")
'IF(ISNUMBER(D5:D9)*ISNUMBER(F5:F9),SQ_X(D5:D9,F5:F9),"")'
"""

from __future__ import annotations

from xlmodels.template.schema import Formula, FormulaBuilder, RowContext

__all__ = [
    "bench_expected_return",
    "bi",
    "each",
    "eps_lookup",
    "guard",
    "history_close",
    "history_row",
    "latest",
    "market_cap",
    "market_cap_spill",
    "model_rating_native",
    "model_rating_spill",
    "model_rating_sq",
    "number",
    "pe",
    "pe_series",
    "percentile_native",
    "percentile_spill",
    "percentile_sq",
    "rating",
    "relative_return_spill",
    "return_spill",
    "same",
    "target_eps",
    "target_eps_spill",
    "target_price",
    "target_price_spill",
    "text",
    "upside",
    "upside_spill",
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


def each(needed: list[str], expression: str) -> str:
    # guard() for ranges: ISNUMBER works element by element where COUNT would
    # count the whole range, so each row of the spill is blank on its own
    # blank input, as the per-row formula is.
    test = "*".join(f"ISNUMBER({reference})" for reference in needed)
    return f'IF({test},{expression},"")'


def pe(slot: str) -> Formula:
    def refs(r: RowContext) -> tuple[str, str, str]:
        return r.col("close"), r.col(f"eps_{slot}"), r.col("fx")

    def sq(r: RowContext) -> str:
        price, eps, fx = refs(r)
        return guard([price, eps, fx], f"SQ_PE({price},{eps},{fx})")

    def native(r: RowContext) -> str:
        price, eps, fx = refs(r)
        return guard([price, eps, fx], f'IF({eps}*{fx}<=0,"NM",{price}/({eps}*{fx}))')

    def spill(r: RowContext) -> str:
        price, eps, fx = refs(r)
        return each([price, eps, fx], f"SQ_PE({price},{eps},{fx})")

    return Formula(sq, native, spill)


def market_cap_spill(r: RowContext) -> str:
    # market_cap() for the rows at once, in one call: without a reporting
    # currency the rate is not needed (and is 1), with one a row without its
    # rate stays blank, never a cap in its own currency.
    close, shares, rate = r.col("close"), r.col("shares_mn"), r.col("reporting_fx")
    own = "LEN(set_reporting_currency)=0"
    test = f"ISNUMBER({close})*ISNUMBER({shares})*(ISNUMBER({rate})+({own}))"
    return f'IF({test},SQ_MKT_CAP({close},{shares})*IF({own},1,{rate}),"")'


def target_eps(r: RowContext, blend: str) -> str:
    year = r.lookup("est", "target_year")
    fy1, fy2, fy3 = r.col("eps_fy1"), r.col("eps_fy2"), r.col("eps_fy3")
    chosen = (
        f'IF({year}="FY1",{fy1},IF({year}="FY2",{fy2},IF({year}="FY3",{fy3},'
        f'IF({year}="blended",IF(COUNT({fy1},{fy2})<2,"",{blend}),""))))'
    )
    return f'IF(LEN({year})=0,"",{chosen})'


def _chosen_eps(r: RowContext, year: str, blended: str) -> str:
    fy1, fy2, fy3 = r.col("eps_fy1"), r.col("eps_fy2"), r.col("eps_fy3")
    chosen = (
        f'IF({year}="FY1",{fy1},IF({year}="FY2",{fy2},IF({year}="FY3",{fy3},'
        f'IF({year}="blended",{blended},""))))'
    )
    return f'IF(LEN({year})=0,"",{chosen})'


def target_eps_spill(r: RowContext) -> str:
    fy1, fy2 = r.col("eps_fy1"), r.col("eps_fy2")
    blended = each([fy1, fy2], f"SQ_EPS_BLENDED({fy1},{fy2},set_fy1_remaining)")
    return _chosen_eps(r, r.col("target_year"), blended)


def target_price(r: RowContext, function: str) -> str:
    eps, multiple, fx = r.col("target_eps"), r.lookup("est", "target_multiple"), r.col("fx")
    return guard([eps, multiple, fx], function.format(eps=eps, multiple=multiple, fx=fx))


def target_price_spill(r: RowContext) -> str:
    eps, multiple, fx = r.col("target_eps"), r.col("target_multiple"), r.col("fx")
    return each([eps, multiple, fx], f"SQ_TARGET_PRICE({eps},{multiple},{fx})")


def upside(r: RowContext, function: str) -> str:
    target, close = r.col("target_price"), r.col("close")
    return f'IF({target}="NM","NM",{guard([target, close], function.format(t=target, p=close))})'


def upside_spill(r: RowContext) -> str:
    target, close = r.col("target_price"), r.col("close")
    return f'IF({target}="NM","NM",{each([target, close], f"SQ_UPSIDE({target},{close})")})'


def rating(r: RowContext, model: str) -> str:
    override = r.lookup("est", "rating_override")
    return f"IF(LEN({override})>0,{override},{model})"


def bench_expected_return(r: RowContext) -> str:
    return f"INDEX(set_bench_er,MATCH({r.lookup('mkt', 'market')},set_bench_er_market,0))"


def model_rating_sq(r: RowContext) -> str:
    upside = r.col("upside")
    bench = bench_expected_return(r)
    return f"IF(ISNUMBER({upside}),SQ_RATING({upside},{bench},set_scheme,set_lang),set_not_rated)"


def model_rating_spill(r: RowContext) -> str:
    upside, bench = r.col("upside"), r.col("bench_expected_return")
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


def text(reference: str) -> str:
    # A blank source cell must stay blank, not show as 0; a missing row too.
    return f'IF(ISTEXT({reference}),{reference},"")'


def market_cap(r: RowContext, function: str) -> str:
    close, shares = r.col("close"), r.lookup("mkt", "shares_mn")
    own = function.format(close=close, shares=shares)
    rate = r.lookup("mkt", "reporting_fx")
    # With a reporting currency every cap is converted at its row's rate; a
    # row without a rate shows blank, never a cap in its own currency.
    return (
        f"IF(LEN(set_reporting_currency)=0,{guard([close, shares], own)},"
        f"{guard([close, shares, rate], f'{own}*{rate}')})"
    )


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


def percentile_spill(r: RowContext) -> str:
    # One call ranks every row's PE-TTM in its own History column: the rows
    # are the PE-TTM block's columns in order, which the first test checks
    # row by row (a row out of step shows #N/A, never another series' rank).
    today = r.col("pe_ttm")
    ranks = each([today], f"SQ_PERCENTILES(hist_pe,{today},set_percentile_method)")
    return f"IF({r.key()}=TRANSPOSE(hist_pe_codes),{ranks},NA())"


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


def return_spill(r: RowContext) -> str:
    start, end = r.col("start_close"), r.col("end_close")
    return each([start, end], f"SQ_RETURN({start},{end})")


def relative_return_spill(r: RowContext) -> str:
    stock, benchmark = r.col("return"), r.col("benchmark_return")
    return each([stock, benchmark], f"SQ_REL_RETURN({stock},{benchmark},set_relative_method)")
