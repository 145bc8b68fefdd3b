"""Call the SQ_ functions as each Excel host does, through xlwings' own code.

* Desktop Excel: xlwings' VBA wrapper hands the arguments to
  ``xlwings.udfs.call_udf`` through pywin32: a cell reference as an
  ``Excel.Range`` COM object, a left-out ``Optional`` argument as the
  ``DISP_E_PARAMNOTFOUND`` code. ``call_udf`` reads ranges with xlwings'
  Windows engine, which turns pywin32's values (None for empty, error codes,
  ``pywintypes`` datetimes, ``Decimal`` for currency) into cell values. The
  Windows-only modules are stubbed; the engine's value cleaning is xlwings'
  own, compiled from ``xlwings/_xlwindows.py`` without its COM imports.
* Office.js (xlwings Lite, xlwings Server): ``xlwings.server.custom_functions_call``
  with the payload Excel's custom-function runtime sends: every argument a
  matrix, an empty cell 0 in desktop Excel and null on the web (where an
  empty single cell is the same null as a left-out argument), errors as
  objects on runtime 1.4 and as text before, dates as serial numbers. A
  ``XlwingsError`` is what Lite shows as ``#VALUE!`` with its message.
"""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import decimal
import importlib
import os
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xlwings
import xlwings.base_classes
import xlwings.utils

from udfs.hosts import EMPTY, LEFT_OUT, Currency, Date, ErrorCell

#: What pywin32 passes for a left-out ``Optional`` argument of a VBA function.
DISP_E_PARAMNOTFOUND = -2147352572
#: Excel's error values as COM error codes (what ``Range.Value`` holds).
COM_ERRORS = {
    "#DIV/0!": -2146826281,
    "#N/A": -2146826246,
    "#NAME?": -2146826259,
    "#NULL!": -2146826288,
    "#NUM!": -2146826252,
    "#REF!": -2146826265,
    "#VALUE!": -2146826273,
}
OFFICE_JS_ERROR_TYPES = {
    "#DIV/0!": "Div0",
    "#N/A": "NotAvailable",
    "#NAME?": "Name",
    "#NULL!": "Null",
    "#NUM!": "Num",
    "#REF!": "Ref",
    "#VALUE!": "Value",
}
_RANGE_IID = "{00020846-0000-0000-C000-000000000046}"  # Excel's Range interface
UDF_MODULES = "udfs"


class PyTime(dt.datetime):
    """``pywintypes.TimeType``: since pywin32 300 a datetime subclass, in UTC."""


class _OleObject:
    def GetTypeInfo(self) -> Any:
        attributes = types.SimpleNamespace(iid=_RANGE_IID)
        return types.SimpleNamespace(GetTypeAttr=lambda: attributes)


class ComRange:
    """An ``Excel.Range`` as pywin32 hands it over: ``Value`` is a scalar for one
    cell and a tuple of row tuples for more."""

    def __init__(self, value: Any, rows: int, columns: int) -> None:
        self.Value = value
        self.shape = (rows, columns)
        self._oleobj_ = _OleObject()


def _com_cell(cell: Any) -> Any:
    if cell is EMPTY:
        return None
    if isinstance(cell, Currency):
        return decimal.Decimal(cell.amount)
    if isinstance(cell, Date):
        day = cell.day
        return PyTime(day.year, day.month, day.day, tzinfo=dt.UTC)
    if isinstance(cell, ErrorCell):
        return COM_ERRORS[cell.error]
    return cell


class Typed:
    """A value typed into the formula (``=SQ_PE(398, ...)``) or an array a formula
    computes (``A1:A3*1``): VBA passes it as a value, not as a Range."""

    def __init__(self, value: Any) -> None:
        self.value = value


def com_argument(cells: Any) -> Any:
    """What the VBA wrapper passes for an argument: a Range, a value, or the left-out code."""
    if cells is LEFT_OUT:
        return DISP_E_PARAMNOTFOUND
    if isinstance(cells, Typed):
        return cells.value
    if isinstance(cells, list):
        return ComRange(tuple((_com_cell(cell),) for cell in cells), len(cells), 1)
    return ComRange(_com_cell(cells), 1, 1)


