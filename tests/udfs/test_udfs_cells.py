"""Reading cell values, writing results and errors: ``udfs._cells``."""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xlwings
from xlwings.utils import datetime_to_xlserial

import xlmodels as xm
from udfs import _cells
from udfs._cells import Numbers, Series, Text, error_value, evaluate, read_numbers, read_series

# The error texts xlwings turns into real error cells under Office.js (xlwings
# Server docs, "Writing error cells"); every error we write must be one of them.
OFFICE_JS_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"}


@pytest.fixture
def office_js(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as xlwings Lite and xlwings Server do: XLWINGS_ON_SERVER=true."""
    monkeypatch.setenv("XLWINGS_ON_SERVER", "true")


@pytest.fixture
def classic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XLWINGS_ON_SERVER", raising=False)


def _codes(read: Any) -> list[Any]:
    return [] if read.codes is None else read.codes.tolist()


class TestReadingCells:
    def test_a_range_of_numbers_takes_the_fast_path_and_keeps_its_shape(self) -> None:
        read = read_numbers([[1.5, 2], [3, 4.25]])
        assert read.numbers.dtype == np.float64
        assert read.numbers.tolist() == [[1.5, 2.0], [3.0, 4.25]]
        assert read.codes is None

    @pytest.mark.parametrize(
        ("cell", "code"),
        [
            (None, _cells.BLANK),
            ("", _cells.BLANK),
            ("   ", _cells.BLANK),
            ("#N/A", _cells.ERROR),
            ("#DIV/0!", _cells.ERROR),
            ("#VALUE! scheme must be one of ...", _cells.ERROR),
            ("#N/A waiting...", _cells.ERROR),
            ("n/a", _cells.INVALID),
            ("#1", _cells.INVALID),
            ("12.5", _cells.INVALID),
            (True, _cells.INVALID),
            (False, _cells.INVALID),
            (np.bool_(True), _cells.INVALID),
            ({"type": "Entity"}, _cells.INVALID),
        ],
    )
    def test_problem_cells_are_classified(self, cell: Any, code: int) -> None:
        read = read_numbers([[1.0], [cell]])
        assert math.isnan(read.numbers[1, 0])
        assert _codes(read) == [[_cells.OK], [code]]

    def test_the_text_nm_reads_back_as_not_meaningful(self) -> None:
        read = read_numbers([["NM"], [" nm "]])
        assert xm.is_nm(read.numbers).tolist() == [[True], [True]]
        assert read.codes is None

    def test_integers_and_numpy_numbers_are_numbers(self) -> None:
        read = read_numbers([[np.float64(2.5)], [np.int64(3)], [7]])
        assert read.numbers.tolist() == [[2.5], [3.0], [7.0]]
        assert read.codes is None

    @pytest.mark.parametrize(
        "moment",
        [
            dt.date(2024, 12, 2),
            dt.datetime(2024, 11, 29, 16, 10),
            pd.Timestamp("2024-11-29 16:10"),
            dt.datetime(1900, 3, 1),
        ],
    )
    def test_dates_read_as_their_excel_serial_like_xlwings_writes_them(self, moment: Any) -> None:
        # Office.js delivers date cells as serials, classic xlwings as datetimes:
        # both must give the same number.
        expected = datetime_to_xlserial(
            moment if isinstance(moment, dt.datetime) else dt.datetime(*moment.timetuple()[:3])
        )
        assert read_numbers(moment).numbers == pytest.approx(expected, abs=1e-9)

    @pytest.mark.parametrize(
        "moment", [dt.date(1900, 2, 28), dt.datetime(1899, 12, 31, 12), dt.date(1850, 1, 1)]
    )
    def test_dates_before_march_1900_are_refused_as_hosts_disagree_on_them(
        self, moment: Any
    ) -> None:
        assert _codes(read_numbers([[moment]])) == [[_cells.INVALID]]

    def test_missing_dates_are_empty(self) -> None:
        assert _codes(read_numbers([[pd.NaT], [np.datetime64("NaT")]])) == [
            [_cells.BLANK],
            [_cells.BLANK],
        ]

    def test_a_single_cell_is_a_scalar_and_a_flat_list_is_one_dimensional(self) -> None:
        assert read_numbers(3.0).numbers.shape == ()
        assert read_numbers([1.0, None]).numbers.shape == (2,)
        assert read_numbers(np.array([[1, 2]])).numbers.shape == (1, 2)

    def test_ragged_ranges_are_refused(self) -> None:
        with pytest.raises(ValueError, match="rows of equal length"):
            read_numbers([[1.0], [2.0, 3.0]])


class TestReadingSeries:
    def test_a_column_a_row_and_a_cell_are_series(self) -> None:
        assert read_series("x", [[1.0], [2.0]]).numbers.tolist() == [1.0, 2.0]
        assert read_series("x", [[1.0, 2.0]]).numbers.tolist() == [1.0, 2.0]
        assert read_series("x", 5.0).numbers.tolist() == [5.0]

    def test_empty_cells_at_the_end_are_dropped_but_not_elsewhere(self) -> None:
        read = read_series("x", [[None], [1.0], [None], [2.0], [None], [""]])
        np.testing.assert_array_equal(read.numbers, [np.nan, 1.0, np.nan, 2.0])

    def test_errors_at_the_end_are_kept(self) -> None:
        assert len(read_series("x", [[1.0], ["#N/A"], [None]]).numbers) == 2

    def test_a_block_is_not_a_series(self) -> None:
        with pytest.raises(ValueError, match="x must be a single row or column, got 2x2 cells"):
            read_series("x", [[1.0, 2.0], [3.0, 4.0]])


class TestWritingErrors:
    def test_element_errors_are_the_error_text_on_every_platform(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for on_server in ("true", ""):
            monkeypatch.setenv("XLWINGS_ON_SERVER", on_server)
            for error in ("#N/A", "#VALUE!", "#NUM!"):
                assert error_value(error) == error
                assert error in OFFICE_JS_ERRORS

    @pytest.mark.usefixtures("classic")
    def test_a_whole_call_error_outside_office_js_is_text_that_fits_a_classic_udf(
        self,
    ) -> None:
        assert error_value("#VALUE!", "bad") == "#VALUE! bad"
        assert len(error_value("#VALUE!", "x" * 1000)) == 255

    @pytest.mark.usefixtures("office_js")
    def test_a_whole_call_error_under_office_js_carries_its_message(self) -> None:
        # xlwings shows an XlwingsError as #VALUE! with the message on the error flag
        # (in production xlwings Server shows the message of XlwingsError only).
        with pytest.raises(xlwings.XlwingsError, match=r"^bad$"):
            error_value("#VALUE!", "bad")

    def test_pyodide_counts_as_office_js(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("XLWINGS_ON_SERVER", raising=False)
        monkeypatch.setattr(_cells.sys, "platform", "emscripten")
        assert _cells.running_on_office_js()


class TestEvaluate:
    @pytest.mark.usefixtures("classic")
    def test_a_bug_in_the_core_never_shows_a_traceback(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        def broken(x: Any) -> Any:
            raise TypeError("unsupported operand")

        with caplog.at_level(logging.ERROR, logger="udfs._cells"):
            result = evaluate(broken, x=Numbers(1.0))
        assert result == "#VALUE! internal error in xlmodels (TypeError)"
        assert "Traceback" in caplog.text  # the details go to the log

    @pytest.mark.usefixtures("office_js")
    def test_under_office_js_a_rejected_call_raises_the_message_for_xlwings(self) -> None:
        with pytest.raises(xlwings.XlwingsError, match="price must be greater than 0"):
            evaluate(xm.pe, price=Numbers(-1.0), eps=Numbers(1.0))

    @pytest.mark.usefixtures("office_js")
    def test_under_office_js_element_errors_stay_text_for_xlwings_to_convert(self) -> None:
        result = evaluate(xm.pe, price=Numbers([[-1.0], [10.0], ["x"]]), eps=Numbers(1.0))
        assert result == [["#VALUE!"], [10.0], ["#VALUE!"]]

    @pytest.mark.usefixtures("classic")
    def test_the_leftmost_problem_wins_as_in_excel(self) -> None:
        result = evaluate(
            xm.pe,
            price=Numbers([["#N/A"], ["text"]]),
            eps=Numbers([["text"], [None]]),
        )
        assert result == [["#N/A"], ["#VALUE!"]]

    def test_infinite_results_are_num_errors(self) -> None:
        assert evaluate(lambda x: x * np.inf, x=Numbers([[1.0], [2.0]])) == [
            ["#NUM!"],
            ["#NUM!"],
        ]

    def test_an_omitted_option_takes_its_default_and_a_range_is_refused(self) -> None:
        assert evaluate(
            xm.relative_return,
            stock_return=Numbers(0.1),
            benchmark_return=Numbers(0.05),
            method=Text([[None]], "geometric"),
        ) == (pytest.approx(0.047619, abs=1e-6))
        refused = evaluate(
            xm.relative_return,
            stock_return=Numbers(0.1),
            benchmark_return=Numbers(0.05),
            method=Text([["arithmetic", "geometric"]], "arithmetic"),
        )
        assert refused == "#VALUE! method must be a single cell, got 2 cells"

    def test_series_problems_mark_the_whole_result(self) -> None:
        text = evaluate(xm.percentile_rank, history=Series([[1.0], ["x"], [3.0]]))
        error = evaluate(xm.percentile_rank, history=Series([[1.0], ["#REF!"], [3.0]]))
        assert (text, error) == ("#VALUE!", "#N/A")

    def test_results_are_plain_python_values(self) -> None:
        result = evaluate(xm.pe, price=Numbers(np.array([[398.0], [1.0]])), eps=Numbers(24.1))
        assert all(type(row[0]) is float for row in result)


class TestHostAmbiguity:
    def test_a_decimal_from_a_currency_cell_is_a_number(self) -> None:
        import decimal

        read = read_numbers([[decimal.Decimal("398.00")], [decimal.Decimal("NaN")]])
        assert read.numbers[0, 0] == 398.0
        assert _codes(read) == [[_cells.OK], [_cells.INVALID]]

    @pytest.mark.usefixtures("classic")
    def test_desktop_reads_a_zero_and_takes_a_left_out_default(self) -> None:
        assert evaluate(xm.pe, price=Numbers(10.0), eps=Numbers(0.0)) == "NM"
        fx = _cells.Default(2.0)
        assert evaluate(xm.pe, price=Numbers(10.0), eps=Numbers(1.0), fx=Numbers(fx, fx)) == 5.0

    @pytest.mark.usefixtures("office_js")
    def test_office_js_refuses_a_zero_in_one_cell_with_the_reason(self) -> None:
        with pytest.raises(xlwings.XlwingsError, match=r"eps is 0: Office\.js passes an empty"):
            evaluate(xm.pe, price=Numbers(10.0), eps=Numbers(0.0))

    @pytest.mark.usefixtures("office_js")
    def test_office_js_marks_only_the_zero_in_a_spill(self) -> None:
        result = evaluate(xm.pe, price=Numbers(10.0), eps=Numbers([[1.0], [0.0], [None]]))
        assert result == [[10.0], ["#VALUE!"], ["#N/A"]]

    @pytest.mark.usefixtures("office_js")
    def test_office_js_refuses_a_left_out_default_unless_empty_means_it(self) -> None:
        fx = _cells.Default(1.0)
        with pytest.raises(xlwings.XlwingsError, match=r"fx must be given under Office\.js"):
            evaluate(xm.pe, price=Numbers(10.0), eps=Numbers(1.0), fx=Numbers(fx, fx))
        zero = _cells.Default(0.0)
        assert evaluate(
            xm.relative_return,
            stock_return=Numbers(0.1),
            benchmark_return=Numbers([[0.0], [None]], zero, empty_is_default=True),
        ) == [[pytest.approx(0.1)], [pytest.approx(0.1)]]

    @pytest.mark.usefixtures("office_js")
    def test_office_js_refuses_a_series_holding_zero_and_an_option_of_zero(self) -> None:
        with pytest.raises(xlwings.XlwingsError, match="history holds 0 in its cell 2 of 3"):
            evaluate(xm.percentile_rank, history=Series([[1.0], [0.0], [3.0]]))
        with pytest.raises(xlwings.XlwingsError, match="method is 0"):
            evaluate(
                xm.relative_return,
                stock_return=Numbers(0.1),
                benchmark_return=Numbers(0.05),
                method=Text([[0]], "arithmetic"),
            )
