"""The SQ_ worksheet functions: thin adapters from Excel cells to the xlmodels core.

Names and argument order are a public contract: workbooks depend on them.
Each function names the core function it calls and how each argument is
read from cells (see :mod:`udfs._cells`); no finance happens here.

Argument names are also VBA identifiers: classic desktop Excel calls each
function through a generated VBA wrapper whose parameters carry these names.
``End`` is a reserved word in VBA, so the end arguments of ``SQ_RETURN``
and ``SQ_CAGR`` are ``end_price`` and ``end_value``; formulas pass arguments
by position, so the names only show in the Function Wizard.

Registration. ``@func`` is xlwings' decorator. Argument docs and conversion
options sit in ``Annotated`` type hints, xlwings' documented equivalent of
``@arg(name, doc=..., ndim=2, err_to_str=True)``: on Linux and macOS
xlwings' decorators pass functions through unchanged, and hints are then the
only place the docs survive for ``xlmodels functions`` to read. The
docstring is the description Excel shows (at most 255 characters, one line);
``category`` is used by classic desktop Excel, and ignored by Office.js.
"""

from collections.abc import Callable
from typing import Annotated, Any, Final

import xlmodels as xm
from udfs._cells import (
    Columns,
    Default,
    Numbers,
    Series,
    Text,
    evaluate,
    refuse_left_out,
    running_on_office_js,
)
from udfs._xlwings import func
from xlmodels.core.ratings import DEFAULT_SCHEME

__all__ = [
    "CATEGORY",
    "FUNCTIONS",
    "SQ_CAGR",
    "SQ_EPS_BLENDED",
    "SQ_MKT_CAP",
    "SQ_PE",
    "SQ_PEG",
    "SQ_PERCENTILE",
    "SQ_PERCENTILES",
    "SQ_PE_TTM",
    "SQ_RATING",
    "SQ_REL_RETURN",
    "SQ_RETURN",
    "SQ_TARGET_PRICE",
    "SQ_TP_DCF",
    "SQ_TP_SOTP",
    "SQ_UPSIDE",
]

#: Function Wizard category of every SQ_ function (classic desktop Excel).
CATEGORY: Final = "SQ Equity Research"

# Every argument arrives as a list of lists (a single cell as [[x]]), so a
# column stays a column; error cells arrive as their text ("#N/A"), not None,
# so they can be told from empty cells.
_CELLS: Final = {"ndim": 2, "err_to_str": True}

# Defaults marked as such (see udfs._cells.Default): xlwings passes a left-out
# argument as the default itself, and Office.js cannot tell it from an empty cell.
_FX: Final = Default(1.0)
_ZERO: Final = Default(0.0)
# Help of the arguments where 0 is a value: Office.js cannot tell it from an empty cell.
_ZERO_NOTE: Final = " Under Office.js a 0 is refused (an empty cell reads as 0)."
_SERIES_NOTE: Final = " Under Office.js (an empty cell reads as 0) a 0 is refused."


@func(category=CATEGORY)
def SQ_PE(
    price: Annotated[Any, {"doc": "Share price, price currency (e.g. HKD), > 0.", **_CELLS}],
    eps: Annotated[
        Any,
        {
            "doc": "EPS for the year, EPS currency (e.g. CNY). EPS <= 0 gives NM." + _ZERO_NOTE,
            **_CELLS,
        },
    ],
    fx: Annotated[
        Any,
        {
            "doc": (
                "Price-currency units per EPS-currency unit (HKD per CNY). Default 1 "
                "(desktop Excel); required under Office.js, where an empty cell looks left out."
            ),
            **_CELLS,
        },
    ] = _FX,
) -> Any:
    """PE multiple: price / (eps x fx). EPS <= 0 gives NM."""
    return evaluate(xm.pe, price=Numbers(price), eps=Numbers(eps), fx=Numbers(fx, _FX))


@func(category=CATEGORY)
def SQ_PE_TTM(
    price: Annotated[Any, {"doc": "Share price, price currency (e.g. HKD), > 0.", **_CELLS}],
    quarterly_eps: Annotated[
        Any,
        {
            "doc": (
                "Quarterly EPS, one row or column, most recent last; the last 4 count. "
                "Empty cells at the end are ignored; an empty one among the 4 gives #N/A."
                + _SERIES_NOTE
            ),
            **_CELLS,
        },
    ],
    fx: Annotated[
        Any,
        {
            "doc": (
                "Price-currency units per EPS-currency unit (HKD per CNY). Default 1 "
                "(desktop Excel); required under Office.js, where an empty cell looks left out."
            ),
            **_CELLS,
        },
    ] = _FX,
) -> Any:
    """Trailing PE: price / (sum of the last four quarters' EPS x fx). EPS <= 0 gives NM."""
    return evaluate(
        xm.pe_ttm,
        price=Numbers(price),
        quarterly_eps=Series(quarterly_eps),
        fx=Numbers(fx, _FX),
    )


