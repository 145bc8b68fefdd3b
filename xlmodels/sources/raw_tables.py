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
ragged rows, a quoted cell across lines above the data) are read row by
row from the start. Its text columns are factorized once
(:func:`factorize_texts`): a reader decides each distinct text once, not
each of the millions of cells repeating it.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, overload

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
    "RowNumbers",
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


class RowNumbers(Sequence[int]):
    """The file rows of a large table's data rows, held as an array of them.

    A list of millions of rows would cost more to make than the file
    costs to parse; an item is an ``int``, a slice is again the rows.
    """

    def __init__(self, rows: npt.NDArray[np.intp]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> RowNumbers: ...

    def __getitem__(self, index: int | slice) -> int | RowNumbers:
        if isinstance(index, slice):
            return RowNumbers(self._rows[index])
        return int(self._rows[index])


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
        row_numbers: Sequence[int],
        day_first: bool | None = None,
        *,
        columns: list[npt.NDArray[Any]] | None = None,
        exact: Callable[[], RawTable] | None = None,
        distinct: dict[int, tuple[list[str], npt.NDArray[np.intp]]] | None = None,
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
        #: Position -> the distinct texts of a column-wise text column and each cell's.
        self._distinct = dict(distinct or {})
        self._transposed: list[tuple[Any, ...]] | None = None

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
        if self._transposed is None:
            # Transposed once: a wide sheet is read column by column, a thousand of them.
            self._transposed = list(itertools.zip_longest(*self.rows, fillvalue=""))
        if position < len(self._transposed):
            return self._transposed[position]
        return [""] * self.size

    def distinct(self, position: int) -> tuple[list[str], npt.NDArray[np.intp]] | None:
        """A text column's distinct cells in order of first appearance, and each cell's among them.

        Only for a column-wise table's text columns (every cell a ``str``);
        None for any other column, which its reader factorizes itself.
        """
        if position in self._distinct:
            return self._distinct[position]
        columns = self._columns
        if columns is None or position >= len(columns) or columns[position].dtype != object:
            return None
        self._distinct[position] = factorize_texts(columns[position])
        return self._distinct[position]

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
    filled = None
    for cell in row:
        if not is_blank(cell):
            if filled is not None:
                return False  # a second filled cell: no footer (the rest need not be looked at)
            filled = cell
    if not isinstance(filled, str):
        return False
    return filled.strip().lower().startswith(_FOOTERS)


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
#: The bytes of an ASCII file decoded to find its header: a header deeper is found in the whole.
_HEAD_BYTES = 1 << 20
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


def _head(text: str, delimiter: str) -> tuple[list[list[str]], int | None, int, int]:
    """The rows through the header and one data row, the header's index, and lines read.

    Returns the rows, the header's index among them (None where none is
    found), the lines the rows through the header take (a quoted cell may
    span lines) and the lines read in all.
    """
    reader = csv.reader(_lines(text), delimiter=delimiter)
    head: list[list[str]] = []
    header_index, header_lines = None, 0
    for row in reader:
        head.append(list(row))
        if header_index is not None:
            break  # a row after the header: the data starts there
        if sum(1 for cell in row if not is_blank(cell)) > 1:
            header_index = len(head) - 1  # the first row of two cells or more
            header_lines = reader.line_num
        elif len(head) > _HEADER_SEARCH:
            break
    return head, header_index, header_lines, reader.line_num


def _head_text(path: Path) -> tuple[str, str, bool]:
    """The first lines of the file decoded, their encoding, and whether they are the whole file.

    pandas decodes the file itself: only the lines that hold the header are
    decoded here, in the first of :data:`CSV_ENCODINGS` they read in (a line
    end is never inside a character of either).
    """
    with path.open("rb") as file:
        data = file.read(_HEAD_BYTES + 1)
    whole = len(data) <= _HEAD_BYTES
    if not whole:
        data = data[: data.rfind(b"\n", 0, _HEAD_BYTES) + 1]
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding), encoding, whole
        except UnicodeDecodeError:
            continue
    return *_decoded(path), True


#: What pandas reads of a file column-wise: the frame, the headers, the header's index, and
#: the positions of number columns.
_Parsed = tuple[pd.DataFrame, list[str], int, set[int]]


