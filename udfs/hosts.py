"""What differs between Excel hosts, as cases the tests run on each host.

The same cells must give the same number on every host, or an error that
says why. Where a host passes cells differently, each case here names the
cells, the formula and what each host shows; the tests call the functions
through xlwings' own call paths with the values each host sends (desktop
Excel through pywin32, Office.js in desktop Excel and on the web) and
check every case, and the manual's table "What differs between hosts"
(docs/excel-functions.md) is
:func:`markdown_table`.

A cell in :attr:`HostCase.cells` is a number or text, or one of
:data:`EMPTY`, :class:`Currency`, :class:`Date`, :class:`ErrorCell`; a
list is a column of such cells; :data:`LEFT_OUT` is an optional argument
not typed at all.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "CASES",
    "EMPTY",
    "HOSTS",
    "LEFT_OUT",
    "Currency",
    "Date",
    "ErrorCell",
    "HostCase",
    "markdown_table",
]


class _Marker(enum.Enum):
    EMPTY = "an empty cell"
    LEFT_OUT = "an argument left out"


#: An empty cell.
EMPTY: Final = _Marker.EMPTY
#: An optional argument not typed in the formula.
LEFT_OUT: Final = _Marker.LEFT_OUT


@dataclass(frozen=True)
class Currency:
    """A number in a currency-formatted cell (pywin32 reads it as a ``Decimal``)."""

    amount: str


@dataclass(frozen=True)
class Date:
    """A date in a cell (a datetime through pywin32, a serial number through Office.js)."""

    day: dt.date


@dataclass(frozen=True)
class ErrorCell:
    """A cell holding an error value such as ``#N/A``."""

    error: str


#: The hosts of the table, by key: what each column is.
HOSTS: Final[dict[str, str]] = {
    "desktop": "Desktop Excel (xlwings add-in)",
    "office_js": "Office.js in desktop Excel (Lite)",
    "web": "Excel on the web (Lite)",
}


@dataclass(frozen=True)
class HostCase:
    """One kind of cell, one formula, and what each host shows.

    An outcome is a number as shown to four significant digits, a text
    result, or an error value; ``#VALUE!`` under Office.js carries its
    reason in the cell's error flag.
    """

    case: str
    example: str
    function: str
    cells: tuple[Any, ...]
    desktop: str
    office_js: str
    web: str
    why: str

    def outcome(self, host: str) -> str:
        """What ``host`` (a key of :data:`HOSTS`) shows for this case."""
        return str(getattr(self, host))


_QUARTERS: Final = [5.2, 5.8, 6.0, 6.4, EMPTY, EMPTY]

