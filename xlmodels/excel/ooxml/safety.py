"""Checks that run on a workbook's bytes before any parser sees them.

A file from a repository is untrusted input. Before openpyxl or calamine
reads a workbook, :func:`inspect_package`

* tells a workbook from what is not one: an encrypted workbook or a legacy
  .xls (both Compound Files, :mod:`xlmodels.excel.ooxml.cfb`), text such as a
  renamed CSV, anything else that is not a zip;
* checks every part of the zip against :class:`~xlmodels.excel.ooxml.limits.Limits`
  using the sizes the zip declares (a zip bomb declares absurd sizes or an
  absurd compression ratio), then inflates every part itself, in bounded
  chunks, and requires exactly the declared size and checksum (a bomb that
  lies about its sizes stops at the first byte past them);
* refuses any XML part that declares a DOCTYPE or an entity: a workbook has
  no use for them, and they are how entity-expansion bombs and external
  entities work (the parsers run through defusedxml as well);
* refuses XML nested deeper than any workbook needs, and a shared-string
  table longer than the limit (parsers take time and memory per level and
  per string, within sizes the zip limits allow);
* records what later steps need without parsing XML: which sheets contain
  formulas or error cells, and the rectangle each sheet's cells really span,
  so that a sheet claiming cells at the far corner of the grid is never read
  densely (:func:`check_sheet_extent`: calamine allocates the whole rectangle
  from A1).

Anything wrong raises :class:`Unreadable` with a plain sentence for the user.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from xlmodels.excel.ooxml import cfb
from xlmodels.excel.ooxml.limits import Limits
from xlmodels.excel.references import cell_name

__all__ = [
    "Extent",
    "Package",
    "SheetFacts",
    "Unreadable",
    "cell_name",  # from xlmodels.excel.references, where cell names are made
    "check_sheet_extent",
    "holds_formula_element",
    "inspect_package",
    "sheet_extent",
]

MB = 1024 * 1024
_CHUNK = MB
#: Parts kept in memory after the checks, for reading the workbook's structure.
_KEPT = ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")


class Unreadable(Exception):
    """The file cannot be validated; the message says why, in plain words."""


@dataclass(frozen=True)
class Extent:
    """Rows and columns (1-based, inclusive) spanned by a sheet's cells."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int

    @property
    def cells(self) -> int:
        return (self.last_row - self.first_row + 1) * (self.last_column - self.first_column + 1)

    @property
    def cells_from_a1(self) -> int:
        """Cells of the rectangle from A1 to the last cell: what a dense reader allocates."""
        return self.last_row * self.last_column


@dataclass(frozen=True)
class SheetFacts:
    """What a byte scan of one worksheet part found.

    ``has_formulas`` is whether the part holds a formula element at all
    (:func:`holds_formula_element`), whatever prefix or spacing it is written with.

    ``extent`` is None when some cell or row does not state its position
    plainly (the sheet is then read by streaming, never densely), or when the
    sheet is empty. ``has_formulas`` and ``has_errors`` say whether a formula
    element, or an error cell (``t="e"``), may be present: never False when
    one is, so that a reader may skip the XML of a sheet without either.
    ``nesting`` is never less than how deeply the part's elements nest
    (:func:`xml_depth`), and a little more at most (see :func:`_nesting`); as
    a bound, it depends on how the scan cut the part, and facts compare
    without it.
    """

    has_formulas: bool
    has_errors: bool
    extent: Extent | None
    plain_positions: bool
    nesting: int = field(default=0, compare=False)


@dataclass
class Package:
    """A workbook's zip package, checked."""

    data: bytes
    names: list[str]
    parts: dict[str, bytes] = field(default_factory=dict)
    sheets: dict[str, SheetFacts] = field(default_factory=dict)

    @property
    def has_vba(self) -> bool:
        return any(name.lower().endswith("vbaproject.bin") for name in self.names)

    @property
    def external_links(self) -> list[str]:
        return sorted(
            name
            for name in self.names
            if name.startswith("xl/externalLinks/") and name.endswith(".xml")
        )


