"""The checks on a workbook's bytes, kept under this name for code that imports them from here.

They live in :mod:`xlmodels.excel.ooxml.safety`, below the workbook reader, so
that every command opening a workbook applies them, not only ``validate``.
"""

from __future__ import annotations

from xlmodels.excel.ooxml.safety import (
    Extent,
    Package,
    SheetFacts,
    Unreadable,
    cell_name,
    check_sheet_extent,
    inspect_package,
    sheet_extent,
)

__all__ = [
    "Extent",
    "Package",
    "SheetFacts",
    "Unreadable",
    "cell_name",
    "check_sheet_extent",
    "inspect_package",
    "sheet_extent",
]
