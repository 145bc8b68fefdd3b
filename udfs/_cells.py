"""Cell values in, cell values out: the one place that knows what Excel sends and takes.

Every ``SQ_`` function is a call of :func:`evaluate` that names an ``xlmodels``
core function and says how each argument is read:

* :class:`Numbers` -- one number per cell, broadcast against the other
  ``Numbers`` like numpy (a column against a single cell, a column against a
  row gives a grid). A problem in one cell marks only the results it feeds.
* :class:`Series` -- a whole row or column read as one series (quarterly
  EPS, segment values, cash flows, a price or multiple history).
* :class:`Columns` -- a block of series side by side, one per column (every
  PE-TTM history of a coverage list); a problem in a column marks only the
  result of that column's series.
* :class:`Text` -- a single-cell option such as a method or scheme name.

What arrives (xlwings reads every argument with ``ndim=2`` and
``err_to_str=True``, so ranges and single cells are lists of lists):

=====================  =======================  ===========================
cell                   classic desktop xlwings  Office.js (Lite, Server)
=====================  =======================  ===========================
number                 float; Decimal for a     float or int
                       currency-formatted cell
empty                  None                     0 in desktop Excel, None on
                                                the web; ``=""`` as None
optional argument      its Python default       its Python default; on the
left out                                        web also an empty cell
error (``#N/A``)       "#N/A"                   "#N/A"
date                   datetime                 serial number
text, boolean          str, bool                str, bool
=====================  =======================  ===========================

How cells are read: a number (or a date, as its Excel serial, as Excel's own
arithmetic reads it) is a number; an empty cell or an error gives ``#N/A``;
text or a boolean gives ``#VALUE!``; the text ``NM`` (what these functions
write for "not meaningful") is read back as :data:`xlmodels.NM`, so chains of
``SQ_`` functions keep NM. In a series, empty cells at the end of the range
are ignored (a range may be sized for data still to come), an error anywhere
gives ``#N/A`` and text anywhere ``#VALUE!``; other empty cells are missing
values for the core function to handle.

One answer for the same cells on every host, or an error: under Office.js,
which cannot tell an empty cell from a 0 (nor, on the web, from a left-out
argument), a 0 in a number argument gives ``#VALUE!`` (with the reason when
the result is one cell), a series holding 0 or an option cell holding 0 is
refused with the reason, and an optional number with a :class:`Default` must
be given, unless an empty cell means the default on every host
(``empty_is_default``: defaults of 0). :mod:`udfs.hosts` lists the cases.

What leaves: a result the size of one cell is a scalar; larger results are
lists of lists that Excel spills. Missing results are ``#N/A``, infinite ones
``#NUM!``, NM results the text ``NM``. Errors take the form
:func:`error_value` gives them on the running platform.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import math
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

import xlmodels as xm
from udfs._xlwings import XlwingsError
from xlmodels.core.markers import NM
from xlmodels.excel.cells import excel_serial
from xlmodels.excel.error_values import ERROR_VALUES

__all__ = [
    "EXCEL_ERRORS",
    "Columns",
    "Default",
    "Numbers",
    "Series",
    "Text",
    "error_value",
    "evaluate",
    "is_error_text",
    "refuse_left_out",
    "running_on_office_js",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
Codes = npt.NDArray[np.int8]

#: Error values Excel can put in a cell; text starting with one of them (and a
#: space) is an error too: "#N/A waiting..." from xlwings, "#VALUE! reason" from us.
EXCEL_ERRORS: Final = frozenset(ERROR_VALUES)

#: The first date every host hands over as the same serial (61).
_MARCH_1900: Final = pd.Timestamp(1900, 3, 1)


NOT_AVAILABLE: Final = "#N/A"
WRONG_VALUE: Final = "#VALUE!"
BAD_NUMBER: Final = "#NUM!"
#: Classic desktop Excel turns a UDF's text longer than 255 characters into #VALUE!.
MAX_TEXT: Final = 255

# What was wrong with a cell. Codes are ordered only to be stored in int8 arrays.
OK: Final = 0
BLANK: Final = 1  # empty cell: #N/A, and trimmed from the end of a series
ERROR: Final = 2  # an error value: #N/A
INVALID: Final = 3  # text or a boolean where a number belongs, or a value rejected: #VALUE!
# A 0 under Office.js, which passes an empty cell as 0 too: refused, #VALUE!.
AMBIGUOUS: Final = 4

_PLAIN_NUMBERS: Final = frozenset({float, int})
_ROW_TYPES: Final = frozenset({list, tuple})


def running_on_office_js() -> bool:
    """Whether the functions run as Office.js custom functions (xlwings Lite or Server).

    xlwings Server (in both its server and WebAssembly modes) sets
    ``XLWINGS_ON_SERVER=true`` before importing xlwings, which is how
    ``from xlwings import func`` picks the Office.js decorators; xlwings Lite
    runs in Pyodide, whose platform is ``emscripten``.
    """
    return os.environ.get("XLWINGS_ON_SERVER") == "true" or sys.platform == "emscripten"


def error_value(error: str, message: str | None = None) -> Any:
    """What an error looks like in a cell on the running platform.

    This is the one place that decides; change it here and every function follows.

    * One element of a result (``message`` is None): the error text,
      ``"#N/A"``. Under Office.js xlwings turns that text into a real error
      cell. Classic desktop xlwings cannot return a real error value: its
      VBA wrapper passes on whatever Python returns, and pywin32 turns a
      ``VARIANT(VT_ERROR, code)`` into the "missing argument" error whatever
      the code (pywin32 ``oleargs.cpp``; xlwings issue #776), so the cell
      shows the error's text. The same text is what a formula engine in
      Python gets.
    * The whole call (``message`` given: a bad option, ranges that do not
      fit together, a single-cell result the core rejected): under Office.js
      an ``XlwingsError`` carrying the message, which xlwings shows as
      ``#VALUE!`` with the message in the cell's error flag; elsewhere the
      error text followed by the message, cut to the 255 characters a
      classic UDF may return.
    """
    if message is None:
        return error
    if running_on_office_js():
        raise XlwingsError(message)
    return f"{error} {message}"[:MAX_TEXT]


def is_error_text(text: str) -> bool:
    """Whether a cell's text is an Excel error value (or starts with one).

    >>> is_error_text("#N/A"), is_error_text("#VALUE! scheme must be ..."), is_error_text("#1")
    (True, True, False)
    """
    return text.strip().split(" ", 1)[0].upper() in EXCEL_ERRORS


class Default(float):
    """The default of an optional argument, marked so a left-out argument can be told apart.

    xlwings calls a function with an omitted optional argument set to the
    Python default itself, on desktop Excel and on Office.js alike; a typed
    value arrives as cells (``[[1.0]]``). Defaults of this type let the
    functions know the argument was left out. In Python it is the number.

    >>> Default(1.0) + 1
    2.0
    """

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Numbers:
    """An argument read cell by cell; ``default`` stands in when it is omitted (None).

    ``empty_is_default``: an empty cell means the default, as an omitted
    argument does. Only for defaults of 0, where every host agrees: Office.js
    passes an empty cell as 0, or (Excel on the web) as an omitted argument.
    Other optional arguments cannot be left out under Office.js (Excel on the
    web cannot tell an empty cell from a left-out argument) and there a 0 is
    refused, as in any other number argument.
    """

    value: Any
    default: float | None = None
    empty_is_default: bool = False


@dataclass(frozen=True, slots=True)
class Series:
    """An argument read as one series: a single row, a single column or a single cell."""

    value: Any


@dataclass(frozen=True, slots=True)
class Text:
    """A single-cell option; an empty cell or omitted argument takes ``default``."""

    value: Any
    default: str


@dataclass(frozen=True, slots=True)
class Columns:
    """An argument read as a block of series, one per column (a single column is one series).

    Empty cells are skipped within each series. A column holding an error
    gives ``#N/A`` for its own series' result, text ``#VALUE!``: the result
    of series ``j`` is element ``j`` of the element-wise arguments.
    """

    value: Any


Argument = Numbers | Series | Text | Columns


@dataclass(frozen=True, slots=True)
class _Read:
    """Numbers read from cells: NaN where a cell gave none, and what was wrong there."""

    numbers: FloatArray
    codes: Codes | None  # None: every cell held a number


def evaluate(core: Callable[..., Any], /, **arguments: Argument) -> Any:
    """Call ``core`` on cell values and return cell values; never raise into a cell.

    Problem cells go to ``core`` as NaN and their results are replaced by the
    cell's error, the leftmost argument's first (Excel reads arguments before
    it computes, left to right). When ``core`` rejects the call (a
    ``ValueError``): if it also rejects it with every cell missing, the
    problem is not in the cells (too few quarters, a bad method name) and the
    whole call fails with the core's message; otherwise the cells are retried
    one by one, and only those rejected show ``#VALUE!``, so one bad row does
    not blank the spill. A rejected single-cell result keeps the message.

    >>> evaluate(xm.pe, price=Numbers([[100.0], [100.0], [50.0]]),
    ...          eps=Numbers([[10.0], [-1.0], [None]]), fx=Numbers(2.0))
    [[5.0], ['NM'], ['#N/A']]
    """
    try:
        return _evaluate(core, arguments)
    except ValueError as error:
        return error_value(WRONG_VALUE, str(error))
    except Exception as error:
        # A bug in xlmodels: the traceback goes to the log, never into a cell.
        # The arguments stay out of the log: ranges are large and may be confidential.
        logger.exception("%s failed in xlmodels", getattr(core, "__name__", core))
        return error_value(WRONG_VALUE, f"internal error in xlmodels ({type(error).__name__})")


def _evaluate(core: Callable[..., Any], arguments: Mapping[str, Argument]) -> Any:
    office_js = running_on_office_js()
    elementwise: dict[str, FloatArray] = {}
    fixed: dict[str, Any] = {}
    # Per-argument problems in argument order: arrays for Numbers, a code for a Series.
    problems: list[Codes | int] = []
    zeros: list[str] = []  # arguments with a 0 refused under Office.js
    by_column: list[Codes] = []  # per-series problems of Columns, one code per column
    for name, argument in arguments.items():
        if isinstance(argument, Numbers):
            read = _read_argument(name, argument, office_js)
            elementwise[name] = read.numbers
            if read.codes is not None:
                problems.append(read.codes)
                if (read.codes == AMBIGUOUS).any():
                    zeros.append(name)
        elif isinstance(argument, Columns):
            block = read_columns(argument.value)
            if office_js:
                _refuse_series_zeros(name, block)
            fixed[name] = block.numbers
            if block.codes is not None:
                by_column.append(_column_problems(block.codes))
        elif isinstance(argument, Series):
            series = read_series(name, argument.value)
            if office_js:
                _refuse_series_zeros(name, series)
            fixed[name] = series.numbers
            if series.codes is not None:
                worst = _series_problem(series.codes)
                if worst != OK:
                    problems.append(worst)
        else:
            fixed[name] = read_text(name, argument.value, argument.default, office_js=office_js)
    shape = _broadcast_shape(elementwise)
    for codes_of_series in by_column:
        # Series j's problem marks element j; a count that does not fit is
        # left to the core, which refuses the call saying why.
        if codes_of_series.any() and codes_of_series.size == math.prod(shape):
            problems.append(codes_of_series.reshape(shape))
    if any(isinstance(fixed.get(name), str) and is_error_text(fixed[name]) for name in fixed):
        # An option cell holding an error (a #N/A looked up from elsewhere)
        # is missing input like any other, not a wrong option name.
        return _to_cells(np.full(shape, math.nan), np.full(shape, ERROR, dtype=np.int8))
    codes = _combine(problems, shape)
    try:
        result = np.asarray(_call(core, elementwise, fixed))
    except ValueError:
        # Raises (ending the call with the core's message) if no cell is to blame.
        _call(
            core,
            {name: np.full(values.shape, math.nan) for name, values in elementwise.items()},
            fixed,
        )
        result, rejected = _cell_by_cell(core, elementwise, fixed, shape, codes)
        codes = rejected if codes is None else np.where(codes == OK, rejected, codes)
    if codes is not None and codes.shape != result.shape:
        codes = np.broadcast_to(codes, result.shape)
    if zeros and codes is not None and codes.size == 1 and codes.reshape(-1)[0] == AMBIGUOUS:
        raise ValueError(zero_message(zeros[0]))  # a single cell says why
    return _to_cells(result, codes)


def _read_argument(name: str, argument: Numbers, office_js: bool) -> _Read:
    value = argument.value
    if (value is None or isinstance(value, Default)) and argument.default is not None:
        if office_js and not argument.empty_is_default:
            raise ValueError(omitted_message(name, argument.default))
        value = argument.default
    read = read_numbers(value)
    if read.codes is None and not office_js:
        return read
    numbers, codes = read.numbers, read.codes
    if argument.empty_is_default:
        # 0, empty and left out are one value on every host: nothing to refuse.
        if codes is not None and argument.default is not None:
            blank = codes == BLANK
            numbers = np.where(blank, argument.default, numbers)
            codes = np.where(blank, np.int8(OK), codes).astype(np.int8)
    elif office_js:
        zero = numbers == 0
        if codes is not None:
            zero &= codes == OK
        if zero.any():
            numbers = np.where(zero, math.nan, numbers)
            codes = np.where(zero, np.int8(AMBIGUOUS), OK if codes is None else codes)
            codes = codes.astype(np.int8)
    if codes is not None and not codes.any():
        codes = None
    return _Read(numbers, codes)


def _refuse_series_zeros(name: str, series: _Read) -> None:
    zero = series.numbers == 0
    if series.codes is not None:
        zero &= series.codes == OK
    if zero.any():
        position = int(np.flatnonzero(zero)[0]) + 1
        raise ValueError(
            f"{name} holds 0 in its cell {position} of {series.numbers.size}: Office.js passes "
            "an empty cell as 0 too, so a 0 in a series is refused; end the range at the "
            "last figure and put =NA() where one is missing (a true 0 reads only in "
            "desktop Excel)"
        )


def zero_message(name: str) -> str:
    """Why a 0 is refused under Office.js, naming the argument."""
    return (
        f"{name} is 0: Office.js passes an empty cell as 0 too, so a 0 here is refused; "
        "fill the cell, or put =NA() where the figure is missing (a true 0 reads only in "
        "desktop Excel)"
    )


def omitted_message(name: str, default: float | str) -> str:
    """Why a left-out optional argument is refused under Office.js.

    ``default`` is the default value, or what leaving the argument out would mean.
    """
    if isinstance(default, str):
        return (
            f"{name} must be given under Office.js: Excel on the web passes an empty cell "
            f"as a left-out argument, so {default} is not assumed"
        )
    return (
        f"{name} must be given under Office.js: Excel on the web passes an empty cell as a "
        f"left-out argument, so the default {default:g} is not assumed; type {default:g} "
        "if it is meant"
    )


def refuse_left_out(name: str, meaning: str) -> Any:
    """The whole-call error for an optional argument left out under Office.js."""
    return error_value(WRONG_VALUE, omitted_message(name, meaning))


def _call(
    core: Callable[..., Any], elementwise: Mapping[str, Any], fixed: Mapping[str, Any]
) -> Any:
    with np.errstate(all="ignore"):
        return core(**elementwise, **fixed)


def _broadcast_shape(elementwise: Mapping[str, FloatArray]) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(*(values.shape for values in elementwise.values()))
    except ValueError:
        sizes = ", ".join(
            f"{name} {_describe_shape(values.shape)}" for name, values in elementwise.items()
        )
        raise ValueError(
            f"ranges do not fit together ({sizes}): use ranges of the same size, "
            "a column with a row, or single cells"
        ) from None


def _describe_shape(shape: tuple[int, ...]) -> str:
    if len(shape) == 2:
        return f"{shape[0]}x{shape[1]} cells"
    if len(shape) == 1:
        return f"{shape[0]} values"
    return "1 cell"


def _cell_by_cell(
    core: Callable[..., Any],
    elementwise: Mapping[str, FloatArray],
    fixed: Mapping[str, Any],
    shape: tuple[int, ...],
    codes: Codes | None,
) -> tuple[npt.NDArray[Any], Codes]:
    spread = {name: np.broadcast_to(values, shape) for name, values in elementwise.items()}
    result = np.full(shape, math.nan, dtype=object)
    rejected = np.zeros(shape, dtype=np.int8)
    for index in np.ndindex(shape):
        if codes is not None and codes[index] != OK:
            continue  # the cell's own error shows there; nothing to compute
        try:
            result[index] = _call(core, {n: v[index] for n, v in spread.items()}, fixed)
        except ValueError:
            if result.size == 1:
                raise  # a single-cell formula shows why
            rejected[index] = INVALID
    return result, rejected


def _combine(problems: list[Codes | int], shape: tuple[int, ...]) -> Codes | None:
    if not problems:
        return None
    codes = np.zeros(shape, dtype=np.int8)
    for problem in problems:
        np.copyto(codes, np.broadcast_to(np.int8(problem), shape), where=codes == OK)
    return codes


# --- reading -----------------------------------------------------------------------------


def read_numbers(value: Any) -> _Read:
    """Cell values (a scalar, a list, a list of lists or an array) as float64 with problems.

    >>> read = read_numbers([[1.5, None], ["NM", "x"]])
    >>> read.numbers.tolist(), read.codes.tolist()
    ([[1.5, nan], [nan, nan]], [[0, 1], [0, 3]])
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fiu":
            return _Read(value.astype(np.float64, copy=False), None)
        return _read_elements(value.astype(object))
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], list | tuple):
            return _read_grid(value)
        if set(map(type, value)) <= _PLAIN_NUMBERS:
            return _Read(np.array(value, dtype=np.float64), None)
        flat = np.empty(len(value), dtype=object)
        flat[:] = value
        return _read_elements(flat)
    number, code = _read_cell(value)
    codes = None if code == OK else np.asarray(code, dtype=np.int8)
    return _Read(np.asarray(number, dtype=np.float64), codes)


