"""Plain-text report: findings grouped by file, most serious first, then a summary line.

On a terminal the same report is printed with colours by Rich; written to a
file or a pipe it is plain text.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from xlmodels.validate.findings import Report, Severity
from xlmodels.validate.rule import Rule

__all__ = ["print_report", "render", "summary"]

_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def summary(report: Report) -> str:
    """``3 files: 2 errors, 1 warning, 0 info; 1 unreadable``."""
    totals = report.totals()
    files = totals["files"]
    parts = [
        f"{totals['error']} error{'s' * (totals['error'] != 1)}",
        f"{totals['warning']} warning{'s' * (totals['warning'] != 1)}",
        f"{totals['info']} info",
    ]
    line = f"{files} file{'s' * (files != 1)} checked: {', '.join(parts)}"
    if totals["unreadable"]:
        line += f"; {totals['unreadable']} could not be read or checked"
    return line


def _lines(report: Report) -> list[Text]:
    lines: list[Text] = []
    for file_report in report.files:
        if not file_report.findings:
            lines.append(Text.assemble((file_report.file, "bold"), ("  ok", "green")))
            continue
        lines.append(Text(file_report.file, style="bold"))
        for finding in file_report.findings:
            where = f" {finding.location}" if finding.location else ""
            lines.append(
                Text.assemble(
                    "  ",
                    (f"{finding.severity.value:<7}", _STYLES[finding.severity]),
                    " ",
                    (finding.rule, "dim"),
                    (where, "bold"),
                    ": ",
                    finding.message,
                )
            )
            lines.append(Text.assemble("          ", ("fix: " + finding.fix, "dim")))
    lines.append(Text(summary(report), style="bold"))
    return lines


def render(report: Report, rules: Sequence[Rule] = ()) -> str:
    """The report as plain text."""
    return "\n".join(line.plain for line in _lines(report)) + "\n"


def print_report(report: Report, console: Console) -> None:
    """Print the report, coloured when ``console`` is a terminal."""
    for line in _lines(report):
        console.print(line, soft_wrap=True)
