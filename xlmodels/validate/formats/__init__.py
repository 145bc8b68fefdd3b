"""Output formats of a validation report: text, JSON, JUnit XML and SARIF 2.1.0.

Each format is a function ``render(report, rules) -> str``; the text format
also prints itself, coloured, to a terminal (:func:`text.print_report`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xlmodels.validate.findings import Report
from xlmodels.validate.formats import json_report, junit, sarif, text
from xlmodels.validate.registry import Rule

__all__ = ["FORMATS", "render"]

Renderer = Callable[[Report, Sequence[Rule]], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "junit": junit.render,
    "sarif": sarif.render,
}


def render(report: Report, format: str, rules: Sequence[Rule]) -> str:
    """The report in ``format`` (one of :data:`FORMATS`)."""
    return FORMATS[format](report, rules)