def _office_js_cell(cell: Any, *, web: bool, runtime: str) -> Any:
    if cell is EMPTY:
        return None if web else 0
    if isinstance(cell, Currency):
        return float(cell.amount)
    if isinstance(cell, Date):
        return xlwings.utils.datetime_to_xlserial(cell.day)  # type: ignore[no-untyped-call]
    if isinstance(cell, ErrorCell):
        if float(runtime) < 1.4:
            return cell.error
        error_type = OFFICE_JS_ERROR_TYPES[cell.error]
        return {"type": "Error", "basicValue": cell.error, "errorType": error_type}
    return cell


def office_js_argument(cells: Any, *, web: bool, runtime: str) -> Any:
    """What Excel's custom-function runtime sends for a matrix argument."""
    if cells is LEFT_OUT:
        return None
    if isinstance(cells, list):
        return [[_office_js_cell(cell, web=web, runtime=runtime)] for cell in cells]
    return [[_office_js_cell(cells, web=web, runtime=runtime)]]


def _windows_engine_parts() -> dict[str, Any]:
    """xlwings' own Windows value cleaning, compiled without the COM imports."""
    path = Path(xlwings.__file__).with_name("_xlwindows.py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wanted = {
        "time_types",
        "cell_errors",
        "_com_time_to_datetime",
        "_datetime_to_com_time",
        "_clean_value_data_element",
        "is_range_instance",
        "Engine",
    }

    def assigns(node: ast.stmt) -> set[str]:
        if isinstance(node, ast.Assign):
            return {t.id for t in node.targets if isinstance(t, ast.Name)}
        if isinstance(node, ast.If):
            return set().union(*(assigns(inner) for inner in node.body))
        return set()

    nodes = [
        node
        for node in tree.body
        if (isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in wanted)
        or assigns(node) & wanted
    ]
    utc = types.SimpleNamespace(utc=lambda: dt.UTC)
    namespace: dict[str, Any] = {
        "dt": dt,
        "np": np,
        "pd": pd,
        "pywintypes": types.SimpleNamespace(TimeType=PyTime, IID=lambda iid: iid),
        "win32timezone": types.SimpleNamespace(TimeZoneInfo=utc),
        "np_datetime_to_datetime": xlwings.utils.np_datetime_to_datetime,
        "base_classes": xlwings.base_classes,
    }
    exec(compile(ast.Module(body=nodes, type_ignores=[]), str(path), "exec"), namespace)
    assert wanted <= set(namespace), wanted - set(namespace)
    return namespace


def _windows_modules(engine: Any, is_range_instance: Callable[[Any], bool]) -> dict[str, Any]:
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None  # type: ignore[attr-defined]
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = type("com_error", (Exception,), {})  # type: ignore[attr-defined]
    win32com = types.ModuleType("win32com")
    win32com.__path__ = []
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    win32com.client = client  # type: ignore[attr-defined]

    class Range(xlwings.base_classes.Range):
        """``xlwings._xlwindows.Range`` as far as reading a UDF argument goes."""

        def __init__(self, xl: Any) -> None:
            self.xl = xl

        @property  # type: ignore[misc]  # xlwings' raw_value has a setter a UDF never uses
        def raw_value(self) -> Any:
            return None if self.xl is None else self.xl.Value

        @property
        def shape(self) -> tuple[int, int]:
            return (1, 1) if self.xl is None else self.xl.shape

        @property
        def sheet(self) -> Any:
            app = types.SimpleNamespace(engine=engine, pid=0)
            return types.SimpleNamespace(book=types.SimpleNamespace(app=app))

    windows = types.ModuleType("xlwings._xlwindows")
    windows.Range = Range  # type: ignore[attr-defined]
    windows.engine = engine  # type: ignore[attr-defined]
    windows.is_range_instance = is_range_instance  # type: ignore[attr-defined]
    windows.BOOK_CALLER = None  # type: ignore[attr-defined]
    com_server = types.ModuleType("xlwings.com_server")
    com_server.loop = None  # type: ignore[attr-defined]  # only async functions use it
    return {
        "pythoncom": pythoncom,
        "pywintypes": pywintypes,
        "win32com": win32com,
        "win32com.client": client,
        "xlwings._xlwindows": windows,
        "xlwings.com_server": com_server,
    }


@contextmanager
def _environment(**variables: str | None) -> Iterator[None]:
    # Per call: the two hosts' fixtures may be open at once, and the functions
    # read XLWINGS_ON_SERVER when called.
    saved = {name: os.environ.get(name) for name in variables}
    try:
        for name, value in variables.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _fresh(name: str) -> bool:
    return name == UDF_MODULES or name.startswith(f"{UDF_MODULES}.") or name == "xlwings.udfs"


