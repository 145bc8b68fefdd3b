"""The hostile benchmark refuses every file of the corpus and prints its figures (not asserted)."""

from __future__ import annotations

import sys

import pytest

from benchmarks import hostile


@pytest.mark.skipif(sys.platform != "linux", reason="peak memory is read from /proc")
def test_the_hostile_benchmark_refuses_every_file_and_prints_each(
    capsys: pytest.CaptureFixture[str],
) -> None:
    (timing,) = hostile.run(small=True, repeat=1)
    assert timing.seconds > 0
    assert timing.baseline_seconds > 0
    shown = capsys.readouterr().out
    for case in ("lying-bomb", "entity-bomb", "far-cell-alone", "deep-nesting", "shared-strings"):
        assert any(line.startswith(case + " ") for line in shown.splitlines()), shown
    assert "peak" in shown
