"""A workbook diff as text, Markdown or JSON.

The text form puts every change on one line, so that a reviewer can grep
it: ``0700.HK 腾讯控股: EPS FY2 (2025E) 26.3 -> 27.1 (+3.0%)``. Sections
come in the order a reviewer reads them: the workbook itself, companies
added and removed, estimates, settings and benchmark expected returns, the
outputs that moved as a consequence (one line per company), the market
refresh summarised, and integrity problems that appeared (``+``) or went
away (``-``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from xlmodels.revisions.changes import Change
from xlmodels.revisions.workbooks import WorkbookDiff, WorkbookState

__all__ = ["diff_json", "diff_lines", "diff_markdown", "output_lines"]


def _side(state: WorkbookState) -> str:
    snapshot = state.snapshot
    parts = [
        f"template v{snapshot.template_version}",
        snapshot.lang or "?",
        f"{snapshot.formula_mode or '?'} formulas",
        f"report date {snapshot.report_date}",
    ]
    if snapshot.coverage_group:
        parts.append(f"group {snapshot.coverage_group}")
    return f"{state.label} ({', '.join(parts)})"


def output_lines(changes: list[Change]) -> Iterator[str]:
    """The moved outputs, one line per company.

    ``0700.HK 腾讯控股: PE FY2 (2025E) 14.1x -> 13.7x (-3.0%); target price ...``
    """
    by_company: dict[str, list[Change]] = {}
    titles: dict[str, str] = {}
    for change in changes:
        if change.company is None:
            continue
        by_company.setdefault(change.company.code, []).append(change)
        titles[change.company.code] = change.company.title
    for code, moved in by_company.items():
        yield f"{titles[code]}: " + "; ".join(change.phrase() for change in moved)


def _sections(diff: WorkbookDiff) -> Iterator[tuple[str, list[str]]]:
    estimates = diff.estimates
    yield "Workbook", [change.phrase() for change in diff.workbook]
    yield (
        "Companies",
        [
            *(f"+ {company.title} added" for company in estimates.added),
            *(f"- {company.title} removed" for company in estimates.removed),
        ],
    )
    yield "Estimates", [change.line() for change in estimates.estimates]
    yield "Settings", [change.phrase() for change in [*estimates.settings, *estimates.benchmarks]]
    yield "Computed outputs", list(output_lines(estimates.outputs))
    yield "Market data", diff.market.lines()
    yield "Integrity", [change.line() for change in diff.integrity]


def diff_lines(diff: WorkbookDiff) -> list[str]:
    """The diff as plain lines (no markup); the last says whether anything differs."""
    lines = [f"--- {_side(diff.old)}", f"+++ {_side(diff.new)}"]
    for title, entries in _sections(diff):
        if entries:
            lines.append(f"{title}:")
            lines.extend(f"  {entry}" for entry in entries)
    if diff.identical:
        lines.append("No differences.")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def diff_markdown(diff: WorkbookDiff) -> str:
    """The diff as Markdown: a table of estimate changes, lists for the rest."""
    lines = [
        "# Workbook diff",
        "",
        f"- old: `{_side(diff.old)}`",
        f"- new: `{_side(diff.new)}`",
        "",
    ]
    if diff.identical:
        return "\n".join([*lines, "No differences.", ""])
    estimates = diff.estimates.estimates
    if estimates:
        lines += [
            "## Estimates",
            "",
            "| Code | Company | Input | Old | New | Change |",
            "|---|---|---|---:|---:|---:|",
        ]
        for change in estimates:
            company = change.company
            lines.append(
                "| "
                + " | ".join(
                    _cell(text)
                    for text in (
                        company.code if company else "",
                        (company.name or "") if company else "",
                        change.label,
                        change.old_text,
                        change.new_text,
                        change.change_text,
                    )
                )
                + " |"
            )
        lines.append("")
    for title, entries in _sections(diff):
        if title == "Estimates" or not entries:
            continue
        lines += [f"## {title}", ""]
        lines += [f"- {_cell(entry)}" for entry in entries]
        lines.append("")
    return "\n".join(lines)


def diff_json(diff: WorkbookDiff) -> str:
    """The diff as JSON (see :meth:`WorkbookDiff.as_dict`)."""
    return json.dumps(diff.as_dict(), ensure_ascii=False, indent=2, default=str)
