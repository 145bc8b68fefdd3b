"""Bounds on what a spreadsheet file may make a reader parse, checked before parsing.

Every command that opens a workbook or an input spreadsheet checks it
against the same :class:`Limits` (:func:`xlmodels.excel.ooxml.guard.read_guarded`),
so that a zip bomb, an entity bomb or a cell typed at the far corner of the
grid is refused in the same words by ``validate``, ``report``,
``regenerate`` and ``build``. ``validate`` reads its own values from
``[tool.xlmodels.validate.limits]``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """Bounds on what a workbook may make a reader read, checked before parsing.

    A workbook beyond any of them is refused instead of being parsed: these
    keep a zip bomb or a hostile sheet from taking the memory or the time of
    a CI run or a batch. The defaults admit a coverage workbook a hundred
    times the size of a large real one.

    Examples
    --------
    >>> Limits().max_sheet_cells
    10000000
    """

    #: Size of the file on disk.
    max_file_mb: float = 200.0
    #: Declared uncompressed size of any one part of the package.
    max_part_mb: float = 256.0
    #: Declared uncompressed size of all parts together.
    max_total_mb: float = 1024.0
    #: Uncompressed over compressed size of a part larger than 1 MB.
    max_compression_ratio: float = 200.0
    #: Number of parts in the package.
    max_parts: int = 10_000
    #: Cells in the rectangle spanned by a sheet's cells (a sheet is read densely).
    max_sheet_cells: int = 10_000_000
    #: Entries of the shared-string table (each becomes a Python string).
    max_shared_strings: int = 1_000_000
    #: Elements open inside one another in any XML part.
    max_xml_depth: int = 1_000
