"""The same cells give one answer on every Excel host, or an error that says why.

Every SQ_ function is called through xlwings' own call paths (see
tests/excel_hosts.py) with the values each host sends: desktop Excel
through pywin32, Office.js in desktop Excel (an empty cell is 0) and on the
web (an empty single cell is null, like a left-out argument), errors as
objects (runtime 1.4) and as text (1.2). Where hosts show numbers they show
the same number; where a host cannot tell what the cells hold it refuses,
and under Office.js the refusal carries its reason.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import xlwings

from tests.excel_hosts import OFFICE_JS_ERROR_TYPES, Typed, desktop_excel, office_js
from udfs import FUNCTIONS
from udfs.hosts import CASES, EMPTY, HOSTS, LEFT_OUT, Currency, Date, ErrorCell, markdown_table
from udfs.reference import describe

ROOT = Path(__file__).resolve().parents[2]


def _page() -> str:
    """The manual's page on the functions and their hosts."""
    return (ROOT / "docs" / "excel-functions.md").read_text(encoding="utf-8")


RUNTIMES = ("1.4", "1.2")
_ERROR_TEXT = {kind: text for text, kind in OFFICE_JS_ERROR_TYPES.items()}

Call = Callable[[str, tuple[Any, ...]], "Outcome"]


class Outcome:
    """What a cell shows: a number to four significant digits, a text, or an error value."""

    def __init__(self, shown: str, *, message: str | None = None) -> None:
        self.shown = shown
        self.message = message  # the reason Office.js shows with a whole-call #VALUE!

    @property
    def is_error(self) -> bool:
        return self.shown.startswith("#")

    def __repr__(self) -> str:
        return f"Outcome({self.shown!r}, message={self.message!r})"


