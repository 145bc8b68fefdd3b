"""The extras of pyproject.toml match the jobs, and a missing one is named, not a traceback."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest

from tests.install_helpers import run_blocked
from xlmodels.runtime.extras import EXTRA_LIBRARIES, INCLUDES, JOBS

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
BASE = {"numpy", "pandas", "numpy_financial"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]


def _import_name(requirement: str) -> str:
    return _name(requirement).lower().replace("-", "_")


def test_the_base_install_is_the_core_and_the_functions() -> None:
    assert {_import_name(r) for r in PROJECT["dependencies"]} == BASE


def test_each_extra_installs_the_libraries_the_code_names() -> None:
    extras = PROJECT["optional-dependencies"]
    for extra, libraries in EXTRA_LIBRARIES.items():
        direct = {_import_name(r) for r in extras[extra] if not r.startswith("xlmodels[")}
        assert direct == libraries, extra
        included = {
            part.strip()
            for r in extras[extra]
            if r.startswith("xlmodels[")
            for part in r[len("xlmodels[") : -1].split(",")
        }
        assert {extra, *included} == set(INCLUDES[extra]), extra
        assert JOBS[extra]
    assert extras["all"] == ["xlmodels[cli,excel]"]
    assert "xlmodels[all]" in extras["dev"]
    assert extras["excel"] == ["xlwings==0.37.8"]


def test_every_library_the_package_imports_is_in_the_base_or_an_extra() -> None:
    known = BASE | set().union(*EXTRA_LIBRARIES.values())
    imported: set[str] = set()
    for path in [*ROOT.glob("xlmodels/**/*.py"), *ROOT.glob("udfs/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"xlmodels", "udfs", "__future__"}
    # The formula engine and fontTools come with the dev tools and matplotlib.
    assert third_party - known <= {"formulas", "fontTools"}, third_party - known


def test_quickstart_installs_all_for_the_demo_and_dev_for_the_tests() -> None:
    script = (ROOT / "quickstart.sh").read_text(encoding="utf-8")
    assert 'extras=".[all]"' in script
    assert '[ "$job" = test ] && extras=".[dev]"' in script


@pytest.mark.parametrize("missing", ["typer", "rich", "matplotlib", "openpyxl", "filelock"])
def test_the_command_line_without_its_extra_names_the_extra(missing: str) -> None:
    result = run_blocked({missing}, "from xlmodels.cli import main\nmain()")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert missing in lines[0]
    assert 'pip install "xlmodels[cli]"' in lines[0]
    assert result.stdout == ""


def test_python_dash_m_says_the_same() -> None:
    result = run_blocked(
        {"typer"}, "import runpy\nrunpy.run_module('xlmodels', run_name='__main__')"
    )
    assert result.returncode == 2
    assert 'pip install "xlmodels[cli]"' in result.stderr


def test_a_module_outside_the_extras_still_shows_its_error() -> None:
    # A missing part of xlmodels itself is a broken install, not a missing extra.
    result = run_blocked({"xlmodels.cli.build"}, "from xlmodels.cli import main\nmain()")
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def _closure(extra: str) -> set[str]:
    """The requirements an extra installs, with the extras it includes."""
    extras = PROJECT["optional-dependencies"]
    found: set[str] = set()
    for requirement in extras[extra]:
        if requirement.startswith("xlmodels["):
            for part in requirement[len("xlmodels[") : -1].split(","):
                found |= _closure(part.strip())
        else:
            found.add(requirement)
    return found


def test_the_pre_commit_hook_installs_the_cli_extra() -> None:
    # pre-commit installs the hook's repository without extras.
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    listed = re.findall(r"^\s+- (\S+)\s*$", text.split("additional_dependencies:", 1)[1], re.M)
    assert set(listed) == _closure("cli")
    assert len(listed) == len(set(listed))
