"""``python -m benchmarks NAME [OPTIONS]``: run a benchmark and print its ratios.

A benchmark module may define ``add_arguments(parser)`` to take options of
its own (``python -m benchmarks validate --help`` lists them); their
values are passed to its ``run`` by name.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from types import ModuleType

import benchmarks as bench


def available() -> list[str]:
    return sorted(
        module.name
        for module in pkgutil.iter_modules(bench.__path__)
        if not module.name.startswith("_")
    )


def _summary(module: ModuleType) -> str:
    doc = (module.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""


def _parser(modules: dict[str, ModuleType]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time xlmodels against its baseline, side by side, and print the ratios.",
        epilog="Run python -m benchmarks NAME --help for a benchmark's own options.",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks")
    names = parser.add_subparsers(dest="name", metavar="NAME", title="benchmarks")
    for name, module in modules.items():
        command = names.add_parser(
            name,
            help=_summary(module),
            description=(module.__doc__ or "").strip(),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_arguments = getattr(module, "add_arguments", None)
        if add_arguments is not None:
            add_arguments(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    modules = {name: importlib.import_module(f"benchmarks.{name}") for name in available()}
    parser = _parser(modules)
    options = vars(parser.parse_args(argv))
    name = options.pop("name")
    if options.pop("list") or not name:
        for each, module in modules.items():
            print(f"{each:<12} {_summary(module)}")
        return 0
    print(f"benchmark {name} on {bench.machine()}")
    for timing in modules[name].run(**options):
        print(timing.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