def _read_grid(rows: list[Any] | tuple[Any, ...]) -> _Read:
    # Ranges are large and mostly numbers: every check here is one C-level
    # pass (map, set, chain) rather than Python code per cell (see the udfs
    # benchmark).
    if not set(map(type, rows)) <= _ROW_TYPES:
        if not all(isinstance(row, list | tuple) for row in rows):
            raise ValueError("a range must be a list of rows")
        rows = [list(row) for row in rows]
    widths = set(map(len, rows))
    if len(widths) != 1:
        raise ValueError("a range must have rows of equal length")
    shape = (len(rows), widths.pop())
    flat = list(chain.from_iterable(rows))
    if set(map(type, flat)) <= _PLAIN_NUMBERS:
        return _Read(np.array(flat, dtype=np.float64).reshape(shape), None)
    cells = np.empty(len(flat), dtype=object)
    cells[:] = flat
    return _read_elements(cells.reshape(shape))


def _read_elements(cells: npt.NDArray[Any]) -> _Read:
    values = np.empty(cells.shape, dtype=np.float64)
    codes = np.zeros(cells.shape, dtype=np.int8)
    flat_values = values.reshape(-1)
    flat_codes = codes.reshape(-1)
    for position, cell in enumerate(cells.reshape(-1)):
        flat_values[position], flat_codes[position] = _read_cell(cell)
    return _Read(values, codes if codes.any() else None)


