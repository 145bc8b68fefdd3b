"""The function reference: read from the functions, printed by the CLI, kept in the manual."""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pytest

import udfs
from tests.cli_helpers import Cli
from udfs.reference import describe, markdown_table, reference

PAGE = Path(__file__).resolve().parents[2] / "docs" / "excel-functions.md"
BEGIN, END = "<!-- sq-functions:begin -->\n", "<!-- sq-functions:end -->"


def test_the_manual_function_table_is_the_generated_one() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert BEGIN in text, "docs/excel-functions.md lost its function-table markers"
    assert END in text, "docs/excel-functions.md lost its function-table markers"
    table = text.split(BEGIN, 1)[1].split(END, 1)[0]
    assert table == markdown_table(), (
        "docs/excel-functions.md function table is out of date: paste the output of "
        "`xlmodels functions --format markdown` between the markers"
    )


def test_the_reference_is_read_from_the_functions() -> None:
    entries = reference()
    assert [entry.name for entry in entries] == list(udfs.FUNCTIONS)
    for entry in entries:
        function = udfs.FUNCTIONS[entry.name]
        assert entry.description == function.__doc__
        assert [a.name for a in entry.arguments] == list(inspect.signature(function).parameters)
        assert all(a.doc for a in entry.arguments)
        assert entry.category == udfs.CATEGORY


def test_the_reference_follows_a_change_to_a_function() -> None:
    def SQ_EXAMPLE(x: Annotated[Any, {"doc": "The x.", "ndim": 2}], y: float = 2.0) -> float:
        """An example."""
        return 0.0

    entry = describe(SQ_EXAMPLE)
    assert entry.signature == "SQ_EXAMPLE(x, [y])"
    assert entry.description == "An example."
    assert [(a.name, a.optional, a.default, a.doc) for a in entry.arguments] == [
        ("x", False, None, "The x."),
        ("y", True, 2.0, ""),
    ]


def test_signatures_mark_optional_arguments() -> None:
    signatures = {entry.name: entry.signature for entry in reference()}
    assert signatures["SQ_PE"] == "SQ_PE(price, eps, [fx])"
    assert signatures["SQ_RATING"] == (
        "SQ_RATING(expected_return, [benchmark_return], [scheme], [lang])"
    )


def test_cli_prints_the_reference_as_json(cli: Cli) -> None:
    result = cli("functions", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [item["name"] for item in data] == list(udfs.FUNCTIONS)
    pe = data[0]
    assert pe["signature"] == "SQ_PE(price, eps, [fx])"
    assert pe["arguments"][2] == {
        "name": "fx",
        "optional": True,
        "default": 1.0,
        "doc": (
            "Price-currency units per EPS-currency unit (HKD per CNY). Default 1 (desktop "
            "Excel); required under Office.js, where an empty cell looks left out."
        ),
    }


def test_cli_prints_the_manual_table_as_markdown(cli: Cli) -> None:
    result = cli("functions", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.output == markdown_table()


def test_cli_prints_a_table_by_default(cli: Cli) -> None:
    result = cli("functions")
    assert result.exit_code == 0, result.output
    for name in udfs.FUNCTIONS:
        assert name in result.output
    # Brackets of optional arguments must survive Rich's markup.
    assert "SQ_PE(price, eps, [fx])" in result.output


def test_cli_refuses_an_unknown_format(cli: Cli) -> None:
    result = cli("functions", "--format", "xml")
    assert result.exit_code == 2


def test_cli_prints_the_reference_without_xlwings(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The base install has no xlwings (xlwings Lite brings its own): the
    # functions and their reference are plain Python without it.
    for name in [n for n in sys.modules if n == "udfs" or n.startswith("udfs.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "xlwings", None)  # import xlwings now fails
    result = cli("functions", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.output == markdown_table()
