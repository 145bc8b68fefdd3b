"""Bundled sample data: the reference report's coverage table and month.

SAMPLE DATA, NOT INVESTMENT DATA. The files under ``xlmodels/data`` reproduce
the published figures of one monthly internet-sector report (December 2024);
``data/README.md`` says which figures come from the report, which are
approximate sample values and which series are synthetic.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

import pandas as pd

from xlmodels.domain.model import CoverageInputs
from xlmodels.sources import InputFiles, SettingsChoices, read_history, read_indexes
from xlmodels.sources import load_inputs as read_input_files

__all__ = [
    "REPORT_DATE",
    "input_files",
    "load_history",
    "load_indexes",
    "load_inputs",
    "load_month_closes",
    "sample_path",
    "settings_choices",
]

#: Publication date of the reference report (its valuation figures are "as of" it).
REPORT_DATE = dt.date(2024, 12, 2)
#: FY1 of the reference report's coverage table ("2024E").
FY1_YEAR = 2024
#: The report's month: November 2024, month-end close to month-end close.
PERIOD_START = dt.date(2024, 10, 31)
PERIOD_END = dt.date(2024, 11, 29)
#: Provenance, shown inside every workbook built from the sample.
DATA_NOTE = (
    "Sample data, not investment data: coverage table and month figures from a December 2024 "
    "report; daily closes and PE-TTM history are synthetic; target multiples are illustrative."
)


def sample_path(name: str) -> Path:
    """Path of a bundled sample file, e.g. ``sample_path("universe.csv")``."""
    path = Path(str(files("xlmodels") / "data" / name))
    if not path.is_file():
        raise FileNotFoundError(f"no bundled sample file named {name!r}")
    return path


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(sample_path(name), dtype={"code": str}, keep_default_na=True)


def load_indexes() -> pd.DataFrame:
    """Benchmark indexes named by the sample, indexed by code."""
    indexes = read_indexes(sample_path("indexes.csv"))
    indexes.attrs = {}
    return indexes


def load_month_closes() -> pd.DataFrame:
    """Closes at the start and end of November 2024, indexed by code."""
    return _read("month_closes.csv").set_index("code")


def load_printed_coverage() -> pd.DataFrame:
    """The reference report's coverage table exactly as printed, indexed by code.

    Rating, close (HKD), market cap (HKD mn), EPS 2024E/2025E (CNY), PE as
    printed (whole numbers), the currencies and the HKD per CNY rate of the
    report date. These are the figures the core must reproduce, not inputs.
    """
    return _read("printed_coverage.csv").set_index("code")


def load_printed_month() -> pd.DataFrame:
    """The month's returns and outperformance the report prints, in %/pct, indexed by code."""
    return _read("printed_month.csv").set_index("code")


def load_history() -> pd.DataFrame:
    """Synthetic daily closes and Hang Seng TECH PE-TTM (long format)."""
    history = read_history(sample_path("history.csv"))
    history.attrs = {}
    return history


def input_files() -> InputFiles:
    """The bundled sample files, as :func:`xlmodels.sources.load_inputs` takes them."""
    return InputFiles(
        universe=sample_path("universe.csv"),
        market=sample_path("market.csv"),
        estimates=sample_path("estimates.csv"),
        history=sample_path("history.csv"),
        indexes=sample_path("indexes.csv"),
    )


def settings_choices(lang: str = "zh") -> SettingsChoices:
    """The reference report's settings: its date, FY1, month and percentile method."""
    return SettingsChoices(
        report_date=REPORT_DATE,
        fy1_year=FY1_YEAR,
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        lang=lang,
        # The report's "8.85% percentile" is the share of history strictly below.
        percentile_method="strict",
        data_note=DATA_NOTE,
    )


def load_inputs(lang: str = "zh") -> CoverageInputs:
    """All sample inputs of the reference report's coverage table, read as any input files are."""
    return read_input_files(input_files(), settings_choices(lang))