def _read_cell(cell: Any) -> tuple[float, int]:
    if cell is None:
        return math.nan, BLANK
    if isinstance(cell, bool | np.bool_):
        return math.nan, INVALID
    if isinstance(cell, int | float | np.integer | np.floating | decimal.Decimal):
        # Decimal: pywin32 reads a currency-formatted cell (VT_CY) as a Decimal.
        number = float(cell)
        return (number, OK) if math.isfinite(number) else (math.nan, INVALID)
    if isinstance(cell, str):
        text = cell.strip()
        if not text:
            return math.nan, BLANK
        if text.upper() == "NM":
            return float(NM), OK
        if is_error_text(text):
            return math.nan, ERROR
        return math.nan, INVALID
    if cell is pd.NaT:
        return math.nan, BLANK
    if isinstance(cell, dt.datetime | dt.date | np.datetime64):
        if isinstance(cell, np.datetime64):
            if np.isnat(cell):
                return math.nan, BLANK
            cell = pd.Timestamp(cell)
        if pd.Timestamp(cell) < _MARCH_1900:
            # Classic xlwings hands these over a day early (COM counts no
            # 1900-02-29) while Office.js sends Excel's own serial: refuse
            # rather than give two hosts two answers.
            return math.nan, INVALID
        return excel_serial(cell), OK
    return math.nan, INVALID


