"""JUnit XML report: one test suite per workbook, one test case per rule that ran.

This is the layout CI test-report views read (GitLab, Jenkins, GitHub
actions that publish JUnit files): a workbook is a suite, each rule a test
case named by its id, classname the workbook's path. A rule with
error-level findings fails (``<failure>``, its findings one per line in the
body); warnings and info leave the test passing and are listed in its
``<system-out>``, so the report fails exactly when the exit code does. A
file that could not be read is a suite with one ``file.unreadable`` test
case in ``<error>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from xlmodels.validate.findings import FileReport, Finding, Report, Severity
from xlmodels.validate.rule import Rule

__all__ = ["render"]

# Characters XML 1.0 cannot carry, whatever the escaping.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _line(finding: Finding) -> str:
    where = f"{finding.location}: " if finding.location else ""
    return _clean(f"{finding.severity.value}: {where}{finding.message} (fix: {finding.fix})")


def _suite(file: FileReport) -> ET.Element:
    suite = ET.Element("testsuite", name=_clean(file.file))
    by_rule: dict[str, list[Finding]] = {}
    for finding in file.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    rule_ids = list(file.rules_run) + [r for r in by_rule if r not in file.rules_run]
    failures = errors = 0
    for rule_id in rule_ids:
        case = ET.SubElement(suite, "testcase", classname=_clean(file.file), name=rule_id)
        findings = by_rule.get(rule_id, [])
        serious = [f for f in findings if f.severity is Severity.ERROR]
        if serious:
            broken = rule_id in ("file.unreadable", "file.check-failed")
            element = ET.SubElement(
                case,
                "error" if broken else "failure",
                message=_clean(_line(serious[0])),
                type=rule_id,
            )
            element.text = "\n".join(_line(f) for f in serious)
            errors += broken
            failures += not broken
        others = [f for f in findings if f.severity is not Severity.ERROR]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(_line(f) for f in others)
    suite.set("tests", str(len(rule_ids)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    return suite


def render(report: Report, rules: Sequence[Rule] = ()) -> str:
    root = ET.Element("testsuites", name="xlmodels validate")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for file in report.files:
        suite = _suite(file)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
