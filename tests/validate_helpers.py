"""Workbooks and hostile files for the tests, made on the fly.

The builders live with the hostile benchmark, which times the same files
(:mod:`xlmodels.bench._corpus`); the tests import them from here.
"""

from __future__ import annotations

from xlmodels.bench._corpus import (
    BILLION_LAUGHS,
    cfb,
    hostile_corpus,
    replace_in_part,
    rewrite_zip,
    simple_workbook,
    with_prolog,
    zip_bytes,
)

__all__ = [
    "BILLION_LAUGHS",
    "cfb",
    "hostile_corpus",
    "replace_in_part",
    "rewrite_zip",
    "simple_workbook",
    "with_prolog",
    "zip_bytes",
]
