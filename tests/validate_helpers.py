"""Workbooks and hostile files for the tests, made on the fly.

The builders live with the hostile benchmark, which times the same files
(:mod:`benchmarks._corpus`); the tests import them from here.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from benchmarks._corpus import (
    BILLION_LAUGHS,
    cfb,
    hostile_corpus,
    replace_in_part,
    rewrite_zip,
    simple_workbook,
    with_prolog,
    zip_bytes,
)
from xlmodels.excel.ooxml import guard
from xlmodels.excel.ooxml.limits import Limits

__all__ = [
    "BILLION_LAUGHS",
    "HOSTILE_CASES",
    "bounded_memory",
    "cfb",
    "count_safety_checks",
    "hostile_corpus",
    "replace_in_part",
    "rewrite_zip",
    "simple_workbook",
    "with_prolog",
    "zip_bytes",
]


#: Every file :func:`hostile_corpus` makes, by name.
HOSTILE_CASES = (
    "not-a-zip",
    "empty",
    "csv",
    "truncated",
    "encrypted",
    "legacy-xls",
    "damaged-cfb",
    "word",
    "ratio-bomb",
    "lying-bomb",
    "entity-bomb",
    "external-entity",
    "far-cells",
    "far-cell-alone",
    "deep-nesting",
    "shared-strings",
    "bad-crc",
)


@contextmanager
def bounded_memory(what: str, peak_bytes: int) -> Iterator[None]:
    """Fail if the block made Python allocate more than ``peak_bytes`` at its peak.

    A bound on work, not on seconds: a hostile file must be refused before
    it is inflated, whatever the machine's speed.
    """
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < peak_bytes, f"{what} allocated {peak:,} bytes at its peak"


def count_safety_checks(monkeypatch: pytest.MonkeyPatch) -> list[Path | None]:
    """The files the safety checks run on from now on, one entry per check, in order."""
    checked: list[Path | None] = []
    real = guard.guard_bytes

    def counting(
        data: bytes, file: Path | None = None, limits: Limits = guard.DEFAULT_LIMITS
    ) -> Any:
        checked.append(file)
        return real(data, file, limits)

    monkeypatch.setattr(guard, "guard_bytes", counting)
    return checked
