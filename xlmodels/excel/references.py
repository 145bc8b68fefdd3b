"""Cell and range references: column letters, A1 cell names and ``'Sheet'!$A$1:$B$2``.

The one place that turns a column number into its letters and back, a
(row, column) into its A1 name and back, and a reference as a defined name
or a formula holds it into the block it covers. Rows and columns are
1-based, as Excel numbers them.

>>> column_letter(1), column_letter(27), column_number("XFD")
('A', 'AA', 16384)
>>> cell_name(5, 10), cell_position("$J$5")
('J5', (5, 10))
>>> parse_reference("'Estimates'!$E$5:$E$9")
Reference(sheet='Estimates', first_row=5, first_column=5, last_row=9, last_column=5)
"""

from __future__ import annotations

import functools
import re
from typing import Final, NamedTuple

__all__ = [
    "MAX_COLUMN",
    "MAX_ROW",
    "Reference",
    "cell_name",
    "cell_position",
    "column_letter",
    "column_number",
    "parse_reference",
    "quote_sheet",
]

#: The last column of a worksheet (XFD).
MAX_COLUMN: Final = 16_384
#: The last row of a worksheet.
MAX_ROW: Final = 1_048_576

_CELL: Final = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_RANGE: Final = re.compile(
    r"^(?:(?P<sheet>'(?:[^']|'')+'|[^'!:]+)!)?"
    r"\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>[0-9]+)"
    r"(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>[0-9]+))?$",
    re.I,
)


def column_letter(number: int) -> str:
    """The letters of a 1-based column number: 1 is ``A``, 27 is ``AA``.

    Raises
    ------
    ValueError
        For a number below 1.

    Examples
    --------
    >>> column_letter(1), column_letter(26), column_letter(28), column_letter(16384)
    ('A', 'Z', 'AB', 'XFD')
    """
    if number < 1:
        raise ValueError(f"column numbers start at 1, got {number}")
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# The cell readers ask for the same few hundred columns once per cell.
@functools.lru_cache(maxsize=32_768)
def column_number(letters: str) -> int:
    """The 1-based number of a column's letters, in either case: ``AA`` is 27.

    Raises
    ------
    ValueError
        For text that is not column letters.

    Examples
    --------
    >>> column_number("A"), column_number("aa"), column_number("XFD")
    (1, 27, 16384)
    """
    if not letters or not letters.isascii() or not letters.isalpha():
        raise ValueError(f"{letters!r} is not a column's letters")
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def cell_name(row: int, column: int) -> str:
    """The A1 name of a 1-based (row, column).

    >>> cell_name(5, 10), cell_name(1048576, 16384)
    ('J5', 'XFD1048576')
    """
    return f"{column_letter(column)}{row}"


def cell_position(name: str) -> tuple[int, int]:
    """The 1-based (row, column) of an A1 cell name; ``$`` signs are allowed.

    Raises
    ------
    ValueError
        For text that is not one cell's name.

    Examples
    --------
    >>> cell_position("J5"), cell_position("$xfd$1048576")
    ((5, 10), (1048576, 16384))
    """
    found = _CELL.match(name.strip())
    if found is None:
        raise ValueError(f"{name!r} is not a cell's name such as B7")
    return int(found[2]), column_number(found[1])


def quote_sheet(sheet: str) -> str:
    """A sheet's name as a reference writes it: quoted, quotes doubled.

    >>> quote_sheet("Estimates"), quote_sheet("Tim's notes")
    ("'Estimates'", "'Tim''s notes'")
    """
    return "'" + sheet.replace("'", "''") + "'"


class Reference(NamedTuple):
    """A block of cells (1-based, inclusive), and its sheet when the reference names one."""

    sheet: str | None
    first_row: int
    first_column: int
    last_row: int
    last_column: int


def parse_reference(text: str) -> Reference | None:
    """The block an A1 reference covers, or None when the text is no single block.

    Accepts what a defined name or a formula holds: an optional ``=``, an
    optional sheet (quoted or plain), ``$`` signs, one cell or a range given
    by any two opposite corners. A constant, a formula, a whole column
    (``A:A``) or several areas are not one block.

    Examples
    --------
    >>> parse_reference("='Settings'!$B$29:$B$30")
    Reference(sheet='Settings', first_row=29, first_column=2, last_row=30, last_column=2)
    >>> parse_reference("b3:a1")
    Reference(sheet=None, first_row=1, first_column=1, last_row=3, last_column=2)
    >>> parse_reference("0.05") is None, parse_reference("cov_pe_fy1") is None
    (True, True)
    """
    match = _RANGE.match(text.strip().lstrip("="))
    if match is None:
        return None
    sheet = match.group("sheet")
    if sheet is not None and sheet.startswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    first_row, first_column = int(match.group("r1")), column_number(match.group("c1"))
    last_row = int(match.group("r2") or first_row)
    last_column = column_number(match.group("c2") or match.group("c1"))
    return Reference(
        sheet,
        min(first_row, last_row),
        min(first_column, last_column),
        max(first_row, last_row),
        max(first_column, last_column),
    )
