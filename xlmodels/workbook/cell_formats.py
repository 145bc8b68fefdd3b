"""A cell's format as openpyxl reads it, turned into xlsxwriter's format properties.

The analyst's own sheets (:mod:`xlmodels.workbook.own_sheets`) are written
again through xlsxwriter: number format, font, fill, borders, alignment and
protection of every cell are carried through these properties, and colours
given by theme index through Office's default theme.
"""

from __future__ import annotations

import colorsys
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles.colors import COLOR_INDEX, Color

__all__ = ["cell_format", "rgb_colour"]

#: Office's default theme colours, in the order of a colour's theme index.
_THEME = (
    "FFFFFF",  # lt1
    "000000",  # dk1
    "E7E6E6",  # lt2
    "44546A",  # dk2
    "4472C4",
    "ED7D31",
    "A5A5A5",
    "FFC000",
    "5B9BD5",
    "70AD47",
    "0563C1",  # hlink
    "954F72",  # folHlink
)

_PATTERNS = {
    "solid": 1,
    "mediumGray": 2,
    "darkGray": 3,
    "lightGray": 4,
    "darkHorizontal": 5,
    "darkVertical": 6,
    "darkDown": 7,
    "darkUp": 8,
    "darkGrid": 9,
    "darkTrellis": 10,
    "lightHorizontal": 11,
    "lightVertical": 12,
    "lightDown": 13,
    "lightUp": 14,
    "lightGrid": 15,
    "lightTrellis": 16,
    "gray125": 17,
    "gray0625": 18,
}
_BORDERS = {
    "thin": 1,
    "medium": 2,
    "dashed": 3,
    "dotted": 4,
    "thick": 5,
    "double": 6,
    "hair": 7,
    "mediumDashed": 8,
    "dashDot": 9,
    "mediumDashDot": 10,
    "dashDotDot": 11,
    "mediumDashDotDot": 12,
    "slantDashDot": 13,
}
_HORIZONTAL = {
    "left": "left",
    "center": "center",
    "right": "right",
    "fill": "fill",
    "justify": "justify",
    "centerContinuous": "center_across",
    "distributed": "distributed",
}
_VERTICAL = {
    "top": "top",
    "center": "vcenter",
    "bottom": "bottom",
    "justify": "vjustify",
    "distributed": "vdistributed",
}
_UNDERLINES = {"single": 1, "double": 2, "singleAccounting": 33, "doubleAccounting": 34}


def rgb_colour(colour: Color | None) -> str | None:
    """``#RRGGBB`` of an openpyxl colour; theme colours through Office's default theme."""
    if colour is None:
        return None
    if colour.type == "rgb" and isinstance(colour.rgb, str):
        if colour.rgb in ("00000000",):  # openpyxl's "no colour"
            return None
        return "#" + colour.rgb[-6:].upper()
    if colour.type == "indexed" and isinstance(colour.indexed, int):
        if colour.indexed >= len(COLOR_INDEX) or colour.indexed >= 64:
            return None  # the system foreground and background: the default
        return "#" + COLOR_INDEX[colour.indexed][-6:].upper()
    if colour.type == "theme" and isinstance(colour.theme, int) and colour.theme < len(_THEME):
        return _tinted(_THEME[colour.theme], float(colour.tint or 0.0))
    return None


def _tinted(rgb: str, tint: float) -> str:
    """A theme colour lightened (tint > 0) or darkened (tint < 0) as Excel does, in HLS."""
    red, green, blue = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    if tint < 0:
        lightness *= 1 + tint
    elif tint > 0:
        lightness = lightness * (1 - tint) + tint
    shown = colorsys.hls_to_rgb(hue, lightness, saturation)
    return "#" + "".join(f"{round(part * 255):02X}" for part in shown)


def cell_format(cell: Cell) -> dict[str, Any]:
    """The xlsxwriter format properties of an openpyxl cell's style."""
    properties: dict[str, Any] = {}
    if cell.number_format and cell.number_format != "General":
        properties["num_format"] = cell.number_format
    font = cell.font
    if font is not None:
        if font.name:
            properties["font_name"] = font.name
        if font.sz:
            properties["font_size"] = float(font.sz)
        if font.b:
            properties["bold"] = True
        if font.i:
            properties["italic"] = True
        if font.strike:
            properties["font_strikeout"] = True
        if font.u in _UNDERLINES:
            properties["underline"] = _UNDERLINES[font.u]
        if font.vertAlign in ("superscript", "subscript"):
            properties["font_script"] = 1 if font.vertAlign == "superscript" else 2
        colour = rgb_colour(font.color)
        if colour is not None and not (font.color.type == "theme" and font.color.theme == 1):
            properties["font_color"] = colour
    fill = cell.fill
    pattern = getattr(fill, "patternType", None)
    if pattern in _PATTERNS:
        properties["pattern"] = _PATTERNS[pattern]
        foreground, background = rgb_colour(fill.fgColor), rgb_colour(fill.bgColor)
        if pattern == "solid":
            # xlsxwriter writes a solid fill's colour from bg_color.
            if foreground is not None:
                properties["bg_color"] = foreground
        else:
            if foreground is not None:
                properties["fg_color"] = foreground
            if background is not None:
                properties["bg_color"] = background
    border = cell.border
    for side in ("left", "right", "top", "bottom"):
        edge = getattr(border, side, None)
        if edge is not None and edge.style in _BORDERS:
            properties[side] = _BORDERS[edge.style]
            colour = rgb_colour(edge.color)
            if colour is not None:
                properties[f"{side}_color"] = colour
    alignment = cell.alignment
    if alignment is not None:
        if alignment.horizontal in _HORIZONTAL:
            properties["align"] = _HORIZONTAL[alignment.horizontal]
        if alignment.vertical in _VERTICAL and alignment.vertical != "bottom":
            properties["valign"] = _VERTICAL[alignment.vertical]
        if alignment.wrap_text:
            properties["text_wrap"] = True
        if alignment.shrink_to_fit:
            properties["shrink"] = True
        if alignment.indent:
            properties["indent"] = int(alignment.indent)
        if alignment.text_rotation:
            properties["rotation"] = _rotation(int(alignment.text_rotation))
    protection = cell.protection
    if protection is not None:
        if protection.locked is False:
            properties["locked"] = False
        if protection.hidden:
            properties["hidden"] = True
    return properties


def _rotation(stored: int) -> int:
    """xlsxwriter's rotation (-90 to 90, or 270 stacked) of the file's (0-180, 255)."""
    if stored == 255:
        return 270
    return -(stored - 90) if stored > 90 else stored
