"""A font with Chinese glyphs for the report's pictures.

matplotlib's own font (DejaVu Sans) has no Chinese glyphs: a chart naming
金山软件 would draw four empty boxes. The pictures therefore set their text
in Noto Sans SC, which every installation has through the project's
dependency ``pylopdf-fonts-zh-cn`` (a data-only package of the upstream
Noto CJK files, SIL Open Font License 1.1). The file is registered with
matplotlib by path, so nothing depends on the machine's font configuration.
Should that package be missing (a distribution that strips dependencies),
an installed system font with the glyphs is used instead (Debian's
``fonts-noto-cjk``, Source Han Sans, WenQuanYi...).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib import font_manager

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = ["SYSTEM_FAMILIES", "CjkFont", "FontNotFoundError", "cjk_font", "missing_glyphs"]

#: Installed families with Simplified Chinese glyphs, in order of preference.
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
)


class FontNotFoundError(RuntimeError):
    """No font with Chinese glyphs could be found."""


@dataclass(frozen=True)
class CjkFont:
    """A font file with Chinese glyphs, registered with matplotlib.

    ``family`` is the name matplotlib knows it by; ``index`` the face within
    a font collection (``.ttc``); ``source`` is ``package`` or ``system``.
    """

    family: str
    path: Path
    index: int
    source: str

    def rc_params(self) -> dict[RcKeyType, Any]:
        """matplotlib settings that set every text of a figure in this font.

        DejaVu Sans follows as a per-glyph fallback for the few symbols a
        CJK font may lack.
        """
        return {
            "font.family": "sans-serif",
            "font.sans-serif": [self.family, "DejaVu Sans"],
            "axes.unicode_minus": True,
            # Glyphs as outlines: an SVG shows the same wherever it is opened.
            "svg.fonttype": "path",
            # Reproducible SVG ids, so regenerated pictures differ only when they change.
            "svg.hashsalt": "xlmodels",
        }


def _packaged() -> CjkFont | None:
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    if not path.is_file():
        return None
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    return CjkFont(family=family, path=path, index=0, source="package")


def _system() -> CjkFont | None:
    # The regular upright face of each family (a collection lists bold apart).
    entries = {
        entry.name: entry
        for entry in reversed(font_manager.fontManager.ttflist)
        if entry.style == "normal" and entry.weight in (400, "normal", "regular")
    }
    for family in SYSTEM_FAMILIES:
        entry = entries.get(family)
        if entry is not None:
            # Collections (.ttc) list one entry per face; older matplotlib has no index.
            index = int(getattr(entry, "index", 0) or 0)
            return CjkFont(family=family, path=Path(entry.fname), index=index, source="system")
    return None


@functools.cache
def cjk_font() -> CjkFont:
    """The font the pictures use for Chinese: the packaged Noto Sans SC, else a system one.

    Raises
    ------
    FontNotFoundError
        Neither the packaged font nor any of :data:`SYSTEM_FAMILIES` is there.
    """
    font = _packaged() or _system()
    if font is None:
        raise FontNotFoundError(
            "no font with Chinese glyphs: reinstall xlmodels with its dependencies "
            "(pylopdf-fonts-zh-cn) or install one of " + ", ".join(SYSTEM_FAMILIES)
        )
    return font


@functools.cache
def _charmap(path: Path, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # matplotlib's own dependency

    with TTFont(str(path), fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(font: CjkFont | Path, texts: Iterable[str]) -> set[str]:
    """Characters of ``texts`` the font has no glyph for (spaces aside).

    Reads the font's character map, so it answers for the file itself, not
    for what a renderer might substitute.

    >>> missing_glyphs(cjk_font(), ["金山软件", "恒生科技指数"])
    set()
    """
    path, index = (font.path, font.index) if isinstance(font, CjkFont) else (font, 0)
    charmap = _charmap(path, index)
    return {
        char for text in texts for char in text if not char.isspace() and ord(char) not in charmap
    }
