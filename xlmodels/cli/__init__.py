"""The ``xlmodels`` command line: a thin layer over library functions.

Each command lives in its own module and registers itself on :data:`app`;
commands print with Rich (colour only on a terminal) and turn user mistakes
into one clear line and exit code 2, never a traceback.

The command line's libraries are the ``cli`` extra (``pip install
"xlmodels[cli]"``); a plain ``pip install xlmodels`` installs only the core
and the SQ_ functions. Without the extra, ``xlmodels`` says which extra to
install instead of failing with a traceback.
"""

from __future__ import annotations

import sys

from xlmodels.runtime.extras import check_installed, missing_extra_message

try:
    # The commands import their libraries when they run; a missing one is named now.
    check_installed("cli")
    import typer

    from xlmodels.cli import build as _build  # noqa: F401  (registers the command)
    from xlmodels.cli import demo as _demo  # noqa: F401  (registers the command)
    from xlmodels.cli import diff as _diff  # noqa: F401  (registers the command)
    from xlmodels.cli import functions as _functions  # noqa: F401  (registers the command)
    from xlmodels.cli import regenerate as _regenerate  # noqa: F401  (registers the command)
    from xlmodels.cli import report as _report  # noqa: F401  (registers the command)
    from xlmodels.cli import revisions as _revisions  # noqa: F401  (registers the command)
    from xlmodels.cli import roll as _roll  # noqa: F401  (registers the command)
    from xlmodels.cli import template as _template  # noqa: F401  (registers the command)
    from xlmodels.cli import textconv as _textconv  # noqa: F401  (registers the command)
    from xlmodels.cli import validate as _validate  # noqa: F401  (registers the command)
    from xlmodels.cli._app import app, main
except ModuleNotFoundError as missing:
    _message = missing_extra_message(missing, "cli")
    if _message is None:
        raise  # not one of the extra's libraries: a broken install, worth its traceback

    def main() -> None:
        """Console-script entry point: say which extra to install, exit 2."""
        print(f"xlmodels: {_message}", file=sys.stderr)
        raise SystemExit(2)


__all__ = ["app", "main", "typer"]