def _parse(
    path: Path, text: str, encoding: str, whole: bool, numeric: Numeric
) -> _Parsed | str | None:
    """The file read by pandas from the header found in ``text``.

    ``"whole"`` where ``text``, the file's first lines, does not settle it:
    the header is not found in them, or the rest is not in their encoding.
    None where the file is to be read row by row.
    """
    delimiter = _delimiter(text)
    head, header_index, header_lines, lines_read = _head(text, delimiter)
    if not whole and lines_read >= text.count("\n"):
        return "whole"  # the rows read reach the end of the lines decoded
    if header_index is None or header_index == len(head) - 1:
        return None  # no header of two cells, or no data: read it row by row
    if header_lines != header_index + 1:
        # A quoted cell across lines above the data: pandas skips rows, not
        # lines, and its rows there need not be Python's: read it row by row.
        return None
    headers = _headers(head[header_index])
    width = max(len(head[header_index]), *(len(row) for row in head[header_index + 1 :]))
    numbers = {p for p, header in enumerate(headers) if header and numeric(p, header)}
    dtypes = {p: (np.float64 if p in numbers else object) for p in range(width)}
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
    try:
        frame: pd.DataFrame = pd.read_csv(path, **options)
    except UnicodeDecodeError:
        return None if whole else "whole"
    except (ValueError, pd.errors.ParserError):
        return None  # a number column with text, a ragged row: read it row by row
    return frame, headers, header_index, numbers


def _column_wise(path: Path, numeric: Numeric, day_first: bool | None) -> RawTable | None:
    """A CSV file read column-wise by pandas, or None where the row-wise reader must read it.

    The header and the rows above it are read row by row (they decide where
    the data starts); the rest in one pass of pandas' C parser. A row is
    blank when every cell is empty, a footer when one cell alone holds text:
    both are checked row by row only where the columns say they may be.
    Text columns are factorized once (:func:`factorize_texts`): emptiness,
    and later every reading of the column, is decided once per distinct text.
    """
    text, encoding, whole = _head_text(path)
    parsed = _parse(path, text, encoding, whole, numeric)
    if parsed == "whole":
        text, encoding = _decoded(path)
        parsed = _parse(path, text, encoding, True, numeric)
    del text  # pandas has read the file itself: the text is not kept
    if parsed is None or isinstance(parsed, str):
        return None
    frame, headers, header_index, numbers = parsed
    width = frame.shape[1]
    columns = [frame[p].to_numpy() for p in range(width)]
    del frame
    size = len(columns[0])
    distinct = {p: factorize_texts(columns[p]) for p in range(width) if p not in numbers}
    # An empty cell or one of only spaces is blank: decided once per distinct text.
    blanks = {
        p: [i for i, text in enumerate(uniques) if not text or text.isspace()]
        for p, (uniques, _) in distinct.items()
    }
    # Only a row with at most one filled cell can be blank or a footer; none can
    # where two text columns are never blank (a history's dates and codes).
    candidates = np.zeros(0, dtype=np.intp)
    if sum(1 for blank in blanks.values() if not blank) < 2:
        filled = np.zeros(size, dtype=np.int32)
        for position, column in enumerate(columns):
            if position in numbers:
                filled += ~np.isnan(column)
                continue
            blank, codes = blanks[position], distinct[position][1]
            filled += 1
            if blank:
                filled -= codes == blank[0] if len(blank) == 1 else np.isin(codes, blank)
        candidates = np.flatnonzero(filled <= 1)
    dropped = np.zeros(size, dtype=bool)
    for index in candidates:
        row = [
            "" if position in numbers and np.isnan(column[index]) else column[index]
            for position, column in enumerate(columns)
        ]
        dropped[index] = _is_blank_row(row) or _is_footer(row)
    first = header_index + 2
    if dropped.any():
        kept = ~dropped
        out = [column[kept] for column in columns]
        distinct = {p: _kept(found, kept) for p, found in distinct.items()}
        row_numbers: Sequence[int] = RowNumbers(np.flatnonzero(kept) + first)
    else:
        out, row_numbers = columns, range(first, first + size)
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
        distinct=distinct,
    )


