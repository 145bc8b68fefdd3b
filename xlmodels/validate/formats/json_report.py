"""JSON report: every file with its findings, the rules that ran, and totals.

The layout (``format_version`` 1)::

    {"format_version": 1, "tool": {"name": "xlmodels", "version": "..."},
     "files": [{"path": "...", "status": "ok" | "findings" | "unreadable",
                "findings": [{"rule", "severity", "sheet", "cell", "message", "fix"}]}],
     "summary": {"files", "error", "warning", "info", "unreadable", "exit_code"}}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from xlmodels import __version__
from xlmodels.validate.findings import Report
from xlmodels.validate.rule import Rule

__all__ = ["as_dict", "render"]


def as_dict(report: Report) -> dict[str, Any]:
    totals = report.totals()
    return {
        "format_version": 1,
        "tool": {"name": "xlmodels", "version": __version__},
        "files": [
            {
                "path": file.file,
                "status": "unreadable"
                if file.unreadable
                else ("findings" if file.findings else "ok"),
                "findings": [
                    {
                        "rule": finding.rule,
                        "severity": finding.severity.value,
                        "sheet": finding.sheet,
                        "cell": finding.cell,
                        "message": finding.message,
                        "fix": finding.fix,
                    }
                    for finding in file.findings
                ],
            }
            for file in report.files
        ],
        "summary": {
            "files": totals["files"],
            "error": totals["error"],
            "warning": totals["warning"],
            "info": totals["info"],
            "unreadable": totals["unreadable"],
            "exit_code": report.exit_code,
        },
    }


def render(report: Report, rules: Sequence[Rule] = ()) -> str:
    return json.dumps(as_dict(report), ensure_ascii=False, indent=2) + "\n"
