"""The fast paths of reading inputs give what the cell-by-cell rules give, frame for frame.

A large file's text columns are factorized without hashing the cells that
repeat the cell a period above; a column of ISO days is parsed at once; a
column of numbers is checked by two reductions; only the first lines of a
file are decoded; the history's codes travel as categories through the
assembly. Each is held here against the rule it stands in for, over
generated columns, over tricky files read both ways (row by row and
column-wise) and over the messages a mistake gives.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlmodels.errors import InputError
from xlmodels.excel.numbers import out_of_range
from xlmodels.sources import InputFiles, SettingsChoices, assemble_inputs, load_inputs, raw_tables
from xlmodels.sources.parsing import _iso_days, _parse_date, _within_limits
from xlmodels.sources.raw_tables import factorize_texts
from xlmodels.sources.readers import read_history, read_market, read_universe

# -- factorizing a column ----------------------------------------------------------------


def _column(values: int, size: int, layout: str, changes: int, seed: int) -> np.ndarray:
    """A column of ``size`` texts laid out as a history lays out dates or codes, then disturbed."""
    rng = np.random.default_rng(seed)
    # Equal texts made apart: equality decides, not identity.
    texts = ["".join(["C", str(i)]) if i % 5 else ("" if i % 10 else " ") for i in range(values)]
    if layout == "runs":
        picks = np.repeat(np.arange(values), -(-size // values))[:size]
    elif layout == "tiled":
        picks = np.resize(np.arange(values), size)
    else:
        picks = rng.integers(0, values, size)
    cells = np.array([texts[i] for i in picks], dtype=object)
    for position in rng.integers(0, size, changes):
        cells[position] = "".join(["C", str(int(rng.integers(0, values + 3)))])
    return cells


@settings(max_examples=60, deadline=None)
@given(
    values=st.integers(1, 400),
    size=st.integers(0, 30_000),
    layout=st.sampled_from(["runs", "tiled", "random"]),
    changes=st.integers(0, 50),
    seed=st.integers(0, 2**32 - 1),
)
def test_factorizing_a_column_gives_pandas_codes_and_order(
    values: int, size: int, layout: str, changes: int, seed: int
) -> None:
    cells = _column(values, size, layout, changes if size else 0, seed)
    uniques, codes = factorize_texts(cells)
    expected_codes, expected_uniques = pd.factorize(cells)
    assert uniques == list(expected_uniques)
    np.testing.assert_array_equal(codes, expected_codes)
    assert codes.dtype == np.intp


def test_a_period_broken_late_still_factorizes_every_cell() -> None:
    # Dates x codes, one code missing on the last day: the repeat breaks at the end.
    codes = [f"{n:04d}.HK" for n in range(50)]
    cells = np.array(codes * 200 + codes[1:], dtype=object)
    uniques, found = factorize_texts(cells)
    expected, expected_uniques = pd.factorize(cells)
    assert uniques == list(expected_uniques)
    np.testing.assert_array_equal(found, expected)


# -- dates, numbers ----------------------------------------------------------------------

_DAYS = [
    "2024-11-29",
    "2024-02-29",
    "2023-02-29",  # no such day
    "2024-04-31",
    "2024-13-01",
    "2024-00-10",
    "2024-11-00",
    "2024-1-05",
    " 2024-11-29",
    "2024-11-29 15:00",
    "2024/11/29",
    "0999-12-31",
    "1000-01-01",
    "9999-12-31",
    "20241129",
    "",
    "--",
]


@pytest.mark.parametrize("cell", _DAYS)
def test_an_iso_day_reads_as_the_cell_rule_reads_it(cell: str) -> None:
    fast = _iso_days([cell])
    rule = _parse_date(cell)
    if fast is None:
        # Left to the rule: anything but a day that exists, written YYYY-MM-DD from year 1000.
        plain = len(cell) == 10 and cell[4] == cell[7] == "-" and cell[0] != "0"
        assert not (isinstance(rule, dt.date) and plain)
    else:
        assert fast == [rule]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 13), st.integers(0, 32)).map(
            lambda ymd: f"{ymd[0]:04d}-{ymd[1]:02d}-{ymd[2]:02d}"
        ),
        min_size=1,
        max_size=20,
    )
)
def test_a_column_of_iso_days_reads_as_the_cell_rule_reads_it(cells: list[str]) -> None:
    fast = _iso_days(cells)
    rules = [_parse_date(cell) for cell in cells]
    if fast is not None:
        assert fast == rules
    else:
        assert not all(isinstance(rule, dt.date) and rule.year >= 1000 for rule in rules)


_SPECIAL = [0.0, -0.0, 1e-310, -1e-310, 2.2250738585072e-308, 1e308, -1e308, 9.99999999999999e307]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
            st.sampled_from(_SPECIAL),
        ),
        max_size=30,
    )
)
def test_two_reductions_check_numbers_as_the_cell_rule_does(values: list[float]) -> None:
    array = np.array(values, dtype=np.float64)
    expected = all(out_of_range(value) is None for value in values if not math.isnan(value))
    assert _within_limits(array) == expected


# -- files read both ways ---------------------------------------------------------------


def _both(path: Path, monkeypatch: pytest.MonkeyPatch, read: object) -> tuple[object, object]:
    """``read(path)`` row by row, then column-wise; an error stands for its result."""
    assert callable(read)
    results = []
    for threshold in (10**12, 0):
        monkeypatch.setattr(raw_tables, "_COLUMN_WISE_BYTES", threshold)
        try:
            results.append(read(path))
        except InputError as error:
            results.append(str(error))
    return results[0], results[1]


def _history_lines(order: str, days: int = 120, codes: int = 60) -> list[str]:
    dates = pd.bdate_range("2023-01-02", periods=days).strftime("%Y-%m-%d")
    names = [f"{1000 + n:04d}.HK" for n in range(codes)]
    pairs = (
        [(day, code) for day in dates for code in names]
        if order == "by date"
        else [(day, code) for code in names for day in dates]
    )
    return [f"{day},{code},{10 + i % 97 / 10}" for i, (day, code) in enumerate(pairs)]


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.mark.parametrize("order", ["by date", "by code"])
@pytest.mark.parametrize(
    "edit",
    [
        "as exported",
        "blank rows, spaces and a footer",
        "spellings of one code",
        "a code missing one day",
        "quoted cells",
    ],
)
def test_a_long_history_reads_the_same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: str, edit: str
) -> None:
    lines = _history_lines(order)
    if edit == "blank rows, spaces and a footer":
        lines[10:10] = [",,", "   ,  ,", "\u3000,,"]
        lines[4000:4000] = [",,"]
        lines.append("数据来源：Wind,,")
    elif edit == "spellings of one code":
        lines = [
            line.replace("1003.HK", "1003.hk") if i % 3 else line for i, line in enumerate(lines)
        ]
    elif edit == "a code missing one day":
        del lines[3001]
    elif edit == "quoted cells":
        lines = [
            '"{}","{}",{}'.format(*line.split(",")) if i % 7 == 0 else line
            for i, line in enumerate(lines)
        ]
    path = _write(tmp_path / "history.csv", ["历史行情,,", "date,code,close", *lines])
    row_wise, column_wise = _both(path, monkeypatch, read_history)
    assert isinstance(row_wise, pd.DataFrame), row_wise
    assert isinstance(column_wise, pd.DataFrame)
    pd.testing.assert_frame_equal(row_wise, column_wise)
    assert len(column_wise) == len(lines) - (5 if edit.startswith("blank") else 0)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda lines: lines.__setitem__(5000, "," + lines[5000].split(",", 1)[1]),
            "date is empty",
        ),
        (lambda lines: lines.__setitem__(5000, "2023-01-02,,5"), "code is empty"),
        (lambda lines: lines.__setitem__(5000, lines[4999]), "a second row for"),
        (lambda lines: lines.__setitem__(5000, "2023-02-29,1000.HK,1"), "expected a date"),
        (lambda lines: lines.__setitem__(5000, lines[5000].rsplit(",", 1)[0] + ",1.2.3"), "1.2.3"),
        (lambda lines: lines.__setitem__(5000, lines[5000].rsplit(",", 1)[0] + ",-1"), "above 0"),
        (lambda lines: lines.__setitem__(5000, lines[5000].rsplit(",", 1)[0] + ",1e309"), "1e309"),
        (lambda lines: lines.__setitem__(5000, " ,1000.HK,5"), "date is empty"),
    ],
)
def test_a_mistake_in_a_long_history_gives_the_same_message_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: object, message: str
) -> None:
    lines = _history_lines("by date")
    assert callable(edit)
    edit(lines)
    path = _write(tmp_path / "history.csv", ["date,code,close", *lines])
    row_wise, column_wise = _both(path, monkeypatch, read_history)
    assert isinstance(row_wise, str), "the mistake must be refused"
    assert row_wise == column_wise
    assert message in column_wise


def test_ambiguous_slash_dates_are_refused_the_same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        f"{day.month:02d}/{day.day:02d}/{day.year},{code},{1 + i}"
        for i, day in enumerate(pd.date_range("2024-01-01", "2024-12-12"))
        if day.day <= 12
        for code in ("1000.HK", "1001.HK")
    ]
    path = _write(tmp_path / "history.csv", ["date,code,close", *lines * 30])
    row_wise, column_wise = _both(path, monkeypatch, read_history)
    assert isinstance(row_wise, str)
    assert row_wise == column_wise
    assert "--month-first" in column_wise


# -- only the first lines decoded ---------------------------------------------------------


@pytest.mark.parametrize(
    "case", ["gbk past the first lines", "header past the first lines", "quoted title"]
)
def test_a_file_decoded_from_its_first_lines_reads_as_the_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    monkeypatch.setattr(raw_tables, "_HEAD_BYTES", 64)
    lines = _history_lines("by date", days=20, codes=10)
    encoding = "utf-8"
    head = ["date,code,close"]
    if case == "gbk past the first lines":
        lines.append("数据来源：万得资讯,,")
        encoding = "gb18030"
    elif case == "header past the first lines":
        head = [f"title line {n},," for n in range(10)] + head
    else:
        head = ['"a title\nthat spans\nlines,with commas",,', *head]
    path = _write(tmp_path / "history.csv", [*head, *lines], encoding)
    row_wise, column_wise = _both(path, monkeypatch, read_history)
    assert isinstance(row_wise, pd.DataFrame), row_wise
    assert isinstance(column_wise, pd.DataFrame)
    pd.testing.assert_frame_equal(row_wise, column_wise)
    assert len(column_wise) == 200


def test_a_file_in_neither_encoding_is_named_after_an_ascii_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(raw_tables, "_HEAD_BYTES", 64)
    lines = _history_lines("by date", days=20, codes=10)
    path = tmp_path / "history.csv"
    path.write_bytes(("\n".join(["date,code,close", *lines]) + "\n").encode() + b"\xff\xfe\xff,,\n")
    row_wise, column_wise = _both(path, monkeypatch, read_history)
    assert row_wise == column_wise
    assert "cannot decode the file as UTF-8 or GBK" in str(column_wise)


# -- the history through the assembly ----------------------------------------------------


def _inputs(folder: Path) -> InputFiles:
    folder.mkdir()
    codes = [f"{1000 + n:04d}.HK" for n in range(40)]
    universe = pd.DataFrame(
        {"code": codes, "name": codes, "price_currency": "HKD", "eps_currency": "HKD"}
    )
    universe.to_csv(folder / "universe.csv", index=False)
    market = pd.DataFrame(
        {"code": codes, "close": 50.0, "price_date": "2024-11-29", "currency": "HKD"}
    )
    market.to_csv(folder / "market.csv", index=False)
    dates = pd.bdate_range(end="2024-11-26", periods=300).strftime("%Y-%m-%d")
    # Vendors' spellings of covered codes, codes nobody covers, a day without a close.
    spelled = {"1001.HK": "1001 HK Equity", "1002.HK": "01002.hk"}
    written = [spelled.get(code, code) for code in codes] + ["2999.HK", "600000.SH"]
    rows = [
        (day, code, 10.0 + i % 13)
        for i, (day, code) in enumerate((day, code) for day in dates for code in written)
    ]
    rows += [("2024-11-29", "1005.HK", None), ("2024-11-29", "2999.HK", 3.0)]
    history = pd.DataFrame(rows, columns=["date", "code", "close"])
    history.to_csv(folder / "history.csv", index=False)
    return InputFiles(
        universe=folder / "universe.csv",
        market=folder / "market.csv",
        history=folder / "history.csv",
    )


def test_the_history_assembles_the_same_from_categories_as_from_text(tmp_path: Path) -> None:
    files = _inputs(tmp_path / "inputs")
    assert files.history is not None
    from_categories = load_inputs(files, SettingsChoices())
    text = read_history(files.history)
    from_text = assemble_inputs(
        read_universe(files.universe), read_market(files.market), history=text
    )
    assert from_categories.history is not None
    assert from_text.history is not None
    pd.testing.assert_frame_equal(from_categories.history, from_text.history)
    history = from_categories.history
    assert history["code"].dtype == text["code"].dtype
    # Spellings resolved, uncovered codes dropped, the market's close appended or filled.
    assert {"1001.HK", "1002.HK"} <= set(history["code"])
    assert not {"1001 HK Equity", "01002.hk", "2999.HK", "600000.SH"} & set(history["code"])
    last = history[history["date"] == pd.Timestamp("2024-11-29")].set_index("code")["close"]
    assert set(last.index) == {f"{1000 + n:04d}.HK" for n in range(40)}
    assert (last == 50.0).all()
    assert len(history) == 40 * 300 + 40


def test_a_title_quoted_across_lines_above_the_header_loses_no_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pandas skips rows where the file has lines: two data rows were lost this way.
    lines = _history_lines("by date", days=20, codes=10)
    head = ['"历史行情\n单位：港元",,', "date,code,close"]
    path = _write(tmp_path / "history.csv", [*head, *lines])
    row_wise, column_wise = _both(path, monkeypatch, read_history)
    assert isinstance(row_wise, pd.DataFrame)
    assert isinstance(column_wise, pd.DataFrame)
    pd.testing.assert_frame_equal(row_wise, column_wise)
    assert len(column_wise) == 200
    assert column_wise.iloc[0].tolist()[1:3] == ["1000.HK", 10.0]


@pytest.mark.parametrize("field", ["close", "pe_ttm"])
def test_a_wide_history_is_each_code_s_column_in_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str
) -> None:
    days = pd.bdate_range("2022-01-03", periods=900)
    wide = pd.DataFrame({"日期": days.strftime("%Y-%m-%d")})
    for n in range(12):
        values = pd.Series(np.round(20 + np.arange(900) / (n + 3), 4))
        values[(np.arange(900) % (n + 2)) == 0] = np.nan  # holidays of each code
        wide[f"{1000 + n:04d}.HK"] = values
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    row_wise, column_wise = _both(path, monkeypatch, lambda p: read_history(p, wide_field=field))
    assert isinstance(row_wise, pd.DataFrame)
    assert isinstance(column_wise, pd.DataFrame)
    pd.testing.assert_frame_equal(row_wise, column_wise)
    # What melting the sheet code by code gives, the empty cells left out.
    melted = wide.melt(id_vars="日期", var_name="code", value_name=field).dropna()
    assert column_wise["code"].tolist() == melted["code"].tolist()
    assert column_wise[field].tolist() == melted[field].tolist()
    assert column_wise["date"].dt.strftime("%Y-%m-%d").tolist() == melted["日期"].tolist()
    other = "pe_ttm" if field == "close" else "close"
    assert column_wise[other].isna().all()