def _classify_non_zip(data: bytes) -> str:
    if not data:
        return "the file is empty"
    if data.startswith(cfb.SIGNATURE):
        try:
            names = {name.lower() for name in cfb.stream_names(data)}
        except cfb.CfbError:
            return (
                "encrypted or legacy .xls: an OLE2 (Compound File) document whose "
                "directory is damaged; open it in Excel and save it as .xlsx without a password"
            )
        if {"encryptioninfo", "encryptedpackage"} & names:
            return (
                "encrypted (password-protected) workbook: remove the password in Excel "
                "(File > Info > Protect Workbook > Encrypt with Password) and save again"
            )
        if {"workbook", "book"} & names:
            return "legacy .xls (Excel 97-2003) workbook: open it in Excel and save it as .xlsx"
        return (
            "encrypted or legacy .xls: an OLE2 (Compound File) document, not an .xlsx "
            "package; open it in Excel and save it as .xlsx"
        )
    head = data[:4096]
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            text = True
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still text.
            text = error.start >= len(head) - 3
        if text:
            return (
                "not an Excel workbook: the file holds text (a CSV or another text file "
                "renamed to .xlsx?); open it in Excel and save it as an .xlsx workbook"
            )
    return "not an Excel workbook: the file is not a zip package"


def _inflate(
    data: bytes, info: zipfile.ZipInfo, limit: int, watch: Callable[[bytes], None] | None = None
) -> bytes:
    """A part's bytes, verified against its local header, declared size and CRC.

    ``watch`` sees each piece as it is inflated and may refuse the part
    (raise :class:`Unreadable`) before the rest is inflated.
    """
    offset = info.header_offset
    if offset + _LOCAL_HEADER.size > len(data):
        raise Unreadable(f"the zip package is truncated (part {info.filename!r} is missing)")
    (signature, _version, flags, method, _time, _date, crc, csize, usize, name_length,
     extra_length) = _LOCAL_HEADER.unpack_from(data, offset)  # fmt: skip
    if signature != b"PK\x03\x04":
        raise Unreadable(f"the zip package is damaged (no local header for {info.filename!r})")
    central = (info.compress_size, info.file_size, info.CRC)
    # With a data descriptor (flag 8) the local sizes are zero; zip64 ones are 0xFFFFFFFF.
    if not flags & 0x08 and (csize, usize, crc) != central and 0xFFFFFFFF not in (csize, usize):
        raise Unreadable(
            f"the zip package is inconsistent: part {info.filename!r} declares two sizes"
        )
    start = offset + _LOCAL_HEADER.size + name_length + extra_length
    end = start + info.compress_size
    if end > len(data):
        raise Unreadable(f"the zip package is truncated (part {info.filename!r} is cut short)")
    raw = memoryview(data)[start:end]
    if method == zipfile.ZIP_STORED:
        out = bytes(raw)
        if watch is not None:
            watch(out)
    elif method == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        pieces: list[bytes] = []
        produced = 0
        position = 0
        try:
            while not inflater.eof:
                chunk = inflater.unconsumed_tail or raw[position : position + _CHUNK]
                if not inflater.unconsumed_tail:
                    position += len(chunk)
                    if not chunk:
                        break
                piece = inflater.decompress(chunk, _CHUNK)
                produced += len(piece)
                if produced > info.file_size or produced > limit:
                    raise Unreadable(
                        f"zip bomb: part {info.filename!r} inflates beyond the "
                        f"{info.file_size:,} bytes it declares"
                    )
                if watch is not None:
                    watch(piece)
                pieces.append(piece)
        except zlib.error:
            raise Unreadable(
                f"the zip package is damaged (part {info.filename!r} does not inflate)"
            ) from None
        if not inflater.eof:
            raise Unreadable(f"the zip package is truncated (part {info.filename!r} is cut short)")
        out = b"".join(pieces)
    else:
        raise Unreadable(
            f"part {info.filename!r} uses zip compression method {method}, which Excel never writes"
        )
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise Unreadable(f"the zip package is damaged (part {info.filename!r} fails its checksum)")
    return out


