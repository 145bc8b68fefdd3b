"""Validation of coverage workbooks, for CI and pre-commit (``xlmodels validate``).

>>> from xlmodels.validate import validate_paths
>>> report = validate_paths(["workbooks/"])  # doctest: +SKIP
>>> report.exit_code  # doctest: +SKIP
0

Modules: :mod:`~xlmodels.excel.ooxml.safety` (checks on the bytes before any
parser, shared with every command that opens a workbook),
:mod:`~xlmodels.validate.loading` (one read of each workbook through
:mod:`~xlmodels.workbook.stored_cells`: python-calamine for the values, the
sheets' XML for formulas and error values), :mod:`~xlmodels.validate.rule` (what a rule
is), :mod:`~xlmodels.validate.rules` (one module per rule family),
:mod:`~xlmodels.validate.registry` (the list of rules that run),
:mod:`~xlmodels.validate.formats` (text, JSON, JUnit XML, SARIF),
:mod:`~xlmodels.validate.runner` (files, folders, globs, processes),
:mod:`~xlmodels.validate.config` (the settings) and
:mod:`~xlmodels.validate.config_file` (reading them from TOML).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlmodels.runtime.lazy import lazy_attributes

if TYPE_CHECKING:
    from xlmodels.validate.config import ConfigError, Limits, ValidateConfig
    from xlmodels.validate.config_file import load_config
    from xlmodels.validate.findings import FileReport, Finding, Report, Severity
    from xlmodels.validate.registry import RULES, all_rules, rules_table
    from xlmodels.validate.rule import Rule
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

#: Where each public name lives: importing the package loads none of them, so
#: ``xlmodels.validate.config`` (or the command line's help) does not pay for
#: the readers and the rules.
_HOMES = {
    "ConfigError": "xlmodels.validate.config",
    "FileReport": "xlmodels.validate.findings",
    "Finding": "xlmodels.validate.findings",
    "Limits": "xlmodels.validate.config",
    "RULES": "xlmodels.validate.registry",
    "Report": "xlmodels.validate.findings",
    "Rule": "xlmodels.validate.rule",
    "Severity": "xlmodels.validate.findings",
    "ValidateConfig": "xlmodels.validate.config",
    "all_rules": "xlmodels.validate.registry",
    "expand_paths": "xlmodels.validate.runner",
    "load_config": "xlmodels.validate.config_file",
    "rules_table": "xlmodels.validate.registry",
    "validate_file": "xlmodels.validate.runner",
    "validate_paths": "xlmodels.validate.runner",
}

__getattr__ = lazy_attributes(__name__, _HOMES)
