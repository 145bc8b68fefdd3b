"""Names of the benchmark indexes research teams quote most, by vendor code.

A universe names each company's benchmark by code (``HSTECH.HI`` in a Wind
export, ``HSTECH Index`` in a Bloomberg one). Without an indexes file the
workbook and the report would have to print that code where the report
writes 恒生科技指数; this reference list (``index_names.csv`` beside this
module: code, Chinese and English name, market, currency) supplies the name
instead. An indexes file, or a name in the market file, always wins.

The list also gives each index's launch date where it is known (blank
where not): a PE-TTM percentile is "since launch" (成立以来) only when its
series starts then, so the report needs the date to say so truthfully.

Examples
--------
>>> known_index_names().loc["HSTECH.HI", ["name", "name_en"]].tolist()
['恒生科技指数', 'Hang Seng TECH Index']
>>> known_index_names().loc["CCMP Index", "name_en"]
'NASDAQ Composite'
>>> launch_date("HSTECH.HI"), launch_date("QNET.GI")
(datetime.date(2020, 7, 27), None)
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib.resources import files

import pandas as pd

__all__ = ["known_index_names", "launch_date"]


@cache
def known_index_names() -> pd.DataFrame:
    """The bundled list, indexed by code.

    Columns ``name``, ``name_en``, ``market``, ``currency`` and
    ``launch_date`` (ISO text, empty where unknown).
    """
    source = files("xlmodels.sources").joinpath("index_names.csv")
    with source.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
    return frame.set_index("code")


def launch_date(code: str) -> dt.date | None:
    """The day the index at ``code`` was launched, or None when the list does not say."""
    known = known_index_names()
    if code not in known.index:
        return None
    text = str(known.loc[code, "launch_date"]).strip()
    return dt.date.fromisoformat(text) if text else None
