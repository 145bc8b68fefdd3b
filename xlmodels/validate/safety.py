"""Checks that run on a workbook's bytes before any parser sees them.

A file from a repository is untrusted input. Before openpyxl or calamine
reads a workbook, :func:`inspect_package`

* tells a workbook from what is not one: an encrypted workbook or a legacy
  .xls (both Compound Files, :mod:`xlmodels.validate.cfb`), text such as a
  renamed CSV, anything else that is not a zip;
* checks every part of the zip against :class:`~xlmodels.validate.config.Limits`
  using the sizes the zip declares (a zip bomb declares absurd sizes or an
  absurd compression ratio), then inflates every part itself, in bounded
  chunks, and requires exactly the declared size and checksum (a bomb that
  lies about its sizes stops at the first byte past them);
* refuses any XML part that declares a DOCTYPE or an entity: a workbook has
  no use for them, and they are how entity-expansion bombs and external
  entities work (the parsers run through defusedxml as well);
* records what later steps need without parsing XML: which sheets contain
  formulas or error cells, and the rectangle each sheet's cells really span,
  so that a sheet claiming cells at the far corner of the grid is never read
  densely (calamine allocates the whole rectangle).

Anything wrong raises :class:`Unreadable` with a plain sentence for the user.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

import numpy as np

from xlmodels.validate import cfb
from xlmodels.validate.config import Limits

__all__ = ["Extent", "Package", "SheetFacts", "Unreadable", "inspect_package", "sheet_extent"]

MB = 1024 * 1024
_CHUNK = MB
#: Parts kept in memory after the checks, for reading the workbook's structure.
_KEPT = ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")
_MAX_ROW, _MAX_COLUMN = 1_048_576, 16_384


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


@dataclass(frozen=True)
class SheetFacts:
    """What a byte scan of one worksheet part found.

    ``extent`` is None when some cell or row does not state its position
    plainly (the sheet is then read by streaming, never densely), or when the
    sheet is empty.
    """

    has_formulas: bool
    has_errors: bool
    extent: Extent | None
    plain_positions: bool


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


def _inflate(data: bytes, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A part's bytes, verified against its local header, declared size and CRC."""
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


def _declares_doctype(name: str, content: bytes) -> bool:
    head = content[:4].lstrip(b"\xef\xbb\xbf")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = content.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
        return any(mark in text for mark in _DECLARATIONS)
    if not head.lstrip().startswith(b"<") and not name.endswith((".xml", ".rels", ".vml")):
        return False
    return any(mark in content for mark in _DECLARATIONS)


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_ODD_POSITION = re.compile(rb"\sr\s*=\s*([\"'])(.*?)\1", re.S)
_REFERENCE = re.compile(rb"^([A-Z]{0,3})([0-9]{1,7})$")


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


def sheet_extent(xml: bytes) -> tuple[Extent | None, bool]:
    """The rectangle a worksheet's cells span, from their ``r`` attributes.

    Returns ``(extent, plain)``: ``plain`` is False when some cell or row has
    no ``r`` attribute or writes it in a way a byte scan cannot trust
    (character references, unusual spacing); such a sheet must be streamed.
    ``extent`` is None for a sheet without cells.
    """
    root = xml.find(b"<worksheet")
    if root < 0:
        root = 0
    rows = xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b"<row/>")
    cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
    plain = (
        xml.find(b"<worksheet") >= 0
        and all(xml.find(ch, root) < 0 for ch in (b"\t", b"\r", b"\n"))
        and all(xml.find(odd) < 0 for odd in (b" r =", b" r= ", b" r='"))
        and xml.count(b' r="') == rows + cells
    )
    if not plain:
        return _extent_slow(xml), False
    if not cells:
        return None, True
    buffer = np.frombuffer(xml, dtype=np.uint8)
    starts = (
        np.flatnonzero(
            (buffer[:-4] == 0x20)
            & (buffer[1:-3] == 0x72)
            & (buffer[2:-2] == 0x3D)
            & (buffer[3:-1] == 0x22)
        )
        + 4
    )
    window = np.zeros((starts.size, 12), dtype=np.uint8)
    for offset in range(12):
        inside = starts + offset < buffer.size
        window[inside, offset] = buffer[starts[inside] + offset]
    letters = (window >= 0x41) & (window <= 0x5A)
    digits = (window >= 0x30) & (window <= 0x39)
    n_letters = np.argmin(letters, axis=1)  # letters come first
    after = np.arange(12)[None, :] >= n_letters[:, None]
    n_digits = np.argmin(digits | ~after, axis=1) - n_letters
    quote_at = n_letters + n_digits
    valid = (
        (n_letters <= 3)
        & (n_digits >= 1)
        & (n_digits <= 7)
        & (window[np.arange(starts.size), np.minimum(quote_at, 11)] == 0x22)
    )
    if not bool(valid.all()):
        return _extent_slow(xml), False
    column = np.zeros(starts.size, dtype=np.int64)
    for position in range(3):
        take = n_letters > position
        column[take] = column[take] * 26 + window[take, position].astype(np.int64) - 64
    row = np.zeros(starts.size, dtype=np.int64)
    for position in range(10):
        index = n_letters + position
        take = position < n_digits
        row[take] = row[take] * 10 + window[np.flatnonzero(take), index[take]] - 0x30
    has_column = n_letters > 0
    if not bool(has_column.any()):
        return None, True
    cell_rows, cell_columns = row[has_column], column[has_column]
    return (
        Extent(
            int(cell_rows.min()),
            int(cell_columns.min()),
            int(cell_rows.max()),
            int(cell_columns.max()),
        ),
        True,
    )


def _extent_slow(xml: bytes) -> Extent | None:
    import html

    rows: list[int] = []
    columns: list[int] = []
    for _quote, value in _ODD_POSITION.findall(xml):
        text = html.unescape(value.decode("utf-8", errors="replace")).strip().upper()
        match = _REFERENCE.match(text.encode())
        if not match or not match.group(1):
            continue
        columns.append(_column_number(match.group(1)))
        rows.append(int(match.group(2)))
    if not rows:
        return None
    return Extent(min(rows), min(columns), max(rows), max(columns))


def _sheet_facts(xml: bytes) -> SheetFacts:
    if xml.find(b"<worksheet") >= 0:
        has_formulas = any(xml.find(tag) >= 0 for tag in (b"<f>", b"<f ", b"<f/"))
    else:  # a namespace prefix on every element: rare, so a regex is affordable
        has_formulas = _FORMULA_TAG.search(xml) is not None
    has_errors = xml.find(b'"e"') >= 0 or xml.find(b"'e'") >= 0
    extent, plain = sheet_extent(xml)
    return SheetFacts(has_formulas, has_errors, extent, plain)


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
        raise Unreadable("not an Excel workbook: a zip file without xl/workbook.xml")
    package = Package(data=data, names=names)
    for info in infos:
        if info.is_dir():
            continue
        content = _inflate(data, info, part_limit)
        if _declares_doctype(info.filename, content):
            raise Unreadable(
                f"part {info.filename!r} declares a DOCTYPE or an entity, which a workbook "
                "never needs (an XML entity bomb or an external entity)"
            )
        name = info.filename
        if name in _KEPT or (name.startswith("xl/externalLinks/_rels/") and name.endswith(".rels")):
            package.parts[name] = content
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            package.sheets[name] = _sheet_facts(content)
    return package
