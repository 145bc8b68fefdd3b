"""Inputs that exercise every path of the workbook's formulas, and cell comparisons.

The bundled sample covers the happy path. These inputs add what a real
coverage universe also holds: a loss-making company (PE and target NM, not
rated), a target on a year without EPS (blank target), a blended target, a
rating override typed in another language, a company with no estimates and no
history, a series that starts after the period began (no return), a holiday
gap inside a series (carried forward), PE-TTM series for a company and an
index, two markets with a non-zero benchmark expected return.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlmodels.core.fx import FxTable
from xlmodels.domain.model import CoverageInputs, Settings
from xlmodels.excel.cells import excel_serial
from xlmodels.excel.references import cell_name, cell_position
from xlmodels.workbook.stored_cells import read_cells

PERIOD_START = dt.date(2024, 10, 31)
PERIOD_END = dt.date(2024, 11, 29)


def edge_inputs(
    *,
    lang: str = "en",
    scheme: str = "csc",
    percentile_method: str = "inc",
    relative_method: str = "geometric",
    reporting_currency: str | None = None,
) -> CoverageInputs:
    """A small universe with every edge case the formulas must agree on.

    With a ``reporting_currency`` (HKD), the market caps convert: the A-share
    at the CNY/HKD rate, the Hong Kong names at 1, and the US company, whose
    USD/HKD rate the inputs lack, shows none.
    """
    universe = pd.DataFrame(
        {
            "name": ["腾讯控股", "亏损公司", "美国公司", "缺年公司", "贵州茅台", "新上市"],
            "name_en": ["Tencent", "Lossmaker", "US Co", "Missing Year", "Moutai", "New Listing"],
            "market": ["HK", "HK", "US", "HK", "A", "HK"],
            "price_currency": ["HKD", "HKD", "USD", "HKD", "CNY", "HKD"],
            "eps_currency": ["CNY", "CNY", "USD", "HKD", "CNY", "CNY"],
            "benchmark": ["HSTECH.HI", "HSTECH.HI", "IXIC.GI", "HSTECH.HI", None, "HSTECH.HI"],
            "analyst": ["A"] * 6,
            "coverage_group": ["Edge"] * 6,
        },
        index=pd.Index(
            ["0700.HK", "1111.HK", "ABC.O", "2222.HK", "600519.SH", "3333.HK"], name="code"
        ),
    )
    market = pd.DataFrame(
        {
            "close": [398.0, 12.5, 50.0, 20.0, 1500.0, 8.0],
            "price_date": [PERIOD_END] * 6,
            "shares_mn": [9267.4, 800.0, 120.0, np.nan, 1256.2, 300.0],
        },
        index=universe.index,
    )
    estimates = pd.DataFrame(
        {
            "eps_basis": ["adjusted", "reported", "adjusted", "reported"],
            # The last reported year: a profit, a loss (NM), zero (NM) and blank.
            "eps_lyr": [16.3, -2.0, 0.0, np.nan],
            "eps_fy1": [24.1, -1.2, 2.5, 1.1],
            "eps_fy2": [26.3, 0.4, 3.1, np.nan],
            "eps_fy3": [29.0, np.nan, 3.6, np.nan],
            "target_multiple": [20.0, 15.0, 18.0, 12.0],
            "target_year": ["FY2", "FY1", "blended", "FY2"],
            "rating_override": [None, None, "减持", None],
            "override_reason": [None, None, '=HYPERLINK("http://x","reason")', None],
            "notes": ["+ upside", "-loss", "@note", None],
        },
        index=pd.Index(["0700.HK", "1111.HK", "ABC.O", "2222.HK"], name="code"),
    )
    for column in ("eps_basis", "target_year", "rating_override", "override_reason", "notes"):
        estimates[column] = estimates[column].astype(object)
    indexes = pd.DataFrame(
        {
            "name": ["恒生科技指数", "纳斯达克指数"],
            "name_en": ["Hang Seng TECH", "NASDAQ Composite"],
            "market": ["HK", "US"],
            "currency": ["HKD", "USD"],
        },
        index=pd.Index(["HSTECH.HI", "IXIC.GI"], name="code"),
    )
    return CoverageInputs(
        universe=universe,
        market=market,
        fx=FxTable({("CNY", "HKD"): 1.0702}),
        estimates=estimates,
        indexes=indexes,
        settings=Settings(
            report_date=dt.date(2024, 12, 2),
            fy1_year=2024,
            period_start=PERIOD_START,
            period_end=PERIOD_END,
            scheme=scheme,
            lang=lang,
            benchmark_expected_returns={"HK": 0.05},
            percentile_method=percentile_method,
            relative_method=relative_method,
            data_note="Synthetic test data.",
            reporting_currency=reporting_currency,
        ),
        history=edge_history(),
    )


def edge_history() -> pd.DataFrame:
    """Three months of closes and PE-TTM, deterministic."""
    rng = np.random.default_rng(4)
    days = pd.bdate_range("2024-09-02", "2024-12-02")
    rows = []
    for code, start, level in (
        ("0700.HK", 0, 400.0),
        ("1111.HK", 0, 12.0),
        ("ABC.O", 0, 45.0),
        ("2222.HK", 0, 19.0),
        ("3333.HK", 50, 7.5),  # listed after the period began: no return
        ("HSTECH.HI", 0, 4400.0),
        ("IXIC.GI", 0, 18000.0),
    ):
        path = level * np.exp(np.cumsum(rng.normal(0, 0.015, len(days))))
        for position, day in enumerate(days):
            if position < start or day > pd.Timestamp(PERIOD_END):
                continue
            # A holiday inside the series: carried forward in the History sheet.
            if code == "0700.HK" and 20 <= position <= 22:
                continue
            rows.append((day, code, round(float(path[position]), 2), np.nan))
    pe = 20 + np.cumsum(rng.normal(0, 0.4, len(days)))
    for position, day in enumerate(days):
        rows.append((day, "HSTECH.HI", np.nan, round(float(pe[position]), 2)))
        if position % 2 == 0:
            rows.append((day, "0700.HK", np.nan, round(float(pe[position] * 0.8), 2)))
    frame = pd.DataFrame(rows, columns=["date", "code", "close", "pe_ttm"])
    return (
        frame.groupby(["date", "code"], as_index=False)
        .agg({"close": "last", "pe_ttm": "last"})
        .reset_index(drop=True)
    )


# ----------------------------------------------------------------- comparisons
def as_comparable(value: Any) -> Any:
    """Dates as serial numbers, integers as floats, blanks as ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return excel_serial(value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    return value


def same(expected: Any, actual: Any, relative: float = 1e-9) -> bool:
    """Equal, numbers within ``relative`` (LibreOffice stores 15 significant digits)."""
    a, b = as_comparable(expected), as_comparable(actual)
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= relative * max(1.0, abs(a))
    return bool(a == b)


def differences(
    pairs: Iterable[tuple[str, Any, Any]], relative: float = 1e-9
) -> list[tuple[str, Any, Any]]:
    """The (where, expected, actual) pairs that differ."""
    return [(where, a, b) for where, a, b in pairs if not same(a, b, relative)]


# ------------------------------------------------------------------ LibreOffice
_RECALCULATE_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def libreoffice_profile(folder: Path, recalculate: bool) -> str:
    """A LibreOffice user profile; with ``recalculate`` it recalculates every file it loads.

    LibreOffice's default for .xlsx files is to show the cached results, which
    would make a recalculation test pass vacuously; this profile sets the
    "recalculation on file load" option to "always".
    """
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    if recalculate:
        (user / "registrymodifications.xcu").write_text(_RECALCULATE_ALWAYS, encoding="utf-8")
    return folder.resolve().as_uri()


def libreoffice_convert(
    soffice: str, profile: str, files: list[Path], out: Path, target: str
) -> list[Path]:
    """Convert files with headless LibreOffice (one process for all of them)."""
    out.mkdir(parents=True, exist_ok=True)
    command = [
        soffice,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(out),
        *(str(f) for f in files),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    extension = target.split(":", 1)[0]
    converted = [out / f"{f.stem}.{extension}" for f in files]
    missing = [p for p in converted if not p.is_file()]
    if result.returncode != 0 or missing:
        raise RuntimeError(
            f"LibreOffice failed ({result.returncode}): {result.stderr.strip()} {missing}"
        )
    return converted


def have(executable: str) -> bool:
    return shutil.which(executable) is not None


# ----------------------------------------------------------- spilled formulas
def sheet_part(path: Path, sheet: str) -> str:
    """The zip part holding a sheet's cells (``xl/worksheets/sheet2.xml``)."""
    with zipfile.ZipFile(path) as package:
        book = package.read("xl/workbook.xml").decode("utf-8")
        rels = package.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    found = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="(rId\d+)"', book)
    assert found, sheet
    target = re.search(rf'Id="{found[1]}" [^>]*Target="([^"]+)"', rels)
    assert target, found[1]
    return "xl/" + target[1].removeprefix("/xl/")


def _cell_xml(reference: str) -> re.Pattern[str]:
    return re.compile(rf'<c r="{reference}"(?: [^>]*?)?(?:/>|>.*?</c>)', re.S)


def edit_cells(path: Path, sheet: str, cells: dict[str, str | None]) -> None:
    """Rewrite cells of a sheet's XML in place: each given cell's XML replaced (None: removed)."""
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info.filename) for info in package.infolist()}
    text = parts[part].decode("utf-8")
    for reference, xml in cells.items():
        pattern = _cell_xml(reference)
        found = pattern.search(text)
        assert found is not None, f"{sheet}!{reference} is not stored"
        text = text[: found.start()] + (xml or "") + text[found.end() :]
    parts[part] = text.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def cell_xml(path: Path, sheet: str, reference: str) -> str:
    """A stored cell's XML as the sheet's part holds it."""
    with zipfile.ZipFile(path) as package:
        text = package.read(sheet_part(path, sheet)).decode("utf-8")
    found = _cell_xml(reference).search(text)
    assert found, f"{sheet}!{reference} is not stored"
    return found[0]


