"""Formula text: comparing shapes, finding error literals and external references.

Two formulas have the same *shape* when they are the same once every cell
reference is written relative to its own cell, as in Excel's R1C1 notation:
``=D5*2`` in row 5 and ``=D6*2`` in row 6 are both ``=R[0]C[-1]*2``. Text
inside string literals is left alone; outside them case and spaces do not
count, as in Excel, the ``_xlfn.`` prefix Excel adds to newer functions is
dropped, and the logical constants LibreOffice saves as the functions
``TRUE()`` and ``FALSE()`` are read as ``TRUE`` and ``FALSE``, so a formula
saved by Excel or LibreOffice compares equal to the one the spec wrote.

>>> relative_shape("=IF(D5>0,D5*$B$2,\\"\\")", row=5, column=5)
'IF(RC[-1]>0,RC[-1]*R2C2,"")'
>>> relative_shape("=d6 * $b$2", row=6, column=5) == relative_shape("=D5*$B$2", 5, 5)
True
>>> normalize("=(A1=FALSE())*(B1=true())")
'(A1=FALSE)*(B1=TRUE)'
"""

from __future__ import annotations

import re
from functools import lru_cache

from xlmodels.excel.error_values import ERROR_VALUES
from xlmodels.excel.references import column_number

__all__ = [
    "error_literals",
    "external_reference",
    "normalize",
    "relative_shape",
]

_CELL = re.compile(
    r"(?<![A-Za-z0-9_.'\[\]\\?])(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})(?![A-Za-z0-9_.(\[])"
)
_EXTERNAL = re.compile(r"\[[^\]]+\][^!]*!|'\[[^\]]+\][^']*'!")
_PREFIXES = re.compile(r"_XL(?:FN|WS|UDF)\.", re.I)
# LibreOffice writes the constants TRUE and FALSE as calls; nothing else it
# saves for the spec's formulas differs from Excel's text.
_LOGICAL_CALLS = re.compile(r"(?<![A-Z0-9_.])(TRUE|FALSE)\(\)")


def _segments(formula: str) -> list[tuple[bool, str]]:
    """(is_string_literal, text) pieces; Excel escapes a quote inside text as ``""``."""
    pieces = formula.split('"')
    return [(index % 2 == 1, piece) for index, piece in enumerate(pieces)]


def _join(segments: list[tuple[bool, str]]) -> str:
    return '"'.join(text for _, text in segments)


@lru_cache(maxsize=65536)
def normalize(formula: str) -> str:
    """A formula without ``=``, spaces, case, ``_xlfn.`` or ``TRUE()`` calls outside text."""
    text = formula[1:] if formula.startswith("=") else formula
    segments = _segments(text)
    out: list[tuple[bool, str]] = []
    for literal, piece in segments:
        if literal:
            out.append((literal, piece))
        else:
            plain = _PREFIXES.sub("", "".join(piece.split())).upper()
            out.append((literal, _LOGICAL_CALLS.sub(r"\1", plain)))
    return _join(out)


def relative_shape(formula: str, row: int, column: int) -> str:
    """The formula with every cell reference relative to (``row``, ``column``)."""
    segments = _segments(normalize(formula))

    def convert(match: re.Match[str]) -> str:
        column_absolute, letters, row_absolute, digits = match.groups()
        target_row, target_column = int(digits), column_number(letters)
        if target_column > 16_384 or target_row > 1_048_576 or target_row == 0:
            return match.group(0)
        r = f"R{target_row}" if row_absolute else _offset("R", target_row - row)
        c = f"C{target_column}" if column_absolute else _offset("C", target_column - column)
        return r + c

    return _join([(lit, piece if lit else _CELL.sub(convert, piece)) for lit, piece in segments])


def _offset(axis: str, delta: int) -> str:
    return axis if delta == 0 else f"{axis}[{delta}]"


def error_literals(formula: str) -> list[str]:
    """Error values written into a formula outside string literals (``#REF!``)."""
    if "#" not in formula:  # every error value starts with one: most formulas end here
        return []
    found: list[str] = []
    for literal, piece in _segments(formula):
        if literal:
            continue
        upper = piece.upper()
        found.extend(code for code in ERROR_VALUES if code in upper)
    return found


def external_reference(formula: str) -> bool:
    """Whether a formula refers to another workbook (``[1]Sheet1!A1``)."""
    if "[" not in formula:  # the workbook is named in brackets: most formulas end here
        return False
    return any(
        not literal and _EXTERNAL.search(piece) is not None for literal, piece in _segments(formula)
    )