_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_:]")


def _declares_doctype(name: str, content: bytes) -> bool:
    """Whether an XML part declares a DOCTYPE (and so possibly entities).

    A document type declaration can only stand in the prolog, before the root
    element: a parser rejects one anywhere else. So only the prolog is read,
    however long a hostile file makes it.
    """
    head = content[:4].lstrip(b"\xef\xbb\xbf")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = content.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
        return any(mark in text for mark in _DECLARATIONS)
    if not head.lstrip().startswith(b"<") and not name.endswith((".xml", ".rels", ".vml")):
        return False
    root = _ROOT_ELEMENT.search(content)
    prolog = content if root is None else content[: root.start()]
    return any(mark in prolog for mark in _DECLARATIONS)


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
#: ``<`` and ``:``, which stand right before an element's local name.
_BEFORE_NAME = frozenset(b"<:")
#: ``f`` looked at one by one before the pattern is asked instead.
_F_LOOKS = 4096


def holds_formula_element(xml: bytes) -> bool:
    """Whether a sheet's XML holds a formula element, with or without a prefix (``<f>``, ``<x:f>``).

    Such an element's name is an ``f`` right after ``<`` or a prefix's
    ``:``. In a sheet of numbers (the History, most of a workbook) an ``f``
    is rare: finding each one is a ``memchr``, where the pattern stops at
    every ``<``. A sheet of many ``f`` is left to the pattern.

    >>> holds_formula_element(b'<c r="A1"><x:f>1+1</x:f></c>'), holds_formula_element(b"<v>of</v>")
    (True, False)
    """
    position, seen = xml.find(b"f", 1), 0
    while position >= 0:
        seen += 1
        if xml[position - 1] in _BEFORE_NAME or seen > _F_LOOKS:
            return _FORMULA_TAG.search(xml) is not None
        position = xml.find(b"f", position + 1)
    return False


_ODD_POSITION = re.compile(rb"\sr\s*=\s*([\"'])(.*?)\1", re.S)
_REFERENCE = re.compile(rb"^([A-Z]{0,3})([0-9]{1,7})$")


def _column_number(letters: bytes) -> int:
    """:func:`~xlmodels.excel.references.column_number` of ASCII upper-case bytes.

    The byte scan of a sheet meets millions of cell positions: decoding
    each to text first would cost more than the scan. Tested to agree with
    the text version on every column.
    """
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


def sheet_extent(xml: bytes) -> tuple[Extent | None, bool]:
    """The rectangle a worksheet's cells span, from their ``r`` attributes.

    Returns ``(extent, plain)``: ``plain`` is False when some cell or row has
    no ``r`` attribute or writes it in a way a byte scan cannot trust
    (character references, unusual spacing, a namespace prefix); such a sheet
    is measured by a slower parse here and streamed by openpyxl later.
    ``extent`` is None for a sheet without cells.
    """
    facts = _scan(xml)
    return facts.extent, facts.plain_positions


#: Bytes of a sheet's XML scanned at a time. The scan's arrays are a few times
#: this size, however large the sheet (a History of 2.5 million numbers is
#: some 100 MB of XML, whose arrays took half a gigabyte scanned at once), and
#: at this size they stay in the processor's cache: a third faster than 4 MB.
_SCAN_CHUNK = MB


@dataclass
class _Partial:
    """What one stretch of a sheet's XML holds (see :func:`_scan`)."""

    cells: int
    rows: int
    formulas: bool
    errors: bool
    odd_positions: bool
    positions: int
    invalid: bool = False
    #: The least and the greatest column number, and row number, of the stretch's cells.
    columns: tuple[int, int] | None = None
    row_numbers: tuple[int, int] | None = None
    #: Elements opened less elements closed with a closing tag: in all, and at the most.
    nesting: tuple[int, int] = (0, 0)