def excel_types_over_spill(
    path: Path, sheet: str, reference: str, value: float, *, shrink: bool = False
) -> str:
    """Type a number into a cell a formula spills into, and save as Excel does; the formula's cell.

    Excel keeps the typed value, shows ``#SPILL!`` in the formula's cell and
    stores none of the results the formula can no longer spill. With
    ``shrink`` the formula's stored range is its own cell alone.
    """
    cells = read_cells(path)[sheet]
    spilled = cells[reference]
    assert spilled.spilled_from is not None, f"{sheet}!{reference} is not spilled"
    anchor = spilled.spilled_from
    block = cells[anchor].spill
    assert block is not None
    first, last = (cell_position(part) for part in block.split(":"))
    style = re.search(r' s="(\d+)"', cell_xml(path, sheet, reference))
    assert style
    xml = cell_xml(path, sheet, anchor)
    start, rest = xml.split(">", 1)
    xml = re.sub(r' t="[a-z]+"', "", start) + ' t="e">' + rest
    xml = re.sub(r"<v>.*?</v>|<v/>", "<v>#SPILL!</v>", xml)
    if shrink:
        xml = xml.replace(f'ref="{block}"', f'ref="{anchor}"')
    edits: dict[str, str | None] = {anchor: xml}
    for row in range(first[0] + 1, last[0] + 1):
        name = cell_name(row, first[1])
        if name in cells:
            edits[name] = None
    edits[reference] = f'<c r="{reference}" s="{style[1]}"><v>{value!r}</v></c>'
    edit_cells(path, sheet, edits)
    return anchor
