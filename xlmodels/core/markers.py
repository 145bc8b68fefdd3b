"""The "not meaningful" marker and the tests that tell it from missing data.

A PE on negative earnings is not a number an analyst should ever see: the
research convention is to print ``NM`` (not meaningful). That is a different
statement from "we have no EPS" (missing, ``NaN``, Excel ``#N/A``), and the two
must survive a trip through numpy and pandas without being confused.

xlmodels therefore encodes NM the way R encodes ``NA_real_``: as a quiet NaN
with a distinctive payload. It stays a plain ``float64``, so vectorized results
keep their dtype and speed, every NaN-aware tool still treats it as "no value",
and :func:`is_nm` recovers the distinction bit for bit. Copies, slicing,
``np.where`` and pandas Series and DataFrames keep the payload; arithmetic on
an NM value is not guaranteed to, which is why the core marks NM *after* its
arithmetic and re-marks inputs that are already NM.

Examples
--------
>>> import xlmodels as xm
>>> xm.pe(398.0, -1.2)
NM
>>> xm.is_nm(xm.pe([398.0, 100.0], [-1.2, float("nan")]))
array([ True, False])
"""

from __future__ import annotations

import math
import struct
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = ["NM", "NM_BITS", "NotMeaningful", "is_missing", "is_nm", "mark_nm"]

#: Bit pattern of the NM marker: a quiet NaN whose payload spells 0x4E4D ("NM").
NM_BITS: Final[int] = 0x7FF8_0000_0000_4E4D


class NotMeaningful(float):
    """A float that is NaN with the NM payload and prints as ``NM``.

    There is one instance, :data:`NM`. Being a float, it can sit in a numpy
    array or pandas Series without changing their dtype.
    """

    _instance: NotMeaningful | None = None

    def __new__(cls) -> NotMeaningful:
        if cls._instance is None:
            value = struct.unpack("<d", struct.pack("<Q", NM_BITS))[0]
            cls._instance = super().__new__(cls, value)
        return cls._instance

    def __repr__(self) -> str:
        return "NM"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return format("NM", format_spec.rstrip("%,.0123456789efgdn") or "")

    def __reduce__(self) -> tuple[type[NotMeaningful], tuple[()]]:
        return (NotMeaningful, ())


#: The not-meaningful marker. ``NM != NM`` like any NaN: test with :func:`is_nm`.
NM: Final[NotMeaningful] = NotMeaningful()

_NM_FLOAT64: Final = np.float64(float(NM))


def is_nm(values: Any) -> Any:
    """Whether each value is the NM marker.

    Parameters
    ----------
    values : scalar, array-like, pandas Series or DataFrame
        Results of xlmodels functions.

    Returns
    -------
    bool, numpy.ndarray of bool, or pandas object of bool (same shape and index)

    Examples
    --------
    >>> is_nm(NM), is_nm(float("nan")), is_nm(15.4)
    (True, False, False)
    """
    import pandas as pd

    if isinstance(values, pd.Series | pd.DataFrame):
        mask = _nm_mask(values.to_numpy())
        if isinstance(values, pd.Series):
            return pd.Series(mask, index=values.index, name=values.name)
        return pd.DataFrame(mask, index=values.index, columns=values.columns)
    if isinstance(values, float | np.floating) and not isinstance(values, np.ndarray):
        return bool(np.float64(values).view(np.uint64) == NM_BITS)
    if np.isscalar(values) or values is None:
        return False
    return _nm_mask(values)


def _nm_mask(values: Any) -> npt.NDArray[np.bool_]:
    array = np.asarray(values)
    if array.dtype == np.float64:
        return np.asarray(array.view(np.uint64) == NM_BITS)
    if array.dtype == object:
        flags = [isinstance(v, float) and bool(is_nm(v)) for v in array.reshape(-1)]
        return np.array(flags, dtype=bool).reshape(array.shape)
    return np.zeros(array.shape, dtype=bool)


def is_missing(values: Any) -> Any:
    """Whether each value is missing: NaN or None, but not the NM marker.

    Examples
    --------
    >>> is_missing(float("nan")), is_missing(None), is_missing(NM)
    (True, True, False)
    """
    import pandas as pd

    if values is None:
        return True
    isna = pd.isna(values)
    nm = is_nm(values)
    if isinstance(isna, bool | np.bool_):
        return bool(isna) and not nm
    return isna & ~nm


def mark_nm(
    result: npt.NDArray[np.float64],
    where: npt.NDArray[np.bool_],
    unless_missing: tuple[npt.NDArray[np.float64], ...] = (),
) -> None:
    """Set ``result`` to NM wherever ``where`` is true, in place.

    Missing input wins over NM: where ``where`` is true but an array of
    ``unless_missing`` (broadcast to ``result``) holds a plain NaN, the
    result is set missing, so ``pe(nan, -1.0)`` and ``upside(NM, nan)`` are
    missing, not NM. Only the flagged positions are
    inspected, which keeps the common case (few NM) cheap.
    """
    # One reduction tells whether an input has any missing value at all (a
    # NaN minimum); the usual complete input then costs no positional work.
    unless_missing = tuple(
        values for values in unless_missing if values.size and np.isnan(values.min())
    )
    if not unless_missing:
        np.copyto(result, _NM_FLOAT64, where=where)
        return
    if result.ndim == 0:
        missing = any(bool(np.isnan(v)) and not is_nm(v) for v in unless_missing)
        if bool(where):
            result[()] = math.nan if missing else _NM_FLOAT64
        return
    positions = np.nonzero(np.broadcast_to(where, result.shape))
    if not positions[0].size:
        return
    keep = np.ones(positions[0].size, dtype=bool)
    for values in unless_missing:
        picked = np.broadcast_to(values, result.shape)[positions]
        keep &= ~np.isnan(picked) | (picked.view(np.uint64) == NM_BITS)
    result[tuple(axis[keep] for axis in positions)] = _NM_FLOAT64
    # A NaN operand of an NM input can carry NM's payload through the
    # arithmetic: where an input is missing the result is plainly missing.
    result[tuple(axis[~keep] for axis in positions)] = math.nan