def _stretches(xml: bytes, chunk: int) -> Iterator[tuple[int, int]]:
    """(start, end) of stretches of about ``chunk`` bytes, each starting at a ``<``."""
    start, size = 0, len(xml)
    while start < size:
        end = xml.find(b"<", start + chunk) if start + chunk < size else -1
        end = size if end < 0 else end
        yield start, end
        start = end


#: Tags taken together when bounding the nesting: the bound exceeds the real
#: depth by less than this, far below any sensible limit.
_NESTING_BLOCK = 64


def _nesting(closes: np.ndarray) -> tuple[int, int]:
    """(elements opened less closed, a bound of the deepest point) over a stretch's tags.

    ``closes`` says which ``<`` starts a closing tag. Every other tag is
    counted as opening an element (``<?`` and ``<!`` open none, and an
    element may close itself: counting them only raises the bound). The
    deepest point is bounded a block of tags at a time: the level before a
    block plus the tags of the block that open.
    """
    size = closes.size
    starts = np.arange(0, size, _NESTING_BLOCK)
    closed = np.add.reduceat(closes.view(np.uint8), starts, dtype=np.int64)
    tags = np.minimum(size - starts, _NESTING_BLOCK)
    net = tags - 2 * closed  # opened less closed, block by block
    before = np.cumsum(net) - net
    return int(net.sum()), int((before + tags - closed).max())


#: Bytes read after a position attribute's opening quote: up to three column
#: letters and seven row digits, the closing quote, and one more (a reference
#: that long is not one).
_WIDTH = 12
#: Row k says which of a reference's bytes stand before its k-th: its letters, for k letters.
_BEFORE = np.arange(_WIDTH)[None, :] < np.arange(_WIDTH + 1)[:, None]
_PAD = np.zeros(16, dtype=np.uint8)
_BYTE = np.uint64(8)


