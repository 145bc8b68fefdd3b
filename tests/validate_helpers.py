"""Workbooks and hostile files for the validator's tests, made on the fly.

Nothing here is committed as a binary: every file is built by the test that
needs it, so what each one contains is readable in the code.
"""

from __future__ import annotations

import io
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