def _shown(value: Any) -> Outcome:
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, list):
        raise AssertionError(f"a single-cell case spilled: {value!r}")
    if isinstance(value, dict) and value.get("type") == "Error":
        return Outcome(_ERROR_TEXT[value["errorType"]])
    if isinstance(value, str):
        code = value.split(" ", 1)[0]
        return Outcome(code) if code.startswith("#") else Outcome(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AssertionError(f"not a cell value: {value!r}")
    assert math.isfinite(value), value
    return Outcome(f"{value:.4g}")


@pytest.fixture(scope="module")
def hosts() -> Iterator[dict[str, Call]]:
    """Each host's call, as ``call(name, cells)``; Office.js runs both runtimes."""
    with desktop_excel() as desktop, office_js() as lite:

        def on_office_js(web: bool) -> Call:
            def call(name: str, cells: tuple[Any, ...]) -> Outcome:
                outcomes = []
                for runtime in RUNTIMES:
                    try:
                        outcomes.append(_shown(lite(name, cells, web=web, runtime=runtime)))
                    except xlwings.XlwingsError as error:
                        outcomes.append(Outcome("#VALUE!", message=str(error)))
                # Runtimes differ in how errors travel, never in what the cell shows.
                assert len({o.shown for o in outcomes}) == 1, (name, cells, outcomes)
                return outcomes[0]

            return call

        yield {
            "desktop": lambda name, cells: _shown(desktop(name, cells)),
            "office_js": on_office_js(web=False),
            "web": on_office_js(web=True),
        }


# --- the table of differences --------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case.case for case in CASES])
@pytest.mark.parametrize("host", list(HOSTS))
def test_each_case_shows_what_the_table_says(hosts: dict[str, Call], case: Any, host: str) -> None:
    outcome = hosts[host](case.function, case.cells)
    assert outcome.shown == case.outcome(host), outcome
    if host != "desktop" and outcome.shown == "#VALUE!":
        assert outcome.message, "an Office.js refusal says why"


def test_no_case_has_two_hosts_show_different_numbers() -> None:
    for case in CASES:
        shown = {case.outcome(host) for host in HOSTS}
        assert len({s for s in shown if not s.startswith("#")}) <= 1, case


def test_the_manual_table_is_the_generated_one() -> None:
    page = _page()
    match = re.search(r"<!-- sq-hosts:begin -->\n(.*?)<!-- sq-hosts:end -->", page, re.S)
    assert match, "docs/excel-functions.md has the sq-hosts markers"
    assert match.group(1) == markdown_table()


# --- every function, every argument, every kind of cell ---------------------------------------

# Valid cells for each function's arguments; a list is a column read as a series.
VALID: dict[str, tuple[Any, ...]] = {
    "SQ_PE": (398.0, 24.1, 1.0702),
    "SQ_PE_TTM": (398.0, [5.2, 5.8, 6.0, 6.4], 1.0702),
    "SQ_EPS_BLENDED": (24.1, 26.3, 0.25),
    "SQ_PEG": (15.4, 0.12),
    "SQ_MKT_CAP": (398.0, 9267.4),
    "SQ_TARGET_PRICE": (26.3, 20.0, 1.0702),
    "SQ_TP_SOTP": ([1800.0, 900.0], 300.0, 40.0, 0.2, 1.0702),
    "SQ_TP_DCF": ([100.0, 110.0, 120.0], 0.09, 0.03, 250.0, 100.0, 1.0702),
    "SQ_UPSIDE": (562.9, 398.0),
    "SQ_RETURN": (100.0, 116.7),
    "SQ_REL_RETURN": (0.1674, -0.0324, "geometric"),
    "SQ_CAGR": (100.0, 121.0, 2.0),
    "SQ_PERCENTILE": ([13.0, 12.0, 11.0, 8.0, 4.0, 3.0, 2.0, 1.0, 1.0, 1.0], 5.0, "inc"),
    "SQ_PERCENTILES": ([13.0, 12.0, 11.0, 8.0, 4.0, 3.0, 2.0, 1.0, 1.0, 1.0], 5.0, "inc"),
    "SQ_RATING": (0.25, 0.05, "csc", "en"),
}
DAY = Date(dt.date(2024, 12, 2))


def _variants(name: str) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Each argument in turn replaced by each kind of cell a host may send."""
    valid = VALID[name]
    arguments = describe(FUNCTIONS[name]).arguments
    for position, (argument, cells) in enumerate(zip(arguments, valid, strict=True)):

        def put(value: Any, position: int = position) -> tuple[Any, ...]:
            return (*valid[:position], value, *valid[position + 1 :])

        label = f"{argument.name}"
        if isinstance(cells, list):
            yield f"{label}: empty at the end", put([*cells, EMPTY, EMPTY])
            yield f"{label}: empty inside", put([cells[0], EMPTY, *cells[1:]])
            yield f"{label}: 0 inside", put([cells[0], 0.0, *cells[1:]])
            yield f"{label}: error inside", put([cells[0], ErrorCell("#N/A"), *cells[1:]])
            yield f"{label}: currency cells", put([Currency(str(c)) for c in cells])
        else:
            yield f"{label}: empty", put(EMPTY)
            yield f"{label}: 0", put(0.0)
            yield f"{label}: #N/A", put(ErrorCell("#N/A"))
            yield f"{label}: #DIV/0!", put(ErrorCell("#DIV/0!"))
            if isinstance(cells, float):
                yield f"{label}: currency", put(Currency(str(cells)))
                yield f"{label}: text", put("n/a")
                yield f"{label}: date", put(DAY)
        if argument.optional:
            left_out = (*valid[:position], *(LEFT_OUT for _ in valid[position:]))
            yield f"{label}: left out", left_out


VARIANTS = [(name, label, cells) for name in VALID for label, cells in _variants(name)]


def test_every_function_is_swept() -> None:
    assert set(VALID) == set(FUNCTIONS)


@pytest.mark.parametrize(
    ("name", "label", "cells"), VARIANTS, ids=[f"{n} {label}" for n, label, _ in VARIANTS]
)
def test_hosts_show_the_same_number_or_an_error_that_says_why(
    hosts: dict[str, Call], name: str, label: str, cells: tuple[Any, ...]
) -> None:
    shown = {host: hosts[host](name, cells) for host in HOSTS}
    numbers = {o.shown for o in shown.values() if not o.is_error}
    assert len(numbers) <= 1, shown
    for host in ("office_js", "web"):
        # Desktop Excel tells empty, 0 and left out apart: what Office.js shows is
        # desktop's answer or an error, never a result desktop would not give
        # (a number, NM or a label computed from an empty cell read as 0).
        assert shown[host].is_error or shown[host].shown == shown["desktop"].shown, shown
        if shown[host].is_error and not shown["desktop"].is_error:
            # Office.js refuses what desktop Excel can read: the cell says why.
            assert shown[host].shown == "#VALUE!", shown
            assert shown[host].message, shown


@pytest.mark.parametrize("name", list(VALID))
def test_valid_cells_give_one_number_everywhere(hosts: dict[str, Call], name: str) -> None:
    shown = {host: hosts[host](name, VALID[name]).shown for host in HOSTS}
    assert len(set(shown.values())) == 1, shown
    assert not shown["desktop"].startswith("#"), shown


def test_a_currency_formatted_price_computes_on_the_desktop(hosts: dict[str, Call]) -> None:
    plain = hosts["desktop"]("SQ_PE", (398.0, 24.1, 1.0702))
    currency = hosts["desktop"]("SQ_PE", (Currency("398.00"), Currency("24.10"), 1.0702))
    assert currency.shown == plain.shown == "15.43"


def test_a_date_is_its_serial_on_every_host(hosts: dict[str, Call]) -> None:
    for host in HOSTS:
        assert hosts[host]("SQ_MKT_CAP", (DAY, 1.0)).shown == "4.563e+04"  # 45628


def test_help_says_where_office_js_refuses_a_zero(hosts: dict[str, Call]) -> None:
    for name, valid in VALID.items():
        for argument, cells in zip(describe(FUNCTIONS[name]).arguments, valid, strict=True):
            if not isinstance(cells, float | list):
                continue
            position = valid.index(cells)
            zero = [cells[0], 0.0, *cells[1:]] if isinstance(cells, list) else 0.0
            variant = (*valid[:position], zero, *valid[position + 1 :])
            desktop = hosts["desktop"](name, variant)
            office = hosts["office_js"](name, variant)
            if office.is_error and not desktop.is_error:
                assert "Office.js" in argument.doc, (name, argument.name)


def test_typed_values_and_computed_arrays_read_as_cells_do(hosts: dict[str, Call]) -> None:
    # A value typed in the formula, and an array a formula computes, reach
    # call_udf as values (a tuple of rows, errors as COM codes), not as Ranges.
    desktop = hosts["desktop"]
    assert desktop("SQ_PE", (Typed(398.0), Typed(24.1), Typed(1.0702))).shown == "15.43"
    quarters = Typed(((5.2,), (5.8,), (6.0,), (6.4,), (None,)))
    assert desktop("SQ_PE_TTM", (398.0, quarters, Typed(1.0))).shown == "17.01"
    with desktop_excel() as raw:
        missing = Typed(((24.1,), (-2146826246,)))  # the second row computed #N/A
        assert raw("SQ_PE", (398.0, missing, 1.0)) == [[pytest.approx(16.5145228)], ["#N/A"]]


def test_a_spill_marks_only_the_refused_zero(hosts: dict[str, Call]) -> None:
    # A column of EPS with an empty cell: the other rows compute on every host.
    with desktop_excel() as desktop, office_js() as lite:
        cells = (398.0, [24.1, EMPTY, 11.2], 1.0702)
        classic = desktop("SQ_PE", cells)
        office = lite("SQ_PE", cells, web=False, runtime="1.4")
        web = lite("SQ_PE", cells, web=True, runtime="1.2")
    assert classic[1] == ["#N/A"]
    assert office[1] == [{"type": "Error", "errorType": "Value"}]
    assert web[1] == ["#N/A"]
    for row in (0, 2):
        assert classic[row] == office[row] == web[row]
        assert isinstance(classic[row][0], float)


# --- the manual's steps ------------------------------------------------------------------------


def _lite_section() -> str:
    return _page().split("\n## xlwings Lite (Office.js)\n", 1)[1].split("\n## ", 1)[0]


def _block(section: str, after: str, language: str) -> str:
    start = section.index(after)
    match = re.search(rf"```{language}\n(.*?)```", section[start:], re.S)
    assert match, (after, language)
    return "\n".join(line.strip() for line in match.group(1).splitlines() if line.strip())


def test_the_manual_requirements_txt_is_the_wheel_alone() -> None:
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    lines = _block(_lite_section(), "`requirements.txt` tab", "text").splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("https://")
    # The file name setuptools gives the wheel (pure Python, any platform).
    assert lines[0].endswith(f"/xlmodels-{version}-py3-none-any.whl")


def test_the_manual_main_py_registers_every_function_with_lite() -> None:
    import types

    code = _block(_lite_section(), "`main.py` tab", "python")
    with office_js() as lite:
        main = types.ModuleType("main")
        exec(compile(code, "main.py", "exec"), main.__dict__)
        server = sys.modules["xlwings.server"]
        registered = {entry["id"] for entry in server.custom_functions_meta(main)["functions"]}
        assert registered == set(FUNCTIONS)
        result = lite("SQ_PE", (398.0, 24.1, 1.0702), web=False, runtime="1.4", main=main)
    assert _shown(result).shown == "15.43"


def test_the_manual_desktop_steps_name_the_module_excel_loads() -> None:
    from tests.excel_hosts import UDF_MODULES

    desktop = _page().split("\n## Windows desktop Excel", 1)[1].split("\n## ", 1)[0]
    assert f"`UDF Modules` in cell A1 and `{UDF_MODULES}` in B1" in desktop
    assert "Ctrl+Alt+F9" in desktop
