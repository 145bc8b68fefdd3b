"""Input files and folder helpers for the regeneration tests.

The inputs are the bundled sample's files (two coverage groups, HK Internet
and US Internet), copied into a test folder so that a test can change a
price, drop a company or add an estimate and regenerate again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from xlmodels.regenerate import BatchResult, RegenerateOptions, regenerate_folder
from xlmodels.regenerate.roll import RollOptions, RollResult, roll_workbooks
from xlmodels.sources import InputFiles, SettingsChoices, load_inputs
from xlmodels.sources.sample import sample_path
from xlmodels.template.schema import FIRST_DATA_ROW, RowContext, SpillContext, column_letter
from xlmodels.template.v3 import SPEC
from xlmodels.workbook import read_cells

#: The companies of the template-v1 fixture, in its row order.
V1_CODES = ["0700.HK", "9999.HK", "3690.HK", "1024.HK"]
#: The report date of :func:`rolling_books`: FY1 2024 has ended, its results are out.
REPORT_DATE = dt.date(2025, 3, 31)
#: The sample's coverage groups and the files regeneration names after them.
GROUPS = {"HK Internet": "hk-internet.xlsx", "US Internet": "us-internet.xlsx"}


@dataclass(frozen=True)
class InputPaths:
    """One set of input files in a test folder."""

    universe: Path
    market: Path
    estimates: Path | None
    history: Path | None
    indexes: Path | None

    def files(self) -> InputFiles:
        return InputFiles(
            self.universe, self.market, self.estimates, self.history, indexes=self.indexes
        )

    def arguments(self) -> list[str]:
        """The command line's input options."""
        out = ["--universe", str(self.universe), "--market", str(self.market)]
        for option, path in (
            ("--estimates", self.estimates),
            ("--history", self.history),
            ("--indexes", self.indexes),
        ):
            if path is not None:
                out += [option, str(path)]
        return out


def at(sheet: str, key: str, row: int = 5) -> str:
    """The reference of column ``key``'s cell on ``row`` of a table sheet (``F5``)."""
    return f"{SPEC.sheet(sheet).letter(key)}{row}"


def beyond(sheet: str, row: int = 5) -> str:
    """The reference of the cell just right of a table sheet's last column on ``row``."""
    return f"{column_letter(len(SPEC.sheet(sheet).columns))}{row}"


def sq_formula(sheet: str, key: str, row: int = 5) -> str:
    """The SQ_ formula the template writes in column ``key`` on ``row``."""
    table = SPEC.sheet(sheet)
    return table.column(key).formula_for("sq", RowContext(SPEC, table, row))


def spilled_formula(sheet: str, key: str, rows: int) -> str:
    """The formula the template writes at the top of column ``key``, spilling over ``rows``."""
    table = SPEC.sheet(sheet)
    context = SpillContext(SPEC, table, FIRST_DATA_ROW, rows=rows)
    return table.column(key).spill_formula(context)


def setting_at(key: str) -> str:
    """The reference of a setting's value cell on Settings (``B12``)."""
    return f"B{SPEC.settings.row_of(key)}"


def bench_at(markets: int, tiers: int, column: str = "B") -> str:
    """The first benchmark row's cell on Settings, for a workbook of this many markets and tiers."""
    return f"{column}{SPEC.settings.blocks(markets=markets, tiers=tiers).bench_first_row}"


def read_sample(name: str) -> pd.DataFrame:
    return pd.read_csv(sample_path(name), dtype={"code": str}, keep_default_na=False)


def write_inputs(
    folder: Path,
    *,
    price_factor: float = 1.0,
    universe: pd.DataFrame | None = None,
    estimates: pd.DataFrame | bool | None = True,
    history: bool = True,
    indexes: bool = True,
) -> InputPaths:
    """Write a set of input files into ``folder`` (created if missing).

    ``price_factor`` scales every company's close (new prices); ``estimates``
    is the sample's file (True), none (False or None) or the frame given.
    """
    folder.mkdir(parents=True, exist_ok=True)
    universe = read_sample("universe.csv") if universe is None else universe
    universe_path = folder / "universe.csv"
    universe.to_csv(universe_path, index=False)
    market = read_sample("market.csv")
    companies = ~market["code"].str.endswith((".HI", ".GI")) & (market["code"] != "CNYHKD")
    closes = pd.to_numeric(market["close"])
    market["close"] = closes.where(~companies, (closes * price_factor).round(2))
    market_path = folder / "market.csv"
    market.to_csv(market_path, index=False)
    estimates_path = None
    if estimates is True:
        estimates = read_sample("estimates.csv")
    if isinstance(estimates, pd.DataFrame):
        estimates_path = folder / "estimates.csv"
        estimates.to_csv(estimates_path, index=False)
    return InputPaths(
        universe_path,
        market_path,
        estimates_path,
        sample_path("history.csv") if history else None,
        sample_path("indexes.csv") if indexes else None,
    )


