"""Argument handling shared by every numeric function.

Each public function turns its arguments into float64 arrays with
:class:`Arguments`, computes with plain numpy, and hands the result back
through :meth:`Arguments.wrap`, so that scalars give scalars, arrays give
arrays and pandas gives pandas with its index. User mistakes (text in a
number, a negative price) become a ``ValueError`` that names the argument,
the position and the value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from xlmodels.core.markers import NM, NM_BITS

FloatArray = npt.NDArray[np.float64]


def _describe_position(name: str, array_shape: tuple[int, ...], flat: int, labels: Any) -> str:
    if not array_shape:
        return name
    position = np.unravel_index(flat, array_shape)
    if labels is not None and len(position) == 1:
        return f"{name}[{labels[position[0]]!r}]"
    return f"{name}[{', '.join(str(int(p)) for p in position)}]"


def _element_to_float(name: str, value: Any, where: Callable[[], str]) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{where()}: expected a number, got the boolean {value!r}")
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    if isinstance(value, str):
        raise ValueError(f"{where()}: expected a number, got the text {value!r}")
    if value is pd.NA or value is pd.NaT:
        return math.nan
    raise ValueError(f"{where()}: expected a number, got {type(value).__name__} {value!r}")


def _object_to_float(name: str, values: npt.NDArray[Any], labels: Any) -> FloatArray:
    out = np.empty(values.shape, dtype=np.float64)
    flat_in = values.reshape(-1)
    flat_out = out.reshape(-1)
    for i, item in enumerate(flat_in):
        flat_out[i] = _element_to_float(
            name, item, partial(_describe_position, name, values.shape, i, labels)
        )
    return out


class Arguments:
    """Converts numeric arguments and shapes the result like the inputs.

    One instance serves one function call. Pandas inputs must share their
    index: silently aligning a price Series with an EPS Series indexed
    differently is how a PE ends up on the wrong company.

    ``elementwise`` are the call's element-by-element arguments, as given.
    When they mix a Series with a DataFrame, the Series lines up with the
    frame's rows, the way pandas aligns (a price per company against EPS per
    company and year), not with its columns, the way numpy would broadcast
    a 1-D array: ``pe(close, eps_by_year)`` is a PE per company and year,
    never a grid of every price over every EPS.
    """

    def __init__(self, *elementwise: Any) -> None:
        self._pandas: pd.Series | pd.DataFrame | None = None
        self._pandas_argument = ""
        self._frames: list[pd.DataFrame] = []
        self._shapes: list[tuple[str, tuple[int, ...]]] = []
        self._complete: set[str] = set()
        self._series_as_column = any(isinstance(v, pd.DataFrame) for v in elementwise) and any(
            isinstance(v, pd.Series) for v in elementwise
        )

    def number(
        self,
        name: str,
        value: Any,
        *,
        positive: bool = False,
        nonnegative: bool = False,
        series_axis: bool = False,
    ) -> FloatArray:
        """Return ``value`` as a float64 array; NaN stands for missing.

        Raises ``ValueError`` naming ``name`` for text, booleans, values that
        break ``positive`` (> 0) or ``nonnegative`` (>= 0), and shapes that do
        not broadcast with the arguments read before. With ``series_axis``
        the last axis is a series reduced by the function (quarters, segments,
        years) and only the other axes must broadcast.
        """
        labels = None
        if isinstance(value, pd.Series | pd.DataFrame):
            self._remember_pandas(name, value)
            labels = value.index if isinstance(value, pd.Series) else None
            if isinstance(value, pd.Series) and value.dtype == bool:
                raise ValueError(f"{name}: expected numbers, got booleans")
            raw = value.to_numpy()
        elif isinstance(value, np.ndarray):
            raw = value
        elif isinstance(value, list | tuple):
            raw = _list_to_array(value)
        else:
            raw = value
        if isinstance(raw, np.ndarray):
            if raw.dtype.kind in "fiu":
                array = raw.astype(np.float64, copy=False)
            elif raw.dtype.kind == "b":
                raise ValueError(f"{name}: expected numbers, got booleans")
            else:
                array = _object_to_float(name, raw.astype(object), labels)
        else:
            array = np.asarray(_element_to_float(name, raw, lambda: name), dtype=np.float64)
        if (positive or nonnegative) and array.size and self._may_break(name, array, positive):
            bad = array <= 0 if positive else array < 0
            if bad.any():
                flat = int(np.flatnonzero(bad)[0])
                where = _describe_position(name, array.shape, flat, labels)
                rule = "greater than 0" if positive else "0 or more"
                raise ValueError(f"{where} must be {rule}, got {array.reshape(-1)[flat]:g}")
        if self._series_as_column and isinstance(value, pd.Series) and not series_axis:
            array = array.reshape(-1, 1)
        self._check_shape(name, array.shape[:-1] if series_axis and array.ndim else array.shape)
        return array

    def _may_break(self, name: str, array: FloatArray, positive: bool) -> bool:
        # One reduction without a temporary settles the common all-valid case;
        # a NaN minimum (missing values present) needs the element-wise test.
        lowest = array.min()
        if not np.isnan(lowest):
            self._complete.add(name)
        return bool(np.isnan(lowest) or (lowest <= 0 if positive else lowest < 0))

    def may_be_missing(self, name: str) -> bool:
        """False when argument ``name`` is known to hold no missing value.

        Known for arguments read with ``positive`` or ``nonnegative``: their
        check already reduced them to a minimum.
        """
        return name not in self._complete

    def _check_shape(self, name: str, shape: tuple[int, ...]) -> None:
        self._shapes.append((name, shape))
        try:
            np.broadcast_shapes(*(s for _, s in self._shapes))
        except ValueError:
            shapes = ", ".join(f"{n} {s}" for n, s in self._shapes)
            raise ValueError(f"arguments have shapes that do not broadcast: {shapes}") from None

    def _remember_pandas(self, name: str, value: pd.Series | pd.DataFrame) -> None:
        if isinstance(value, pd.DataFrame):
            self._frames.append(value)
        if self._pandas is None:
            self._pandas, self._pandas_argument = value, name
            return
        if not value.index.equals(self._pandas.index):
            raise ValueError(
                f"{name} and {self._pandas_argument} have different indexes; "
                "align them first (for example with .reindex) so each row is one company"
            )

    def wrap(self, result: npt.NDArray[Any], name: str | None = None) -> Any:
        """Scalars in give a scalar out; pandas in gives pandas out, index kept."""
        if result.ndim == 0:
            return to_scalar(result[()])
        source = self._pandas
        if source is None:
            return result
        if result.shape == (len(source.index),):
            return pd.Series(result, index=source.index, name=name)
        for frame in self._frames:
            if result.shape == frame.shape:
                return pd.DataFrame(result, index=frame.index, columns=frame.columns)
        return result


def to_scalar(value: Any) -> Any:
    """A numpy scalar as a Python scalar, with the NM payload kept as :data:`NM`."""
    if isinstance(value, np.floating | float):
        if np.float64(value).view(np.uint64) == NM_BITS:
            return NM
        return float(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


#: Element types a list may hold to convert in one step (bool is not among them).
_PLAIN_NUMBER_TYPES = frozenset({float, int, np.float64, np.float32, np.int64, np.int32})


def _list_to_array(values: Sequence[Any]) -> npt.NDArray[Any]:
    # Nested lists arrive from spreadsheet ranges: check every element's type
    # in one C-level pass; anything else (None, text, booleans) goes the slow,
    # precise way so the error can name the element.
    objects = np.asarray(values, dtype=object)
    if objects.size == 0:
        return np.zeros(objects.shape, dtype=np.float64)
    if set(map(type, objects.ravel().tolist())) <= _PLAIN_NUMBER_TYPES:
        return objects.astype(np.float64)
    return objects


def choice(name: str, value: Any, accepted: Sequence[str]) -> str:
    """Validate a text option (method, scheme, language) case-insensitively."""
    if isinstance(value, str) and value.strip().lower() in accepted:
        return value.strip().lower()
    listed = ", ".join(repr(a) for a in accepted)
    raise ValueError(f"{name} must be one of {listed}, got {value!r}")
