"""xlwings Lite can install the base package: Pyodide's lock plus pure-Python wheels.

Lite installs ``requirements.txt`` with micropip inside Pyodide: a compiled
package must come from Pyodide's own builds, listed in the ``pyodide-lock.json``
of the npm ``pyodide`` package; anything else must be a pure-Python wheel. The
lock files in tests/fixtures/pyodide are those of the npm packages, unchanged:
0.27.7 (Python 3.12, numpy 2.0.2, pandas 2.2.3; the Pyodide xlwings Lite has
run on for most of its life) and 314.0.8, the newest when they were taken.
"""

from __future__ import annotations

import importlib.metadata
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.install_helpers import run_blocked

ROOT = Path(__file__).resolve().parents[2]
LOCKS = sorted((ROOT / "tests" / "fixtures" / "pyodide").glob("pyodide-lock-*.json"))
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Everything that is not the core or the functions: none of it may be needed by them.
NOT_IN_LITE = {
    "openpyxl",
    "xlsxwriter",
    "python_calamine",
    "matplotlib",
    "typer",
    "rich",
    "defusedxml",
    "filelock",
    "xlwings",
    "pylopdf_fonts_zh_cn",
}


@dataclass(frozen=True)
class Lock:
    version: str
    python: Version
    packages: dict[str, dict[str, Any]]

    @classmethod
    def read(cls, path: Path) -> Lock:
        data = json.loads(path.read_text(encoding="utf-8"))
        packages = {canonicalize_name(name): info for name, info in data["packages"].items()}
        return cls(
            version=path.stem.removeprefix("pyodide-lock-"),
            python=Version(data["info"]["python"]),
            packages=packages,
        )

    def environment(self) -> dict[str, str]:
        """Marker values inside this Pyodide (PEP 508)."""
        return {
            "python_version": f"{self.python.major}.{self.python.minor}",
            "python_full_version": str(self.python),
            "sys_platform": "emscripten",
            "platform_system": "Emscripten",
            "platform_machine": "wasm32",
            "os_name": "posix",
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "extra": "",
        }


def _wheel_is_pure_python(name: str) -> tuple[str, list[str]]:
    """The installed distribution's version and requirements; fails unless pure Python."""
    distribution = importlib.metadata.distribution(name)
    wheel = distribution.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
    assert "Root-Is-Purelib: true" in wheel, f"{name} is not a pure-Python wheel"
    assert tags, name
    assert all(tag.endswith("-none-any") for tag in tags), (name, tags)
    return distribution.version, list(distribution.requires or [])


def resolve(lock: Lock, requirements: list[str]) -> dict[str, str]:
    """Where each requirement comes from inside Pyodide: "lock" or "pure-python wheel".

    Every requirement (and every requirement of a pure-Python wheel, in turn)
    is either in the lock at a version its specifier accepts, or a
    pure-Python wheel; anything else fails the test with its name.
    """
    environment = lock.environment()
    sources: dict[str, str] = {}
    pending = [Requirement(text) for text in requirements]
    while pending:
        requirement = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        if name in sources:
            continue
        if name in lock.packages:
            version = lock.packages[name]["version"]
            assert requirement.specifier.contains(version, prereleases=True), (
                f"Pyodide {lock.version} has {name} {version}, which does not satisfy {requirement}"
            )
            sources[name] = "lock"
            for dependency in lock.packages[name]["depends"]:
                assert canonicalize_name(dependency) in lock.packages, (lock.version, dependency)
        else:
            version, needs = _wheel_is_pure_python(requirement.name)
            assert requirement.specifier.contains(version, prereleases=True), (name, version)
            sources[name] = "pure-python wheel"
            pending.extend(Requirement(text) for text in needs)
    return sources


@pytest.fixture(params=LOCKS, ids=[path.stem for path in LOCKS])
def lock(request: pytest.FixtureRequest) -> Lock:
    return Lock.read(request.param)


