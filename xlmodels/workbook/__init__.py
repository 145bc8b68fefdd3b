"""The standard coverage workbook: written from the spec, read back by the spec.

:func:`write_workbook` writes every sheet of :data:`xlmodels.template.v3.SPEC` from
:class:`~xlmodels.domain.model.CoverageInputs`, formulas with the core's numbers as
their cached results; :func:`read_workbook` reads a workbook back into its
analyst inputs and its data, for the reports, the validator and regeneration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlmodels.runtime.lazy import lazy_attributes

if TYPE_CHECKING:
    from xlmodels.workbook.content import WorkbookContent, build_content
    from xlmodels.workbook.reader import AnalystInputs, NamedRange, WorkbookData, read_workbook
    from xlmodels.workbook.stored_cells import CellContent, read_cells
    from xlmodels.workbook.writer import write_workbook

#: Where each public name lives: reading a workbook (the validator, the
#: report) must not load the writer, nor writing it the reader.
_HOMES = {
    "AnalystInputs": "xlmodels.workbook.reader",
    "CellContent": "xlmodels.workbook.stored_cells",
    "NamedRange": "xlmodels.workbook.reader",
    "WorkbookContent": "xlmodels.workbook.content",
    "WorkbookData": "xlmodels.workbook.reader",
    "build_content": "xlmodels.workbook.content",
    "read_cells": "xlmodels.workbook.stored_cells",
    "read_workbook": "xlmodels.workbook.reader",
    "write_workbook": "xlmodels.workbook.writer",
}

__getattr__ = lazy_attributes(__name__, _HOMES)

__all__ = [
    "AnalystInputs",
    "CellContent",
    "NamedRange",
    "WorkbookContent",
    "WorkbookData",
    "build_content",
    "read_cells",
    "read_workbook",
    "write_workbook",
]
