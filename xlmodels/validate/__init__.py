"""Validation of coverage workbooks, for CI and pre-commit (``xlmodels validate``).

>>> from xlmodels.validate import validate_paths
>>> report = validate_paths(["workbooks/"])  # doctest: +SKIP
>>> report.exit_code  # doctest: +SKIP
0

Modules: :mod:`~xlmodels.excel.ooxml.safety` (checks on the bytes before any
parser, shared with every command that opens a workbook and re-exported as
``xlmodels.validate.safety``), :mod:`~xlmodels.validate.loading` (openpyxl
for formulas and names, python-calamine for bulk values),
:mod:`~xlmodels.validate.rules` (one module per rule family),
:mod:`~xlmodels.validate.formats` (text, JSON, JUnit XML, SARIF),
:mod:`~xlmodels.validate.runner` (files, folders, globs, processes) and
:mod:`~xlmodels.validate.config`.
"""

from __future__ import annotations

from xlmodels.validate.config import ConfigError, Limits, ValidateConfig, load_config
from xlmodels.validate.findings import FileReport, Finding, Report, Severity
from xlmodels.validate.registry import RULES, Rule, all_rules
from xlmodels.validate.runner import expand_paths, validate_file, validate_paths

__all__ = [
    "RULES",
    "ConfigError",
    "FileReport",
    "Finding",
    "Limits",
    "Report",
    "Rule",
    "Severity",
    "ValidateConfig",
    "all_rules",
    "expand_paths",
    "load_config",
    "rules_table",
    "validate_file",
    "validate_paths",
]


def rules_table(config: ValidateConfig | None = None) -> str:
    """The rules as a Markdown table: id, severity (as configured), what each checks.

    ``xlmodels validate --list-rules`` prints it and the README carries it.
    """
    lines = ["| Rule | Severity | Checks |", "|---|---|---|"]
    for rule in all_rules():
        severity = config.severity(rule.id, rule.severity) if config else rule.severity
        shown = severity.value if severity is not None else "off"
        lines.append(f"| `{rule.id}` | {shown} | {rule.summary} |")
    return "\n".join(lines) + "\n"
