"""Errors that describe a user's mistake, with where it is.

Anything a user can fix (a bad file, a typo in a column, a negative price)
raises :class:`InputError`, whose message names the file, sheet, cell, row or
argument at fault. The command line prints these messages without a
traceback; a traceback means a bug in xlmodels.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["InputError"]


class InputError(ValueError):
    """A problem in the user's input, located as precisely as possible.

    Examples
    --------
    >>> str(InputError("close must be a number, got 'n/a'", file="market.csv", row=7,
    ...                column="close"))
    "market.csv, row 7, column 'close': close must be a number, got 'n/a'"
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = Path(file) if file is not None else None
        self.sheet = sheet
        self.cell = cell
        self.row = row
        self.column = column
        super().__init__(self.__str__())

    @property
    def location(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(self.file.name if not self.file.is_absolute() else str(self.file))
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'" + (f" cell {self.cell}" if self.cell else ""))
        elif self.cell is not None:
            parts.append(f"cell {self.cell}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message