def read_series(name: str, value: Any) -> _Read:
    """A single row, column or cell as a 1-D series, without its trailing empty cells."""
    read = read_numbers(value)
    values, codes = read.numbers, read.codes
    if values.ndim > 2:
        raise ValueError(f"{name} must be a single row or column, got {values.ndim} dimensions")
    if values.ndim == 2:
        rows, columns = values.shape
        if rows != 1 and columns != 1:
            raise ValueError(f"{name} must be a single row or column, got {rows}x{columns} cells")
    values = values.reshape(-1)
    if codes is not None:
        codes = np.broadcast_to(codes, read.numbers.shape).reshape(-1)
        filled = np.flatnonzero(codes != BLANK)
        end = int(filled[-1]) + 1 if filled.size else 0
        values, codes = values[:end], codes[:end]
    return _Read(values, codes)


def read_columns(value: Any) -> _Read:
    """Cell values as a 2-D block, one series per column (a single cell is a 1x1 block).

    >>> read = read_columns([[1.0, "#N/A"], [None, 2.0]])
    >>> read.numbers.shape, read.codes.tolist()
    ((2, 2), [[0, 2], [1, 0]])
    """
    read = read_numbers(value)
    numbers, codes = read.numbers, read.codes
    if numbers.ndim < 2:
        shape = (1, 1) if numbers.ndim == 0 else (numbers.size, 1)
        numbers = numbers.reshape(shape)
        codes = None if codes is None else np.broadcast_to(codes, read.numbers.shape).reshape(shape)
    return _Read(numbers, codes)