def test_both_locks_are_shipped() -> None:
    assert [path.name for path in LOCKS] == [
        "pyodide-lock-0.27.7.json",
        "pyodide-lock-314.0.8.json",
    ]
    assert Lock.read(LOCKS[0]).packages["numpy"]["version"] == "2.0.2"
    assert Lock.read(LOCKS[0]).packages["pandas"]["version"] == "2.2.3"


def test_the_base_install_resolves_in_pyodide(lock: Lock) -> None:
    assert SpecifierSet(PROJECT["requires-python"]).contains(lock.python)
    sources = resolve(lock, PROJECT["dependencies"])
    assert sources["numpy"] == sources["pandas"] == "lock"
    assert sources["numpy-financial"] == "pure-python wheel"


def test_the_resolver_refuses_what_lite_cannot_install(lock: Lock) -> None:
    with pytest.raises(AssertionError, match="numpy"):
        resolve(lock, ["numpy>=99"])


def test_the_former_base_install_did_not_resolve_in_pyodide_0_27() -> None:
    old = Lock.read(LOCKS[0])
    # python-calamine is compiled and not in the lock; matplotlib there is 3.8.4.
    with pytest.raises(AssertionError, match="python-calamine is not a pure-Python wheel"):
        resolve(old, ["python-calamine>=0.3"])
    with pytest.raises(AssertionError, match=r"matplotlib 3\.8\.4"):
        resolve(old, ["matplotlib>=3.9"])


def test_the_package_itself_is_pure_python() -> None:
    # No extension modules: the wheel setuptools builds is py3-none-any.
    compiled = [p for p in ROOT.glob("xlmodels/**/*") if p.suffix in {".so", ".pyd", ".c"}]
    compiled += [p for p in ROOT.glob("udfs/**/*") if p.suffix in {".so", ".pyd", ".c"}]
    assert compiled == []
    assert "ext-modules" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_udfs_import_and_compute_without_the_other_libraries() -> None:
    code = "\n".join(
        [
            "import udfs",
            "print(round(udfs.SQ_PE(398.0, 24.1, 1.0702), 2))",
            "print(udfs.SQ_RATING(0.25, 0.0, 'guosen', 'en'))",
            "print(udfs.SQ_PE_TTM(398.0, [[5.2], [5.8], [6.0], [6.4]], 1.0))",
            "print(udfs.SQ_TP_DCF([[100.0], [110.0]], 0.09, 0.03, 250.0, 100.0))",
            "print(udfs.SQ_PE(0.0, 1.0))",
            "print(sorted(m for m in sys.modules if m.split('.')[0] in BLOCKED))",
        ]
    )
    result = run_blocked(NOT_IN_LITE, code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "15.43"
    assert lines[1] == "Outperform"
    assert float(lines[2]) == pytest.approx(398.0 / 23.4)
    assert float(lines[3]) > 0
    assert lines[4].startswith("#VALUE! price must be greater than 0")
    assert lines[5] == "[]"


def test_marker_environment_is_pyodides(lock: Lock) -> None:
    # pandas asks for tzdata on emscripten: the environment must say emscripten.
    assert Marker('sys_platform == "emscripten"').evaluate(lock.environment())


def test_ci_runs_the_function_tests_on_pyodide_0_27_numpy_and_pandas() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and line[0] != "#"]
    assert "set -euo pipefail" in commands  # a failing step fails CI
    assert commands.index("bash .ci/pyodide-versions") < len(commands) - 1
    script = (ROOT / ".ci" / "pyodide-versions").read_text(encoding="utf-8")
    assert "set -euo pipefail" in script
    old = Lock.read(LOCKS[0])
    for name in ("numpy", "pandas"):
        assert f'"{name}=={old.packages[name]["version"]}"' in script
    for tests in (
        "tests/core",
        "tests/udfs/test_udfs_functions.py",
        "tests/udfs/test_udfs_hosts.py",
    ):
        assert tests in script
