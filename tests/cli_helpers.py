"""Calling the command line from tests, in a fixed environment.

Tests get a :class:`Cli` through the ``cli`` fixture of ``conftest.py``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any

#: The environment every CLI test runs in, whatever the terminal or CI sets:
#: no forced colours, no width from the caller's terminal.
CLI_ENVIRONMENT: dict[str, str | None] = {
    "COLUMNS": None,
    "LINES": None,
    "FORCE_COLOR": None,
    "NO_COLOR": "1",
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "TERM": "dumb",
}


#: Box-drawing characters of Rich's panels and tables.
_FRAME = re.compile("[\u2500-\u257f]")


@dataclass(frozen=True)
class CliResult:
    """What one command call printed and returned."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> Any:
        """Standard output parsed as JSON."""
        return json.loads(self.stdout)

    @property
    def text(self) -> str:
        """All output as one line: frames dropped, white space folded.

        Help and tables are laid out for the width at hand; their words are not.
        Assert on this when a phrase may be wrapped.
        """
        return " ".join(_FRAME.sub(" ", self.output).split())

    def lines(self, stream: str = "output") -> list[str]:
        """Non-blank lines, with runs of white space folded to one space."""
        text = getattr(self, stream)
        return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


class Cli:
    """Calls ``xlmodels`` in-process, as a user would from a shell."""

    def __init__(self) -> None:
        from typer.testing import CliRunner

        self._runner = CliRunner(env=CLI_ENVIRONMENT)

    def __call__(self, *arguments: str | os.PathLike[str], input: str | None = None) -> CliResult:
        from xlmodels.cli import app

        result = self._runner.invoke(app, [os.fspath(a) for a in arguments], input=input)
        # A user's mistake ends in a message and an exit code, never a traceback:
        # any exception other than the exit itself fails the test here.
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(
                f"xlmodels {' '.join(map(str, arguments))} raised "
                f"{type(result.exception).__name__}: {result.exception}\n{result.output}"
            ) from result.exception
        return CliResult(result.exit_code, result.stdout, result.stderr)
