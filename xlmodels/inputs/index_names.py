"""Names of the benchmark indexes research teams quote most, by vendor code.

A universe names each company's benchmark by code (``HSTECH.HI`` in a Wind
export, ``HSTECH Index`` in a Bloomberg one). Without an indexes file the
workbook and the report would have to print that code where the report
writes 恒生科技指数; this reference list (``index_names.csv`` beside this
module: code, Chinese and English name, market, currency) supplies the name
instead. An indexes file, or a name in the market file, always wins.

Examples
--------
>>> known_index_names().loc["HSTECH.HI", ["name", "name_en"]].tolist()
['恒生科技指数', 'Hang Seng TECH Index']
>>> known_index_names().loc["CCMP Index", "name_en"]
'NASDAQ Composite'
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pandas as pd

__all__ = ["known_index_names"]


@cache
def known_index_names() -> pd.DataFrame:
    """The bundled list, indexed by code: ``name``, ``name_en``, ``market``, ``currency``."""
    source = files("xlmodels.inputs").joinpath("index_names.csv")
    with source.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
    return frame.set_index("code")
