"""The standard coverage workbook: written from the spec, read back by the spec.

:func:`write_workbook` writes every sheet of :data:`xlmodels.spec.SPEC` from
:class:`~xlmodels.model.CoverageInputs`, formulas with the core's numbers as
their cached results; :func:`read_workbook` reads a workbook back into its
analyst inputs and its data, for the reports, the validator and regeneration.
"""

from xlmodels.workbook.layout import WorkbookContent, build_content
from xlmodels.workbook.reader import (
    AnalystInputs,
    CellContent,
    NamedRange,
    WorkbookData,
    read_cells,
    read_workbook,
)
from xlmodels.workbook.writer import write_workbook

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
