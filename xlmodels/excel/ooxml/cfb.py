"""Just enough of the Compound File Binary format (OLE2) to name its streams.

A password-protected .xlsx is not a zip: Office wraps the encrypted package
in a Compound File with ``EncryptionInfo`` and ``EncryptedPackage`` streams.
A legacy .xls is a Compound File too, with a ``Workbook`` (or ``Book``)
stream. Telling them apart needs the directory's entry names, read here with
every offset and chain checked against the file's size, so that a damaged or
hostile file ends in :class:`CfbError`, never in a long loop.

Reference: [MS-CFB] Compound File Binary File Format, sections 2.2 (header),
2.3 (FAT), 2.6 (directory entries).
"""

from __future__ import annotations

import struct

__all__ = ["SIGNATURE", "CfbError", "stream_names"]

#: First eight bytes of every Compound File.
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")

_END_OF_CHAIN = 0xFFFFFFFE
_MAX_REGULAR = 0xFFFFFFFA
_DIRECTORY_ENTRY = 128
_MAX_ENTRIES = 100_000


class CfbError(ValueError):
    """The Compound File is damaged: its directory cannot be read."""


def stream_names(data: bytes) -> list[str]:
    """Names of the storages and streams in a Compound File's directory.

    Raises
    ------
    CfbError
        If the header, the FAT or the directory chain is inconsistent.
    """
    if len(data) < 512 or not data.startswith(SIGNATURE):
        raise CfbError("not a Compound File")
    sector_shift = struct.unpack_from("<H", data, 30)[0]
    if sector_shift not in (9, 12):
        raise CfbError(f"sector shift {sector_shift} is neither 9 nor 12")
    size = 1 << sector_shift
    fat_sectors, first_directory = struct.unpack_from("<II", data, 44)
    first_difat, difat_sectors = struct.unpack_from("<II", data, 68)
    # Sector i starts at (i + 1) * size: the header takes the first sector's room.
    sectors = len(data) // size - 1
    if fat_sectors > sectors:
        raise CfbError("the FAT is larger than the file")

    def sector(index: int) -> bytes:
        if index >= sectors:
            raise CfbError(f"sector {index} lies beyond the end of the file")
        start = (index + 1) * size
        return data[start : start + size]

    # The header holds the first 109 FAT sector numbers, DIFAT sectors the rest.
    fat_locations = [n for n in struct.unpack_from("<109I", data, 76) if n <= _MAX_REGULAR]
    next_difat, seen = first_difat, 0
    while next_difat <= _MAX_REGULAR and len(fat_locations) < fat_sectors:
        seen += 1
        if seen > difat_sectors + 1 or seen > sectors:
            raise CfbError("the DIFAT chain loops")
        entries = struct.unpack(f"<{size // 4}I", sector(next_difat))
        fat_locations.extend(n for n in entries[:-1] if n <= _MAX_REGULAR)
        next_difat = entries[-1]
    fat: list[int] = []
    for location in fat_locations[:fat_sectors]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(location)))

    names: list[str] = []
    current, visited = first_directory, set()
    while current != _END_OF_CHAIN:
        if current > _MAX_REGULAR or current in visited or current >= len(fat):
            raise CfbError("the directory chain is broken")
        visited.add(current)
        block = sector(current)
        for offset in range(0, len(block) - _DIRECTORY_ENTRY + 1, _DIRECTORY_ENTRY):
            length, kind = struct.unpack_from("<HB", block, offset + 64)
            if kind == 0:  # unused entry
                continue
            if length > 64 or length % 2:
                raise CfbError("a directory entry has an invalid name length")
            raw = block[offset : offset + max(length - 2, 0)]
            names.append(raw.decode("utf-16-le", errors="replace"))
            if len(names) > _MAX_ENTRIES:
                raise CfbError("the directory has too many entries")
        current = fat[current]
    return names