CASES: Final[tuple[HostCase, ...]] = (
    HostCase(
        case="Empty cell in a number argument",
        example="`=SQ_PE(A1, B1, 1)`, A1 398, B1 empty",
        function="SQ_PE",
        cells=(398.0, EMPTY, 1.0),
        desktop="#N/A",
        office_js="#VALUE!",
        web="#N/A",
        why="Office.js in desktop Excel passes an empty cell as 0: a 0 is refused",
    ),
    HostCase(
        case="0 where 0 is a value",
        example="`=SQ_PE(A1, B1, 1)`, A1 398, B1 0",
        function="SQ_PE",
        cells=(398.0, 0.0, 1.0),
        desktop="NM",
        office_js="#VALUE!",
        web="#VALUE!",
        why="Office.js cannot tell a 0 from an empty cell: refused, never read as either",
    ),
    HostCase(
        case="Empty cells at the end of a series",
        example="`=SQ_PE_TTM(A1, C1:C6, 1)`, A1 398, C1:C4 quarters, C5:C6 empty",
        function="SQ_PE_TTM",
        cells=(398.0, _QUARTERS, 1.0),
        desktop="17.01",
        office_js="#VALUE!",
        web="17.01",
        why=(
            "empty cells reach Office.js in desktop Excel as zeros, which would count as "
            "quarters: a series holding 0 is refused; end the range at the last figure"
        ),
    ),
    HostCase(
        case='Cells holding `=""` at the end of a series',
        example='`=SQ_PE_TTM(A1, C1:C6, 1)`, A1 398, C1:C4 quarters, C5:C6 `=""`',
        function="SQ_PE_TTM",
        cells=(398.0, [5.2, 5.8, 6.0, 6.4, "", ""], 1.0),
        desktop="17.01",
        office_js="17.01",
        web="17.01",
        why="empty text on every host, read as empty: a range may be sized for quarters to come",
    ),
    HostCase(
        case="Empty cell inside a series",
        example="`=SQ_TP_DCF(C1:C3, 0.09, 0.03, 250, 100, 1)`, C2 empty",
        function="SQ_TP_DCF",
        cells=([100.0, EMPTY, 120.0], 0.09, 0.03, 250.0, 100.0, 1.0),
        desktop="#N/A",
        office_js="#VALUE!",
        web="#N/A",
        why="a total over fewer years would be wrong, not missing",
    ),
    HostCase(
        case="Empty cell for an optional number",
        example="`=SQ_PE(A1, B1, C1)`, A1 398, B1 24.1, C1 (fx) empty",
        function="SQ_PE",
        cells=(398.0, 24.1, EMPTY),
        desktop="#N/A",
        office_js="#VALUE!",
        web="#VALUE!",
        why="Excel on the web passes it as left out; fx 1 would be a wrong PE",
    ),
    HostCase(
        case="Optional number left out",
        example="`=SQ_PE(A1, B1)`, A1 398, B1 24.1",
        function="SQ_PE",
        cells=(398.0, 24.1, LEFT_OUT),
        desktop="16.51",
        office_js="#VALUE!",
        web="#VALUE!",
        why="under Office.js a left-out argument looks like an empty cell: type fx, 1 if meant",
    ),
    HostCase(
        case="Benchmark return or holding discount empty or left out",
        example='`=SQ_RATING(A1, B1, "guosen", "en")`, B1 empty',
        function="SQ_RATING",
        cells=(0.25, EMPTY, "guosen", "en"),
        desktop="Outperform",
        office_js="Outperform",
        web="Outperform",
        why="empty, left out and 0 are one value here: the default 0",
    ),
    HostCase(
        case="Empty option cell",
        example="`=SQ_REL_RETURN(A1, B1, C1)`, C1 (method) empty",
        function="SQ_REL_RETURN",
        cells=(0.1, 0.05, EMPTY),
        desktop="0.05",
        office_js="#VALUE!",
        web="0.05",
        why="the default method; Office.js in desktop Excel sends 0, which no method is",
    ),
    HostCase(
        case="Price range without end_price",
        example="`=SQ_RETURN(A1:A3)`",
        function="SQ_RETURN",
        cells=([100.0, 98.0, 116.7], LEFT_OUT),
        desktop="0.167",
        office_js="#VALUE!",
        web="#VALUE!",
        why="Excel on the web cannot tell it from an empty end_price cell: give both prices",
    ),
    HostCase(
        case="Error cell",
        example="`=SQ_PE(A1, B1, 1)`, B1 `#N/A`",
        function="SQ_PE",
        cells=(398.0, ErrorCell("#N/A"), 1.0),
        desktop="#N/A",
        office_js="#N/A",
        web="#N/A",
        why="missing input; Office.js sends an error object (runtime 1.4) or its text (1.2)",
    ),
    HostCase(
        case="Currency-formatted cell",
        example="`=SQ_PE(A1, B1, C1)`, A1 HK$398.00, B1 24.1, C1 1.0702",
        function="SQ_PE",
        cells=(Currency("398.00"), 24.1, 1.0702),
        desktop="15.43",
        office_js="15.43",
        web="15.43",
        why="pywin32 reads a currency cell as a Decimal: read as the number",
    ),
    HostCase(
        case="Date cell where a number belongs",
        example="`=SQ_CAGR(A1, B1, 1)`, A1 and B1 dates",
        function="SQ_CAGR",
        cells=(Date(dt.date(2024, 1, 1)), Date(dt.date(2025, 1, 1)), 1.0),
        desktop="0.008081",
        office_js="0.008081",
        web="0.008081",
        why="a date is its Excel serial on every host, as in Excel's own arithmetic",
    ),
)


def markdown_table(cases: Iterable[HostCase] = CASES) -> str:
    """The cases as the manual's Markdown table (docs/excel-functions.md).

    >>> print(markdown_table(CASES[:1]))  # doctest: +ELLIPSIS
    | Cells | Example | Desktop Excel (xlwings add-in) | ...
    |---|---|---|---|---|---|
    | Empty cell in a number argument | `=SQ_PE(A1, B1, 1)`, A1 398, B1 empty | #N/A | #VALUE! | ...
    <BLANKLINE>
    """
    header = ["Cells", "Example", *HOSTS.values(), "Why"]
    rows = [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for case in cases:
        cells = [case.case, case.example, *(case.outcome(host) for host in HOSTS), case.why]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"
