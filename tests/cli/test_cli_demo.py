"""The command line: the demo, --help and error handling."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import Cli


def test_demo_prints_the_reference_coverage_table(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    for text in ("腾讯控股", "优于大市", "3,688,428", "24.10"):
        assert text in result.output


def test_demo_json_is_machine_readable(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo", "--json", "--lang", "en", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    records = result.json()  # standard output is the JSON alone
    tencent = next(r for r in records if r["Code"] == "0700.HK")
    assert tencent["PE 2024E (x)"] == "15"
    assert tencent["PE 2025E (x)"] == "14"
    assert tencent["Rating"] == "Outperform"


def test_bad_option_value_is_a_usage_error_without_traceback(cli: Cli, tmp_path: Path) -> None:
    # The cli fixture fails the test on any exception but the exit itself.
    result = cli("demo", "--lang", "fr", "--out", tmp_path)
    assert result.exit_code == 2
    assert (
        result.lines("stderr")[-1]
        == "error: Invalid value for '--lang': 'fr' is not one of 'zh', 'en'."
    )
    assert not any(tmp_path.iterdir())


def test_help_lists_the_commands(cli: Cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    assert "demo" in result.output


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.output.startswith("xlmodels ")
