"""The README's quickstart and CI stay true to each other."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the quickstart has a bash block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_quickstart_has_exactly_two_commands() -> None:
    assert quickstart_commands() == ["bash quickstart.sh demo", "bash quickstart.sh test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.strip() for line in ci.splitlines() if line.strip() and not line.startswith("#")
    ]
    # Run as it is, at the top level (not skipped by a condition), after the installs.
    assert quickstart_commands()[1] in commands
    assert commands.index(quickstart_commands()[1]) > commands.index("fi")