def _scan_stretch(xml: bytes, start: int, end: int) -> _Partial:
    """The array passes of :func:`_scan` over ``xml[start:end]``.

    An element starts at a ``<`` inside the stretch; the bytes an attribute's
    ``=`` looks back at (3) and a reference looks ahead at (up to 15) are
    read across the stretch's ends, as if the file were scanned whole.
    """
    low = max(start - 3, 0)
    buffer = np.frombuffer(xml, dtype=np.uint8, count=min(end + 16, len(xml)) - low, offset=low)
    padded = np.concatenate([buffer, _PAD])
    size = buffer.size
    first_index, last_index = start - low, end - low
    inside = buffer[first_index:last_index]
    tags = np.flatnonzero(inside == 0x3C)  # "<", from the stretch's start

    def after_tags(offset: int, where: np.ndarray = tags) -> np.ndarray:
        following: np.ndarray = padded[first_index + offset :][where]
        return following

    first, second = after_tags(1), after_tags(2)
    cells = int(np.count_nonzero((first == 0x63) & _name_ends(second)))  # <c
    maybe_rows = tags[first == 0x72]  # <r..., a few in a sheet
    rows = int(
        np.count_nonzero(
            (after_tags(2, maybe_rows) == 0x6F)
            & (after_tags(3, maybe_rows) == 0x77)
            & _name_ends(after_tags(4, maybe_rows))
        )
    )  # <row
    formulas = bool(((first == 0x66) & _name_ends(second)).any())  # <f
    if not formulas:  # <x:f, a namespace prefix on the formula element alone
        colons = np.flatnonzero(inside == 0x3A) + first_index
        formulas = bool(((padded[colons + 1] == 0x66) & _name_ends(padded[colons + 2])).any())
    equals = np.flatnonzero(inside == 0x3D) + first_index  # "="
    if low < 3:
        equals = equals[equals + low >= 3]
    before, after = padded[equals - 1], padded[equals + 1]
    two_before = padded[equals - 2]
    named_r = (before == 0x72) & (two_before == 0x20)
    spaced_r = (before == 0x20) & (two_before == 0x72) & (padded[equals - 3] == 0x20)
    quoted = (after == 0x22) | (after == 0x27)
    positions = named_r & (after == 0x22)
    # An attribute whose value is exactly e: an error cell (t="e").
    quoted_e = quoted & (padded[equals + 2] == 0x65) & (padded[equals + 3] == after)
    # Or perhaps one: an attribute's "=" followed by a space (t= "e").
    errors = bool(quoted_e.any()) or bool((after == 0x20).any())
    odd = bool(spaced_r.any()) or bool((named_r & (after != 0x22)).any())
    starts = equals[np.flatnonzero(positions)] + 2
    partial = _Partial(cells, rows, formulas, errors, odd, int(starts.size))
    if tags.size:
        partial.nesting = _nesting(first == _SLASH)
    if not starts.size:
        return partial
    # Sixteen bytes from each quote, read as two big-endian 64-bit words.
    window = np.lib.stride_tricks.sliding_window_view(padded, 16)[np.minimum(starts, size)]
    head = window[:, :_WIDTH]
    letters = (head - np.uint8(0x41)) < 26  # A-Z
    digits = (head - np.uint8(0x30)) < 10  # 0-9
    n_letters = np.argmin(letters, axis=1)  # letters come first
    n_digits = np.argmin(digits | _BEFORE[n_letters], axis=1) - n_letters
    quote_at = n_letters + n_digits
    rows_at = np.arange(starts.size)
    valid = (
        (n_letters <= 3)
        & (n_digits >= 1)
        & (n_digits <= 7)
        & (head[rows_at, np.minimum(quote_at, _WIDTH - 1)] == 0x22)
        # A leading zero would make a short row number look long (A0000009
        # beyond A999999): such a sheet is measured by parsing instead.
        & (head[rows_at, np.minimum(n_letters, _WIDTH - 1)] != 0x30)
    )
    if not bool(valid.all()):
        partial.invalid = True
        return partial
    cells_only = n_letters > 0  # row elements carry a row number alone
    if not bool(cells_only.all()):
        window, n_letters, n_digits = (
            window[cells_only],
            n_letters[cells_only],
            n_digits[cells_only],
        )
        if not n_letters.size:
            return partial
    partial.columns, partial.row_numbers = _reference_extremes(window, n_letters, n_digits)
    return partial


