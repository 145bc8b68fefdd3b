"""The one blank rule, the one Excel date serial and the one value text of the Excel layer."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import xlmodels as xm
from xlmodels.core.display import format_number, shows_as_missing
from xlmodels.excel.cells import cell_text, excel_serial, from_excel_serial, is_blank
from xlmodels.template.migrations import nothing_typed
from xlmodels.workbook.cell_diff import diff_cells
from xlmodels.workbook.stored_cells import CellContent

BLANK = [None, "", "   ", "\t\n", math.nan, np.float64("nan"), pd.NaT, pd.NA, np.datetime64("NaT")]
NOT_BLANK = [xm.NM, 0, 0.0, -0.0, False, "NM", "0", "#N/A", dt.date(2024, 1, 2), math.inf]


class TestTheBlankRule:
    @pytest.mark.parametrize("value", BLANK, ids=repr)
    def test_nothing_there_is_blank(self, value: Any) -> None:
        assert is_blank(value)

    @pytest.mark.parametrize("value", NOT_BLANK, ids=repr)
    def test_a_value_nm_or_zero_is_not_blank(self, value: Any) -> None:
        assert not is_blank(value)

    def test_display_shows_the_blanks_and_infinities_as_missing_and_nm_as_nm(self) -> None:
        for value in (None, math.nan, pd.NaT, math.inf, -math.inf):
            assert shows_as_missing(value), value
            assert format_number(value) == "-"
        assert not shows_as_missing(xm.NM)
        assert format_number(xm.NM) == "NM"
        assert format_number(0.0) == "0"

    def test_an_analyst_input_reading_nm_is_not_carried(self) -> None:
        # Stricter than the blank rule on purpose: NM is never an analyst's estimate.
        assert nothing_typed(xm.NM)
        assert nothing_typed(np.float64(xm.NM))
        assert all(nothing_typed(value) for value in BLANK)
        assert not nothing_typed(0.0)
        assert not nothing_typed("Buy")

    def test_a_cell_of_spaces_is_a_difference_the_diff_shows(self) -> None:
        # Stricter than the blank rule on purpose: spaces are content someone typed.
        old = {"Notes": {"A1": CellContent("  ")}}
        new: dict[str, dict[str, CellContent]] = {"Notes": {}}
        (change,) = diff_cells(old, new)
        assert change.old_text == "'  '"
        assert change.new_text == "(empty)"
        assert diff_cells({"Notes": {"A1": CellContent("")}}, new) == []


class TestTheDateSerial:
    @pytest.mark.parametrize(
        ("day", "serial"),
        [
            (dt.date(1900, 1, 1), 1),
            (dt.date(1900, 2, 28), 59),
            (dt.date(1900, 3, 1), 61),
            (dt.date(2024, 12, 2), 45628),
            (dt.date(9999, 12, 31), 2958465),
        ],
    )
    def test_a_day_is_its_serial_both_ways(self, day: dt.date, serial: int) -> None:
        assert excel_serial(day) == serial
        assert from_excel_serial(serial) == dt.datetime(day.year, day.month, day.day)

    def test_serial_60_is_the_day_1900_never_had(self) -> None:
        with pytest.raises(ValueError, match="1900-02-29"):
            from_excel_serial(60)
        with pytest.raises(ValueError, match="1900-02-29"):
            from_excel_serial(60.5)

    def test_the_file_libraries_agree_around_the_leap_year_bug(self) -> None:
        from openpyxl.utils.datetime import from_excel, to_excel

        for serial in [1, 2, 31, 58, 59, 61, 62, 45628]:
            assert excel_serial(from_excel(serial)) == serial
            assert to_excel(from_excel_serial(serial)) == serial

    def test_dates_before_1900_have_no_serial(self) -> None:
        with pytest.raises(ValueError, match="before 1900"):
            excel_serial(dt.date(1899, 12, 29))
        for bad in (-1.0, math.nan, math.inf, 2958466.0):
            with pytest.raises(ValueError, match="no date of Excel"):
                from_excel_serial(bad)

    def test_a_time_alone_is_a_serial_below_one(self) -> None:
        assert excel_serial(dt.datetime(1899, 12, 30, 12)) == 0.5
        assert from_excel_serial(0.25) == dt.datetime(1899, 12, 30, 6)

    @pytest.mark.parametrize(
        "moment",
        [
            dt.datetime(2024, 11, 29, 16, 10, 5, 123456),
            dt.datetime(2024, 11, 29, 23, 59, 59, 999999),
            dt.datetime(1900, 2, 28, 0, 0, 0, 1),
            dt.datetime(1900, 3, 1, 12, 0, 0, 500000),
            dt.datetime(2079, 6, 5, 23, 59, 59, 999999),
        ],
    )
    def test_microseconds_survive_the_round_trip(self, moment: dt.datetime) -> None:
        serial = excel_serial(moment)
        assert serial != math.floor(serial)
        assert from_excel_serial(serial) == moment

    def test_a_time_zone_is_dropped_not_converted(self) -> None:
        eight = dt.timezone(dt.timedelta(hours=8))
        assert excel_serial(dt.datetime(2024, 12, 2, 18, tzinfo=eight)) == 45628.75

    def test_the_worksheet_functions_read_dates_with_the_same_serial(self) -> None:
        from udfs._cells import read_numbers

        moment = dt.datetime(2024, 11, 29, 16, 10, 5, 123456)
        assert read_numbers(moment).numbers == excel_serial(moment)
        assert read_numbers(np.datetime64("2024-12-02")).numbers == 45628.0


class TestTheValueText:
    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (16.5, "16.5"),
            (1 / 3, "0.3333333333"),
            (45628.0, "45,628"),
            (xm.NM, "NM"),
            (None, "(blank)"),
            ("  ", "(blank)"),
            (True, "TRUE"),
            (dt.datetime(2024, 11, 29), "2024-11-29"),
            (dt.datetime(2024, 11, 29, 16, 10), "2024-11-29T16:10:00"),
            ("n/a", "'n/a'"),
            (7, "7"),
            (math.inf, "inf"),
        ],
    )
    def test_each_kind_of_value_reads_one_way(self, value: Any, text: str) -> None:
        assert cell_text(value) == text

    def test_long_text_is_cut_to_the_limit(self) -> None:
        assert cell_text("x" * 50, limit=40) == repr("x" * 37 + "...")

    def test_the_validator_and_the_diff_say_it_the_same_way(self) -> None:
        from xlmodels.validate.values import describe

        old = {"Coverage": {"B2": CellContent(45628.25)}}
        new = {"Coverage": {"B2": CellContent(xm.NM)}}
        (change,) = diff_cells(old, new)
        assert change.old_value_text == describe(45628.25) == "45,628.25"
        assert change.new_value_text == describe(xm.NM) == "NM"
