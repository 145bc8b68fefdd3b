"""Workbooks and hostile files, made on the fly, for the tests and the hostile benchmark.

Nothing here is committed as a binary: every file is built by the test or
the benchmark that needs it, so what each one contains is readable in the
code. :func:`hostile_corpus` is the set every command must refuse.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

FREE, END, FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def cfb(stream_names: list[str]) -> bytes:
    """A minimal Compound File (512-byte sectors) whose directory lists ``stream_names``.

    Sector 0 is the FAT, sector 1 the directory; the streams are empty, which is
    all a reader of names needs.
    """
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 40, 0, 1, 1, 0)  # dir sectors, FAT sectors, first dir, txn
    struct.pack_into("<IIIII", header, 56, 4096, END, 0, END, 0)
    difat = [0] + [FREE] * 108
    struct.pack_into("<109I", header, 76, *difat)
    fat = struct.pack("<128I", FAT, END, *([FREE] * 126))
    entries = bytearray()
    for index, name in enumerate(["Root Entry", *stream_names]):
        entry = bytearray(128)
        raw = name.encode("utf-16-le")
        entry[0 : len(raw)] = raw
        struct.pack_into("<HB", entry, 64, len(raw) + 2, 5 if index == 0 else 2)
        child = 1 if index == 0 and stream_names else 0xFFFFFFFF
        right = index + 1 if 0 < index < len(stream_names) else 0xFFFFFFFF
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<I", entry, 116, END)
        entries += entry
    directory = bytes(entries).ljust(512, b"\x00")
    return bytes(header) + fat + directory


def simple_workbook(path: Path, build: Callable[[openpyxl.Workbook], None] | None = None) -> Path:
    """A small openpyxl workbook (one sheet with a few numbers), changed by ``build``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Data"
    for row in range(1, 6):
        sheet.cell(row, 1, row)
    if build is not None:
        build(workbook)
    workbook.save(path)
    return path


