"""Batch regeneration: refresh a folder of coverage workbooks without losing an analyst input.

:func:`regenerate_folder` creates or refreshes one workbook per coverage
group of a universe. Prices, FX, shares and histories come from the input
files; every analyst input (Estimates inputs by code, Settings inputs, the
benchmark expected returns) is carried over from the existing workbook,
across template upgrades (:func:`migration_path`). What the spec cannot
carry stops that workbook as a :class:`Conflict`; writes are atomic, a
folder is locked against a second regeneration, and a workbook open in
Excel is skipped.

:func:`roll_workbooks` (``xlmodels roll``) rolls workbooks one fiscal year
after the companies' annual results, through the same jobs, writes, locks
and revision store (:mod:`xlmodels.regenerate.roll`).

The validator asks :func:`migration_path` (or :func:`upgrade_description`)
which upgrade applies to a workbook's template version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlmodels.runtime.lazy import lazy_attributes

if TYPE_CHECKING:
    from xlmodels.regenerate.batch import BatchOptions, RegenerateOptions, regenerate_folder
    from xlmodels.regenerate.carry import CarriedInputs, EstimateDifference, merge_inputs
    from xlmodels.regenerate.lock import DEFAULT_WAIT, LOCK_NAME, FolderBusy
    from xlmodels.regenerate.plan import group_slug
    from xlmodels.regenerate.results import BatchResult, RevisionsRecorded, Status, WorkbookResult
    from xlmodels.regenerate.roll import RollOptions, RollResult, roll_workbooks
    from xlmodels.template.migrations import (
        MIGRATIONS,
        TEMPLATES,
        Migration,
        TemplateVersionError,
        migration_path,
        template_spec,
        upgrade_description,
    )
    from xlmodels.template.v1 import SPEC_V1
    from xlmodels.workbook.cell_diff import CellChange
    from xlmodels.workbook.conflicts import Conflict, ConflictKind

#: Where each public name lives: a submodule is imported when a name of it is
#: first used, so ``from xlmodels.regenerate.lock import ...`` (the command
#: line's options) does not load the readers and writers of the whole batch.
_HOMES = {
    "BatchOptions": "xlmodels.regenerate.batch",
    "BatchResult": "xlmodels.regenerate.results",
    "CarriedInputs": "xlmodels.regenerate.carry",
    "CellChange": "xlmodels.workbook.cell_diff",
    "Conflict": "xlmodels.workbook.conflicts",
    "ConflictKind": "xlmodels.workbook.conflicts",
    "DEFAULT_WAIT": "xlmodels.regenerate.lock",
    "EstimateDifference": "xlmodels.regenerate.carry",
    "FolderBusy": "xlmodels.regenerate.lock",
    "LOCK_NAME": "xlmodels.regenerate.lock",
    "MIGRATIONS": "xlmodels.template.migrations",
    "Migration": "xlmodels.template.migrations",
    "RegenerateOptions": "xlmodels.regenerate.batch",
    "RevisionsRecorded": "xlmodels.regenerate.results",
    "RollOptions": "xlmodels.regenerate.roll",
    "RollResult": "xlmodels.regenerate.roll",
    "SPEC_V1": "xlmodels.template.v1",
    "Status": "xlmodels.regenerate.results",
    "TEMPLATES": "xlmodels.template.migrations",
    "TemplateVersionError": "xlmodels.template.migrations",
    "WorkbookResult": "xlmodels.regenerate.results",
    "group_slug": "xlmodels.regenerate.plan",
    "merge_inputs": "xlmodels.regenerate.carry",
    "migration_path": "xlmodels.template.migrations",
    "regenerate_folder": "xlmodels.regenerate.batch",
    "roll_workbooks": "xlmodels.regenerate.roll",
    "template_spec": "xlmodels.template.migrations",
    "upgrade_description": "xlmodels.template.migrations",
}

__getattr__ = lazy_attributes(__name__, _HOMES)


__all__ = [
    "DEFAULT_WAIT",
    "LOCK_NAME",
    "MIGRATIONS",
    "SPEC_V1",
    "TEMPLATES",
    "BatchOptions",
    "BatchResult",
    "CarriedInputs",
    "CellChange",
    "Conflict",
    "ConflictKind",
    "EstimateDifference",
    "FolderBusy",
    "Migration",
    "RegenerateOptions",
    "RevisionsRecorded",
    "RollOptions",
    "RollResult",
    "Status",
    "TemplateVersionError",
    "WorkbookResult",
    "group_slug",
    "merge_inputs",
    "migration_path",
    "regenerate_folder",
    "roll_workbooks",
    "template_spec",
    "upgrade_description",
]
