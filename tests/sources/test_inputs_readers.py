"""Input files as Wind, Bloomberg and our own templates give them, and every mistake located."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from tests.cli_helpers import Cli
from xlmodels.errors import InputError
from xlmodels.sources import (
    InputFiles,
    SettingsChoices,
    load_inputs,
    read_estimates,
    read_history,
    read_market,
    read_universe,
)
from xlmodels.sources.sample import sample_path


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Sheet1")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(
                    r, c, dt.datetime(value.year, value.month, value.day), date_format
                )
            elif value is not None:
                sheet.write(r, c, value)
    workbook.close()
    return path


WIND_UNIVERSE = """证券代码,证券简称,英文简称,市场,交易币种,EPS货币,基准指数,分析师,覆盖组
00700,腾讯控股,Tencent,港股,港币,人民币,HSTECH.HI,张三,互联网
9988.HK,阿里巴巴-SW,Alibaba,港股,港币,人民币,HSTECH.HI,张三,互联网
AMZN.O,亚马逊,Amazon,美股,美元,美元,IXIC.GI,李四,互联网
数据来源：Wind
"""

# Wind puts the trading date and the unit under the field name in one header cell.
WIND_MARKET = (
    '证券代码,证券简称,"收盘价\n[交易日期] 2024-11-29\n[单位] 元","总股本\n[单位] 股",日期,币种\n'
    "0700.HK,腾讯控股,398.0,9267407000,2024-11-29,HKD\n"
    '9988.HK,阿里巴巴-SW,83.70,"19,106,583,000",2024/11/29,HKD\n'
    "AMZN.O,亚马逊,207.89,10515000000,20241129,USD\n"
    "HSTECH.HI,恒生科技指数,4325.17,--,2024-11-29,HKD\n"
    "CNYHKD.EX,人民币兑港币,1.0702,,2024-11-29,HKD\n"
    "\n"
    "数据来源：Wind\n"
)

OUR_ESTIMATES = (
    "代码,EPS口径,EPS FY1,EPS FY2,EPS FY3,目标PE,目标PE适用年度,评级（手动）,手动评级理由,备注\n"
    "700 HK,经调整,24.1,26.3,,20,FY2,,,=1+1\n"
    '9988.HK,reported,7.8,8.5,9.1,12,blended,Underperform,"Regulation, margins",@analyst\n'
)


@pytest.fixture
def wind_files(tmp_path: Path) -> InputFiles:
    return InputFiles(
        universe=write_csv(tmp_path / "universe.csv", WIND_UNIVERSE, "gbk"),
        market=write_csv(tmp_path / "market.csv", WIND_MARKET, "gbk"),
        estimates=write_csv(tmp_path / "estimates.csv", OUR_ESTIMATES, "utf-8-sig"),
    )


def test_wind_files_in_gbk_read_with_codes_units_and_fx(wind_files: InputFiles) -> None:
    universe = read_universe(wind_files.universe)
    assert list(universe.index) == ["0700.HK", "9988.HK", "AMZN.O"]
    assert universe.loc["0700.HK", "name"] == "腾讯控股"
    assert universe.loc["0700.HK", "market"] == "HK"
    assert universe.loc["0700.HK", "price_currency"] == "HKD"
    assert universe.loc["0700.HK", "eps_currency"] == "CNY"
    market = read_market(wind_files.market)
    assert market.prices.loc["0700.HK", "shares_mn"] == pytest.approx(9267.407)
    assert market.prices.loc["9988.HK", "shares_mn"] == pytest.approx(19106.583)
    assert market.prices.loc["AMZN.O", "price_date"] == dt.date(2024, 11, 29)
    assert pd.isna(market.prices.loc["HSTECH.HI", "shares_mn"])
    assert market.fx.rate("CNY", "HKD") == 1.0702
    assert market.fx_rows == {("CNY", "HKD"): 6}


def test_our_estimates_with_chinese_headers_and_a_bom(wind_files: InputFiles) -> None:
    estimates = read_estimates(wind_files.estimates)  # type: ignore[arg-type]
    assert list(estimates.index) == ["0700.HK", "9988.HK"]
    assert estimates.loc["0700.HK", "eps_basis"] == "adjusted"
    assert estimates.loc["9988.HK", "target_year"] == "blended"
    assert estimates.loc["9988.HK", "override_reason"] == "Regulation, margins"
    assert estimates.loc["0700.HK", "notes"] == "=1+1"  # text, not a formula


def test_bloomberg_market_workbook(tmp_path: Path) -> None:
    day = dt.date(2024, 11, 29)
    path = write_xlsx(
        tmp_path / "bbg.xlsx",
        [
            ["Ticker", "Name", "PX_LAST", "CRNCY", "EQY_SH_OUT", "Dates"],
            ["700 HK Equity", "TENCENT", 398.0, "HKD", 9267.407, day],
            ["AMZN US Equity", "AMAZON.COM", 207.89, "USD", 10515.0, day],
            ["CNYHKD Curncy", None, 1.0702, "HKD", None, day],
        ],
    )
    market = read_market(path)
    assert list(market.prices.index) == ["0700.HK", "AMZN.US"]
    assert market.prices.loc["0700.HK", "shares_mn"] == 9267.407  # already millions
    assert market.prices.loc["0700.HK", "price_date"] == day
    assert market.fx.rate("CNY", "HKD") == 1.0702


def test_inputs_from_mixed_vendors_resolve_to_the_universe_codes(
    wind_files: InputFiles, tmp_path: Path
) -> None:
    day = dt.date(2024, 11, 29)
    bloomberg = write_xlsx(
        tmp_path / "bbg.xlsx",
        [
            ["Ticker", "PX_LAST", "CRNCY", "EQY_SH_OUT", "Dates"],
            ["700 HK Equity", 398.0, "HKD", 9267.407, day],
            ["9988 HK Equity", 83.7, "HKD", 19106.583, day],
            ["AMZN US Equity", 207.89, "USD", 10515.0, day],
            ["CNYHKD Curncy", 1.0702, "HKD", None, day],
        ],
    )
    files = InputFiles(wind_files.universe, bloomberg, wind_files.estimates)
    inputs = load_inputs(files)
    assert list(inputs.market.index) == ["0700.HK", "9988.HK", "AMZN.O"]
    assert inputs.market.loc["AMZN.O", "close"] == 207.89
    assert inputs.settings.report_date == day
    assert inputs.settings.period_start == dt.date(2024, 10, 31)
    assert inputs.settings.fy1_year == 2024
    # Without an indexes file the benchmarks are the indexes.
    assert list(inputs.indexes.index) == ["HSTECH.HI", "IXIC.GI"]


def test_override_labels_become_the_workbook_language(wind_files: InputFiles) -> None:
    inputs = load_inputs(wind_files, SettingsChoices(lang="zh"))
    assert inputs.estimates.loc["9988.HK", "rating_override"] == "弱于大市"


def test_wide_history_from_a_wind_export(tmp_path: Path) -> None:
    closes = write_xlsx(
        tmp_path / "closes.xlsx",
        [
            ["日期", "0700.HK", "9988 HK Equity"],
            [dt.date(2024, 11, 28), 400.0, 85.0],
            [dt.date(2024, 11, 29), 398.0, None],
        ],
    )
    history = read_history(closes)
    assert list(history.columns) == ["date", "code", "close", "pe_ttm"]
    assert len(history) == 3
    assert set(history["code"]) == {"0700.HK", "9988.HK"}
    pe = write_csv(tmp_path / "pe.csv", "日期,HSTECH.HI\n2024-11-29,20.1\n2024-12-02,20.59\n")
    pe_history = read_history(pe, wide_field="pe_ttm")
    assert pe_history["pe_ttm"].tolist() == [20.1, 20.59]
    assert pe_history["close"].isna().all()


def test_sample_files_give_the_sample_inputs() -> None:
    inputs = load_inputs(
        InputFiles(
            universe=sample_path("universe.csv"),
            market=sample_path("market.csv"),
            estimates=sample_path("estimates.csv"),
            history=sample_path("history.csv"),
            indexes=sample_path("indexes.csv"),
        )
    )
    assert len(inputs.universe) == 9
    assert inputs.history is not None
    assert len(inputs.history) == 3935


# ------------------------------------------------------------------- mistakes
def _error(call: object) -> InputError:
    with pytest.raises(InputError) as error:
        call()  # type: ignore[operator]
    return error.value


UNIVERSE = (
    "code,name,price_currency,eps_currency\n0700.HK,腾讯控股,HKD,CNY\n9988.HK,阿里巴巴,HKD,CNY\n"
)
MARKET = (
    "code,close,price_date,shares_mn\n"
    "0700.HK,398.0,2024-11-29,9267.4\n9988.HK,83.7,2024-11-29,19106.6\nCNYHKD,1.0702,2024-11-29,\n"
)


@pytest.mark.parametrize(
    ("kind", "text", "row", "column", "words"),
    [
        (
            "universe",
            "code,name,price_currency,eps_currency,sector\n",
            1,
            "sector",
            "unknown column",
        ),
        ("universe", "code,price_currency,eps_currency\n0700.HK,HKD,CNY\n", 1, None, "no 'name'"),
        (
            "universe",
            UNIVERSE + "700 HK Equity,腾讯,HKD,CNY\n",
            4,
            "code",
            "duplicate code 0700.HK (also on row 2)",
        ),
        (
            "universe",
            UNIVERSE.replace("9988.HK,阿里巴巴,HKD,CNY", "9988.HK,阿里巴巴,HKD,"),
            3,
            "eps_currency",
            "empty",
        ),
        ("universe", UNIVERSE + "00999,X,HKD,CNY\n", 4, "code", "cannot tell the market"),
        ("market", MARKET.replace("83.7", "n/a?"), 3, "close", "expected a number"),
        ("market", MARKET.replace("83.7", "0"), 3, "close", "above 0"),
        ("market", MARKET.replace("83.7", "-3"), 3, "close", "above 0"),
        ("market", MARKET.replace("83.7", ""), 3, "close", "empty"),
        (
            "market",
            MARKET.replace("2024-11-29,19106.6", "29/11/2024,19106.6"),
            3,
            "price_date",
            "unless you set --day-first",
        ),
        (
            "market",
            MARKET.replace("2024-11-29,19106.6", "Nov 2024,19106.6"),
            3,
            "price_date",
            "expected a date",
        ),
        (
            "market",
            MARKET.replace("2024-11-29,19106.6", "2024-13-45,19106.6"),
            3,
            "price_date",
            "expected a date",
        ),
        ("market", MARKET + "CNYHKD,1.07,2024-11-29,\n", 5, "code", "duplicate FX pair"),
        ("market", MARKET.replace("shares_mn", "总股本(手)"), 1, "总股本(手)", "unknown column"),
        ("estimates", "code,eps_basis\n0700.HK,GAAP-ish\n", 2, "eps_basis", "expected one of"),
        ("estimates", "code,target_multiple\n0700.HK,-5\n", 2, "target_multiple", "above 0"),
        ("estimates", "code,target_year\n0700.HK,FY4\n", 2, "target_year", "expected one of"),
        (
            "history",
            "date,code,close\n2024-11-29,0700.HK,1\n2024-11-29,700 HK,2\n",
            3,
            "code",
            "second row",
        ),
        ("history", "date,code,close\nyesterday,0700.HK,1\n", 2, "date", "expected a date"),
        ("history", "date,code,volume\n2024-11-29,0700.HK,1\n", 1, "volume", "unknown column"),
    ],
)
def test_every_mistake_names_file_row_and_column(
    tmp_path: Path, kind: str, text: str, row: int, column: str | None, words: str
) -> None:
    path = write_csv(tmp_path / f"{kind}.csv", text)
    reader = {
        "universe": read_universe,
        "market": read_market,
        "estimates": read_estimates,
        "history": read_history,
    }[kind]
    error = _error(lambda: reader(path))
    assert error.file == path
    assert error.row == row
    assert error.column == column
    assert words in str(error)
    assert f"{path}, row {row}" in str(error)


def test_an_undecodable_csv_is_named(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"code,name\n\x80\xff\x80,x\n")
    error = _error(lambda: read_universe(path))
    assert error.file == path
    assert "UTF-8 or GBK" in str(error)


def _files(
    tmp_path: Path, universe: str = UNIVERSE, market: str = MARKET, estimates: str = "code\n"
) -> InputFiles:
    return InputFiles(
        universe=write_csv(tmp_path / "universe.csv", universe),
        market=write_csv(tmp_path / "market.csv", market),
        estimates=write_csv(tmp_path / "estimates.csv", estimates),
    )


def test_a_company_whose_eps_currency_has_no_rate_into_its_price_currency(tmp_path: Path) -> None:
    files = _files(
        tmp_path,
        universe=UNIVERSE + "AMZN.O,亚马逊,USD,EUR\n",
        market=MARKET + "AMZN.O,207.89,2024-11-29,10515\n",
    )
    error = _error(lambda: load_inputs(files))
    assert (error.file, error.row, error.column) == (files.universe, 4, "eps_currency")
    assert "EURUSD" in str(error)


def test_a_company_without_a_price(tmp_path: Path) -> None:
    files = _files(tmp_path, market=MARKET.replace("9988.HK,83.7,2024-11-29,19106.6\n", ""))
    error = _error(lambda: load_inputs(files))
    assert error.file == files.market
    assert "9988.HK (universe row 3)" in str(error)


def test_a_price_in_another_currency_than_the_universe_says(tmp_path: Path) -> None:
    market = MARKET.replace("shares_mn\n", "shares_mn,currency\n").replace(
        "9267.4\n", "9267.4,USD\n"
    )
    files = _files(tmp_path, market=market)
    error = _error(lambda: load_inputs(files))
    assert (error.file, error.row, error.column) == (files.market, 2, "currency")


def test_estimates_of_a_company_outside_the_universe(tmp_path: Path) -> None:
    files = _files(tmp_path, estimates="代码,EPS FY1\n0700.HK,24.1\n3690.HK,7.1\n")
    error = _error(lambda: load_inputs(files))
    assert (error.file, error.row, error.column) == (files.estimates, 3, "代码")


def test_a_rating_override_the_scheme_does_not_know(tmp_path: Path) -> None:
    files = _files(tmp_path, estimates="code,rating_override\n0700.HK,Strong Buy\n")
    error = _error(lambda: load_inputs(files, SettingsChoices(scheme="guosen", lang="en")))
    assert (error.row, error.column) == (2, "rating_override")
    assert "Outperform" in str(error)


def test_the_build_command_writes_nothing_on_a_mistake(cli: Cli, tmp_path: Path) -> None:
    files = _files(tmp_path, market=MARKET.replace("83.7", "abc"))
    out = tmp_path / "coverage.xlsx"
    result = cli(
        "build",
        "--universe",
        str(files.universe),
        "--market",
        str(files.market),
        "--estimates",
        str(files.estimates),
        "--out",
        str(out),
    )
    assert result.exit_code == 2
    assert "market.csv, row 3, column 'close'" in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "estimates.csv",
        "market.csv",
        "universe.csv",
    ]


def test_wide_closes_and_wide_pe_files_join_into_one_history(tmp_path: Path) -> None:
    closes = write_csv(
        tmp_path / "closes.csv",
        "日期,0700.HK,9988.HK,HSTECH.HI\n"
        "2024-10-31,405.2,95.6,4470\n"
        "2024-11-29,398.0,83.7,4325.17\n",
    )
    pe = write_csv(tmp_path / "pe.csv", "日期,HSTECH.HI\n2024-11-29,20.1\n2024-12-02,20.59\n")
    files = InputFiles(
        universe=write_csv(tmp_path / "universe.csv", UNIVERSE + ""),
        market=write_csv(tmp_path / "market.csv", MARKET),
        estimates=write_csv(tmp_path / "estimates.csv", "code\n"),
        history=closes,
        pe_history=pe,
    )
    inputs = load_inputs(files)
    history = inputs.history
    assert history is not None
    both = history[(history["code"] == "HSTECH.HI") & (history["date"] == "2024-11-29")]
    assert both[["close", "pe_ttm"]].to_numpy().tolist() == [[4325.17, 20.1]]
    assert len(history) == 7
    assert list(inputs.indexes.index) == []  # no benchmark named, no indexes file


def test_benchmarks_without_an_indexes_file_get_their_usual_names(tmp_path: Path) -> None:
    from xlmodels.sources import InputFiles, load_inputs, sample

    inputs = load_inputs(
        InputFiles(
            universe=sample.sample_path("universe.csv"), market=sample.sample_path("market.csv")
        )
    )
    assert inputs.indexes.loc["HSTECH.HI", ["name", "name_en"]].tolist() == [
        "恒生科技指数",
        "Hang Seng TECH Index",
    ]
    assert inputs.indexes.loc["IXIC.GI", "market"] == "US"


def test_a_rating_override_needs_a_reason(tmp_path: Path) -> None:
    files = _files(tmp_path, estimates="code,rating_override\n0700.HK,Neutral\n")
    error = _error(lambda: load_inputs(files, SettingsChoices(scheme="guosen", lang="en")))
    assert error.row == 2
    assert "without a reason" in str(error)


def test_every_bad_cell_of_a_column_is_named_in_one_error(tmp_path: Path) -> None:
    market = MARKET.replace("398.0", "abc").replace("83.7", "-3")
    files = _files(tmp_path, market=market)
    error = _error(lambda: load_inputs(files))
    assert error.column == "close"
    assert "2 rows of this column need fixing" in str(error)
    assert "expected a number, got 'abc'" in str(error)
    assert "must be a number above 0, got '-3'" in str(error)