def v1_fixture_inputs(folder: Path, *, estimates: pd.DataFrame | None = None) -> InputFiles:
    """Input files for the v1 fixture's universe (``tests/fixtures/coverage-v1.xlsx``).

    Its four Hong Kong companies as the coverage group HK Internet, with new
    closes dated 2024-11-29; ``estimates`` writes an estimates file too.
    """
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "code": V1_CODES,
            "name": ["腾讯控股", "网易-S", "美团-W", "快手-W"],
            "name_en": ["Tencent", "NetEase", "Meituan", "Kuaishou"],
            "market": "HK",
            "price_currency": "HKD",
            "eps_currency": "CNY",
            "benchmark": "HSTECH.HI",
            "coverage_group": "HK Internet",
        }
    ).to_csv(folder / "universe.csv", index=False)
    pd.DataFrame(
        {
            "code": [*V1_CODES, "HSTECH.HI", "CNYHKD"],
            "close": [412.6, 140.2, 171.0, 52.35, 4410.0, 1.0715],
            # The day the fixture's History ends: a later price date would
            # leave its PE-TTM series too old for the month, which is refused.
            "price_date": "2024-11-29",
            "shares_mn": [9250.0, 3200.0, 6080.0, 4371.0, None, None],
            "currency": "HKD",
        }
    ).to_csv(folder / "market.csv", index=False)
    estimates_file = None
    if estimates is not None:
        estimates_file = folder / "estimates.csv"
        estimates.to_csv(estimates_file, index=False)
    return InputFiles(
        folder / "universe.csv",
        folder / "market.csv",
        estimates_file,
        indexes=sample_path("indexes.csv"),
    )


def regenerate(folder: Path, paths: InputPaths, **options: Any) -> BatchResult:
    """Regenerate ``folder`` through the library function the command calls."""
    inputs = load_inputs(paths.files(), SettingsChoices())
    return regenerate_folder(folder, inputs, RegenerateOptions(**options))


def roll(*paths: Path, **options: Any) -> RollResult:
    """Roll workbooks (or folders) through the library function ``xlmodels roll`` calls."""
    return roll_workbooks(list(paths), RollOptions(**options))


def by_file(result: BatchResult | RollResult) -> dict[str, Any]:
    if isinstance(result, RollResult):
        return {workbook.file: workbook for _, workbook in result.workbooks}
    return {workbook.file: workbook for workbook in result.workbooks}


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of a folder (hidden ones too) with the digest of its content."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def input_cells(path: Path) -> dict[str, dict[str, Any]]:
    """Every non-empty unlocked cell (the analyst's blue cells), read with openpyxl alone.

    Keyed by sheet, then by the row's key (the code in column A, or the
    label for Settings) and the column's header, so a cell is found again
    after a template upgrade moved it.
    """
    workbook = openpyxl.load_workbook(path)
    out: dict[str, dict[str, Any]] = {}
    for sheet in workbook.worksheets:
        headers = {cell.column: cell.value for cell in sheet[4]}
        found: dict[str, Any] = {}
        for row in sheet.iter_rows(min_row=5):
            for cell in row:
                if cell.protection.locked or cell.value is None or cell.column is None:
                    continue
                key = sheet.cell(cell.row, 1).value
                header = headers.get(cell.column) if sheet.title != "Settings" else "value"
                found[f"{key} | {header}"] = cell.value
        if found:
            out[sheet.title] = found
    return out


def type_into(path: Path, edits: dict[tuple[str, str], Any]) -> None:
    """Type values (or formulas) into cells, as an analyst would, and save."""
    workbook = openpyxl.load_workbook(path)
    for (sheet, cell), value in edits.items():
        workbook[sheet][cell] = value
    workbook.save(path)


def cells_equal(first: Path, second: Path) -> bool:
    return read_cells(first) == read_cells(second)


def full_estimates() -> pd.DataFrame:
    """The sample's estimates with an FY3 and a target on FY1, FY2, FY3 and blended."""
    frame = read_sample("estimates.csv").set_index("code")
    frame["eps_fy3"] = frame["eps_fy3"].astype(object)
    frame.loc["0700.HK", ["eps_fy3", "target_year"]] = [29.0, "FY2"]
    frame.loc["9999.HK", ["eps_fy3", "target_year"]] = [13.1, "FY1"]
    frame.loc["3690.HK", ["eps_fy3", "target_year"]] = [10.2, "blended"]
    frame.loc["9988.HK", ["eps_fy3", "target_year"]] = [9.4, "FY3"]
    frame.loc["9988.HK", ["rating_override", "override_reason"]] = ["中性", "Regulation risk"]
    us = pd.DataFrame(
        {
            "eps_basis": ["adjusted", "reported"],
            "eps_fy1": [5.5, 0.9],
            "eps_fy2": [6.6, 1.1],
            "eps_fy3": [7.2, None],
            "target_multiple": [38.0, 8.0],
            "target_year": ["FY2", "FY2"],
            "notes": ["AWS margin", None],
        },
        index=pd.Index(["AMZN.O", "WB.O"], name="code"),
    )
    return pd.concat([frame, us]).reset_index()


def rolling_books(folder: Path, *, mode: str = "sq", lang: str = "zh") -> Path:
    """The sample's workbooks in ``folder/books``, FY1 2024, report date 2025-03-31."""
    books = folder / "books"
    books.mkdir(parents=True)
    paths = write_inputs(folder / "inputs", estimates=full_estimates())
    inputs = load_inputs(
        paths.files(), SettingsChoices(report_date=REPORT_DATE, fy1_year=2024, lang=lang)
    )
    result = regenerate_folder(books, inputs, RegenerateOptions(mode=mode, lang=lang))
    assert result.exit_code == 0, result
    return books
