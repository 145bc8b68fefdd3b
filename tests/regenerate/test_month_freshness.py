"""A month is computed from closes of that month, or refused: never an old close repeated.

The December-to-January cycle: workbooks built at one price date, refreshed
with the next month's market file. Without a history file the workbook's
own History is extended by the market file's closes; where the month still
cannot be computed, regenerate fails the workbook, validate reports the
cell and report refuses, each naming the codes and dates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_helpers import Cli, CliResult
from tests.regenerate_helpers import read_sample, snapshot, type_into, write_inputs
from xlmodels.domain.model import CoverageInputs
from xlmodels.domain.performance import compute_performance, compute_valuation, stale_series
from xlmodels.errors import InputError
from xlmodels.report.coverage_workbooks import read_coverage_workbooks
from xlmodels.report.month import build_month_report
from xlmodels.sources import InputFiles, SettingsChoices, load_inputs, sample
from xlmodels.template.v3 import SPEC
from xlmodels.workbook.reader import read_workbook

INDEXES = (".HI", ".GI")


def _market(folder: Path, day: str, factor: float) -> Path:
    """The sample's market file moved to ``day``, every close times ``factor``."""
    market = read_sample("market.csv")
    securities = market["code"] != "CNYHKD"
    closes = pd.to_numeric(market["close"])
    market["close"] = closes.where(~securities, (closes * factor).round(2))
    market["price_date"] = day
    path = folder / f"market-{day}.csv"
    market.to_csv(path, index=False)
    return path


def _history_without_pe(folder: Path) -> Path:
    """The sample's closes without its PE-TTM series (which no market file can extend)."""
    history = read_sample("history.csv")
    history = history[history["close"].astype(str).str.strip() != ""].copy()
    history["pe_ttm"] = ""
    path = folder / "history-closes.csv"
    history.to_csv(path, index=False)
    return path


def _first_month(cli: Cli, tmp_path: Path, history: Path | None = None) -> tuple[Path, Path]:
    """Workbooks built at the sample's price date (2024-11-29); the inputs folder."""
    folder = tmp_path / "books"
    folder.mkdir()
    inputs = tmp_path / "inputs"
    paths = write_inputs(inputs)
    arguments = paths.arguments()
    if history is not None:
        arguments[arguments.index("--history") + 1] = str(history)
    result = cli("regenerate", *arguments, "--dir", folder)
    assert result.exit_code == 0, result.text
    return folder, inputs


def _next_month(cli: Cli, folder: Path, inputs: Path, market: Path) -> CliResult:
    return cli(
        "regenerate",
        "--universe",
        inputs / "universe.csv",
        "--market",
        market,
        "--indexes",
        sample.sample_path("indexes.csv"),
        "--dir",
        folder,
        "--json",
    )


def test_a_history_file_that_stops_before_the_price_date_takes_the_market_close(
    tmp_path: Path,
) -> None:
    history = read_sample("history.csv")
    short = history[history["date"] != "2024-11-29"]  # the price date's closes are missing
    path = tmp_path / "history.csv"
    short.to_csv(path, index=False)
    files = InputFiles(
        sample.sample_path("universe.csv"),
        sample.sample_path("market.csv"),
        sample.sample_path("estimates.csv"),
        path,
        indexes=sample.sample_path("indexes.csv"),
    )
    inputs = load_inputs(files, SettingsChoices())
    performance = compute_performance(inputs)
    reference = compute_performance(sample.load_inputs())
    companies = reference.index[reference["kind"] == "stock"]
    assert performance.loc[companies, "return"].tolist() == pytest.approx(
        reference.loc[companies, "return"].tolist()
    )
    assert not performance["stale"].any()


