"""The names of the methods the core's functions accept, importable without numpy.

The command line lists them in its ``--help``, which should not pay for
numpy and pandas to print a line of text.
"""

from __future__ import annotations

__all__ = ["PERCENTILE_METHODS", "RELATIVE_METHODS"]

#: How :func:`~xlmodels.core.percentile.percentile_rank` ranks a value among others.
PERCENTILE_METHODS = ("inc", "exc", "strict", "weak")
#: How :func:`~xlmodels.core.returns.relative_return` sets a return against its benchmark's.
RELATIVE_METHODS = ("arithmetic", "geometric")