def _column_problems(codes: Codes) -> Codes:
    """One problem per column of a block: the worst of its cells (empty cells are skipped)."""
    return np.array(
        [_series_problem(codes[:, column]) for column in range(codes.shape[1])], dtype=np.int8
    )


def _series_problem(codes: Codes) -> int:
    if (codes == INVALID).any():
        return INVALID
    if (codes == ERROR).any():
        return ERROR
    return OK


def read_text(name: str, value: Any, default: str, *, office_js: bool = False) -> Any:
    """A single-cell option; the core function validates it and names the accepted values.

    An empty cell or a left-out argument gives ``default``. Under Office.js an
    empty cell may arrive as 0, which no option is: refused with the reason.
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        cells = list(chain.from_iterable(v if isinstance(v, list | tuple) else [v] for v in value))
        if len(cells) != 1:
            raise ValueError(f"{name} must be a single cell, got {len(cells)} cells")
        value = cells[0]
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if office_js and isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
        raise ValueError(
            f"{name} is 0: Office.js passes an empty cell as 0 too; type the {name}, "
            "or leave the argument out for the default"
        )
    return value.strip() if isinstance(value, str) else value


# --- writing -----------------------------------------------------------------------------


def _to_cells(result: npt.NDArray[Any], codes: Codes | None) -> Any:
    if result.dtype == np.float64:
        finite = np.isfinite(result)
        if codes is None and finite.all():
            return _shaped(result, result.tolist())
        cells = result.astype(object)
        if not finite.all():
            cells[np.isnan(result)] = error_value(NOT_AVAILABLE)
            cells[xm.is_nm(result)] = "NM"
            cells[np.isinf(result)] = error_value(BAD_NUMBER)
    else:
        cells = np.empty(result.shape, dtype=object)
        flat = cells.reshape(-1)
        for position, item in enumerate(result.reshape(-1)):
            flat[position] = _to_cell(item)
    if codes is not None:
        cells[(codes == INVALID) | (codes == AMBIGUOUS)] = error_value(WRONG_VALUE)
        cells[(codes == BLANK) | (codes == ERROR)] = error_value(NOT_AVAILABLE)
    return _shaped(cells, cells.tolist())


def _to_cell(item: Any) -> Any:
    if item is None:
        return error_value(NOT_AVAILABLE)
    if isinstance(item, float | np.floating):
        if xm.is_nm(item):
            return "NM"
        if math.isnan(item):
            return error_value(NOT_AVAILABLE)
        if math.isinf(item):
            return error_value(BAD_NUMBER)
        return float(item)
    if isinstance(item, np.generic):
        return item.item()
    return item


def _shaped(result: npt.NDArray[Any], cells: Any) -> Any:
    """One cell's worth as a scalar (Excel shows it in the formula's cell), else the grid."""
    if result.size == 1:
        while isinstance(cells, list):
            cells = cells[0]
    return cells
