"""Where a report's inputs come from: coverage workbooks, or the bundled sample.

A report reads each coverage workbook back into
:class:`~xlmodels.domain.model.CoverageInputs` through the workbook reader
(``xlmodels.workbook.reader`` and ``xlmodels.workbook.coverage_inputs``), which knows
the workbook only through :mod:`xlmodels.template.v3`. Before handing a file to it,
this module makes sure the file exists, passes the safety checks every
command applies (:mod:`xlmodels.excel.ooxml.guard`) and is a coverage workbook at
all, so that a wrong path, a hostile file or a stray spreadsheet gets one
clear sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from xlmodels.domain.model import CoverageInputs
from xlmodels.errors import InputError
from xlmodels.excel.ooxml.guard import GuardedWorkbook, read_guarded
from xlmodels.template.v3 import SPEC
from xlmodels.workbook.coverage_inputs import coverage_inputs
from xlmodels.workbook.reader import read_workbook

__all__ = [
    "check_coverage_workbook",
    "distinct_workbooks",
    "read_coverage_workbooks",
    "workbook_warnings",
]

_LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}


def check_coverage_workbook(path: Path) -> GuardedWorkbook:
    """The workbook at ``path``, checked: safe to parse, and with the spec's sheets.

    Raises
    ------
    InputError
        When ``path`` is missing or a folder, is not an Excel workbook, is
        hostile or damaged (in the validator's words), or lacks a sheet.
    """
    if not path.exists():
        raise InputError("no such file", file=path)
    if not path.is_file():
        raise InputError("is a folder, not a coverage workbook", file=path)
    guarded = read_guarded(path)
    present = {entry.name for entry in guarded.part.sheets}
    required = [sheet.name for sheet in SPEC.table_sheets()] + [SPEC.settings.name]
    missing = [name for name in required if name not in present]
    if missing:
        raise InputError(
            "is not a coverage workbook: it has no sheet " + ", ".join(repr(m) for m in missing),
            file=path,
        )
    return guarded


def read_coverage_workbooks(paths: Sequence[Path]) -> list[CoverageInputs]:
    """Each workbook's inputs, in the order given.

    Raises
    ------
    InputError
        A file is missing, is not a coverage workbook, or cannot be read; the
        message names the file (and the sheet and cell where it can).
    """
    guarded = [check_coverage_workbook(path) for path in paths]
    return [coverage_inputs(read_workbook(workbook)) for workbook in guarded]


def distinct_workbooks(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """The paths with repeats removed (first kept), and the repeats.

    A workbook named twice (``hk.xlsx`` and ``./hk.xlsx``) would print its
    coverage table twice.
    """
    seen: set[Path] = set()
    unique: list[Path] = []
    repeats: list[Path] = []
    for path in paths:
        key = path.resolve()
        if key in seen:
            repeats.append(path)
        else:
            seen.add(key)
            unique.append(path)
    return unique, repeats


def workbook_warnings(
    paths: Sequence[Path], inputs: Sequence[CoverageInputs], lang: str
) -> list[str]:
    """What a reader of the report should know about the workbooks it came from.

    * a workbook without daily closes adds nothing to the month's review or
      its charts;
    * a workbook written in another language than the report keeps its own
      names (a workbook stores names in one language).
    """
    messages = []
    for path, item in zip(paths, inputs, strict=True):
        history = item.history
        if history is None or history["close"].isna().all():
            messages.append(
                f"{path}: no daily closes in its History sheet, so its stocks and indexes "
                "are left out of the month's review and the charts"
            )
        if item.settings.lang != lang:
            written = _LANGUAGE_NAMES.get(item.settings.lang, item.settings.lang)
            messages.append(
                f"{path}: written in {written}, so company names stay as the "
                f"workbook gives them; build it with --lang {lang} for names in that language"
            )
    return messages
