"""``python -m xlmodels.bench NAME``: run a benchmark and print its ratios."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import xlmodels.bench as bench


def available() -> list[str]:
    return sorted(
        module.name
        for module in pkgutil.iter_modules(bench.__path__)
        if not module.name.startswith("_")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m xlmodels.bench",
        description="Time xlmodels against its baseline, side by side, and print the ratios.",
    )
    parser.add_argument("name", nargs="?", help=f"benchmark: {', '.join(available())}")
    parser.add_argument("--list", action="store_true", help="list the benchmarks")
    options = parser.parse_args(argv)
    if options.list or not options.name:
        for name in available():
            doc = (importlib.import_module(f"xlmodels.bench.{name}").__doc__ or "").strip()
            print(f"{name:<12} {doc.splitlines()[0] if doc else ''}")
        return 0
    if options.name not in available():
        parser.error(f"unknown benchmark {options.name!r}; choose from {', '.join(available())}")
    module = importlib.import_module(f"xlmodels.bench.{options.name}")
    print(f"benchmark {options.name} on {bench.machine()}")
    for timing in module.run():
        print(timing.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
