"""Reading an input file into rows of cells, keeping the row numbers a user sees.

CSV files may be UTF-8 (with or without the byte-order mark Excel writes) or
GBK/GB18030, the encoding Wind and Chinese-locale Excel save in; comma- or
tab-separated. Excel files (``.xlsx``, ``.xlsm``, ``.xls``) are read from
their first sheet unless a sheet is named, after the safety checks every
command applies (:mod:`xlmodels.excel.ooxml.guard`). The first non-blank row is the
header; blank rows and a vendor's footer line (``数据来源：Wind``) are skipped
but still counted, so an error names the row the user sees in Excel or a text
editor (the header is row 1 when the file starts with it).

A large CSV file (a history of millions of rows) is read column-wise by
pandas' C parser: the columns a reader names as numbers
(``numeric``) are parsed to floats there, exactly as Python's ``float``
reads them, every other column stays text. Such a table keeps the way to
read the file again row by row (:meth:`RawTable.exact`): a reader that
finds anything wrong reads it that way, so each message quotes the cell
as the file writes it. Files the column-wise reader could read otherwise
than the row-wise one (cells of only spaces, a space before a quote,
ragged rows) are read row by row from the start.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from xlmodels.errors import InputError
from xlmodels.excel.cells import is_blank
from xlmodels.excel.ooxml.guard import read_bounded, read_guarded

__all__ = [
    "CSV_ENCODINGS",
    "EXCEL_SUFFIXES",
    "Numeric",
    "RawTable",
    "header_text",
    "read_table",
]

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


class RawTable:
    """A file's header and data rows as read, with the file row of each data row.

    Cells are text for CSV files and typed values (``str``, ``float``,
    ``int``, ``bool``, ``date``, ``datetime``) for Excel files; an empty cell
    is ``""``. A table read column-wise holds its columns as arrays (a
    numeric column as floats, NaN where empty) and builds ``rows`` only when
    asked; :meth:`exact` gives the same file read row by row, all text.
    """

    def __init__(
        self,
        file: Path,
        sheet: str | None,
        headers: list[str],
        header_row: int,
        rows: list[list[Any]] | None,
        row_numbers: list[int],
        day_first: bool | None = None,
        *,
        columns: list[npt.NDArray[Any]] | None = None,
        exact: Callable[[], RawTable] | None = None,
    ) -> None:
        self.file = file
        self.sheet = sheet
        self.headers = headers
        self.header_row = header_row
        self._rows = rows
        self.row_numbers = row_numbers
        #: Slash dates with the year last: D/M/YYYY (True), M/D/YYYY (False), or
        #: as the column shows, refusing a column that does not (None).
        self.day_first = day_first
        self._columns = columns
        self._exact = exact

    @property
    def rows(self) -> list[list[Any]]:
        """The data rows, cell by cell (built from the columns of a column-wise table)."""
        if self._rows is None:
            columns = self._columns or []
            self._rows = [list(row) for row in zip(*columns, strict=True)] if columns else []
        return self._rows

    @property
    def size(self) -> int:
        """How many data rows the table has."""
        return len(self.row_numbers)

    def column(self, position: int) -> Sequence[Any] | npt.NDArray[Any]:
        """The cells of one column, ``""`` where a row is short."""
        if self._columns is not None:
            if position < len(self._columns):
                return self._columns[position]
            return [""] * self.size
        return [row[position] if position < len(row) else "" for row in self.rows]

    @property
    def column_wise(self) -> bool:
        """Whether the table was read column-wise (and can be read again row by row)."""
        return self._exact is not None

    def exact(self) -> RawTable:
        """The same file read row by row, every cell as the file writes it."""
        return self if self._exact is None else self._exact()

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
    return _decoded(path)[0]


def _decoded(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    # Text cannot expand the way a zip can: a large export is read whole, unbounded.
    data = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError(
        "cannot decode the file as UTF-8 or GBK; save it as CSV UTF-8 or as .xlsx", file=path
    )


def _delimiter(text: str) -> str:
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    return "\t" if "\t" in first_line and "," not in first_line else ","


def _csv_rows(path: Path, text: str | None = None) -> list[list[Any]]:
    text = _decode(path) if text is None else text
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    return [list(row) for row in reader]


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


#: Which columns a column-wise reader may parse as numbers: (position, header) -> bool.
Numeric = Callable[[int, str], bool]
#: Rows read one by one to find the header before the rest is read column-wise.
_HEADER_SEARCH = 200
#: Below this many bytes a CSV file is read row by row: too small to gain.
_COLUMN_WISE_BYTES = 256 * 1024
#: ASCII white space other than line ends: where none is in a file, no cell is only spaces.
_ASCII_SPACES = (" ", "\t", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")
#: pandas before 3.0 reads floats exactly only when asked (3.0 always does).
_EXACT_FLOATS: dict[str, Any] = (
    {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}
)


def _header_index(rows: list[list[Any]]) -> int | None:
    """The header row: the first with two or more cells, else the first non-blank one."""
    filled = [i for i, row in enumerate(rows) if not _is_blank_row(row)]
    return next(
        (i for i in filled if sum(1 for cell in rows[i] if not is_blank(cell)) > 1),
        filled[0] if filled else None,
    )


def _headers(row: list[Any]) -> list[str]:
    headers = [header_text(cell) for cell in row]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _row_wise(
    path: Path, sheet: str | None, day_first: bool | None, text: str | None = None
) -> RawTable:
    if path.suffix.lower() in EXCEL_SUFFIXES:
        sheet_name, rows = _excel_rows(path, sheet)
    else:
        sheet_name, rows = None, _csv_rows(path, text)
    header_index = _header_index(rows)
    if header_index is None:
        raise InputError("the file is empty: it needs a header row", file=path, sheet=sheet_name)
    data: list[list[Any]] = []
    numbers: list[int] = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if _is_blank_row(row) or _is_footer(row):
            continue
        data.append(row)
        numbers.append(index + 1)
    headers = _headers(rows[header_index])
    return RawTable(path, sheet_name, headers, header_index + 1, data, numbers, day_first)


def _column_wise(path: Path, numeric: Numeric, day_first: bool | None) -> RawTable | None:
    """A CSV file read column-wise by pandas, or None where the row-wise reader must read it.

    The header and the rows above it are read row by row (they decide where
    the data starts); the rest in one pass of pandas' C parser. A row is
    blank when every cell is empty, a footer when one cell alone holds text:
    both are checked row by row only where the columns say they may be.
    """
    text, encoding = _decoded(path)
    delimiter = _delimiter(text)
    reader = csv.reader(_lines(text), delimiter=delimiter)
    head: list[list[Any]] = []
    header_index = None
    for row in reader:
        head.append(list(row))
        if header_index is not None:
            break  # a row after the header: the data starts there
        if sum(1 for cell in row if not is_blank(cell)) > 1:
            header_index = len(head) - 1  # the first row of two cells or more
        elif len(head) > _HEADER_SEARCH:
            return None
    if header_index is None or header_index == len(head) - 1:
        return None  # no header of two cells, or no data: read it row by row
    header_lines = _lines_through(text, delimiter, header_index)
    # A cell of only spaces counts as blank; a file without a space holds none.
    spaced = not text.isascii() or any(space in text for space in _ASCII_SPACES)
    del text  # pandas reads the file itself: the text is not kept while it does
    headers = _headers(head[header_index])
    width = max(len(head[header_index]), *(len(row) for row in head[header_index + 1 :]))
    numbers = {p for p, header in enumerate(headers) if header and numeric(p, header)}
    dtypes = {p: (np.float64 if p in numbers else object) for p in range(width)}
    try:
        options: dict[str, Any] = {
            "encoding": encoding,
            "sep": delimiter,
            "header": None,
            "names": list(range(width)),
            "skiprows": header_lines,
            "dtype": dtypes,
            "keep_default_na": False,
            # Only a number column reads an empty cell as NaN; text keeps it "".
            "na_values": {p: [""] for p in numbers},
            "skip_blank_lines": False,
            "quotechar": '"',
            "doublequote": True,
            "engine": "c",
            **_EXACT_FLOATS,
        }
        frame: pd.DataFrame = pd.read_csv(path, **options)
    except (ValueError, pd.errors.ParserError):
        return None  # a number column with text, a ragged row: read it row by row
    columns = [frame[p].to_numpy() for p in range(width)]
    empty = [np.isnan(c) if p in numbers else c == "" for p, c in enumerate(columns)]
    filled = np.zeros(len(frame), dtype=np.int64)
    for position, mask in enumerate(empty):
        filled += ~mask
        if spaced and position not in numbers:
            filled -= _only_spaces(columns[position], mask)
    # Only a row with at most one filled cell can be blank or a footer.
    dropped = np.zeros(len(frame), dtype=bool)
    for index in np.flatnonzero(filled <= 1):
        row = ["" if empty[p][index] else columns[p][index] for p in range(width)]
        dropped[index] = _is_blank_row(row) or _is_footer(row)
    first = header_index + 2
    if dropped.any():
        kept = ~dropped
        out = [column[kept] for column in columns]
        row_numbers = (np.flatnonzero(kept) + first).tolist()
    else:
        out, row_numbers = columns, list(range(first, first + len(frame)))
    return RawTable(
        path,
        None,
        headers,
        header_index + 1,
        None,
        row_numbers,
        day_first,
        columns=out,
        exact=functools.cache(lambda: _row_wise(path, None, day_first)),
    )


_IS_SPACE = np.frompyfunc(str.isspace, 1, 1)


def _only_spaces(column: npt.NDArray[Any], empty: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Which text cells of a column hold white space only (1 where so, else 0)."""
    out = np.zeros(len(column), dtype=np.int64)
    cells = np.flatnonzero(~empty)
    if len(cells):
        out[cells] = _IS_SPACE(column[cells]).astype(bool)
    return out


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their ends, one at a time (no copy of the whole text)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _lines_through(text: str, delimiter: str, record: int) -> int:
    """How many lines the first ``record + 1`` records take (a quoted cell may span lines)."""
    reader = csv.reader(_lines(text), delimiter=delimiter)
    for _ in range(record + 1):
        next(reader)
    return reader.line_num


def read_table(
    path: str | Path,
    sheet: str | None = None,
    *,
    day_first: bool | None = None,
    numeric: Numeric | None = None,
) -> RawTable:
    """Read a CSV or Excel file's header and data rows.

    The header is the first row with two or more cells: a sheet of a
    coverage workbook saved as CSV starts with its title and notes, each
    one cell, above the headers. ``day_first`` is kept for the date readers.
    ``numeric`` lets a large CSV file be read column-wise, the columns it
    accepts parsed as numbers (see the module docstring).

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
    suffix = path.suffix.lower()
    if suffix in _UNREAD_SUFFIXES:
        raise InputError(
            f"{_UNREAD_SUFFIXES[suffix]} is not read as an input; save it as .xlsx or as CSV UTF-8",
            file=path,
        )
    if (
        numeric is not None
        and suffix not in EXCEL_SUFFIXES
        and path.stat().st_size >= _COLUMN_WISE_BYTES
    ):
        table = _column_wise(path, numeric, day_first)
        if table is not None:
            return table
    return _row_wise(path, sheet, day_first)


def header_text(cell: Any) -> str:
    """A header cell as text: ``None`` is empty, a whole float loses its ``.0``."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()
