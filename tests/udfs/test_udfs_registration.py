"""The SQ_ functions register with classic desktop Excel exactly as the contract says.

On Windows, ``from xlwings import func`` is ``xlwings.udfs.xlfunc``, which
records each function's metadata; "Import Functions" then runs
``xlwings.udfs.import_udfs``, which writes one VBA wrapper per function
(``generate_vba_wrapper``) and sets its Function Wizard help with
``Application.MacroOptions``. Here, on any platform, the Windows-only
modules xlwings.udfs imports are stubbed, the ``udfs`` package is imported
afresh with xlwings' real Windows decorators, and xlwings' own import
routine runs against a stand-in workbook that records what Excel would be
told.
"""

from __future__ import annotations

import importlib
import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import xlwings

# The contract (issue #3), written out here rather than read from the module:
# a test that asks the module what to expect cannot catch a renamed argument.
# One deliberate departure: the "end" (SQ_RETURN, SQ_CAGR) is a VBA
# keyword that cannot name a parameter of the generated wrapper, so these
# arguments are end_price and end_value. Formulas are positional: no
# workbook changes.
CONTRACT = {
    "SQ_PE": ["price", "eps", "[fx]"],
    "SQ_PE_TTM": ["price", "quarterly_eps", "[fx]"],
    "SQ_EPS_BLENDED": ["eps_fy1", "eps_fy2", "fy1_remaining"],
    "SQ_PEG": ["pe", "eps_growth"],
    "SQ_MKT_CAP": ["price", "shares"],
    "SQ_TARGET_PRICE": ["eps", "target_multiple", "[fx]"],
    "SQ_TP_SOTP": ["segment_values", "net_debt", "shares", "[holding_discount]", "[fx]"],
    "SQ_TP_DCF": [
        "free_cash_flows",
        "discount_rate",
        "terminal_growth",
        "net_cash",
        "shares",
        "[fx]",
    ],
    "SQ_UPSIDE": ["target_price", "price"],
    "SQ_RETURN": ["start_or_prices", "[end_price]"],
    "SQ_REL_RETURN": ["stock_return", "benchmark_return", "[method]"],
    "SQ_CAGR": ["start", "end_value", "years"],
    "SQ_PERCENTILE": ["history", "[value]", "[method]"],
    "SQ_PERCENTILES": ["histories", "values", "[method]"],
    "SQ_RATING": ["expected_return", "[benchmark_return]", "[scheme]", "[lang]"],
}
CATEGORY = "SQ Equity Research"
# Reserved identifiers of VBA ([MS-VBAL] 3.3.5.2): none may name a parameter
# of a VBA wrapper, or the whole imported module fails to compile.
_VBA_RESERVED_WORDS = (
    # statement keywords
    "Call Case Close Const Declare DefBool DefByte DefCur DefDate DefDbl DefInt DefLng "
    "DefLngLng DefLngPtr DefObj DefSng DefStr DefVar Dim Do Else ElseIf End EndIf Enum "
    "Erase Event Exit For Friend Function Get Global GoSub GoTo If Implements Input Let "
    "Lock Loop LSet Next On Open Option Print Private Public Put RaiseEvent ReDim Resume "
    "Return RSet Seek Select Set Static Stop Sub Type Unlock Wend While With Write Rem "
    # marker keywords and operators
    "Any As ByRef ByVal Each In New Shared Until WithEvents Optional ParamArray Preserve "
    "Spc Tab Then To AddressOf And Eqv Imp Is Like Mod Not Or TypeOf Xor "
    # reserved names, special forms, types, literals, implementation and future use
    "Abs CBool CByte CCur CDate CDbl CDec CInt CLng CLngLng CLngPtr CSng CStr CVar CVErr "
    "Date Debug DoEvents Fix Int Len LenB Me PSet Scale Sgn String Array Circle InputB "
    "LBound UBound Boolean Byte Currency Double Integer Long LongLong LongPtr Single "
    "Variant True False Nothing Empty Null Attribute LineInput CDecl Decimal DefDec"
)
VBA_RESERVED = {word.lower() for word in _VBA_RESERVED_WORDS.split()}
# The value of the UDF Modules setting (xlwings.conf sheet or ribbon).
UDF_MODULES = "udfs"


def _windows_stubs() -> dict[str, types.ModuleType]:
    """Just enough of pywin32 for ``xlwings.udfs`` to import and run ``import_udfs``."""
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None  # type: ignore[attr-defined]
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = type("com_error", (Exception,), {})  # type: ignore[attr-defined]
    win32com = types.ModuleType("win32com")
    win32com.__path__ = []
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    win32com.client = client  # type: ignore[attr-defined]
    return {
        "pythoncom": pythoncom,
        "pywintypes": pywintypes,
        "win32com": win32com,
        "win32com.client": client,
    }


@dataclass
class _Components:
    imported: list[str] = field(default_factory=list)

    def __call__(self, name: str) -> str:
        return name

    def Remove(self, component: str) -> None:
        pass

    def Import(self, path: str) -> None:
        self.imported.append(Path(path).read_text())