@func(category=CATEGORY)
def SQ_EPS_BLENDED(
    eps_fy1: Annotated[
        Any, {"doc": "EPS of the current fiscal year (FY1)." + _ZERO_NOTE, **_CELLS}
    ],
    eps_fy2: Annotated[
        Any, {"doc": "EPS of the next fiscal year (FY2), same currency." + _ZERO_NOTE, **_CELLS}
    ],
    fy1_remaining: Annotated[
        Any,
        {
            "doc": "Share of FY1 still ahead, 0 to 1 (0.25 with a quarter left)." + _ZERO_NOTE,
            **_CELLS,
        },
    ],
) -> Any:
    """Blended EPS: fy1_remaining x FY1 EPS + (1 - fy1_remaining) x FY2 EPS."""
    return evaluate(
        xm.blended_eps,
        eps_fy1=Numbers(eps_fy1),
        eps_fy2=Numbers(eps_fy2),
        fy1_remaining=Numbers(fy1_remaining),
    )


@func(category=CATEGORY)
def SQ_PEG(
    pe: Annotated[Any, {"doc": "PE multiple in times; NM gives NM." + _ZERO_NOTE, **_CELLS}],
    eps_growth: Annotated[
        Any,
        {
            "doc": "EPS growth as a fraction (0.15 for 15%). Growth <= 0 gives NM." + _ZERO_NOTE,
            **_CELLS,
        },
    ],
) -> Any:
    """PEG: pe / (eps_growth x 100), growth being a fraction. Growth <= 0 gives NM."""
    return evaluate(xm.peg, pe=Numbers(pe), eps_growth=Numbers(eps_growth))


@func(category=CATEGORY)
def SQ_MKT_CAP(
    price: Annotated[Any, {"doc": "Share price, > 0.", **_CELLS}],
    shares: Annotated[
        Any,
        {"doc": "Shares outstanding, > 0; its unit carries over (mn gives mn).", **_CELLS},
    ],
) -> Any:
    """Market capitalisation: price x shares."""
    return evaluate(xm.market_cap, price=Numbers(price), shares=Numbers(shares))


@func(category=CATEGORY)
def SQ_TARGET_PRICE(
    eps: Annotated[
        Any,
        {
            "doc": "EPS of the chosen year (or blended), EPS currency. <= 0 gives NM." + _ZERO_NOTE,
            **_CELLS,
        },
    ],
    target_multiple: Annotated[Any, {"doc": "Target PE in times, > 0.", **_CELLS}],
    fx: Annotated[
        Any,
        {
            "doc": (
                "Price-currency units per EPS-currency unit (HKD per CNY). Default 1 "
                "(desktop Excel); required under Office.js, where an empty cell looks left out."
            ),
            **_CELLS,
        },
    ] = _FX,
) -> Any:
    """Target price by multiple: eps x target_multiple x fx. EPS <= 0 gives NM."""
    return evaluate(
        xm.target_price,
        eps=Numbers(eps),
        target_multiple=Numbers(target_multiple),
        fx=Numbers(fx, _FX),
    )


@func(category=CATEGORY)
def SQ_TP_SOTP(
    segment_values: Annotated[
        Any,
        {
            "doc": (
                "Values of the segments, one row or column, same unit as net_debt. "
                "Empty cells at the end are ignored; an empty one before gives #N/A." + _SERIES_NOTE
            ),
            **_CELLS,
        },
    ],
    net_debt: Annotated[
        Any,
        {"doc": "Net debt (negative for net cash), unit of the segments." + _ZERO_NOTE, **_CELLS},
    ],
    shares: Annotated[
        Any, {"doc": "Shares outstanding in the unit of the values (mn with mn), > 0.", **_CELLS}
    ],
    holding_discount: Annotated[
        Any,
        {
            "doc": (
                "Holding-company discount on the sum, a fraction in [0, 1). Empty or left out: 0."
            ),
            **_CELLS,
        },
    ] = _ZERO,
    fx: Annotated[
        Any,
        {
            "doc": (
                "Price-currency units per reporting-currency unit. Default 1 (desktop "
                "Excel); required under Office.js, where an empty cell looks left out."
            ),
            **_CELLS,
        },
    ] = _FX,
) -> Any:
    """Target price by sum of the parts: (sum x (1 - discount) - net debt) / shares x fx."""
    return evaluate(
        xm.target_price_sotp,
        segment_values=Series(segment_values),
        net_debt=Numbers(net_debt),
        shares=Numbers(shares),
        holding_discount=Numbers(holding_discount, _ZERO, empty_is_default=True),
        fx=Numbers(fx, _FX),
    )


