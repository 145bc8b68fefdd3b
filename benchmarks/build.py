"""Workbook build: 50 companies, 2,500 history dates, against xlsxwriter writing its cells bare.

xlmodels computes the coverage, performance and valuation tables, lays out
every sheet of the spec and writes it with formats, named ranges, drop-down
lists, protection, the Excel table and the charts. The baseline writes the
very same cells (values, formulas and cached results, read back from the
xlmodels workbook) with xlsxwriter and nothing else: the floor any writer of
this workbook pays. Goal: xlmodels within 1.3x of the baseline.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook

from benchmarks import Timing, compare
from xlmodels.core.fx import FxTable
from xlmodels.domain.model import CoverageInputs, Settings
from xlmodels.excel.cells import excel_serial
from xlmodels.workbook import read_cells, write_workbook
from xlmodels.workbook.writer import WORKBOOK_OPTIONS

COMPANIES = 50
DATES = 2_500
INDEXES = ("HSTECH.HI", "HSI.HI", "IXIC.GI")


def reference_inputs(companies: int = COMPANIES, dates: int = DATES) -> CoverageInputs:
    """A deterministic coverage universe: HK and US names, CNY and USD EPS, daily history."""
    rng = np.random.default_rng(20241202)
    hong_kong = [f"{1000 + 7 * i:04d}.HK" for i in range(companies - companies // 5)]
    united_states = [f"T{i:02d}.O" for i in range(companies // 5)]
    codes = hong_kong + united_states
    is_hk = np.array([code.endswith(".HK") for code in codes])
    universe = pd.DataFrame(
        {
            "name": [f"公司{i:02d}" for i in range(companies)],
            "name_en": [f"Company {i:02d}" for i in range(companies)],
            "market": np.where(is_hk, "HK", "US"),
            "price_currency": np.where(is_hk, "HKD", "USD"),
            "eps_currency": np.where(is_hk, "CNY", "USD"),
            "benchmark": np.where(is_hk, "HSTECH.HI", "IXIC.GI"),
            "analyst": "Analyst",
            "coverage_group": "Internet",
        },
        index=pd.Index(codes, name="code"),
    )
    days = pd.bdate_range(end="2024-11-29", periods=dates)
    closes = rng.uniform(5, 500, companies)
    market = pd.DataFrame(
        {
            "close": closes.round(2),
            "price_date": [days[-1].date()] * companies,
            "shares_mn": rng.uniform(100, 20_000, companies).round(1),
        },
        index=universe.index,
    )
    eps = closes / rng.uniform(5, 40, companies)
    eps[::11] = -eps[::11]  # a few loss-makers: NM multiples
    estimates = pd.DataFrame(
        {
            "eps_basis": "adjusted",
            "eps_fy1": eps.round(2),
            "eps_fy2": (eps * 1.15).round(2),
            "eps_fy3": (eps * 1.3).round(2),
            "target_multiple": rng.uniform(8, 30, companies).round(1),
            "target_year": np.where(np.arange(companies) % 3 == 0, "blended", "FY2"),
            "rating_override": None,
            "override_reason": None,
            "notes": "Benchmark data",
        },
        index=universe.index,
    ).astype({"rating_override": object, "override_reason": object})
    indexes = pd.DataFrame(
        {
            "name": ["恒生科技指数", "恒生指数", "纳斯达克指数"],
            "name_en": ["Hang Seng TECH", "Hang Seng", "NASDAQ Composite"],
            "market": ["HK", "HK", "US"],
            "currency": ["HKD", "HKD", "USD"],
        },
        index=pd.Index(INDEXES, name="code"),
    )
    series = [*codes, *INDEXES]
    walks = np.exp(np.cumsum(rng.normal(0, 0.015, (dates, len(series))), axis=0))
    levels = np.concatenate([closes, [4400.0, 19000.0, 19000.0]])
    history = pd.DataFrame(
        {
            "date": np.repeat(days.to_numpy(), len(series)),
            "code": np.tile(series, dates),
            "close": (walks * levels).round(2).reshape(-1),
            "pe_ttm": np.nan,
        }
    )
    pe = pd.DataFrame(
        {
            "date": np.repeat(days.to_numpy(), len(INDEXES)),
            "code": np.tile(INDEXES, dates),
            "close": np.nan,
            "pe_ttm": (20 * np.exp(np.cumsum(rng.normal(0, 0.01, (dates, 3)), axis=0)))
            .round(2)
            .reshape(-1),
        }
    )
    return CoverageInputs(
        universe=universe,
        market=market,
        fx=FxTable({("CNY", "HKD"): 1.0702}),
        estimates=estimates,
        indexes=indexes,
        settings=Settings(
            report_date=dt.date(2024, 12, 2),
            fy1_year=2024,
            period_start=dt.date(2024, 10, 31),
            period_end=dt.date(2024, 11, 29),
            data_note="Benchmark data (synthetic).",
        ),
        history=pd.concat([history, pe], ignore_index=True),
    )


Cell = tuple[int, int, Any, str | None]


def bare_cells(workbook: bytes) -> dict[str, list[Cell]]:
    """Every cell of a workbook as (row, column, value, formula), dates as serials."""
    sheets: dict[str, list[Cell]] = {}
    for sheet, cells in read_cells(io.BytesIO(workbook)).items():
        rows: list[Cell] = []
        for reference, cell in cells.items():
            letters = "".join(c for c in reference if c.isalpha())
            column = 0
            for letter in letters:
                column = column * 26 + ord(letter) - 64
            value = cell.value
            if isinstance(value, dt.date):
                value = excel_serial(value)
            rows.append((int(reference[len(letters) :]) - 1, column - 1, value, cell.formula))
        sheets[sheet] = rows
    return sheets


def write_bare(sheets: dict[str, list[Cell]]) -> bytes:
    """The same cells with xlsxwriter alone: no formats, names, lists, tables or charts."""
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {**WORKBOOK_OPTIONS, "in_memory": True})
    for name, cells in sheets.items():
        sheet = workbook.add_worksheet(name)
        for row, column, value, formula in cells:
            if formula is not None:
                sheet.write_formula(row, column, formula, None, value)
            elif isinstance(value, str):
                sheet.write_string(row, column, value)
            elif isinstance(value, bool):
                sheet.write_boolean(row, column, value)
            else:
                sheet.write_number(row, column, value)
    workbook.close()
    return buffer.getvalue()


def run(companies: int = COMPANIES, dates: int = DATES, repeat: int = 5) -> list[Timing]:
    inputs = reference_inputs(companies, dates)

    def ours() -> bytes:
        buffer = io.BytesIO()
        write_workbook(buffer, inputs, mode="sq")
        return buffer.getvalue()

    cells = bare_cells(ours())
    return [
        compare(
            f"xlmodels write_workbook ({companies}x{dates})",
            ours,
            "xlsxwriter, same cells bare",
            lambda: write_bare(cells),
            repeat=repeat,
        )
    ]
