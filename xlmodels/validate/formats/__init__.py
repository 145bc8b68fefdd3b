"""Output formats of a validation report: text, JSON, JUnit XML and SARIF 2.1.0.

Each format is a module with a function ``render(report, rules) -> str``;
the text format also prints itself, coloured, to a terminal
(:func:`text.print_report`). A format's module is imported when it is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlmodels.validate.findings import Report
    from xlmodels.validate.rule import Rule

__all__ = ["FORMATS", "render"]

#: Each format's name and the module that renders it.
FORMATS: dict[str, str] = {
    "text": "xlmodels.validate.formats.text",
    "json": "xlmodels.validate.formats.json_report",
    "junit": "xlmodels.validate.formats.junit",
    "sarif": "xlmodels.validate.formats.sarif",
}


def render(report: Report, format: str, rules: Sequence[Rule]) -> str:
    """The report in ``format`` (one of :data:`FORMATS`)."""
    module = importlib.import_module(FORMATS[format])
    text: str = module.render(report, rules)
    return text