@func(category=CATEGORY)
def SQ_TP_DCF(
    free_cash_flows: Annotated[
        Any,
        {
            "doc": (
                "Free cash flows at the end of years 1..n, one row or column. "
                "Empty cells at the end are ignored; an empty one before gives #N/A." + _SERIES_NOTE
            ),
            **_CELLS,
        },
    ],
    discount_rate: Annotated[
        Any,
        {"doc": "Annual discount rate (WACC), a fraction (0.09 for 9%)." + _ZERO_NOTE, **_CELLS},
    ],
    terminal_growth: Annotated[
        Any,
        {
            "doc": "Perpetual growth after year n, a fraction below discount_rate." + _ZERO_NOTE,
            **_CELLS,
        },
    ],
    net_cash: Annotated[
        Any,
        {"doc": "Net cash (negative for net debt), unit of the cash flows." + _ZERO_NOTE, **_CELLS},
    ],
    shares: Annotated[
        Any, {"doc": "Shares outstanding in the unit of the values (mn with mn), > 0.", **_CELLS}
    ],
    fx: Annotated[
        Any,
        {
            "doc": (
                "Price-currency units per reporting-currency unit. Default 1 (desktop "
                "Excel); required under Office.js, where an empty cell looks left out."
            ),
            **_CELLS,
        },
    ] = _FX,
) -> Any:
    """Target price by DCF: (PV of cash flows + Gordon terminal value + net cash) / shares x fx."""
    return evaluate(
        xm.target_price_dcf,
        free_cash_flows=Series(free_cash_flows),
        discount_rate=Numbers(discount_rate),
        terminal_growth=Numbers(terminal_growth),
        net_cash=Numbers(net_cash),
        shares=Numbers(shares),
        fx=Numbers(fx, _FX),
    )


@func(category=CATEGORY)
def SQ_UPSIDE(
    target_price: Annotated[
        Any, {"doc": "Target price, price currency; NM gives NM." + _ZERO_NOTE, **_CELLS}
    ],
    price: Annotated[Any, {"doc": "Current share price, same currency, > 0.", **_CELLS}],
) -> Any:
    """Upside to the target: target_price / price - 1, a fraction."""
    return evaluate(xm.upside, target_price=Numbers(target_price), price=Numbers(price))


@func(category=CATEGORY)
def SQ_RETURN(
    start_or_prices: Annotated[
        Any,
        {
            "doc": (
                "Start price(s); or, with end_price left out (desktop Excel), one row or "
                "column of prices, oldest first (empty cells at either end are skipped)."
                + _SERIES_NOTE
            ),
            **_CELLS,
        },
    ],
    end_price: Annotated[
        Any,
        {
            "doc": (
                "End price(s). Left out, start_or_prices is read as a price series "
                "(desktop Excel; required under Office.js, where an empty cell looks left out)."
                + _ZERO_NOTE
            ),
            **_CELLS,
        },
    ] = None,
) -> Any:
    """Return: end_price / start - 1, or last / first - 1 of a price range."""
    if end_price is None:
        if running_on_office_js():
            return refuse_left_out("end_price", "a price series in start_or_prices")
        return evaluate(xm.series_return, prices=Series(start_or_prices))
    return evaluate(xm.period_return, start=Numbers(start_or_prices), end=Numbers(end_price))


@func(category=CATEGORY)
def SQ_REL_RETURN(
    stock_return: Annotated[
        Any, {"doc": "Return of the stock, a fraction (0.167 for 16.7%)." + _ZERO_NOTE, **_CELLS}
    ],
    benchmark_return: Annotated[
        Any,
        {"doc": "Return of the benchmark over the same period, a fraction." + _ZERO_NOTE, **_CELLS},
    ],
    method: Annotated[
        Any,
        {
            "doc": (
                'Optional: "arithmetic" (default), stock - benchmark; '
                '"geometric", (1 + stock) / (1 + benchmark) - 1.'
            ),
            **_CELLS,
        },
    ] = "arithmetic",
) -> Any:
    """Relative return: stock - benchmark (arithmetic) or geometric; a fraction."""
    return evaluate(
        xm.relative_return,
        stock_return=Numbers(stock_return),
        benchmark_return=Numbers(benchmark_return),
        method=Text(method, "arithmetic"),
    )


