"""How the validator's modules import each other: no cycle, an explicit list of rules.

A module imported at the top of another is loaded before it; a submodule's
package ``__init__`` is loaded before the submodule. Both are edges of the
import graph walked here, from the source, without importing anything.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import xlmodels
from xlmodels.validate.registry import ALL_RULES, RULES
from xlmodels.validate.rule import Rule

PACKAGE = "xlmodels.validate"
ROOT = Path(xlmodels.__file__).resolve().parents[1]


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted((ROOT / PACKAGE.replace(".", "/")).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _top_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports run when the module is: at the top, or in a top-level if/try, not type-only."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            yield from _top_level_imports(node.body)
            yield from _top_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _top_level_imports(node.body)
            for handler in node.handlers:
                yield from _top_level_imports(handler.body)
            yield from _top_level_imports(node.orelse)
            yield from _top_level_imports(node.finalbody)


def _with_packages(name: str) -> list[str]:
    """``a.b.c`` -> ``a``, ``a.b``, ``a.b.c``: importing a module loads its packages first."""
    parts = name.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts) + 1)]


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it loads when it is imported."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: list[str] = []
        for node in _top_level_imports(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                targets.extend(alias.name for alias in node.names)
                continue
            assert node.level == 0, f"{name} uses a relative import"
            base = node.module or ""
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.append(full if full in modules else base)
        targets.extend(_with_packages(name)[:-1])
        graph[name] = {
            loaded
            for target in targets
            for loaded in _with_packages(target)
            if loaded in modules and loaded != name
        }
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (its modules in order, the first repeated), or None."""
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for target in sorted(graph[name]):
            cycle = visit(target, [*path, name])
            if cycle is not None:
                return cycle
        done.add(name)
        return None

    for name in sorted(graph):
        cycle = visit(name, [])
        if cycle is not None:
            return cycle
    return None


def test_the_cycle_finder_sees_a_package_importing_its_own_submodule() -> None:
    # rules/__init__ importing rules.data, which loads rules/__init__ first.
    graph = {"p": set(), "p.rules": {"p.rules.data"}, "p.rules.data": {"p", "p.rules"}}
    assert find_cycle(graph) == ["p.rules", "p.rules.data", "p.rules"]
    graph["p.rules"] = set()
    assert find_cycle(graph) is None


def test_no_module_of_the_validator_imports_itself_back() -> None:
    graph = import_graph()
    assert "xlmodels.validate.rules.finance" in graph  # the walk saw the rule modules
    assert find_cycle(graph) is None


def test_importing_the_package_loads_none_of_its_modules() -> None:
    probe = (
        "import sys, xlmodels.validate\n"
        "print(sorted(m for m in sys.modules if m.startswith('xlmodels.validate.')"
        " or m in ('openpyxl', 'python_calamine')))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"


def test_every_rule_a_rule_module_defines_is_listed_once() -> None:
    rules_package = importlib.import_module(f"{PACKAGE}.rules")
    defined: list[Rule] = []
    for module_info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{PACKAGE}.rules.{module_info.name}")
        defined.extend(value for value in vars(module).values() if isinstance(value, Rule))
    assert len(defined) == len(ALL_RULES)
    assert set(defined) == set(ALL_RULES)
    assert set(RULES) == {item.id for item in ALL_RULES}


def test_the_public_names_resolve_where_they_live() -> None:
    import xlmodels.validate as validate

    for name in validate.__all__:
        assert getattr(validate, name) is not None, name
    assert validate.RULES is RULES
