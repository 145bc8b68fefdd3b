"""The ``xlmodels`` command line: a thin layer over library functions.

Each command lives in its own module and registers itself on :data:`app`;
commands print with Rich (colour only on a terminal) and turn user mistakes
into one clear line and exit code 2, never a traceback.
"""

from __future__ import annotations

import typer

from xlmodels.cli import build as _build  # noqa: F401  (registers the command)
from xlmodels.cli import demo as _demo  # noqa: F401  (registers the command)
from xlmodels.cli import diff as _diff  # noqa: F401  (registers the command)
from xlmodels.cli import functions as _functions  # noqa: F401  (registers the command)
from xlmodels.cli import regenerate as _regenerate  # noqa: F401  (registers the command)
from xlmodels.cli import report as _report  # noqa: F401  (registers the command)
from xlmodels.cli import revisions as _revisions  # noqa: F401  (registers the command)
from xlmodels.cli import template as _template  # noqa: F401  (registers the command)
from xlmodels.cli import textconv as _textconv  # noqa: F401  (registers the command)
from xlmodels.cli import validate as _validate  # noqa: F401  (registers the command)
from xlmodels.cli._app import app, main

__all__ = ["app", "main", "typer"]
