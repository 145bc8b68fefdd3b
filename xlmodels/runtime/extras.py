"""Which optional extra of the package installs which library.

``pip install xlmodels`` installs the numeric core and the SQ_ functions
(numpy, pandas, numpy-financial): what xlwings Lite can install in the
browser. Building workbooks, the report and the command line need the
libraries of an extra, named here once so that a missing one is reported
with the ``pip install`` line that brings it.

>>> missing_extra_message(ModuleNotFoundError("No module named 'typer'", name="typer"), "cli")
'the command line needs typer, which the cli extra installs: pip install "xlmodels[cli]"'
"""

from __future__ import annotations

import importlib.util
from typing import Final

__all__ = ["EXTRA_LIBRARIES", "INCLUDES", "JOBS", "check_installed", "missing_extra_message"]

#: Import name of each library an extra installs, by extra (pyproject.toml's
#: ``[project.optional-dependencies]``; a test keeps the two in step).
EXTRA_LIBRARIES: Final[dict[str, frozenset[str]]] = {
    "workbook": frozenset(
        {"openpyxl", "xlsxwriter", "python_calamine", "defusedxml", "filelock", "rich"}
    ),
    "report": frozenset({"matplotlib", "pylopdf_fonts_zh_cn"}),
    "cli": frozenset({"typer", "rich"}),
    "excel": frozenset({"xlwings"}),
}

#: What each extra is for, in the words of a message.
JOBS: Final[dict[str, str]] = {
    "workbook": "building, regenerating and validating workbooks",
    "report": "the report outputs",
    "cli": "the command line",
    "excel": "desktop Excel",
}

#: The extras each extra installs, itself first (pyproject.toml: report includes
#: workbook, cli both).
INCLUDES: Final[dict[str, tuple[str, ...]]] = {
    "workbook": ("workbook",),
    "report": ("report", "workbook"),
    "cli": ("cli", "report", "workbook"),
    "excel": ("excel",),
}


def check_installed(extra: str) -> None:
    """Raise ModuleNotFoundError for the first library of ``extra`` that is not installed.

    Finds each library without importing it: a command imports its heavy
    libraries only when it runs, yet a missing one must be named at start-up
    (:func:`missing_extra_message`), not midway through a command.
    """
    for part in INCLUDES[extra]:
        for library in sorted(EXTRA_LIBRARIES[part]):
            if importlib.util.find_spec(library) is None:
                raise ModuleNotFoundError(f"No module named {library!r}", name=library)


def missing_extra_message(error: ModuleNotFoundError, extra: str) -> str | None:
    """One line naming the missing library and the extra that installs it.

    ``extra`` is the extra of the job that failed (``cli`` for the command
    line). None when the missing module is not one of that extra's libraries:
    then the install is broken in some other way and the error should show.
    """
    top_level = (error.name or "").split(".")[0]
    if not any(top_level in EXTRA_LIBRARIES[part] for part in INCLUDES[extra]):
        return None
    return (
        f"{JOBS[extra]} needs {top_level}, which the {extra} extra installs: "
        f'pip install "xlmodels[{extra}]"'
    )
