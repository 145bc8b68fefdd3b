"""Reading an input file into rows of cells, keeping the row numbers a user sees.

CSV files may be UTF-8 (with or without the byte-order mark Excel writes) or
GBK/GB18030, the encoding Wind and Chinese-locale Excel save in; comma- or
tab-separated. Excel files (``.xlsx``, ``.xlsm``, ``.xls``) are read from
their first sheet unless a sheet is named, after the safety checks every
command applies (:mod:`xlmodels.excel.ooxml.guard`). The first non-blank row is the
header; blank rows and a vendor's footer line (``数据来源：Wind``) are skipped
but still counted, so an error names the row the user sees in Excel or a text
editor (the header is row 1 when the file starts with it).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from xlmodels.errors import InputError
from xlmodels.excel.cells import is_blank
from xlmodels.excel.ooxml.guard import read_bounded, read_guarded

__all__ = ["CSV_ENCODINGS", "EXCEL_SUFFIXES", "RawTable", "header_text", "read_table"]

#: Encodings tried in order: UTF-8 (the BOM is dropped), then GB18030, a superset of GBK.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
#: File name endings read as Excel workbooks; anything else is read as delimited text.
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")

#: Spreadsheet formats refused by name rather than misread as text.
_UNREAD_SUFFIXES = {
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".xlsb": "an Excel binary workbook (.xlsb)",
    ".numbers": "a Numbers spreadsheet",
}

_FOOTERS = ("数据来源", "资料来源", "source:", "来源：", "来源:")


@dataclass(frozen=True)
class RawTable:
    """A file's header and data rows as read, with the file row of each data row.

    Cells are text for CSV files and typed values (``str``, ``float``,
    ``int``, ``bool``, ``date``, ``datetime``) for Excel files; an empty cell
    is ``""``.
    """

    file: Path
    sheet: str | None
    headers: list[str]
    header_row: int
    rows: list[list[Any]]
    row_numbers: list[int]
    #: Slash dates with the year last: D/M/YYYY (True), M/D/YYYY (False), or
    #: as the column shows, refusing a column that does not (None).
    day_first: bool | None = None

    def column(self, position: int) -> list[Any]:
        """The cells of one column, ``""`` where a row is short."""
        return [row[position] if position < len(row) else "" for row in self.rows]

    def error(
        self, message: str, *, row: int | None = None, column: str | None = None
    ) -> InputError:
        """An :class:`InputError` located in this file."""
        return InputError(message, file=self.file, sheet=self.sheet, row=row, column=column)


def _is_blank_row(row: list[Any]) -> bool:
    """Whether every cell of a row is blank (:func:`~xlmodels.excel.cells.is_blank`)."""
    return all(is_blank(cell) for cell in row)


def _is_footer(row: list[Any]) -> bool:
    filled = [cell for cell in row if not is_blank(cell)]
    if len(filled) != 1 or not isinstance(filled[0], str):
        return False
    return filled[0].strip().lower().startswith(_FOOTERS)


def _decode(path: Path) -> str:
    # Text cannot expand the way a zip can: a large export is read whole, unbounded.
    data = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        "cannot decode the file as UTF-8 or GBK; save it as CSV UTF-8 or as .xlsx", file=path
    )


def _csv_rows(path: Path) -> list[list[Any]]:
    text = _decode(path)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _excel_rows(path: Path, sheet: str | None) -> tuple[str, list[list[Any]]]:
    # A legacy .xls holds at most 65,536 rows by 256 columns: its size bounds its sheets.
    legacy = path.suffix.lower() == ".xls"
    data = read_bounded(path) if legacy else read_guarded(path).data
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, OSError, ValueError) as error:
        raise InputError(f"cannot read the workbook ({error})", file=path) from None
    with workbook:
        names = workbook.sheet_names
        if sheet is None:
            visible = [
                meta.name
                for meta in workbook.sheets_metadata
                if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet
            ]
            if not visible:
                raise InputError("the workbook has no visible worksheet", file=path)
            sheet = visible[0]
        elif sheet not in names:
            raise InputError(
                f"the workbook has no sheet {sheet!r}; sheets: {', '.join(names)}", file=path
            )
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return sheet, [list(row) for row in rows]


def read_table(
    path: str | Path, sheet: str | None = None, *, day_first: bool | None = None
) -> RawTable:
    """Read a CSV or Excel file's header and data rows.

    The header is the first row with two or more cells: a sheet of a
    coverage workbook saved as CSV starts with its title and notes, each
    one cell, above the headers. ``day_first`` is kept for the date readers.

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    InputError
        When it cannot be decoded or holds no header row.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if path.suffix.lower() in _UNREAD_SUFFIXES:
        raise InputError(
            f"{_UNREAD_SUFFIXES[path.suffix.lower()]} is not read as an input; save it as "
            ".xlsx or as CSV UTF-8",
            file=path,
        )
    if path.suffix.lower() in EXCEL_SUFFIXES:
        sheet_name, rows = _excel_rows(path, sheet)
    else:
        sheet_name, rows = None, _csv_rows(path)
    filled = [i for i, row in enumerate(rows) if not _is_blank_row(row)]
    header_index = next(
        (i for i in filled if sum(1 for cell in rows[i] if not is_blank(cell)) > 1),
        filled[0] if filled else None,
    )
    if header_index is None:
        raise InputError("the file is empty: it needs a header row", file=path, sheet=sheet_name)
    headers = [header_text(cell) for cell in rows[header_index]]
    while headers and not headers[-1]:
        headers.pop()
    data: list[list[Any]] = []
    numbers: list[int] = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if _is_blank_row(row) or _is_footer(row):
            continue
        data.append(row)
        numbers.append(index + 1)
    return RawTable(path, sheet_name, headers, header_index + 1, data, numbers, day_first)


def header_text(cell: Any) -> str:
    """A header cell as text: ``None`` is empty, a whole float loses its ``.0``."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()
