"""Input files: coverage universe, market snapshot, estimates, indexes and history.

Read them one by one with the ``read_*`` functions, or all at once with
:func:`load_inputs`, which also checks them against each other and fills
the report settings' defaults. CSV (UTF-8, UTF-8 with BOM, GBK) and Excel
files are accepted, with our column names or Wind's and Bloomberg's; codes
are normalised to one spelling (:mod:`xlmodels.sources.codes`). Every mistake
is an :class:`~xlmodels.errors.InputError` naming the file, the row and the
column.

Examples
--------
>>> from xlmodels.sources import sample
>>> inputs = load_inputs(InputFiles(universe=sample.sample_path("universe.csv"),
...                                 market=sample.sample_path("market.csv")))
>>> inputs.settings.report_date, inputs.settings.fy1_year, inputs.fx.rate("CNY", "HKD")
(datetime.date(2024, 11, 29), 2024, 1.0702)
"""

from xlmodels.sources.assemble import (
    InputFiles,
    SettingsChoices,
    assemble_inputs,
    default_fy1_year,
    default_period,
    load_inputs,
)
from xlmodels.sources.codes import CodeBook, normalise_code, parse_fx_pair
from xlmodels.sources.readers import (
    MarketSnapshot,
    read_estimates,
    read_history,
    read_indexes,
    read_market,
    read_universe,
)

__all__ = [
    "CodeBook",
    "InputFiles",
    "MarketSnapshot",
    "SettingsChoices",
    "assemble_inputs",
    "default_fy1_year",
    "default_period",
    "load_inputs",
    "normalise_code",
    "parse_fx_pair",
    "read_estimates",
    "read_history",
    "read_indexes",
    "read_market",
    "read_universe",
]