@func(category=CATEGORY)
def SQ_CAGR(
    start: Annotated[Any, {"doc": "Starting value, > 0.", **_CELLS}],
    end_value: Annotated[Any, {"doc": "Ending value, >= 0." + _ZERO_NOTE, **_CELLS}],
    years: Annotated[Any, {"doc": "Length of the period in years, > 0.", **_CELLS}],
) -> Any:
    """Compound annual growth: (end_value / start) ^ (1 / years) - 1, as Excel's RRI."""
    return evaluate(xm.cagr, start=Numbers(start), end=Numbers(end_value), years=Numbers(years))


@func(category=CATEGORY)
def SQ_PERCENTILE(
    history: Annotated[
        Any,
        {
            "doc": (
                "The series the value is ranked in, one row or column (e.g. daily "
                "PE-TTM since launch). Empty cells are skipped." + _SERIES_NOTE
            ),
            **_CELLS,
        },
    ],
    value: Annotated[
        Any,
        {
            "doc": (
                "Value(s) to rank. Left out: the last value of history (desktop Excel; "
                "required under Office.js, where an empty cell looks left out)." + _ZERO_NOTE
            ),
            **_CELLS,
        },
    ] = None,
    method: Annotated[
        Any,
        {
            "doc": (
                '"inc" (default, = PERCENTRANK.INC), "exc" (= PERCENTRANK.EXC), '
                '"strict" (share below) or "weak" (share at or below).'
            ),
            **_CELLS,
        },
    ] = "inc",
) -> Any:
    """Percentile rank (0 to 1) of a value within its history; "inc" matches PERCENTRANK.INC."""
    if value is None:
        if running_on_office_js():
            return refuse_left_out("value", "the last value of history")
        return evaluate(xm.percentile_rank, history=Series(history), method=Text(method, "inc"))
    return evaluate(
        xm.percentile_rank,
        history=Series(history),
        value=Numbers(value),
        method=Text(method, "inc"),
    )


@func(category=CATEGORY)
def SQ_PERCENTILES(
    histories: Annotated[
        Any,
        {
            "doc": (
                "Series side by side, one per column, oldest first (e.g. the PE-TTM "
                "block of History). Empty cells are skipped." + _SERIES_NOTE
            ),
            **_CELLS,
        },
    ],
    values: Annotated[
        Any,
        {
            "doc": (
                "One value per column of histories, a row or a column of cells: value j "
                "is ranked in column j." + _ZERO_NOTE
            ),
            **_CELLS,
        },
    ],
    method: Annotated[
        Any,
        {
            "doc": (
                '"inc" (default, = PERCENTRANK.INC), "exc" (= PERCENTRANK.EXC), '
                '"strict" (share below) or "weak" (share at or below).'
            ),
            **_CELLS,
        },
    ] = "inc",
) -> Any:
    """Percentile rank (0 to 1) of each value in its own column of histories, in one call."""
    return evaluate(
        xm.percentile_ranks,
        histories=Columns(histories),
        values=Numbers(values),
        method=Text(method, "inc"),
    )


@func(category=CATEGORY)
def SQ_RATING(
    expected_return: Annotated[
        Any,
        {
            "doc": "Expected return over the scheme's horizon, a fraction (e.g. the upside)."
            + _ZERO_NOTE,
            **_CELLS,
        },
    ],
    benchmark_return: Annotated[
        Any,
        {"doc": "Expected return of the benchmark, same horizon. Empty or left out: 0.", **_CELLS},
    ] = _ZERO,
    scheme: Annotated[
        Any,
        {"doc": 'Rating scheme: "guosen" (default), "csc", "cms", "ubs" or your own.', **_CELLS},
    ] = DEFAULT_SCHEME,
    lang: Annotated[Any, {"doc": 'Label language: "zh" (default) or "en".', **_CELLS}] = "zh",
) -> Any:
    """Rating label for an expected return under a rating scheme; NM gives Not rated."""
    return evaluate(
        xm.rate,
        expected_return=Numbers(expected_return),
        benchmark_return=Numbers(benchmark_return, _ZERO, empty_is_default=True),
        scheme=Text(scheme, DEFAULT_SCHEME),
        lang=Text(lang, "zh"),
    )


#: Every SQ_ function by its Excel name, in the order of the reference. For
#: formula engines that evaluate ``=SQ_...`` formulas in Python.
FUNCTIONS: Final[dict[str, Callable[..., Any]]] = {
    function.__name__: function
    for function in (
        SQ_PE,
        SQ_PE_TTM,
        SQ_EPS_BLENDED,
        SQ_PEG,
        SQ_MKT_CAP,
        SQ_TARGET_PRICE,
        SQ_TP_SOTP,
        SQ_TP_DCF,
        SQ_UPSIDE,
        SQ_RETURN,
        SQ_REL_RETURN,
        SQ_CAGR,
        SQ_PERCENTILE,
        SQ_PERCENTILES,
        SQ_RATING,
    )
}
