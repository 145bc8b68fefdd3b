"""The workbook as the rules see it: its cells, the settings, and the spec's expectations.

Rules receive one :class:`WorkbookContext`. What several rules need (the
spec's layout as found in this workbook, the numbers recomputed from its
inputs) is computed once, on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from xlmodels.template.v3 import SPEC
from xlmodels.validate.config import ValidateConfig
from xlmodels.validate.layout import Layout
from xlmodels.validate.loading import LoadedSheet, LoadedWorkbook
from xlmodels.validate.recompute import Recomputed
from xlmodels.validate.values import as_int

__all__ = ["WorkbookContext"]


@dataclass
class WorkbookContext:
    """One workbook under validation."""

    file: str
    book: LoadedWorkbook
    config: ValidateConfig

    def sheet(self, name: str) -> LoadedSheet | None:
        return self.book.sheets.get(name)

    @cached_property
    def layout(self) -> Layout:
        """Where the spec's tables, rows and settings are in this workbook."""
        return Layout.of(self.book)

    @cached_property
    def spec_applies(self) -> bool:
        """Whether the workbook is of the template version this spec describes."""
        return as_int(self.layout.version) == SPEC.version

    @cached_property
    def recomputed(self) -> Recomputed:
        """The coverage numbers recomputed from this workbook's own inputs."""
        return Recomputed.of(self.layout)
