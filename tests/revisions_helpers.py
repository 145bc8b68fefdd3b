"""Workbooks for the revision tests: the sample, and the sample with an estimate revised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from xlmodels.sources import sample
from xlmodels.workbook import read_workbook, write_workbook


def input_cell(path: Path, code: str, key: str) -> str:
    """The Estimates cell of a company's input, found through the workbook's names."""
    data = read_workbook(path)
    block = data.names[f"est_{key}"]
    codes = list(data.tables["Estimates"].index)
    return block.cell(codes.index(code))


def type_estimate(path: Path, code: str, key: str, value: Any, out: Path | None = None) -> Path:
    """Type an analyst input into a workbook as Excel stores it, saving to ``out`` (or in place)."""
    cell = input_cell(path, code, key)
    workbook = openpyxl.load_workbook(path)
    workbook["Estimates"][cell] = value
    target = out or path
    workbook.save(target)
    return target


def sample_workbook(path: Path, *, lang: str = "zh", mode: str = "sq") -> Path:
    """The bundled sample written as a coverage workbook."""
    write_workbook(path, sample.load_inputs(lang), mode=mode)
    return path