@dataclass
class _Application:
    Version: str = "16.0"
    macro_options: dict[str, dict[str, Any]] = field(default_factory=dict)

    def MacroOptions(self, macro: str, **options: Any) -> None:
        self.macro_options[macro.split("!")[-1]] = options


class _Workbook:
    """What ``import_udfs`` touches of an Excel workbook (COM object)."""

    Name = "coverage.xlsm"

    def __init__(self) -> None:
        self.components = _Components()
        self.VBProject = types.SimpleNamespace(VBComponents=self.components)
        self.Application = _Application()


@dataclass(frozen=True)
class Registration:
    module: types.ModuleType
    vba: str
    macro_options: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def registration() -> Iterator[Registration]:
    saved = {name: module for name, module in sys.modules.items() if _reimported(name)}
    with pytest.MonkeyPatch.context() as patch:
        for name, stub in _windows_stubs().items():
            patch.setitem(sys.modules, name, stub)
        for name in saved:
            del sys.modules[name]
        try:
            classic = importlib.import_module("xlwings.udfs")
            # What xlwings/__init__.py binds on Windows with pywin32 installed.
            patch.setattr(xlwings, "func", classic.xlfunc)
            patch.setattr(xlwings, "arg", classic.xlarg)
            patch.setattr(xlwings, "ret", classic.xlret)
            module = importlib.import_module(UDF_MODULES)
            # import_udfs finds the module already loaded, as Excel's UDF server would.
            classic.udf_modules[UDF_MODULES] = {"module": module, "filetime": None}
            workbook = _Workbook()
            classic.import_udfs(UDF_MODULES, workbook)
            yield Registration(
                module=module,
                vba="".join(workbook.components.imported),
                macro_options=workbook.Application.macro_options,
            )
        finally:
            for name in [name for name in sys.modules if _reimported(name)]:
                del sys.modules[name]
            sys.modules.update(saved)
            if hasattr(xlwings, "udfs"):
                delattr(xlwings, "udfs")


def _reimported(name: str) -> bool:
    return name in ("xlwings.udfs", UDF_MODULES) or name.startswith(f"{UDF_MODULES}.")


def _vba_functions(vba: str) -> dict[str, list[str]]:
    found = {}
    for match in re.finditer(r"^Function (\w+)\((.*)\)$", vba, flags=re.MULTILINE):
        arguments = [a.strip() for a in match.group(2).split(",") if a.strip()]
        found[match.group(1)] = [
            f"[{a.removeprefix('Optional ')}]" if a.startswith("Optional ") else a
            for a in arguments
        ]
    return found


def test_every_contract_function_gets_a_vba_wrapper_with_its_arguments_in_order(
    registration: Registration,
) -> None:
    assert _vba_functions(registration.vba) == CONTRACT


def test_wrappers_call_the_udf_module_and_are_not_volatile(
    registration: Registration,
) -> None:
    assert "Application.Volatile" not in registration.vba
    # call_in_wizard=False would insert an early exit; the functions are cheap enough to run.
    assert "CommandBars" not in registration.vba
    for name, arguments in CONTRACT.items():
        plain = ", ".join(a.strip("[]") for a in arguments)
        call = f'{name} = XLPy.CallUDF("{UDF_MODULES}", "{name}", Array({plain}), ThisWorkbook'
        assert call in registration.vba


def test_function_wizard_help_is_complete_and_fits(registration: Registration) -> None:
    options = registration.macro_options
    assert sorted(options) == sorted(CONTRACT)
    for name, arguments in CONTRACT.items():
        help_ = options[name]
        assert help_["Category"] == CATEGORY
        function = getattr(registration.module, name)
        assert help_["Description"] == function.__doc__
        assert 0 < len(function.__doc__) <= 255
        assert "\n" not in function.__doc__
        docs = help_["ArgumentDescriptions"]
        assert len(docs) == len(arguments)
        for doc in docs:
            assert 0 < len(doc) <= 255
            assert not doc.startswith("Positional argument")


def test_metadata_reads_every_cell_as_a_grid_with_errors_as_text(
    registration: Registration,
) -> None:
    for name in CONTRACT:
        metadata = getattr(registration.module, name).__xlfunc__
        assert metadata["volatile"] is False
        assert metadata["category"] == CATEGORY
        assert metadata["async_mode"] is None
        for argument in metadata["args"]:
            assert argument["options"]["ndim"] == 2
            assert argument["options"]["err_to_str"] is True
            assert ("optional" in argument) == (f"[{argument['name']}]" in CONTRACT[name])


def test_no_argument_is_a_vba_reserved_word(registration: Registration) -> None:
    for name in CONTRACT:
        for argument in getattr(registration.module, name).__xlfunc__["args"]:
            assert argument["name"].lower() not in VBA_RESERVED, (name, argument["name"])


def test_only_contract_functions_are_registered(registration: Registration) -> None:
    registered = {
        name
        for name in dir(registration.module)
        if hasattr(getattr(registration.module, name), "__xlfunc__")
    }
    assert registered == set(CONTRACT)
