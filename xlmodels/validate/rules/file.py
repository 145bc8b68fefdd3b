"""Rules about the file as a whole: whether it could be read, and how it was saved."""

from __future__ import annotations

from collections.abc import Iterator

from xlmodels.excel.references import cell_name
from xlmodels.validate.context import WorkbookContext
from xlmodels.validate.findings import Severity
from xlmodels.validate.rule import Hit, declare, rule

UNREADABLE = declare(
    "file.unreadable",
    Severity.ERROR,
    "The file cannot be read as an .xlsx/.xlsm workbook (damaged, encrypted, legacy .xls, "
    "not a workbook, or beyond the safety limits).",
    "Open the file in Excel and save it as an .xlsx workbook without a password; "
    "if it is hostile, remove it.",
)

CHECK_FAILED = declare(
    "file.check-failed",
    Severity.ERROR,
    "A rule could not finish on this workbook (a defect in xlmodels, not in the workbook).",
    "Report it to the xlmodels maintainers with the workbook if you can share it.",
)


@rule(
    "file.no-cached-values",
    Severity.INFO,
    "Formulas were saved without results (by a program that does not calculate): "
    "finance checks recompute from the inputs instead of reading results.",
    "Open the workbook in Excel or LibreOffice and save it, so that it carries its results.",
)
def no_cached_values(context: WorkbookContext) -> Iterator[Hit]:
    uncached = sum(len(sheet.uncached) for sheet in context.book.sheets.values())
    if not uncached:
        return
    total = sum(len(sheet.formulas) for sheet in context.book.sheets.values())
    first = next(sheet for sheet in context.book.sheets.values() if sheet.uncached)
    row, column = min(first.uncached)
    yield Hit(
        f"{uncached:,} of {total:,} formula cells have no saved result (the workbook was "
        "last saved by a program that does not calculate, such as openpyxl); shown values "
        "could not be compared, so the finance checks recomputed every number from the "
        "workbook's inputs",
        first.name,
        cell_name(row, column),
    )
