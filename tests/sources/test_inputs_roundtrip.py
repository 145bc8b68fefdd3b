"""The product reads what it writes: workbook sheets saved as CSV, and common date spellings."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.cli_helpers import Cli
from tests.regenerate_helpers import read_sample, regenerate, snapshot, write_inputs
from xlmodels.domain.performance import compute_performance, compute_valuation
from xlmodels.errors import InputError
from xlmodels.regenerate import Status
from xlmodels.sources import InputFiles, SettingsChoices, load_inputs, sample
from xlmodels.sources.columns import ESTIMATES_FIELDS, MARKET_DERIVED, MARKET_FIELDS, match_columns
from xlmodels.sources.raw_tables import RawTable
from xlmodels.sources.readers import read_estimates, read_history, read_market
from xlmodels.template.v3 import SPEC
from xlmodels.workbook import write_workbook


def _save_sheet_as_csv(workbook: Path, sheet: str, target: Path, encoding: str) -> Path:
    """A sheet's values saved as CSV, title rows and all, as Excel's Save As does."""
    book = openpyxl.load_workbook(workbook, read_only=True)
    with target.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        for row in book[sheet].iter_rows(values_only=True):
            writer.writerow(["" if value is None else value for value in row])
    book.close()
    return target


@pytest.fixture(scope="module", params=["zh", "en"])
def workbook(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp(f"book-{request.param}") / "coverage.xlsx"
    write_workbook(path, sample.load_inputs(request.param))
    return path


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_the_estimates_sheet_saved_as_csv_builds_again(
    workbook: Path, tmp_path: Path, encoding: str
) -> None:
    exported = _save_sheet_as_csv(workbook, "Estimates", tmp_path / "estimates.csv", encoding)
    files = InputFiles(
        sample.sample_path("universe.csv"),
        sample.sample_path("market.csv"),
        exported,
        sample.sample_path("history.csv"),
        indexes=sample.sample_path("indexes.csv"),
    )
    again = load_inputs(files, SettingsChoices())
    reference = sample.load_inputs()
    assert again.settings.fy1_year == reference.settings.fy1_year == 2024
    assert again.estimates_fy1_year == 2024
    columns = ["eps_fy1", "eps_fy2", "target_multiple"]
    codes = reference.estimates.index
    pd.testing.assert_frame_equal(
        again.estimates.loc[codes, columns], reference.estimates.loc[codes, columns]
    )
    assert again.estimates.loc[codes, "target_year"].tolist() == (
        reference.estimates.loc[codes, "target_year"].tolist()
    )


def test_estimates_for_another_fy1_are_refused(workbook: Path, tmp_path: Path) -> None:
    exported = _save_sheet_as_csv(workbook, "Estimates", tmp_path / "estimates.csv", "utf-8-sig")
    files = InputFiles(
        sample.sample_path("universe.csv"), sample.sample_path("market.csv"), exported
    )
    with pytest.raises(InputError, match=r"name FY1 as 2024 .*--fy1") as caught:
        load_inputs(files, SettingsChoices(fy1_year=2025))
    assert caught.value.file == exported


def test_the_market_sheet_saved_as_csv_reads_as_a_market_file(
    workbook: Path, tmp_path: Path
) -> None:
    exported = _save_sheet_as_csv(workbook, "Market", tmp_path / "market.csv", "utf-8-sig")
    snapshot = read_market(exported)
    reference = sample.load_inputs().market
    assert snapshot.prices.loc[reference.index, "close"].tolist() == reference["close"].tolist()
    assert snapshot.prices.loc["0700.HK", "price_date"] == dt.date(2024, 11, 29)
    assert snapshot.prices.loc["0700.HK", "shares_mn"] == pytest.approx(9267.407)


def _table(headers: list[str]) -> RawTable:
    return RawTable(Path("sheet.csv"), None, headers, 1, [], [])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_header_of_the_matching_sheets_is_accepted(lang: str) -> None:
    # Drift check: a header the template gains must be readable back.
    labels = dict(sample.load_inputs().settings.year_labels())
    labels |= {"eps_ccy": "人民币" if lang == "zh" else "CNY", "price_ccy": "HKD"}
    for sheet, fields, derived in (
        ("Estimates", ESTIMATES_FIELDS, ()),
        ("Market", MARKET_FIELDS, MARKET_DERIVED),
    ):
        headers = [column.header(lang, labels) for column in SPEC.sheet(sheet).columns]
        found = match_columns(_table(headers), fields, f"{sheet} file", derived=derived)
        assert "code" in found, sheet
    estimates = [column.header(lang, labels) for column in SPEC.sheet("Estimates").columns]
    found = match_columns(_table(estimates), ESTIMATES_FIELDS, "estimates file")
    assert [found[key].year for key in ("eps_fy1", "eps_fy2", "eps_fy3")] == [2024, 2025, 2026]
    assert found["eps_lyr"].year == 2023  # EPS 2023A, the last reported year


def test_the_last_reported_year_reads_back_and_must_precede_fy1(tmp_path: Path) -> None:
    path = tmp_path / "estimates.csv"
    path.write_text(
        "code,EPS 2023A（人民币）,EPS 2024E（人民币）\n0700.HK,16.3,24.1\n", encoding="utf-8-sig"
    )
    estimates = read_estimates(path)
    assert estimates.loc["0700.HK", ["eps_lyr", "eps_fy1"]].tolist() == [16.3, 24.1]
    path.write_text("code,EPS 2022A,EPS 2024E\n0700.HK,16.3,24.1\n", encoding="utf-8")
    with pytest.raises(InputError, match="must be the year before FY1") as caught:
        read_estimates(path)
    assert caught.value.column == "EPS 2022A"
    path.write_text("code,EPS LYR,EPS FY1\n0700.HK,16.3,24.1\n", encoding="utf-8")
    assert read_estimates(path).loc["0700.HK", "eps_lyr"] == 16.3


def test_year_headers_must_be_consecutive(tmp_path: Path) -> None:
    path = tmp_path / "estimates.csv"
    path.write_text("code,EPS 2024E,EPS 2026E\n0700.HK,24.1,28\n", encoding="utf-8")
    with pytest.raises(InputError, match="consecutive fiscal years"):
        read_estimates(path)


MARKET = "code,close,price_date,shares_mn,currency\n0700.HK,398.0,{day},9267.4,HKD\n"


@pytest.mark.parametrize(
    "spelling",
    [
        "2024-11-29",
        "2024-11-29 15:00:00",
        "2024-11-29T16:08",
        "2024/11/29",
        "2024/11/29 0:00",
        "2024年11月29日",
        "29-Nov-2024",
        "29 Nov 2024",
        "45625",
        "11/29/2024",
        "11/29/2024 16:00:00",
    ],
)
def test_common_date_spellings(tmp_path: Path, spelling: str) -> None:
    path = tmp_path / "market.csv"
    path.write_text(MARKET.format(day=spelling), encoding="utf-8")
    assert read_market(path).prices.loc["0700.HK", "price_date"] == dt.date(2024, 11, 29)


def test_a_day_first_file_is_refused_naming_the_option(tmp_path: Path) -> None:
    path = tmp_path / "market.csv"
    path.write_text(MARKET.format(day="29/11/2024"), encoding="utf-8")
    with pytest.raises(InputError, match="--day-first") as caught:
        read_market(path)
    assert caught.value.row == 2
    assert read_market(path, day_first=True).prices.loc["0700.HK", "price_date"] == dt.date(
        2024, 11, 29
    )
    # A date that reads both ways is read as told, never guessed.
    path.write_text(MARKET.format(day="02/12/2024"), encoding="utf-8")
    with pytest.raises(InputError, match="--month-first") as ambiguous:
        read_market(path)
    assert "12 February 2024" in str(ambiguous.value)
    assert "2 December 2024" in str(ambiguous.value)
    assert ambiguous.value.row == 2
    assert read_market(path, day_first=False).prices.loc["0700.HK", "price_date"] == dt.date(
        2024, 2, 12
    )
    assert read_market(path, day_first=True).prices.loc["0700.HK", "price_date"] == dt.date(
        2024, 12, 2
    )
    path.write_text(MARKET.format(day="11/29/2024"), encoding="utf-8")
    with pytest.raises(InputError, match=r"month first.*leave that option out"):
        read_market(path, day_first=True)


def test_one_date_that_shows_the_order_settles_the_column(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(
        "date,code,close\n12/02/2024,0700.HK,410.0\n11/29/2024,0700.HK,398.0\n",
        encoding="utf-8",
    )
    dates = {day.date() for day in read_history(path)["date"]}
    assert dates == {dt.date(2024, 12, 2), dt.date(2024, 11, 29)}
    # 11/11/2024 reads the same both ways: no order is needed.
    path.write_text("date,code,close\n11/11/2024,0700.HK,410.0\n", encoding="utf-8")
    assert {day.date() for day in read_history(path)["date"]} == {dt.date(2024, 11, 11)}


def test_the_command_names_the_day_first_option(cli: Cli, tmp_path: Path) -> None:
    market = pd.read_csv(sample.sample_path("market.csv"), dtype=str, keep_default_na=False)
    market["price_date"] = "29/11/2024"
    path = tmp_path / "market.csv"
    market.to_csv(path, index=False)
    arguments = [
        "build",
        "--universe",
        sample.sample_path("universe.csv"),
        "--market",
        path,
        "--estimates",
        sample.sample_path("estimates.csv"),
        "--out",
        tmp_path / "coverage.xlsx",
    ]
    refused = cli(*arguments)
    assert refused.exit_code == 2
    assert "--day-first" in refused.text
    assert "market.csv" in refused.text
    built = cli(*arguments, "--day-first")
    assert built.exit_code == 0, built.text
    assert (tmp_path / "coverage.xlsx").exists()
    market["price_date"] = "12/02/2024"  # 2 December or 12 February
    market.to_csv(path, index=False)
    ambiguous = cli(*arguments)
    assert ambiguous.exit_code == 2
    assert "--month-first" in ambiguous.text
    assert cli(*arguments, "--day-first").exit_code == 0


def test_regenerate_refuses_estimates_for_another_fy1(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, write_inputs(tmp_path / "inputs"))  # FY1 2024
    estimates = read_sample("estimates.csv").rename(
        columns={"eps_fy1": "EPS 2025E", "eps_fy2": "EPS 2026E", "eps_fy3": "EPS 2027E"}
    )
    before = snapshot(folder)
    result = regenerate(folder, write_inputs(tmp_path / "next", estimates=estimates))
    for outcome in result.workbooks:
        assert outcome.status is Status.FAILED
        assert "EPS columns are for FY1 2025, the workbook's FY1 is 2024" in outcome.reason
    assert snapshot(folder) == before


def test_the_history_sheet_saved_as_csv_reads_as_a_history_file(
    workbook: Path, tmp_path: Path
) -> None:
    exported = _save_sheet_as_csv(workbook, "History", tmp_path / "history.csv", "utf-8-sig")
    history = read_history(exported)
    reference = sample.load_inputs()
    pe = history.dropna(subset=["pe_ttm"])
    assert set(pe["code"]) == {"HSTECH.HI"}
    assert pe["pe_ttm"].iloc[-1] == pytest.approx(20.59)
    files = InputFiles(
        sample.sample_path("universe.csv"),
        sample.sample_path("market.csv"),
        sample.sample_path("estimates.csv"),
        exported,
        indexes=sample.sample_path("indexes.csv"),
    )
    again = load_inputs(files, SettingsChoices())
    performance, expected = compute_performance(again), compute_performance(reference)
    assert performance["return"].tolist() == pytest.approx(expected["return"].tolist(), nan_ok=True)
    valuation = compute_valuation(again).loc["HSTECH.HI"]
    assert valuation["percentile"] == pytest.approx(
        compute_valuation(reference).loc["HSTECH.HI", "percentile"]
    )
