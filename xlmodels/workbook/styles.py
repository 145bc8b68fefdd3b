"""Cell formats of the coverage workbook, created once per workbook and reused.

Sell-side convention: analyst inputs in blue font (and unlocked, so a
protected sheet still takes them), formulas and data in black (locked).
Text cells carry the text format ``@`` so a code typed as ``0700`` stays
text. Column widths fit their longest content, counting a Chinese character
as two.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from xlmodels.excel.cells import display_width, is_blank
from xlmodels.template.schema import DType, Kind

__all__ = ["FORMULA_FONT", "INPUT_FILL", "INPUT_FONT", "MAX_WIDTH", "Styles", "column_width"]

#: Font colour of analyst inputs.
INPUT_FONT = "#0000FF"
#: Font colour of formulas and data.
FORMULA_FONT = "#000000"
#: Background of input cells, so an empty input is visible too.
INPUT_FILL = "#FFF9E6"
#: Widest a column is made, in characters.
MAX_WIDTH = 60.0

_HEADER_FILL = "#DCE6F1"
_DATE_FORMAT = "yyyy-mm-dd"


class Styles:
    """The formats of one workbook, keyed by what a cell is."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._cells: dict[tuple[Kind, DType, str | None], Format] = {}
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.note = workbook.add_format({"italic": True, "font_color": "#595959"})
        self.group = workbook.add_format(
            {"bold": True, "font_color": "#1F4E78", "bottom": 1, "bottom_color": "#9BC2E6"}
        )
        self.header = workbook.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
                "bg_color": _HEADER_FILL,
                "bottom": 1,
            }
        )
        self.text = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.heading = workbook.add_format(
            {"bold": True, "font_size": 12, "text_wrap": True, "valign": "top"}
        )
        self.flag = workbook.add_format({"align": "center", "locked": True})
        self.wrapped = workbook.add_format(
            {"num_format": "@", "text_wrap": True, "valign": "top", "locked": True}
        )

    def cell(self, kind: Kind, dtype: DType, number_format: str | None = None) -> Format:
        """Format of a data, input, key or formula cell."""
        if number_format is None and dtype in (DType.TEXT, DType.CHOICE):
            number_format = "@"
        if number_format is None and dtype is DType.DATE:
            number_format = _DATE_FORMAT
        key = (kind, dtype, number_format)
        if key not in self._cells:
            properties: dict[str, Any] = {"num_format": number_format} if number_format else {}
            if dtype in (DType.NUMBER, DType.INTEGER):
                # "NM" and blanks in a number column line up with the numbers.
                properties["align"] = "right"
            elif kind is not Kind.KEY:
                # A text cell right of a number (a currency beside a market cap)
                # must not read as that number's unit.
                properties["indent"] = 1
            if kind is Kind.INPUT:
                properties.update(font_color=INPUT_FONT, locked=False, bg_color=INPUT_FILL)
            else:
                properties.update(font_color=FORMULA_FONT, locked=True)
            if kind is Kind.KEY:
                properties["bold"] = True
            self._cells[key] = self._workbook.add_format(properties)
        return self._cells[key]


def _formatted(value: Any, number_format: str | None) -> str:
    """Roughly the text a number shows under a number format, to size its column."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "FALSE" if not value else "TRUE"
    if not isinstance(value, int | float):
        return str(value)
    fmt = number_format or "General"
    decimals = len(fmt.split(".")[1].rstrip('%"x')) if "." in fmt else 0
    scaled = value * 100 if "%" in fmt else value
    text = f"{scaled:{',' if ',' in fmt else ''}.{decimals}f}"
    return text + ("%" if "%" in fmt else "") + ("x" if '"x"' in fmt else "")


def column_width(
    minimum: float, texts: Iterable[str], values: Iterable[Any], number_format: str | None
) -> float:
    """Width (characters) that fits the texts and values; at least ``minimum``."""
    widest = max((display_width(text) for text in texts), default=0)
    numbers = [v for v in values if not is_blank(v) and not isinstance(v, str)]
    for text in (v for v in values if isinstance(v, str)):
        widest = max(widest, display_width(text))
    if numbers:
        numeric = [v for v in numbers if isinstance(v, int | float)]
        extremes = [max(numeric), min(numeric)] if numeric else numbers[:1]
        for number in extremes:
            widest = max(widest, display_width(_formatted(number, number_format)))
    return min(MAX_WIDTH, max(minimum, widest + 2.0))
