"""Shared test helpers.

Tests that need a real component (LibreOffice, Chromium) ask for it through
:func:`require_component`: on a laptop without it they skip; under
``CI=true`` they fail, so CI always exercises them.
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings

from tests.cli_helpers import Cli


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_component(name: str, executables: tuple[str, ...], install_hint: str) -> str:
    """Path of the first executable found, else skip (laptop) or fail (CI)."""
    for executable in executables:
        path = shutil.which(executable)
        if path:
            return path
    message = f"{name} is not installed ({install_hint})"
    if on_ci():
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's ``soffice``."""
    return require_component(
        "LibreOffice", ("soffice", "libreoffice"), "apt-get install libreoffice-calc-nogui"
    )


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a headless-capable Chromium."""
    return require_component(
        "Chromium", ("chromium", "chromium-browser", "google-chrome"), "apt-get install chromium"
    )


# --- Hypothesis: reproducible and timing-free on CI -------------------------------

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
# A shared machine's pauses are not failures anywhere: no deadline locally either.
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if on_ci() else "dev")


# --- The command line -------------------------------------------------------------


@pytest.fixture
def cli() -> Cli:
    """Run ``xlmodels`` with arguments; returns exit code, stdout and stderr."""
    return Cli()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `-m cli` selects every test of the command line, for the layout guard in CI.
    for item in items:
        if "cli" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.cli)