def test_regenerate_without_history_extends_the_closes_to_the_new_price_date(
    cli: Cli, tmp_path: Path
) -> None:
    folder, inputs = _first_month(cli, tmp_path, _history_without_pe(tmp_path))
    result = _next_month(cli, folder, inputs, _market(tmp_path, "2024-12-31", 1.1))
    assert result.exit_code == 0, result.text
    workbooks = {w["file"]: w for w in result.json()["workbooks"]}
    assert {w["status"] for w in workbooks.values()} == {"updated"}
    notes = workbooks["hk-internet.xlsx"]["notes"]
    assert any("extended by the market file's closes" in note for note in notes)
    performance = read_workbook(folder / "hk-internet.xlsx").tables["Performance"]
    # Tencent from the 2024-11-29 close to the market's 2024-12-31 close, 10% up: not 0.0%.
    assert performance.loc["0700.HK", "start_close"] == pytest.approx(398.0)
    assert performance.loc["0700.HK", "end_close"] == pytest.approx(437.8)
    assert performance.loc["0700.HK", "return"] == pytest.approx(0.1)
    assert performance.loc["HSTECH.HI", "return"] == pytest.approx(0.1, abs=1e-4)
    checked = cli("validate", folder, "--format", "json")
    assert checked.exit_code == 0, checked.stdout
    report = build_month_report(
        read_coverage_workbooks([folder / "hk-internet.xlsx", folder / "us-internet.xlsx"])
    )
    assert report.performance.loc["0700.HK", "return"] == pytest.approx(0.1)
    books = [folder / "hk-internet.xlsx", folder / "us-internet.xlsx"]
    written = cli("report", *books, "--out", tmp_path / "report", "--format", "md", "--json")
    assert written.exit_code == 0, written.text
    text = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "+0.0%" not in text
    assert "单月涨幅为 10.0%" in text


def test_a_month_the_history_cannot_reach_fails_the_workbook_and_writes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    folder, inputs = _first_month(cli, tmp_path, _history_without_pe(tmp_path))
    before = snapshot(folder)
    # January's market file on December's workbooks: December is missing.
    result = _next_month(cli, folder, inputs, _market(tmp_path, "2025-01-31", 1.1))
    assert result.exit_code == 1
    workbooks = {w["file"]: w for w in result.json()["workbooks"]}
    for name, workbook in workbooks.items():
        assert workbook["status"] == "failed", name
        assert "cannot be computed" in workbook["reason"]
        assert "2024-12-31" in workbook["reason"]  # the period start it cannot reach
    assert "0700.HK" in workbooks["hk-internet.xlsx"]["reason"]
    assert snapshot(folder) == before


def test_a_pe_series_that_stops_before_the_month_fails_its_workbook(
    cli: Cli, tmp_path: Path
) -> None:
    folder, inputs = _first_month(cli, tmp_path)  # the sample's PE-TTM ends 2024-12-02
    result = _next_month(cli, folder, inputs, _market(tmp_path, "2024-12-31", 1.05))
    assert result.exit_code == 1
    workbooks = {w["file"]: w for w in result.json()["workbooks"]}
    assert workbooks["us-internet.xlsx"]["status"] == "updated"
    failed = workbooks["hk-internet.xlsx"]
    assert failed["status"] == "failed"
    assert "PE-TTM values of HSTECH.HI end 2024-12-02" in failed["reason"]
    assert "--pe-history" in failed["reason"]


def test_build_refuses_a_month_its_history_cannot_reach(cli: Cli, tmp_path: Path) -> None:
    market = _market(tmp_path, "2025-01-31", 1.0)
    result = cli(
        "build",
        "--universe",
        sample.sample_path("universe.csv"),
        "--market",
        market,
        "--estimates",
        sample.sample_path("estimates.csv"),
        "--history",
        _history_without_pe(tmp_path),
        "--out",
        tmp_path / "coverage.xlsx",
    )
    assert result.exit_code == 2
    assert "cannot be computed" in result.text
    assert not (tmp_path / "coverage.xlsx").exists()


def _moved_period(days: int) -> CoverageInputs:
    inputs = sample.load_inputs()
    settings = dataclasses.replace(
        inputs.settings, period_end=inputs.settings.period_end + dt.timedelta(days=days)
    )
    return dataclasses.replace(inputs, settings=settings)


def test_the_core_gives_no_return_for_a_stale_month() -> None:
    inputs = _moved_period(32)
    performance = compute_performance(inputs)
    assert performance["stale"].all()
    assert performance["return"].isna().all()
    valuation = compute_valuation(inputs)
    assert bool(valuation.loc["HSTECH.HI", "stale"])
    fresh = compute_performance(_moved_period(0))
    assert not fresh["stale"].any()
    assert not math.isnan(float(fresh.loc["0700.HK", "return"]))


