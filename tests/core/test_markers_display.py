"""The NM marker and display formatting."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd

import xlmodels as xm
from xlmodels.core.display import format_number, format_percent, format_points


def test_nm_prints_as_nm_and_is_a_float_nan() -> None:
    assert repr(xm.NM) == str(xm.NM) == "NM"
    assert f"{xm.NM:.1f}" == "NM"
    assert isinstance(xm.NM, float)
    assert math.isnan(xm.NM)


def test_nm_is_a_singleton_across_pickling() -> None:
    assert pickle.loads(pickle.dumps(xm.NM)) is xm.NM


def test_is_nm_and_is_missing_tell_them_apart() -> None:
    values = np.array([1.0, float(xm.NM), np.nan])
    assert xm.is_nm(values).tolist() == [False, True, False]
    assert xm.is_missing(values).tolist() == [False, False, True]
    assert xm.is_nm(None) is False
    assert xm.is_missing(None) is True
    assert xm.is_nm("NM") is False


def test_is_nm_on_pandas_keeps_the_index() -> None:
    series = pd.Series([1.0, float(xm.NM)], index=["A", "B"])
    assert xm.is_nm(series).to_dict() == {"A": False, "B": True}


def test_is_nm_on_object_arrays() -> None:
    assert xm.is_nm(np.array([xm.NM, "x", None, 1.0], dtype=object)).tolist() == [
        True,
        False,
        False,
        False,
    ]


def test_formatting() -> None:
    assert format_number(3_688_427.99) == "3,688,428"
    assert format_number(xm.NM) == "NM"
    assert format_number(None) == "-"
    assert format_percent(0.1674) == "16.7%"
    assert format_percent(0.092, signed=True) == "+9.2%"
    assert format_points(0.19985) == "20.0pct"
    assert format_points(-0.00106) == "-0.1pct"
