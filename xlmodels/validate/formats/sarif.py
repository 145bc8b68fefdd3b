"""SARIF 2.1.0 report, for code-scanning views (GitHub's among them).

One run; the tool's rules in ``tool.driver.rules`` (id, description, fix as
help, default level; ``info`` maps to SARIF's ``note``), and one result per
finding, pointing at its workbook by a URI relative to the working directory
(base id ``SRCROOT``).

A workbook has no lines, yet code-scanning views require a region with a
start line: every result's region is line 1 of the workbook, and the cell is
given where it means something, in the message (``Coverage!J5: ...``) and as
a logical location (``fullyQualifiedName`` ``Coverage!J5``, kind
``element``). Results about the whole file carry no logical location.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from xlmodels import __version__
from xlmodels.validate.findings import Finding, Report, Severity
from xlmodels.validate.rule import Rule

__all__ = ["LEVELS", "SCHEMA", "render"]

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
INFORMATION_URI = "https://github.com/xlmodels/xlmodels#validating-workbooks"


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.replace(".", "-").split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.fix},
        "helpUri": INFORMATION_URI,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [rule.family]},
    }


def _uri(path: str) -> str:
    return quote(Path(path).as_posix(), safe="/:@-._~!$&'()*+,;=")


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    where = finding.location
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(finding.file), "uriBaseId": "SRCROOT"},
            "region": {"startLine": 1},
        }
    }
    if where:
        location["logicalLocations"] = [
            {
                "name": finding.cell or finding.sheet or where,
                "fullyQualifiedName": where,
                "kind": "element",
            }
        ]
    fingerprint = hashlib.sha256(
        f"{finding.rule}|{finding.file}|{where}|{finding.message}".encode()
    ).hexdigest()
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": f"{where}: {finding.message}" if where else finding.message},
        "locations": [location],
        "partialFingerprints": {"xlmodelsFinding/v1": fingerprint},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    return result


def render(report: Report, rules: Sequence[Rule]) -> str:
    index = {rule.id: position for position, rule in enumerate(rules)}
    results = [_result(finding, index) for finding in report.findings]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "xlmodels validate",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": Path.cwd().as_uri() + "/"}},
                "artifacts": [
                    {"location": {"uri": _uri(file.file), "uriBaseId": "SRCROOT"}}
                    for file in report.files
                ],
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