@contextmanager
def _engines() -> Iterator[None]:
    saved = (list(xlwings.engines.engines), dict(xlwings.engines.engines_by_name))
    saved_active = xlwings.engines.active
    try:
        yield
    finally:
        xlwings.engines.engines[:] = saved[0]
        xlwings.engines.engines_by_name.clear()
        xlwings.engines.engines_by_name.update(saved[1])
        xlwings.engines.active = saved_active


@contextmanager
def desktop_excel() -> Iterator[Callable[[str, tuple[Any, ...]], Any]]:
    """Call functions as desktop Excel does: ``call(name, cells)`` gives ``call_udf``'s result."""
    parts = _windows_engine_parts()
    engine = parts["Engine"]()
    saved = {name: module for name, module in sys.modules.items() if _fresh(name)}
    with pytest.MonkeyPatch.context() as patch, _engines():
        patch.delenv("XLWINGS_ON_SERVER", raising=False)
        for name, module in _windows_modules(engine, parts["is_range_instance"]).items():
            patch.setitem(sys.modules, name, module)
        patch.setattr(xlwings, "_xlwindows", sys.modules["xlwings._xlwindows"], raising=False)
        xlwings.engines.add(xlwings.main.Engine(impl=engine))
        for name in saved:
            del sys.modules[name]
        try:
            classic = importlib.import_module("xlwings.udfs")
            patch.setattr(xlwings, "func", classic.xlfunc)
            module = importlib.import_module(UDF_MODULES)
            classic.udf_modules[UDF_MODULES] = {"module": module, "filetime": None}

            def call(name: str, cells: tuple[Any, ...]) -> Any:
                arguments = tuple(com_argument(c) for c in cells)
                with _environment(XLWINGS_ON_SERVER=None):
                    return classic.call_udf(UDF_MODULES, name, arguments, None, None)

            yield call
        finally:
            for name in [name for name in sys.modules if _fresh(name)]:
                del sys.modules[name]
            sys.modules.update(saved)
            if hasattr(xlwings, "udfs"):
                delattr(xlwings, "udfs")


@contextmanager
def office_js() -> Iterator[Callable[..., Any]]:
    """Call functions as xlwings Lite does: ``call(name, cells, web=..., runtime=...)``.

    Returns the converted result, or raises the ``XlwingsError`` Lite shows
    as ``#VALUE!``.
    """
    saved = {name: module for name, module in sys.modules.items() if _fresh(name)}
    saved_xlwings = {
        name: module
        for name, module in sys.modules.items()
        if name.startswith(("xlwings.pro", "xlwings.server"))
    }
    with pytest.MonkeyPatch.context() as patch, _engines():
        patch.setenv("XLWINGS_ON_SERVER", "true")
        # xlwings Lite and Server run xlwings' Office.js code under this licence key.
        patch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
        for name in saved:
            del sys.modules[name]
        try:
            server = importlib.import_module("xlwings.server")
            # What xlwings' own import does when it finds its licence (Lite, Server).
            officejs = importlib.import_module("xlwings.pro._xlofficejs")
            if "officejs" not in xlwings.engines.engines_by_name:
                xlwings.engines.add(xlwings.main.Engine(impl=officejs.engine))
            patch.setattr(xlwings, "func", server.func)
            module = importlib.import_module(UDF_MODULES)

            def call(
                name: str,
                cells: tuple[Any, ...],
                *,
                web: bool,
                runtime: str,
                main: types.ModuleType | None = None,
            ) -> Any:
                """``main``: the module Lite loads (its main.py), by default ``udfs``."""
                data = {
                    "func_name": name,
                    "args": [office_js_argument(c, web=web, runtime=runtime) for c in cells],
                    "version": xlwings.__version__,
                    "client": "Office.js",
                    "runtime": runtime,
                    "culture_info_name": "en-US",
                    "date_format": None,
                    "caller_address": None,
                }
                with _environment(XLWINGS_ON_SERVER="true"):
                    called = module if main is None else main
                    return asyncio.run(server.custom_functions_call(data, called))

            yield call
        finally:
            for name in [name for name in sys.modules if _fresh(name)]:
                del sys.modules[name]
            for name in [n for n in sys.modules if n.startswith(("xlwings.pro", "xlwings.server"))]:
                del sys.modules[name]
            sys.modules.update(saved)
            sys.modules.update(saved_xlwings)