def _reference_extremes(
    window: np.ndarray, n_letters: np.ndarray, n_digits: np.ndarray
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The least and greatest column numbers, and row numbers, of valid cell references.

    ``window`` holds sixteen bytes from each reference's first letter. Its
    letters, and then its digits, are shifted down to the low bytes of one
    integer each: letters (at least ``A``) and digits without a leading zero
    then compare as integers exactly as the columns and rows they write do,
    a longer one being the larger. Only the least and the greatest are
    decoded.
    """
    words = window.view(">u8")
    high, low = words[:, 0], words[:, 1]
    letter_bits = n_letters.astype(np.uint64) * _BYTE
    columns = high >> (np.uint64(64) - letter_bits)
    numbers = (high << letter_bits) | (low >> (np.uint64(64) - letter_bits))
    numbers >>= (np.uint64(8) - n_digits.astype(np.uint64)) * _BYTE
    return (
        (_column_number(_word_bytes(columns.min())), _column_number(_word_bytes(columns.max()))),
        (int(_word_bytes(numbers.min())), int(_word_bytes(numbers.max()))),
    )


def _word_bytes(word: np.uint64) -> bytes:
    """The bytes of a word of right-aligned characters."""
    return int(word).to_bytes(8, "big").lstrip(b"\x00")


def _scan(xml: bytes, chunk: int | None = None) -> SheetFacts:
    """What a worksheet part holds, in a few array passes over its bytes.

    The bulk of a workbook is its History sheet: every byte-level question
    about it is answered from the positions of two characters, ``<`` (which
    element starts) and ``=`` (which attribute is set), found once, a
    stretch of the sheet at a time (:data:`_SCAN_CHUNK` bytes).
    """
    root = xml.find(b"<worksheet")
    parts = [_scan_stretch(xml, a, b) for a, b in _stretches(xml, chunk or _SCAN_CHUNK)]
    cells = sum(part.cells for part in parts)
    rows = sum(part.rows for part in parts)
    spaced = root < 0 or any(xml.find(ch, root) >= 0 for ch in (b"\t", b"\r", b"\n"))
    # The stretches see unprefixed <f followed by a space, > or /; a prefix or
    # another white space is rare, and costs a search for each rare "f".
    has_formulas = any(part.formulas for part in parts) or holds_formula_element(xml)
    has_errors = any(part.errors for part in parts)
    level = nesting = 0
    for part in parts:
        nesting = max(nesting, level + part.nesting[1])
        level += part.nesting[0]
    plain = (
        not spaced
        and not any(part.odd_positions for part in parts)
        and sum(part.positions for part in parts) == rows + cells
    )
    if not plain:
        return SheetFacts(has_formulas, True, _extent_slow(xml), False, nesting)
    if not cells:
        return SheetFacts(has_formulas, has_errors, None, True, nesting)
    if any(part.invalid for part in parts):
        return SheetFacts(has_formulas, True, _extent_slow(xml), False, nesting)
    columns = [part.columns for part in parts if part.columns is not None]
    row_numbers = [part.row_numbers for part in parts if part.row_numbers is not None]
    if not columns:
        return SheetFacts(has_formulas, has_errors, None, True, nesting)
    extent = Extent(
        min(low for low, _ in row_numbers),
        min(low for low, _ in columns),
        max(high for _, high in row_numbers),
        max(high for _, high in columns),
    )
    return SheetFacts(has_formulas, has_errors, extent, True, nesting)


def _name_ends(following: np.ndarray) -> np.ndarray:
    """Whether each byte ends an element name: a space, ``>`` or ``/``."""
    ends: np.ndarray = (following == 0x20) | (following == 0x3E) | (following == 0x2F)
    return ends


_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")


def _extent_slow(xml: bytes) -> Extent | None:
    """The extent of a sheet whose positions a byte scan cannot trust, counted as readers do.

    A row without ``r`` follows the previous row, a cell without ``r`` the
    previous cell of its row, exactly as calamine and openpyxl place them;
    character references in ``r`` are decoded.
    """
    import html

    rows: list[int] = []
    columns: list[int] = []
    row_number = column_number = 0
    for tag, attributes in _ROW_OR_CELL.findall(xml):
        found = _ODD_POSITION.search(attributes)
        text = (
            html.unescape(found.group(2).decode("utf-8", errors="replace")).strip().upper()
            if found
            else ""
        )
        match = _REFERENCE.match(text.encode(errors="replace"))
        if tag == b"row":
            row_number = int(text) if text.isdigit() else row_number + 1
            column_number = 0
            continue
        if match and match.group(1):
            column_number = _column_number(match.group(1))
            row_number = int(match.group(2))
        else:
            column_number += 1
        rows.append(row_number)
        columns.append(column_number)
    if not rows:
        return None
    return Extent(min(rows), min(columns), max(rows), max(columns))


def _sheet_facts(xml: bytes) -> SheetFacts:
    return _scan(xml)


def check_sheet_extent(name: str, facts: SheetFacts, limits: Limits) -> None:
    """Refuse a sheet whose cells reach so far that reading it from A1 exceeds the limit.

    Readers allocate every cell from A1 to the last one, empty or not: one
    character typed at XFD1048576 would make them allocate 17 billion cells.
    """
    extent = facts.extent
    if extent is not None and extent.cells_from_a1 > limits.max_sheet_cells:
        raise Unreadable(
            f"sheet {name!r} has cells spread over {extent.last_row:,} rows by "
            f"{extent.last_column:,} columns from A1 ({extent.cells_from_a1:,} cells, up to "
            f"{cell_name(extent.last_row, extent.last_column)}), above the limit of "
            f"{limits.max_sheet_cells:,} (limits.max-sheet-cells); delete the stray cells "
            "far from the data"
        )


_SLASH, _LESS, _GREATER = 0x2F, 0x3C, 0x3E
#: Bytes of an XML part looked at together when measuring its depth (bounds the memory).
_DEPTH_CHUNK = MB


def xml_depth(content: bytes) -> int:
    """How deeply an XML part's elements nest, from one pass over its ``<`` and ``>``.

    Text never holds ``<`` (XML escapes it), so each ``<`` opens an element,
    closes one (``</``) or neither (``<?``, ``<!``); an element closes itself
    when the first ``>`` after its ``<`` follows a ``/``. A ``/>`` in text is
    not the first ``>`` after a ``<`` and counts for nothing, so no text can
    hide the nesting; a tag inside a comment (which no spreadsheet program
    writes) can only make the depth look larger. The bytes are read in
    chunks, so the memory used stays small whatever the part's size.

    >>> xml_depth(b'<?xml version="1.0"?><a><b x="1"/><c><d>t/></d></c></a>')
    3
    """
    buffer = np.frombuffer(content, dtype=np.uint8)
    depth = deepest = 0
    previous_opened = False  # whether the last "<" or ">" seen was a "<" opening an element
    for start in range(0, buffer.size, _DEPTH_CHUNK):
        chunk = buffer[start : start + _DEPTH_CHUNK + 1]  # one byte more: what follows a "<"
        body = chunk[:_DEPTH_CHUNK]
        where = np.flatnonzero((body == _LESS) | (body == _GREATER))
        if not where.size:
            continue
        marks = body[where]
        is_tag = marks == _LESS
        following = chunk[np.minimum(where + 1, chunk.size - 1)]
        before = buffer[np.maximum(where + start - 1, 0)]
        opens = is_tag & (following != _SLASH) & (following != 0x3F) & (following != 0x21)
        # Each mark's predecessor among "<" and ">", the chunk's first from the last chunk.
        opened_before = np.concatenate([[previous_opened], opens[:-1]])
        closes_itself = ~is_tag & (before == _SLASH) & opened_before
        step = opens.astype(np.int32) - (is_tag & (following == _SLASH)) - closes_itself
        levels = depth + np.cumsum(step, dtype=np.int64)
        deepest = max(deepest, int(levels.max()))
        depth = int(levels[-1])
        previous_opened = bool(opens[-1])
    return deepest


class _StringCounter:
    """Counts a shared-string table's entries as it is inflated, and stops it at the limit.

    Ten million strings would otherwise be inflated (hundreds of megabytes)
    before they are counted.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self.tail = b""

    def __call__(self, piece: bytes) -> None:
        # The last two bytes of a piece cannot hold a whole "<si": none is counted twice.
        window = self.tail + piece
        self.count += window.count(b"<si")
        self.tail = window[-2:]
        if self.count > self.limit:
            raise Unreadable(_too_many_strings(f"more than {self.limit:,}", self.limit))


def _too_many_strings(count: str, limit: int) -> str:
    return (
        f"the workbook has {count} shared strings, above the limit of {limit:,} "
        "(limits.max-shared-strings)"
    )


def _shared_strings(content: bytes) -> int:
    """Entries of a shared-string table, counted from its ``<si`` tags."""
    # No other element of the table's schema starts with "si": one pass counts them.
    plain = content.count(b"<si")
    if plain or b"<sst" in content[:4096]:
        return plain
    return len(re.findall(rb"<[A-Za-z_][\w.-]*:si[\s>]", content))  # a namespace prefix


def inspect_package(data: bytes, limits: Limits) -> Package:
    """Check a workbook's bytes; return what the readers need, or raise :class:`Unreadable`."""
    if len(data) > limits.max_file_mb * MB:
        raise Unreadable(
            f"the file is {len(data) / MB:,.0f} MB, above the {limits.max_file_mb:,.0f} MB limit "
            "(limits.max-file-mb)"
        )
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise Unreadable(_classify_non_zip(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise Unreadable(
            "the zip package is truncated or damaged (not a complete zip file)"
        ) from None
    if len(infos) > limits.max_parts:
        raise Unreadable(
            f"the zip package has {len(infos):,} parts, above the limit of {limits.max_parts:,}"
        )
    part_limit = int(limits.max_part_mb * MB)
    total = 0
    for info in infos:
        if info.flag_bits & 0x01:
            raise Unreadable(
                "the zip package is encrypted: a workbook is never zip-encrypted; "
                "save it again from Excel"
            )
        total += info.file_size
        if info.file_size > part_limit:
            raise Unreadable(
                f"zip bomb: part {info.filename!r} declares {info.file_size / MB:,.0f} MB "
                f"uncompressed, above the {limits.max_part_mb:,.0f} MB limit"
            )
        if info.file_size > MB and info.file_size > limits.max_compression_ratio * max(
            info.compress_size, 1
        ):
            raise Unreadable(
                f"zip bomb: part {info.filename!r} compresses "
                f"{info.file_size / max(info.compress_size, 1):,.0f} to 1, above the "
                f"{limits.max_compression_ratio:,.0f} to 1 limit"
            )
    if total > limits.max_total_mb * MB:
        raise Unreadable(
            f"zip bomb: the parts declare {total / MB:,.0f} MB uncompressed together, "
            f"above the {limits.max_total_mb:,.0f} MB limit"
        )
    names = [info.filename for info in infos]
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise Unreadable("not an Excel workbook: a Word document renamed to .xlsx")
        if "ppt/presentation.xml" in names:
            raise Unreadable("not an Excel workbook: a PowerPoint file renamed to .xlsx")
        if "xl/workbook.bin" in names:
            raise Unreadable(
                "an Excel binary workbook (.xlsb), which the workbook readers do not read; "
                "open it in Excel and save it as Excel Workbook (.xlsx)"
            )
        if "content.xml" in names and "mimetype" in names:
            raise Unreadable(
                "an OpenDocument spreadsheet (.ods), not an .xlsx package; save it as "
                "Excel 2007-365 (.xlsx) in LibreOffice"
            )
        raise Unreadable("not an Excel workbook: a zip file without xl/workbook.xml")
    package = Package(data=data, names=names)
    for info in infos:
        if info.is_dir():
            continue
        is_strings = info.filename.lower() == "xl/sharedstrings.xml"
        watch = _StringCounter(limits.max_shared_strings) if is_strings else None
        content = _inflate(data, info, part_limit, watch)
        if _declares_doctype(info.filename, content):
            raise Unreadable(
                f"part {info.filename!r} declares a DOCTYPE or an entity, which a workbook "
                "never needs (an XML entity bomb or an external entity)"
            )
        name = info.filename
        if is_strings:  # counted again whole: a namespace prefix hides "<si" from the counter
            strings = _shared_strings(content)
            if strings > limits.max_shared_strings:
                raise Unreadable(_too_many_strings(f"{strings:,}", limits.max_shared_strings))
        facts = None
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            facts = package.sheets[name] = _sheet_facts(content)
        if name.endswith((".xml", ".rels", ".vml")):
            # A sheet's scan bounds its depth from above: within the limit, the
            # exact count (a second pass over the largest parts) is not needed.
            # Nor in a part too short to nest that deep: each element a parser
            # nests takes a start tag of two bytes at least ("<" and ">").
            within = len(content) <= 2 * limits.max_xml_depth or (
                facts is not None and facts.nesting <= limits.max_xml_depth
            )
            depth = 0 if within else xml_depth(content)
            if depth > limits.max_xml_depth:
                raise Unreadable(
                    f"part {name!r} nests XML elements {depth:,} deep, above the limit of "
                    f"{limits.max_xml_depth:,} (limits.max-xml-depth); a workbook needs a few dozen"
                )
        if name in _KEPT or (name.startswith("xl/externalLinks/_rels/") and name.endswith(".rels")):
            package.parts[name] = content
    return package