def test_a_stock_without_history_is_missing_not_stale() -> None:
    panel = pd.DataFrame(
        {"A": [None, None, 2.0], "B": [1.0, None, None]},
        index=pd.to_datetime(["2024-10-31", "2024-11-29", "2024-12-31"]),
    )
    stale = stale_series(panel, dt.date(2024, 11, 30), dt.date(2024, 12, 31))
    assert stale.index.tolist() == ["B"]  # A began after the period start: no return, not stale


def test_report_refuses_a_month_it_cannot_compute() -> None:
    with pytest.raises(InputError, match=r"cannot be computed.*0700\.HK"):
        build_month_report(_moved_period(32))


def test_the_report_command_refuses_a_stale_workbook(cli: Cli, tmp_path: Path) -> None:
    folder, _ = _first_month(cli, tmp_path, _history_without_pe(tmp_path))
    workbook = folder / "hk-internet.xlsx"
    row = SPEC.settings.row_of("period_end")
    type_into(workbook, {("Settings", f"B{row}"): dt.datetime(2024, 12, 31)})
    result = cli("report", workbook, "--out", tmp_path / "report", "--format", "md")
    assert result.exit_code == 2
    assert "cannot be computed" in result.text
    assert "0700.HK" in result.text
    assert not (tmp_path / "report" / "report.md").exists()
    checked = cli("validate", workbook, "--format", "json")
    assert checked.exit_code == 1
    rules = {f["rule"] for f in checked.json()["files"][0]["findings"]}
    assert "data.stale-history" in rules


def test_a_market_shut_on_the_months_last_days_gives_its_last_close(
    cli: Cli, tmp_path: Path
) -> None:
    """Hong Kong shut on the month's last days while New York trades, as at Lunar New Year.

    (29-31 January 2025.) The Hong Kong closes of three days before the
    period end stand for it, as a close does across a holiday inside a
    series: the month's Hong Kong returns are computed, not left blank.
    """
    shut = ["2024-11-27", "2024-11-28", "2024-11-29"]
    history = read_sample("history.csv")
    hong_kong = history["code"].str.endswith((".HK", ".HI"))
    last_open = history[hong_kong & (history["date"] == "2024-11-26")].set_index("code")
    history.loc[hong_kong & history["date"].isin(shut), "close"] = ""
    history_path = tmp_path / "history.csv"
    history.to_csv(history_path, index=False)
    market = read_sample("market.csv")
    open_codes = market["code"].isin(last_open.index)
    closes = market["code"].map(last_open["close"])
    market["close"] = market["close"].where(~open_codes, closes)
    market.loc[open_codes, "price_date"] = "2024-11-26"
    market_path = tmp_path / "market.csv"
    market.to_csv(market_path, index=False)
    workbook = tmp_path / "coverage.xlsx"
    built = cli(
        "build",
        "--universe",
        sample.sample_path("universe.csv"),
        "--market",
        market_path,
        "--estimates",
        sample.sample_path("estimates.csv"),
        "--history",
        history_path,
        "--indexes",
        sample.sample_path("indexes.csv"),
        "--out",
        workbook,
    )
    assert built.exit_code == 0, built.text
    performance = read_workbook(workbook).tables["Performance"]
    tencent = float(last_open.loc["0700.HK", "close"])
    starts = history[history["date"] == "2024-10-31"].set_index("code")["close"]
    assert performance.loc["0700.HK", "end_close"] == pytest.approx(tencent)
    assert performance.loc["0700.HK", "return"] == pytest.approx(
        tencent / float(starts["0700.HK"]) - 1
    )
    index_end = float(last_open.loc["HSTECH.HI", "close"])
    assert performance.loc["HSTECH.HI", "end_close"] == pytest.approx(index_end)
    assert not performance["return"].isna().any()
    checked = cli("validate", workbook, "--format", "json")
    assert checked.exit_code == 0, checked.stdout
    assert checked.json()["files"][0]["findings"] == []
    written = cli("report", workbook, "--out", tmp_path / "report", "--format", "md")
    assert written.exit_code == 0, written.text
    text = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "港股方面" in text
    assert "11 月恒生科技指数" in text
