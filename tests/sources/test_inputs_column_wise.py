"""A large CSV file read column-wise gives what reading it row by row gives, cell for cell.

The files here hold what makes the two readings differ if one is careless:
title rows above the header, blank rows, cells of only spaces, a vendor's
footer, quoted cells across lines, placeholders in a number column, GBK
text; and errors must quote the cell as the file writes it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xlmodels.errors import InputError
from xlmodels.sources import raw_tables
from xlmodels.sources.readers import MarketSnapshot, read_history, read_market


def _both(path: Path, monkeypatch: pytest.MonkeyPatch, read: object) -> tuple[object, object]:
    assert callable(read)
    monkeypatch.setattr(raw_tables, "_COLUMN_WISE_BYTES", 10**12)
    row_wise = read(path)
    monkeypatch.setattr(raw_tables, "_COLUMN_WISE_BYTES", 0)
    column_wise = read(path)
    return row_wise, column_wise


def _long_history(rows: int) -> str:
    days = pd.bdate_range("2020-01-01", periods=rows).strftime("%Y-%m-%d")
    lines = ["历史行情,,,", "单位：港元,,,", "date,code,close,pe_ttm"]
    for i, day in enumerate(days):
        lines.append(
            f'{day},"0700.HK",{300 + i * 0.01:.2f},{"--" if i % 7 == 0 else 15 + i / 1000}'
        )
        lines.append(f"{day},9988.hk,{80 + i * 0.013!r},")
        if i % 50 == 0:
            lines.append(",,,")  # a blank row
        if i % 75 == 0:
            lines.append("   ,  ,,")  # a row of spaces only
    lines.append("数据来源：Wind,,,")
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_a_long_history_reads_the_same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    path = tmp_path / "history.csv"
    path.write_text(_long_history(400), encoding=encoding)
    row_wise, column_wise = _both(path, monkeypatch, read_history)
    assert isinstance(row_wise, pd.DataFrame)
    assert isinstance(column_wise, pd.DataFrame)
    pd.testing.assert_frame_equal(row_wise, column_wise)
    assert len(column_wise) == 800
    assert np.isnan(column_wise["pe_ttm"].iloc[0])  # "--" is missing


def test_a_wide_history_reads_the_same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = pd.bdate_range("2021-03-01", periods=300).strftime("%Y/%m/%d")
    lines = ["日期,0700.HK,9988.HK,3690.HK"]
    lines += [f"{day},{300 + i / 7!r},{80 + i / 3:.3f}," for i, day in enumerate(days)]
    lines.insert(100, '"",,,')
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    row_wise, column_wise = _both(path, monkeypatch, read_history)
    assert isinstance(row_wise, pd.DataFrame)
    assert isinstance(column_wise, pd.DataFrame)
    pd.testing.assert_frame_equal(row_wise, column_wise)


def test_a_market_file_with_quoted_text_reads_the_same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "market.csv"
    path.write_text(
        "code,name,close,price_date,shares_mn,currency\n"
        '0700.HK,"Tencent,\nHoldings",398.0,2024-11-29,"9,300.5",HKD\n'
        "9988.HK, Alibaba ,80.15,2024-11-29,,HKD\n"
        "CNYHKD,,1.0702,2024-11-29,,\n",
        encoding="utf-8",
    )
    row_wise, column_wise = _both(path, monkeypatch, read_market)
    assert isinstance(row_wise, MarketSnapshot)
    assert isinstance(column_wise, MarketSnapshot)
    pd.testing.assert_frame_equal(row_wise.prices, column_wise.prices)
    assert row_wise.rows == column_wise.rows == {"0700.HK": 2, "9988.HK": 3}
    assert row_wise.fx_rows == column_wise.fx_rows
    assert column_wise.prices.loc["0700.HK", "shares_mn"] == 9300.5


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1.2.3", "expected a number, got '1.2.3'"),
        ("0", "must be a number above 0, got '0'"),
        ("inf", "expected a number, got 'inf'"),
        ("1e309", "expected a number, got '1e309'"),
    ],
)
def test_an_error_quotes_the_cell_as_the_file_writes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cell: str, message: str
) -> None:
    text = _long_history(200).replace('0700.HK",300.50', f'0700.HK",{cell}', 1)
    assert cell in text
    path = tmp_path / "history.csv"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(raw_tables, "_COLUMN_WISE_BYTES", 0)
    with pytest.raises(InputError) as raised:
        read_history(path)
    assert message in raised.value.message
    assert raised.value.column == "close"
    monkeypatch.setattr(raw_tables, "_COLUMN_WISE_BYTES", 10**12)
    with pytest.raises(InputError) as row_wise:
        read_history(path)
    assert str(row_wise.value) == str(raised.value)


def test_the_column_wise_table_is_read_with_numbers_as_floats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "history.csv"
    path.write_text(_long_history(50), encoding="utf-8")
    monkeypatch.setattr(raw_tables, "_COLUMN_WISE_BYTES", 0)
    table = raw_tables.read_table(path, numeric=lambda position, header: header == "close")
    assert table.column_wise
    close = table.column(2)
    assert isinstance(close, np.ndarray)
    assert close.dtype == np.float64
    exact = table.exact()
    assert not exact.column_wise
    assert list(exact.row_numbers) == list(table.row_numbers)
    assert [row[1] for row in exact.rows] == list(table.column(1))
    assert [float(row[2]) for row in exact.rows] == close.tolist()
