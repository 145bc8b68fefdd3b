"""The command line: the demo, --help and error handling."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from xlmodels.cli import app

runner = CliRunner()


def test_demo_prints_the_reference_coverage_table() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    for text in ("腾讯控股", "优于大市", "3,688,428", "24.10"):
        assert text in result.output


def test_demo_json_is_machine_readable() -> None:
    result = runner.invoke(app, ["demo", "--json", "--lang", "en"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout[result.stdout.index("[") :])
    tencent = next(r for r in records if r["Code"] == "0700.HK")
    assert tencent["PE 2024E (x)"] == "15"
    assert tencent["PE 2025E (x)"] == "14"
    assert tencent["Rating"] == "Outperform"


def test_bad_option_value_is_a_usage_error_without_traceback() -> None:
    result = runner.invoke(app, ["demo", "--lang", "fr"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "demo" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("xlmodels ")