def rewrite_zip(
    source: Path,
    target: Path,
    change: Callable[[str, bytes], bytes | None],
    compression: int = zipfile.ZIP_DEFLATED,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """Copy a zip part by part through ``change(name, data)``; None drops the part."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", compression) as out:
        for info in original.infolist():
            data = change(info.filename, original.read(info.filename))
            if data is not None:
                out.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return target


def replace_in_part(source: Path, target: Path, part: str, old: str, new: str) -> Path:
    """Copy a workbook with one text replacement inside one part (which must contain it)."""

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        text = data.decode("utf-8")
        assert old in text, f"{old!r} not in {part}"
        return text.replace(old, new, 1).encode("utf-8")

    return rewrite_zip(source, target, change)


def zip_bytes(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return buffer.getvalue()


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)


def _lying_bomb(good: Path, target: Path) -> Path:
    """A part that declares 64 KB but inflates to 32 MB (its headers are patched)."""
    payload = b"<x>" + b" " * (32 * 1024 * 1024) + b"</x>"
    rewrite_zip(good, target, lambda name, data: data, extra={"xl/bomb.xml": payload})
    data = bytearray(target.read_bytes())
    declared = 64 * 1024
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo("xl/bomb.xml")
    # Local header: uncompressed size at +22; central directory entry: at +24.
    data[info.header_offset + 22 : info.header_offset + 26] = declared.to_bytes(4, "little")
    end_record = data.rfind(b"PK\x05\x06")
    entry = int.from_bytes(data[end_record + 16 : end_record + 20], "little")
    while data[entry : entry + 4] == b"PK\x01\x02":
        lengths = [
            int.from_bytes(data[entry + at : entry + at + 2], "little") for at in (28, 30, 32)
        ]
        if data[entry + 46 : entry + 46 + lengths[0]] == b"xl/bomb.xml":
            data[entry + 24 : entry + 28] = declared.to_bytes(4, "little")
        entry += 46 + sum(lengths)
    target.write_bytes(bytes(data))
    return target


def _far_cells(good: Path, target: Path) -> Path:
    return replace_in_part(
        good,
        target,
        "xl/worksheets/sheet1.xml",
        "</sheetData>",
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
    )


#: A sheet whose one cell sits at the far corner of the grid.
_ALONE_AT_THE_CORNER = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
)


def _parts(good: Path, replaced: dict[str, bytes]) -> dict[str, bytes]:
    """Every part of ``good``, with ``replaced`` parts swapped or added."""
    with zipfile.ZipFile(good) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    return {**parts, **replaced}


def _many_strings(good: Path, target: Path) -> Path:
    """A shared-string table of a million and one empty strings, stored uncompressed.

    Uncompressed, so that the compression-ratio limit does not refuse it first.
    """
    table = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si/>" * 1_000_001
        + b"</sst>"
    )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as out:
        for name, data in _parts(good, {"xl/sharedStrings.xml": table}).items():
            out.writestr(name, data)
    return target


def with_prolog(good: Path, target: Path, part: str, prolog: str) -> Path:
    """A copy whose ``part`` starts with ``prolog`` instead of its XML declaration."""

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return prolog.encode() + body

    return rewrite_zip(good, target, change)


def hostile_corpus(folder: Path, good: Path) -> dict[str, tuple[Path, str]]:
    """Name -> (file, words its unreadable finding must contain), made from ``good``."""
    whole = good.read_bytes()
    cases: dict[str, tuple[bytes | Path, str]] = {
        "not-a-zip": (os.urandom(2048).replace(b"PK", b"pk"), "not a zip package"),
        "empty": (b"", "empty"),
        "csv": (b"code,close\n0700.HK,398.0\n" * 50, "holds text (a CSV"),
        "truncated": (whole[: len(whole) // 2], "truncated or damaged"),
        "encrypted": (cfb(["EncryptionInfo", "EncryptedPackage"]), "encrypted"),
        "legacy-xls": (cfb(["Workbook", "\x05SummaryInformation"]), "legacy .xls"),
        "damaged-cfb": (cfb(["Workbook"])[:600], "encrypted or legacy .xls"),
        "word": (
            zip_bytes({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<T/>"}),
            "Word document",
        ),
        "ratio-bomb": (
            rewrite_zip(
                good,
                folder / "ratio-bomb.src",
                lambda name, data: data,
                extra={"xl/media/zeros.bin": b"\x00" * (40 * 1024 * 1024)},
            ),
            "zip bomb",
        ),
        "lying-bomb": (_lying_bomb(good, folder / "lying.src"), "beyond the 65,536 bytes"),
        "entity-bomb": (
            with_prolog(good, folder / "entity.src", "xl/workbook.xml", BILLION_LAUGHS),
            "DOCTYPE or an entity",
        ),
        "external-entity": (
            with_prolog(
                good,
                folder / "xxe.src",
                "xl/worksheets/sheet1.xml",
                '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
            ),
            "DOCTYPE or an entity",
        ),
        "far-cells": (_far_cells(good, folder / "far.src"), "cells spread over"),
        "far-cell-alone": (
            zip_bytes(_parts(good, {"xl/worksheets/sheet1.xml": _ALONE_AT_THE_CORNER})),
            "cells spread over",
        ),
        "deep-nesting": (
            zip_bytes(_parts(good, {"docProps/custom.xml": b"<a>" * 100_000 + b"</a>" * 100_000})),
            "nests XML elements",
        ),
        "shared-strings": (_many_strings(good, folder / "strings.src"), "shared strings"),
        "bad-crc": (
            rewrite_zip(good, folder / "crc.src", lambda n, d: d, compression=zipfile.ZIP_STORED),
            "checksum",
        ),
    }
    # Corrupt one byte inside the stored sheet: its CRC no longer matches.
    crc_case = cases["bad-crc"][0]
    assert isinstance(crc_case, Path)
    data = bytearray(crc_case.read_bytes())
    at = data.find(b"<sheetData>") + 3
    data[at] = ord("X")
    crc_case.write_bytes(bytes(data))
    out = {}
    for name, (content, words) in cases.items():
        target = folder / f"{name}.xlsx"
        target.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
        out[name] = (target, words)
    return out
