"""The README's example prints what its comments say."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _example() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks, "the README has a Python example"
    return blocks[0].splitlines()


def _shown(value: object, claim: str) -> bool:
    """Whether ``value`` is what a comment's first word claims, to the decimals it shows."""
    try:
        number = float(claim)
    except ValueError:
        return claim in (str(value), repr(value))
    decimals = len(claim.partition(".")[2])
    return isinstance(value, float) and round(value, decimals) == number


def test_every_commented_line_of_the_readme_example_gives_what_it_says() -> None:
    namespace: dict[str, object] = {}
    checked = 0
    for line in _example():
        code, _, comment = line.partition("  # ")
        if not code.strip():
            continue
        if not comment:
            exec(compile(code, "README.md", "exec"), namespace)
            continue
        value = eval(compile(ast.parse(code, mode="eval"), "README.md", "eval"), namespace)
        claim = comment.split()[0].rstrip(":")
        assert _shown(value, claim), f"README says {code.strip()} is {claim}, it is {value!r}"
        checked += 1
    assert checked >= 3


def test_the_check_catches_a_wrong_claim() -> None:
    assert _shown(15.431, "15.43")
    assert not _shown(15.431, "15.44")
    assert _shown("Outperform", "'Outperform'")
    assert not _shown("Neutral", "'Outperform'")
