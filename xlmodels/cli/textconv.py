"""``xlmodels textconv``: a workbook as stable lines of text, for ``git diff``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from xlmodels.cli._app import app, user_errors


@app.command()
def textconv(
    file: Annotated[Path, typer.Argument(help="The workbook to print.", show_default=False)],
) -> None:
    """Print a workbook as stable lines of text, one value a line, for git.

    A revised estimate changes one line (Estimates 0700.HK eps_fy2 = 27.1);
    computed cells are left out, formulas typed over or edited show as
    Integrity lines. Any other .xlsx prints every non-empty cell. Set it up
    once per repository:

      .gitattributes:  [bold]*.xlsx diff=xlmodels[/bold]

      [bold]git config diff.xlmodels.textconv "xlmodels textconv"[/bold]

    Then git diff, git log -p and git show print workbook changes as text.
    Exit code 2 when the file is not an .xlsx workbook.
    """
    # Imported when run: git calls this once per file, and --help needs none of it.
    from xlmodels.revisions.textconv import textconv_lines

    with user_errors():
        lines = textconv_lines(file)
    # Bytes, not text through the console: git reads UTF-8 whatever the locale.
    sys.stdout.buffer.write(("\n".join(lines) + "\n").encode("utf-8"))
    sys.stdout.flush()
