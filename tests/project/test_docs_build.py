"""The manual builds with ``mkdocs build --strict``: no broken link, no docstring it cannot render.

MkDocs comes with the ``docs`` extra (part of ``dev``). Without it the test
skips on a laptop and fails under ``CI=true``, like the tests that need
LibreOffice or Chromium, so CI always builds the manual.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILDERS = ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python")


def _require_mkdocs() -> None:
    missing = [name for name in BUILDERS if _find(name) is None]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed (pip install -e '.[docs]')"
    # The rule of tests/conftest.py's require_component, for a Python package.
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(message)


def _find(name: str) -> object:
    try:
        return importlib.util.find_spec(name)
    except ModuleNotFoundError:  # a parent package is missing
        return None


def test_the_manual_builds_strictly(tmp_path: Path) -> None:
    _require_mkdocs()
    site = tmp_path / "site"
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(ROOT / "mkdocs.yml"),
            "--site-dir",
            str(site),
        ],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # Every page of the navigation was written, the generated reference and
    # the template input files included.
    for page in ("own-coverage", "validation", "reference/core", "reference/udfs"):
        assert (site / page / "index.html").is_file(), page
    assert "pe" in (site / "reference" / "core" / "index.html").read_text(encoding="utf-8")
    assert (site / "templates" / "universe.csv").is_file()
