"""What validation reports: findings, one file's report, and the batch's.

A :class:`Finding` says which rule fired, how serious it is, where (file,
sheet, cell) and, in plain words, what is wrong and how to fix it. A file
either yields findings or could not be read at all; the latter is reported as
one ``file.unreadable`` finding so that every output format shows it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "EXIT_ERRORS",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "FileReport",
    "Finding",
    "Report",
    "Severity",
]

#: Exit codes of ``xlmodels validate``.
EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_UNREADABLE = 2


class Severity(StrEnum):
    """How serious a finding is; only ``error`` fails a run."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    """One problem found in one workbook.

    ``sheet`` and ``cell`` are None for findings about the whole file (a macro
    project, the calculation mode); ``cell`` is an A1 reference, or a range
    (``J5:J54``) when the finding is about a block of cells.
    """

    rule: str
    severity: Severity
    file: str
    message: str
    fix: str
    sheet: str | None = None
    cell: str | None = None

    @property
    def location(self) -> str:
        """``Sheet!Cell``, ``Sheet`` or empty, as a spreadsheet user writes it."""
        if self.sheet is None:
            return self.cell or ""
        sheet = self.sheet if self.sheet.replace("_", "").isalnum() else f"'{self.sheet}'"
        return f"{sheet}!{self.cell}" if self.cell else sheet

    def sort_key(self) -> tuple[int, str, int, int, str]:
        row, column = _cell_order(self.cell)
        return (self.severity.rank, self.sheet or "", row, column, self.rule)


def _cell_order(cell: str | None) -> tuple[int, int]:
    if not cell:
        return (0, 0)
    first = cell.split(":", 1)[0].replace("$", "")
    letters = "".join(ch for ch in first if ch.isalpha())
    digits = "".join(ch for ch in first if ch.isdigit())
    column = 0
    for ch in letters.upper():
        column = column * 26 + ord(ch) - 64
    return (int(digits) if digits else 0, column)


@dataclass(frozen=True)
class FileReport:
    """The findings of one workbook, and whether it could be read at all."""

    file: str
    findings: tuple[Finding, ...] = ()
    unreadable: bool = False
    #: Ids of the rules that ran on this file (for JUnit: one test case each).
    rules_run: tuple[str, ...] = ()

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return EXIT_UNREADABLE
        return EXIT_ERRORS if self.count(Severity.ERROR) else EXIT_OK


@dataclass(frozen=True)
class Report:
    """The outcome of one validation run over any number of workbooks."""

    files: tuple[FileReport, ...] = field(default_factory=tuple)

    @property
    def findings(self) -> list[Finding]:
        return [finding for report in self.files for finding in report.findings]

    def totals(self) -> Counter[str]:
        counts: Counter[str] = Counter(finding.severity.value for finding in self.findings)
        counts["files"] = len(self.files)
        counts["unreadable"] = sum(report.unreadable for report in self.files)
        return counts

    @property
    def exit_code(self) -> int:
        """2 if any file was unreadable, else 1 if any error-level finding, else 0."""
        return max((report.exit_code for report in self.files), default=EXIT_OK)
