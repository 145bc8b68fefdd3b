"""The report's file formats, apart from the code that writes them.

The command line's help lists them; it must not load the writers, tables
and charts that :mod:`xlmodels.report.build` needs to write them.
"""

from __future__ import annotations

__all__ = ["FORMATS"]

#: Every format a report can be written in, in the order they are written.
FORMATS = ("md", "html", "xlsx", "csv", "png", "svg")
