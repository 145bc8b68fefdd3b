"""The error values a spreadsheet cell can hold, shared by everything that reads cells."""

from __future__ import annotations

from typing import Final

__all__ = ["ERROR_VALUES"]

#: Every error value Excel can put in a cell, the classic ones first.
ERROR_VALUES: Final = (
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
    "#EXTERNAL!",
    "#PYTHON!",
)
