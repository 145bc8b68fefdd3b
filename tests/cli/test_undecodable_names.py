"""A file name that is not UTF-8 keeps every output valid, named the same way in each.

Linux takes any bytes as a file name; Python reads the undecodable ones as
lone surrogates, which broke ``--format sarif`` (a traceback) and made the
JSON and JUnit outputs invalid. Every output writes such a byte as ``\\xff``.
"""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.cli_helpers import Cli
from tests.regenerate_helpers import write_inputs

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="only Linux file systems take any bytes as a name"
)

#: "hk" then a byte that is not UTF-8, as a file copied from an old Windows share.
RAW_NAME = b"hk-\xff\xfe-coverage.xlsx"
SHOWN = "hk-\\xff\\xfe-coverage.xlsx"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("names")
    from tests.cli_helpers import Cli

    inputs = write_inputs(folder / "inputs")
    built = folder / "built.xlsx"
    assert Cli()("build", *inputs.arguments(), "-o", built).exit_code == 0
    target = Path(os.fsdecode(os.path.join(os.fsencode(folder), RAW_NAME)))
    built.rename(target)
    return target


def test_validate_names_the_file_the_same_way_in_every_format(cli: Cli, workbook: Path) -> None:
    findings = cli("validate", workbook, "--format", "json")
    assert findings.exit_code in (0, 1), findings.output
    report = findings.json()
    names = {item["path"] for item in report["files"]}
    assert len(names) == 1
    (name,) = names
    assert name.endswith(SHOWN)
    json.dumps(report, ensure_ascii=False).encode("utf-8")  # no lone surrogate left

    sarif = cli("validate", workbook, "--format", "sarif")
    assert sarif.exit_code in (0, 1), sarif.output
    log = sarif.json()
    uris = {artifact["location"]["uri"] for artifact in log["runs"][0]["artifacts"]}
    assert len(uris) == 1
    json.dumps(log, ensure_ascii=False).encode("utf-8")

    junit = cli("validate", workbook, "--format", "junit")
    assert junit.exit_code in (0, 1), junit.output
    suites = ET.fromstring(junit.stdout.encode("utf-8"))
    assert {suite.get("name") for suite in suites.iter("testsuite")} == {name}

    text = cli("validate", workbook)
    assert text.exit_code in (0, 1), text.output
    assert name in text.stdout


def test_report_and_build_print_the_name_in_one_line(
    cli: Cli, workbook: Path, tmp_path: Path
) -> None:
    result = cli("report", workbook, "-o", tmp_path / "report", "-f", "md", "--json")
    assert result.exit_code == 0, result.output
    assert result.json()["files"]
    missing = workbook.with_name(os.fsdecode(b"gone-\xff.xlsx"))
    result = cli("report", missing, "-o", tmp_path / "report")
    assert result.exit_code == 2
    (line,) = result.lines("stderr")
    assert "gone-\\xff.xlsx" in line


def test_regenerate_lists_an_undecodable_workbook_in_json_and_text(
    cli: Cli, workbook: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    stray = Path(os.fsdecode(os.path.join(os.fsencode(folder), RAW_NAME)))
    stray.write_bytes(workbook.read_bytes())
    inputs = write_inputs(tmp_path / "inputs")
    result = cli("regenerate", *inputs.arguments(), "--dir", folder, "--json", "--dry-run")
    assert result.exit_code in (0, 1), result.output
    files = {item["file"] for item in result.json()["workbooks"]}
    assert SHOWN in files
    text = cli("regenerate", *inputs.arguments(), "--dir", folder, "--dry-run")
    assert text.exit_code in (0, 1), text.output
    assert SHOWN in text.stdout
