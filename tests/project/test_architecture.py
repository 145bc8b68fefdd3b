"""The layers stay readable from the folder names: lower never imports upper, nothing circles.

The import graph is read from the source with :mod:`ast`, so the checks see
every import a module could make, including the ones inside functions that
only run on some paths.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("xlmodels", "udfs", "benchmarks")

#: Each layer may import the layers ranked below it, never one ranked the same
#: or above. ``xlmodels`` itself is the public facade over the core.
LAYERS: dict[str, int] = {
    "xlmodels.errors": 0,
    "xlmodels.runtime": 0,
    "xlmodels.core": 1,
    "xlmodels": 2,
    "xlmodels.domain": 3,
    "xlmodels.excel": 4,
    "udfs": 5,
    "xlmodels.template": 5,
    "xlmodels.sources": 6,
    "xlmodels.workbook": 7,
    "xlmodels.revisions": 8,
    "xlmodels.regenerate": 9,
    "xlmodels.validate": 9,
    "xlmodels.report": 10,
    "xlmodels.cli": 11,
    "xlmodels.__main__": 12,
    "benchmarks": 12,
}

#: The longest a module may grow before it holds more than one purpose.
MAX_MODULE_LINES = 800


@dataclass(frozen=True)
class Import:
    target: str
    line: int
    at_import_time: bool


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return "TYPE_CHECKING" in ast.dump(test)


def _walk(body: list[ast.stmt], at_import_time: bool) -> Iterator[tuple[ast.stmt, bool]]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, at_import_time
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(node.body, False)
        elif isinstance(node, ast.If):
            here = at_import_time and not _is_type_checking(node.test)
            yield from _walk(node.body, here)
            yield from _walk(node.orelse, at_import_time)
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    statements = [c for c in children if isinstance(c, ast.stmt)]
                    yield from _walk(statements, at_import_time)
                    for child in children:
                        if isinstance(child, ast.ExceptHandler | ast.match_case):
                            yield from _walk(child.body, at_import_time)


def _resolve(importer: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = importer.split(".") if path.name == "__init__.py" else importer.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _known(name: str) -> str | None:
    """The module of ours that importing ``name`` runs, if any."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> list[Import]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node, at_import_time in _walk(tree.body, True):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, path, node)
            # ``from package import module`` imports the module itself.
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            known = _known(target)
            if known is not None and known != module:
                found.append(Import(known, node.lineno, at_import_time))
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def _import_time_edges() -> dict[str, set[str]]:
    """Who runs whom when imported; importing ``a.b.c`` also runs ``a`` and ``a.b``."""
    edges: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, imports in GRAPH.items():
        own = set(_ancestors(module))
        for item in imports:
            if not item.at_import_time:
                continue
            for target in [*_ancestors(item.target), item.target]:
                if target in MODULES and target not in own and target != module:
                    edges[module].add(target)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def layer_of(module: str) -> str:
    """The layer a module belongs to: its longest prefix in :data:`LAYERS`."""
    parts = module.split(".")
    for count in range(len(parts), 0, -1):
        prefix = ".".join(parts[:count])
        if prefix in LAYERS:
            return prefix
    raise AssertionError(f"{module} belongs to no layer; add its package to LAYERS")


def test_every_module_belongs_to_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_no_import_cycle_between_modules_at_import_time() -> None:
    assert _cycles(_import_time_edges()) == []


def test_the_checker_finds_a_cycle_and_an_upward_import() -> None:
    # The checks above could pass by reading nothing; show they can fail.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert LAYERS[layer_of("xlmodels.core.valuation")] < LAYERS[layer_of("xlmodels.cli.build")]
    assert len(MODULES) > 100
    assert any(item.at_import_time for item in GRAPH["xlmodels.cli.build"])


def test_lower_layers_never_import_upper_ones() -> None:
    upward = []
    for module, imports in GRAPH.items():
        here = layer_of(module)
        for item in imports:
            there = layer_of(item.target)
            if there != here and LAYERS[there] >= LAYERS[here]:
                upward.append(f"{module}:{item.line} imports {item.target}")
    assert upward == []


def test_no_cycle_between_sub_packages_even_inside_functions() -> None:
    edges: dict[str, set[str]] = {}
    for module, imports in GRAPH.items():
        for item in imports:
            here, there = layer_of(module), layer_of(item.target)
            if here != there:
                edges.setdefault(here, set()).add(there)
    assert _cycles(edges) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_holds_more_than_one_purpose_by_size(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines: split it by purpose"