def _kept(
    distinct: tuple[list[str], npt.NDArray[np.intp]], kept: npt.NDArray[np.bool_]
) -> tuple[list[str], npt.NDArray[np.intp]]:
    """A factorized column's distinct texts and codes for the rows kept, as if factorized anew."""
    uniques, codes = distinct
    codes = codes[kept]
    order = pd.unique(codes)
    renumbered = np.zeros(len(uniques), dtype=np.intp)
    renumbered[order] = np.arange(len(order), dtype=np.intp)
    return [uniques[i] for i in order], renumbered[codes]


#: Below this many cells a column is factorized by hashing alone.
_SHORT_COLUMN = 4096
#: A repeat is used where at most one cell in this many differs from the cell it repeats.
_REPEAT_SHARE = 8
#: How far the first repeat of a column's first cell is looked for.
_PERIOD_SEARCH = 1 << 17


def factorize_texts(cells: npt.NDArray[Any]) -> tuple[list[str], npt.NDArray[np.intp]]:
    """The distinct texts of a column in order of first appearance, and each cell's position.

    What ``pd.factorize`` gives, without hashing every cell where the
    column repeats itself: a long history writes runs of one date (or one
    code), and the same codes date after date. Where a cell equals the cell
    ``period`` rows above it, it shares that cell's position; only the
    others (the first ``period`` cells and every change) are hashed. A
    value's first cell is never equal to one above it, so the order of
    first appearance is kept.

    >>> uniques, codes = factorize_texts(np.array(["b", "b", "a", "b", "a"], dtype=object))
    >>> uniques, codes.tolist()
    (['b', 'a'], [0, 0, 1, 0, 1])
    """
    size = len(cells)
    if size >= _SHORT_COLUMN:
        for period in _periods(cells):
            changed = np.ones(size, dtype=bool)
            np.not_equal(cells[period:], cells[:-period], out=changed[period:])
            if int(np.count_nonzero(changed)) * _REPEAT_SHARE > size:
                continue
            anchors = np.flatnonzero(changed)
            anchor_codes, uniques = pd.factorize(cells[anchors])
            return list(uniques), _repeated(anchor_codes, anchors, changed, period)
    codes, uniques = pd.factorize(cells)
    return list(uniques), codes


def _repeated(
    anchor_codes: npt.NDArray[np.intp],
    anchors: npt.NDArray[np.intp],
    changed: npt.NDArray[np.bool_],
    period: int,
) -> npt.NDArray[np.intp]:
    """Each cell's code: that of the last changed cell (anchor) at or above it, ``period`` apart."""
    size = len(changed)
    if period == 1:  # runs: the cells of a run take the code of its first
        lengths = np.diff(anchors, append=size)
        runs: npt.NDArray[np.intp] = np.repeat(anchor_codes, lengths)
        return runs
    if len(anchors) == period:  # the first rows repeated to the end
        return np.resize(anchor_codes, size).astype(np.intp, copy=False)
    rows = -(-size // period)
    latest = np.zeros(rows * period, dtype=np.intp)
    latest[anchors] = anchors
    latest = np.maximum.accumulate(latest.reshape(rows, period), axis=0).reshape(-1)
    by_position = np.zeros(size, dtype=np.intp)
    by_position[anchors] = anchor_codes
    return by_position[latest[:size]]


def _periods(cells: npt.NDArray[Any]) -> Iterator[int]:
    """Row distances at which a column may repeat: 1 (runs), then that of its first cell's repeat.

    Each is tried on the first rows before the whole column.
    """
    sample = cells[: 4 * _SHORT_COLUMN]
    if int(np.count_nonzero(sample[1:] != sample[:-1])) * _REPEAT_SHARE <= len(sample):
        yield 1
    repeats = np.flatnonzero(cells[1:_PERIOD_SEARCH] == cells[0])
    if len(repeats) and (period := int(repeats[0]) + 1) > 1:
        sample = cells[: max(4 * _SHORT_COLUMN, 4 * period)]
        changed = int(np.count_nonzero(sample[period:] != sample[:-period])) + period
        if changed * _REPEAT_SHARE <= len(sample):
            yield period


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their ends, one at a time (no copy of the whole text)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


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
