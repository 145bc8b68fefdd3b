"""A workbook as stable, line-oriented text, for ``git diff`` (a git ``textconv``).

Git compares the text of a file; an ``.xlsx`` is a zip archive whose bytes
change all over when one cell does. :func:`textconv_lines` prints a coverage
workbook as one line per value anyone typed or refreshed, keyed by sheet,
code and field, in the spec's order::

    Estimates 0700.HK eps_fy2 = 26.3

so a revised estimate changes exactly one line, and ``git diff`` shows it as
one line removed and one added. Computed cells (PE, target price, upside,
rating, returns, percentiles) are left out: they follow from the lines
printed, and printing them would turn one revision into a dozen changed
lines. A formula typed over or edited, a sheet or a cell the template does
not have, each prints an ``Integrity`` line (regeneration's conflict
checks), and an extra sheet's cells are printed in full, so nothing a person
put in the workbook goes unseen. History prints one line per date and
series, so a new month adds lines and changes none.

A workbook that is not a coverage workbook (any other ``.xlsx`` in the
repository) prints every non-empty cell as ``Sheet!A1 = value`` or
``Sheet!A1 = =FORMULA``.

Examples
--------
>>> lines = textconv_lines("workbooks/coverage-sample.xlsx")
>>> [line for line in lines if line.startswith("Estimates 0700.HK eps_fy2")]
['Estimates 0700.HK eps_fy2 = 26.3']
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pandas as pd

from xlmodels.core.markers import is_nm
from xlmodels.errors import InputError
from xlmodels.excel.ooxml.guard import GuardedWorkbook, guard_bytes
from xlmodels.template.migrations import TemplateVersionError, reading_spec
from xlmodels.template.schema import Kind, WorkbookSpec
from xlmodels.workbook.cell_diff import cell_order
from xlmodels.workbook.conflicts import ConflictKind, find_conflicts
from xlmodels.workbook.identify import defined_names, identify
from xlmodels.workbook.reader import WorkbookData, read_workbook
from xlmodels.workbook.stored_cells import CellContent, read_cells

__all__ = ["TEXTCONV_VERSION", "textconv_lines"]

#: Version of the text layout; a change of layout changes every line once.
TEXTCONV_VERSION = 1


def _value(value: Any) -> str:
    """One value on one line: numbers to 15 significant digits, text with newlines escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and is_nm(value):
        return "NM"
    if isinstance(value, int | float):
        number = float(value)
        return "" if math.isnan(number) else f"{number:.15g}"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


def _line(*parts: str, value: Any) -> str:
    shown = _value(value)
    return f"{' '.join(parts)} = {shown}" if shown else f"{' '.join(parts)} ="


def _coverage_lines(
    spec: WorkbookSpec,
    data: WorkbookData,
    cells: Mapping[str, Mapping[str, CellContent]],
    content: GuardedWorkbook,
    path: Path | None,
) -> Iterator[str]:
    yield f"# xlmodels textconv {TEXTCONV_VERSION}: coverage workbook, template v{spec.version}"
    yield "# computed cells are left out: they follow from the lines below"
    for item in spec.settings.settings:
        if item.kind is not Kind.FORMULA and item.key in data.settings:
            yield _line(spec.settings.name, item.key, value=data.settings[item.key])
    for market, expected in sorted(data.analyst.benchmark_expected_returns.items()):
        yield _line(spec.settings.name, "benchmark_expected_return", market, value=expected)
    for sheet in spec.table_sheets():
        table = data.tables.get(sheet.name)
        if table is None:
            continue
        keys = [c.key for c in sheet.columns if c.kind is not Kind.FORMULA and c.key != "code"]
        keys = [key for key in keys if key in table.columns]
        if not keys:
            continue
        for code, row in table.iterrows():
            for key in keys:
                yield _line(sheet.name, str(code), key, value=row[key])
    yield from _history_lines(spec, data.history)
    _, defined = defined_names(content, path)
    conflicts = find_conflicts(spec, data, cells, defined)
    for conflict in conflicts:
        yield f"Integrity {conflict.line()}"
    extra = [c.sheet for c in conflicts if c.kind is ConflictKind.EXTRA_SHEET]
    for sheet_name in extra:
        yield from _cell_lines(sheet_name, cells.get(sheet_name, {}))


def _history_lines(spec: WorkbookSpec, history: pd.DataFrame | None) -> Iterator[str]:
    if history is None or history.empty:
        return
    name = spec.history.name
    for field_name in ("close", "pe_ttm"):
        frame = history.dropna(subset=[field_name])
        for day, rows in frame.groupby("date", sort=True):
            values = " ".join(
                f"{code}={_value(value)}"
                for code, value in sorted(zip(rows["code"], rows[field_name], strict=True))
            )
            yield f"{name} {_value(day)} {field_name} {values}"


def _cell_lines(sheet: str, cells: Mapping[str, CellContent]) -> Iterator[str]:
    for reference in sorted(cells, key=cell_order):
        cell = cells[reference]
        if cell.formula is not None:
            yield f"{sheet}!{reference} = {_value(cell.formula)}"
        elif cell.value not in (None, ""):
            yield f"{sheet}!{reference} = {_value(cell.value)}"


def _generic_lines(
    cells: Mapping[str, Mapping[str, CellContent]], reason: str | None = None
) -> Iterator[str]:
    yield f"# xlmodels textconv {TEXTCONV_VERSION}: every non-empty cell"
    if reason:
        yield f"# not read as a coverage workbook: {reason}"
    for sheet, sheet_cells in cells.items():
        yield f"# sheet {sheet}"
        yield from _cell_lines(sheet, dict(sheet_cells))


def textconv_lines(source: str | Path | IO[bytes]) -> list[str]:
    """The text git compares for one workbook.

    Raises
    ------
    InputError
        When the file is not an .xlsx workbook at all (naming the file).
    FileNotFoundError
    """
    path: Path | None = None
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            raise InputError("is a folder, not a workbook", file=path)
        if not path.is_file():
            raise FileNotFoundError(f"no such workbook: {path}")
        content = path.read_bytes()
    else:
        content = source.read()
    try:
        guarded = guard_bytes(content, path)
        cells = read_cells(guarded)
    except InputError as error:
        raise InputError(error.message, file=path) from None
    try:
        identity = identify(path or Path("workbook.xlsx"), guarded)
    except InputError:
        return list(_generic_lines(cells))
    if identity.version is None:
        return list(_generic_lines(cells, "it records no template version"))
    try:
        _, defined = defined_names(guarded, path)
        spec = reading_spec(identity.version, {n.name for n in defined if n.scope is None})
        data = read_workbook(guarded, spec=spec)
    except (InputError, TemplateVersionError) as error:
        # A workbook an analyst broke must still show in git what it holds.
        return list(_generic_lines(cells, str(getattr(error, "message", error))))
    return list(_coverage_lines(spec, data, cells, guarded, path))
