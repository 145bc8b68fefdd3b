"""Every SQ_ function called the way Excel calls it, against the xlmodels core.

xlwings hands each argument over as a list of lists (``ndim=2``): a single
cell as ``[[x]]``, a column as ``[[a], [b]]``, a row as ``[[a, b]]``; empty
cells as None, error cells as their text ("#N/A"), dates as datetimes. The
results must be what the core computes, cell by cell, with problem cells
marked where they are and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import pytest
import xlwings
from hypothesis import given, settings
from hypothesis import strategies as st

import xlmodels as xm
from udfs import (
    FUNCTIONS,
    SQ_CAGR,
    SQ_EPS_BLENDED,
    SQ_MKT_CAP,
    SQ_PE,
    SQ_PE_TTM,
    SQ_PEG,
    SQ_PERCENTILE,
    SQ_RATING,
    SQ_REL_RETURN,
    SQ_RETURN,
    SQ_TARGET_PRICE,
    SQ_TP_DCF,
    SQ_TP_SOTP,
    SQ_UPSIDE,
)
from xlmodels.sources import sample


@pytest.fixture(autouse=True)
def _desktop(monkeypatch: pytest.MonkeyPatch) -> None:
    # Results as classic desktop Excel and formula engines get them.
    monkeypatch.delenv("XLWINGS_ON_SERVER", raising=False)


def cell(value: Any) -> Any:
    """What a core result looks like in a cell."""
    if value is None:
        return "#N/A"
    if isinstance(value, float | np.floating):
        if xm.is_nm(value):
            return "NM"
        if math.isinf(value):
            return "#NUM!"
        return "#N/A" if math.isnan(value) else float(value)
    return value


def error_code(value: Any) -> Any:
    """An error cell without the message a single-cell error carries."""
    if isinstance(value, str) and value.startswith("#"):
        return value.split(" ", 1)[0]
    return value


def assert_cells(actual: Any, expected: Any) -> None:
    if isinstance(expected, list):
        assert isinstance(actual, list), actual
        assert len(actual) == len(expected), (actual, expected)
        for a, e in zip(actual, expected, strict=True):
            assert_cells(a, e)
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-12), (actual, expected)
    else:
        assert actual == expected


# Elementwise functions, with three valid values per argument and the core
# function they adapt (called positionally: the orders match).
ELEMENTWISE: dict[str, tuple[Callable[..., Any], Callable[..., Any], list[list[Any]]]] = {
    "SQ_PE": (SQ_PE, xm.pe, [[398.0, 134.4, 168.7], [24.1, -1.2, 7.1], [1.0702, 1.0, 7.8]]),
    "SQ_EPS_BLENDED": (
        SQ_EPS_BLENDED,
        xm.blended_eps,
        [[24.1, 11.2, -0.5], [26.3, 12.0, 0.8], [0.08, 0.5, 1.0]],
    ),
    "SQ_PEG": (SQ_PEG, xm.peg, [[15.4, 22.0, 10.0], [0.12, -0.05, 0.2]]),
    "SQ_MKT_CAP": (SQ_MKT_CAP, xm.market_cap, [[398.0, 134.4, 83.7], [9267.4, 3210.8, 19106.6]]),
    "SQ_TARGET_PRICE": (
        SQ_TARGET_PRICE,
        xm.target_price,
        [[26.3, -1.0, 8.6], [20.0, 15.0, 25.0], [1.0702, 1.0, 1.0702]],
    ),
    "SQ_UPSIDE": (SQ_UPSIDE, xm.upside, [[562.9, 120.0, 80.0], [398.0, 134.4, 83.7]]),
    "SQ_RETURN": (SQ_RETURN, xm.period_return, [[100.0, 8.64, 24.0], [116.7, 9.3, 18.5]]),
    "SQ_REL_RETURN": (
        SQ_REL_RETURN,
        xm.relative_return,
        [[0.1674, 0.061, -0.3], [-0.0324, 0.062, 0.1]],
    ),
    "SQ_CAGR": (SQ_CAGR, xm.cagr, [[100.0, 50.0, 10.0], [121.0, 40.0, 30.0], [2.0, 3.0, 0.5]]),
    "SQ_RATING": (SQ_RATING, xm.rate, [[0.25, 0.05, -0.2], [0.0, 0.18, 0.0]]),
}
ELEMENTWISE_NAMES = sorted(ELEMENTWISE)


def _expected(core: Callable[..., Any], columns: list[list[Any]], i: int) -> Any:
    return cell(core(*(values[i] for values in columns)))


class TestElementwiseFunctions:
    @pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
    def test_single_cells_give_the_core_value(self, name: str) -> None:
        function, core, columns = ELEMENTWISE[name]
        for i in range(3):
            assert_cells(function(*(v[i] for v in columns)), _expected(core, columns, i))
            # As xlwings delivers a single cell with ndim=2: [[x]], and a scalar comes back.
            assert_cells(function(*([[v[i]]] for v in columns)), _expected(core, columns, i))

    @pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
    def test_columns_spill_a_column(self, name: str) -> None:
        function, core, columns = ELEMENTWISE[name]
        result = function(*([[v] for v in values] for values in columns))
        assert_cells(result, [[_expected(core, columns, i)] for i in range(3)])

    @pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
    def test_rows_spill_a_row(self, name: str) -> None:
        function, core, columns = ELEMENTWISE[name]
        result = function(*([values] for values in columns))
        assert_cells(result, [[_expected(core, columns, i) for i in range(3)]])

    @pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
    def test_two_dimensional_ranges_spill_the_same_block(self, name: str) -> None:
        function, core, columns = ELEMENTWISE[name]
        order = [[0, 1], [2, 0]]
        result = function(*([[v[i] for i in row] for row in order] for v in columns))
        assert_cells(result, [[_expected(core, columns, i) for i in row] for row in order])

    @pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
    def test_a_column_broadcasts_against_single_cells(self, name: str) -> None:
        function, core, columns = ELEMENTWISE[name]
        first, *others = columns
        result = function([[v] for v in first], *([[v[0]]] for v in others))
        expected = [[cell(core(first[i], *(v[0] for v in others)))] for i in range(3)]
        assert_cells(result, expected)

    @pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
    @pytest.mark.parametrize(
        ("bad", "error"),
        [
            (None, "#N/A"),
            ("#N/A", "#N/A"),
            ("#DIV/0!", "#N/A"),
            ("n/a", "#VALUE!"),
            (True, "#VALUE!"),
        ],
    )
    def test_a_problem_cell_marks_its_own_result_only(
        self, name: str, bad: Any, error: str
    ) -> None:
        function, core, columns = ELEMENTWISE[name]
        for position in range(len(columns)):
            arguments = [[[v] for v in values] for values in columns]
            arguments[position][1] = [bad]
            middle = error
            if name == "SQ_RATING" and position == 1 and bad is None:
                # An empty benchmark_return is its default 0 on every host.
                middle = cell(core(columns[0][1], 0.0))
            assert_cells(
                function(*arguments),
                [[_expected(core, columns, 0)], [middle], [_expected(core, columns, 2)]],
            )


class TestOptionalArguments:
    def test_an_omitted_optional_takes_its_default(self) -> None:
        assert SQ_PE(398.0, 24.1) == SQ_PE(398.0, 24.1, None) == xm.pe(398.0, 24.1)
        assert SQ_TP_SOTP([[1800.0], [900.0]], 300.0, 40.0) == xm.target_price_sotp(
            [1800.0, 900.0], 300.0, 40.0
        )
        assert SQ_RATING(0.25, None, None, None) == "优于大市"

    def test_an_empty_cell_for_fx_is_missing_not_one(self) -> None:
        # Silently using 1 would print Tencent at 16.5x instead of 15.4x.
        assert SQ_PE(398.0, 24.1, [[None]]) == "#N/A"

    def test_an_empty_option_cell_takes_the_default(self) -> None:
        assert SQ_REL_RETURN(0.1, 0.05, [[None]]) == pytest.approx(0.05)
        assert SQ_PERCENTILE([[1.0], [2.0], [3.0]], 2.0, [[""]]) == 0.5


class TestSeed:
    @pytest.mark.parametrize("year", ["2024e", "2025e"])
    def test_sq_pe_over_the_coverage_table_gives_the_printed_pe(self, year: str) -> None:
        # The printed table's own close, EPS and FX, as an analyst would type them.
        table = sample.load_printed_coverage()
        prices = [[float(close)] for close in table["close"]]
        eps = [[float(value)] for value in table[f"eps_{year}"]]
        fx = float(table["fx_eps_to_price"].iloc[0])
        result = SQ_PE(prices, eps, fx)
        assert [round(row[0]) for row in result] == table[f"pe_{year}"].tolist()
        # Without the conversion the table would not round to the printed figures.
        unconverted = SQ_PE(prices, eps)
        assert [round(row[0]) for row in unconverted] != table[f"pe_{year}"].tolist()


class TestPercentile:
    # Microsoft's PERCENTRANK.INC documentation: data {13,12,11,8,4,3,2,1,1,1}.
    DATA: ClassVar = [[13], [12], [11], [8], [4], [3], [2], [1], [1], [1]]

    @pytest.mark.parametrize(("x", "excel"), [(2, 0.333), (4, 0.555), (8, 0.666), (5, 0.583)])
    def test_equals_excel_percentrank_inc(self, x: float, excel: float) -> None:
        assert SQ_PERCENTILE(self.DATA, x) == excel
        assert SQ_PERCENTILE(self.DATA, x, "inc") == excel

    def test_a_range_of_values_spills_their_ranks(self) -> None:
        assert SQ_PERCENTILE(self.DATA, [[2], [4], [8], [5]]) == [
            [0.333],
            [0.555],
            [0.666],
            [0.583],
        ]

    def test_the_default_value_is_the_last_of_the_history(self) -> None:
        history = [[18.0], [25.0], [30.0], [22.0], [20.59], [None], [None]]
        assert SQ_PERCENTILE(history, None, "strict") == 0.2
        assert SQ_PERCENTILE(history) == xm.percentile_rank([18.0, 25.0, 30.0, 22.0, 20.59])

    @pytest.mark.parametrize("method", ["inc", "exc", "strict", "weak"])
    def test_every_method_equals_the_core(self, method: str) -> None:
        flat = [row[0] for row in self.DATA]
        for x in (1, 2, 5, 13):
            assert SQ_PERCENTILE(self.DATA, x, method) == xm.percentile_rank(flat, x, method)

    def test_a_value_outside_the_history_is_not_available_as_in_excel(self) -> None:
        assert SQ_PERCENTILE(self.DATA, 14) == "#N/A"

    def test_a_bad_method_names_the_accepted_ones(self) -> None:
        result = SQ_PERCENTILE(self.DATA, 2, "median")
        assert result.startswith("#VALUE! method must be one of 'inc', 'exc', 'strict', 'weak'")

    def test_errors_in_the_history_propagate(self) -> None:
        assert SQ_PERCENTILE([[1], ["#N/A"], [3]], 2) == "#N/A"


class TestSeries:
    QUARTERS: ClassVar = [5.2, 5.8, 6.0, 6.4, 6.9]

    def test_pe_ttm_reads_a_column_or_a_row_of_quarters(self) -> None:
        expected = xm.pe_ttm(398.0, self.QUARTERS, 1.0702)
        assert SQ_PE_TTM(398.0, [[q] for q in self.QUARTERS], 1.0702) == expected
        assert SQ_PE_TTM(398.0, [self.QUARTERS], 1.0702) == expected

    def test_pe_ttm_ignores_empty_cells_after_the_latest_quarter(self) -> None:
        column = [[q] for q in self.QUARTERS] + [[None], [None]]
        assert SQ_PE_TTM(398.0, column) == xm.pe_ttm(398.0, self.QUARTERS)

    def test_pe_ttm_needs_all_four_quarters(self) -> None:
        gap = [[5.2], [5.8], [None], [6.4], [6.9]]
        assert SQ_PE_TTM(398.0, gap) == "#N/A"
        older_gap = [[None], [5.8], [6.0], [6.4], [6.9]]
        assert SQ_PE_TTM(398.0, older_gap) == xm.pe_ttm(398.0, [5.8, 6.0, 6.4, 6.9])
        assert SQ_PE_TTM(398.0, [[6.0], [6.4], [6.9]]) == (
            "#VALUE! quarterly_eps needs at least 4 quarters, got 3"
        )

    def test_pe_ttm_with_a_column_of_prices(self) -> None:
        quarters = [[q] for q in self.QUARTERS]
        result = SQ_PE_TTM([[398.0], [300.0], [None]], quarters, 1.0702)
        assert_cells(
            result,
            [
                [xm.pe_ttm(398.0, self.QUARTERS, 1.0702)],
                [xm.pe_ttm(300.0, self.QUARTERS, 1.0702)],
                ["#N/A"],
            ],
        )

    def test_a_series_must_be_one_row_or_column(self) -> None:
        block = [[5.2, 5.8], [6.0, 6.4]]
        assert SQ_PE_TTM(398.0, block) == (
            "#VALUE! quarterly_eps must be a single row or column, got 2x2 cells"
        )

    def test_text_or_errors_in_a_series(self) -> None:
        quarters = [[q] for q in self.QUARTERS]
        assert SQ_PE_TTM(398.0, [["EPS"], *quarters]) == "#VALUE!"
        assert SQ_PE_TTM(398.0, [["#N/A"], *quarters]) == "#N/A"

    def test_sotp(self) -> None:
        segments = [[1800.0], [900.0], [None]]
        assert SQ_TP_SOTP(segments, 300.0, 40.0, 0.2) == xm.target_price_sotp(
            [1800.0, 900.0], 300.0, 40.0, 0.2
        )
        assert SQ_TP_SOTP([[1800.0], [None], [900.0]], 300.0, 40.0) == "#N/A"
        # Net-debt scenarios as a row: one target price each.
        assert_cells(
            SQ_TP_SOTP(segments, [[0.0, 300.0, 3000.0]], 40.0, 0.0, 1.0702),
            [
                [
                    cell(xm.target_price_sotp([1800.0, 900.0], d, 40.0, 0.0, 1.0702))
                    for d in (0.0, 300.0, 3000.0)
                ]
            ],
        )

    def test_dcf_sensitivity_table_from_a_column_and_a_row(self) -> None:
        flows = [[100.0], [110.0], [120.0]]
        rates = [[0.08], [0.09], [0.10]]
        growths = [[0.02, 0.03, 0.09]]
        result = SQ_TP_DCF(flows, rates, growths, 250.0, 100.0)
        expected = []
        for (rate,) in rates:
            row = []
            for growth in growths[0]:
                if growth >= rate:
                    row.append("#VALUE!")  # this cell only: the Gordon value is undefined
                else:
                    row.append(
                        xm.target_price_dcf([100.0, 110.0, 120.0], rate, growth, 250.0, 100.0)
                    )
            expected.append(row)
        assert_cells(result, expected)

    def test_dcf_ignores_empty_years_at_the_end(self) -> None:
        assert SQ_TP_DCF([[100.0, 110.0, 120.0, None, None]], 0.09, 0.03, 250.0, 100.0) == (
            xm.target_price_dcf([100.0, 110.0, 120.0], 0.09, 0.03, 250.0, 100.0)
        )

    def test_dcf_rejected_everywhere_explains_why(self) -> None:
        assert SQ_TP_DCF([[100.0]], 0.05, 0.06, 0.0, 1.0).startswith(
            "#VALUE! terminal_growth (0.06) must be below discount_rate (0.05)"
        )

    def test_return_of_a_price_range_skips_empty_cells_at_either_end(self) -> None:
        prices = [[None], [100.0], [98.0], [104.5], [116.7], [None]]
        assert SQ_RETURN(prices) == xm.series_return([100.0, 98.0, 104.5, 116.7])
        assert SQ_RETURN([[100.0, 116.7]]) == xm.series_return([100.0, 116.7])

    def test_return_between_two_prices(self) -> None:
        assert SQ_RETURN(100.0, 116.7) == xm.period_return(100.0, 116.7)
        assert SQ_RETURN(100.0, [[None]]) == "#N/A"


class TestNotMeaningfulChains:
    def test_nm_flows_from_one_function_to_the_next(self) -> None:
        target = SQ_TARGET_PRICE(-1.0, 20.0)
        assert target == "NM"
        upside = SQ_UPSIDE(target, 100.0)
        assert upside == "NM"
        assert SQ_RATING(upside) == "无评级"
        assert SQ_RATING(upside, 0.0, "guosen", "en") == "Not rated"
        assert SQ_PEG(SQ_PE(100.0, -2.0), 0.15) == "NM"


class TestOptions:
    def test_rating_schemes_and_languages(self) -> None:
        assert SQ_RATING([[0.16], [0.10], [-0.2]], 0.0, "csc", "en") == [
            ["Buy"],
            ["Accumulate"],
            ["Sell"],
        ]
        assert SQ_RATING(0.25, 0.18, "guosen", "en") == "Neutral"
        assert SQ_RATING(0.25, 0.0, [["CSC"]], [["en"]]) == "Buy"

    def test_a_bad_scheme_names_the_accepted_schemes(self) -> None:
        result = SQ_RATING(0.2, 0.0, "goldman")
        assert result.startswith("#VALUE! scheme must be one of")
        for scheme in xm.available_schemes():
            assert repr(scheme) in result

    def test_under_office_js_a_bad_scheme_is_an_error_with_its_message(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("XLWINGS_ON_SERVER", "true")
        with pytest.raises(xlwings.XlwingsError, match="scheme must be one of 'cms', 'csc'"):
            SQ_RATING(0.2, 0.0, "goldman")

    def test_a_bad_language_or_method(self) -> None:
        assert SQ_RATING(0.2, 0.0, "guosen", "fr") == (
            "#VALUE! lang must be one of 'zh', 'en', got 'fr'"
        )
        assert SQ_REL_RETURN(0.1, 0.05, "log") == (
            "#VALUE! method must be one of 'arithmetic', 'geometric', got 'log'"
        )

    def test_geometric_relative_return(self) -> None:
        assert SQ_REL_RETURN(0.10, 0.05, "geometric") == xm.relative_return(
            0.10, 0.05, method="geometric"
        )


class TestDomainErrors:
    def test_one_bad_row_does_not_blank_the_spill(self) -> None:
        result = SQ_PE([[398.0], [0.0], [134.4]], [[24.1], [1.0], [11.2]])
        assert_cells(result, [[xm.pe(398.0, 24.1)], ["#VALUE!"], [xm.pe(134.4, 11.2)]])

    def test_a_single_cell_says_why(self) -> None:
        assert SQ_PE(0.0, 24.1) == "#VALUE! price must be greater than 0, got 0"
        assert SQ_EPS_BLENDED(1.0, 2.0, 1.5).startswith("#VALUE! fy1_remaining must be")

    def test_ranges_that_do_not_fit_together(self) -> None:
        assert SQ_PE([[1.0], [2.0]], [[1.0], [2.0], [3.0]]) == (
            "#VALUE! ranges do not fit together (price 2x1 cells, eps 3x1 cells, fx 1 cell): "
            "use ranges of the same size, a column with a row, or single cells"
        )


class TestDates:
    # No contract function takes a date; a date cell where a number is expected is
    # read as its Excel serial on both platforms (Office.js sends the serial anyway).
    def test_a_datetime_and_its_serial_give_the_same_result(self) -> None:
        assert SQ_CAGR(dt.datetime(2024, 1, 1), 45658.0, 1.0) == SQ_CAGR(45292.0, 45658.0, 1.0)
        assert SQ_MKT_CAP([[dt.date(2024, 12, 2)]], 1.0) == 45628.0


# --- properties -------------------------------------------------------------------------

CELLS = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.integers(min_value=-1000, max_value=1000),
    st.none(),
    st.booleans(),
    st.sampled_from(["", "NM", "#N/A", "#DIV/0!", "#VALUE! reason", "text", "12"]),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)


def _grid(rows: int, columns: int) -> st.SearchStrategy[list[list[Any]]]:
    return st.lists(
        st.lists(CELLS, min_size=columns, max_size=columns), min_size=rows, max_size=rows
    )


def _plain(value: Any) -> bool:
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return type(value) in (float, str)


ARGUMENTS = st.one_of(CELLS, st.integers(1, 4).flatmap(lambda n: _grid(n, 1)), _grid(1, 3))


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(FUNCTIONS)), data=st.data())
def test_any_cells_give_cell_values_and_never_an_exception(name: str, data: st.DataObject) -> None:
    function = FUNCTIONS[name]
    parameters = inspect.signature(function).parameters.values()
    required = sum(p.default is inspect.Parameter.empty for p in parameters)
    count = data.draw(st.integers(required, len(parameters)))
    result = function(*(data.draw(ARGUMENTS) for _ in range(count)))
    assert _plain(result), result
    assert "Traceback" not in str(result)


@settings(max_examples=80, deadline=None)
@given(
    name=st.sampled_from(ELEMENTWISE_NAMES),
    data=st.data(),
)
def test_a_range_call_equals_one_call_per_cell(name: str, data: st.DataObject) -> None:
    function, _, columns = ELEMENTWISE[name]
    rows = data.draw(st.integers(1, 5))
    arguments = [data.draw(_grid(rows, 1)) for _ in columns]
    result = function(*arguments)
    # Each cell on its own, as xlwings hands a single cell over: [[x]].
    singles = [function(*([argument[i]] for argument in arguments)) for i in range(rows)]
    if isinstance(result, str) and rows > 1:
        # Every cell was rejected: the call fails as a whole, with the reason.
        assert {error_code(s) for s in singles} == {error_code(result)}
        return
    spilled = [row[0] for row in result] if rows > 1 else [result]
    for got, single in zip(spilled, singles, strict=True):
        assert error_code(got) == error_code(single) or got == pytest.approx(single, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    prices=st.lists(st.floats(0.01, 1e5), min_size=1, max_size=30),
    eps=st.lists(st.floats(-50.0, 50.0), min_size=1, max_size=30),
    fx=st.floats(0.01, 10.0),
)
def test_sq_pe_on_numbers_is_the_core_pe(prices: list[float], eps: list[float], fx: float) -> None:
    size = min(len(prices), len(eps))
    column_p = [[p] for p in prices[:size]]
    column_e = [[e] for e in eps[:size]]
    with np.errstate(over="ignore"):  # a subnormal EPS gives an infinite PE: #NUM!
        expected = xm.pe(np.array(column_p), np.array(column_e), fx)
    result = SQ_PE(column_p, column_e, fx)
    spilled = [row[0] for row in result] if size > 1 else [result]
    assert spilled == [cell(want) for want in expected.reshape(-1)]


@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#VALUE!"])
def test_an_error_in_an_option_cell_is_missing_input_not_a_wrong_option(error: str) -> None:
    assert SQ_REL_RETURN([[0.1], [0.2]], [[0.05], [0.0]], [[error]]) == [["#N/A"], ["#N/A"]]
    assert SQ_RATING(0.2, 0.0, error) == "#N/A"
    assert SQ_PERCENTILE([[1.0], [2.0], [3.0]], 2.0, error) == "#N/A"
