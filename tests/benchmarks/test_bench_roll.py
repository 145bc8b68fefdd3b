"""The roll benchmark runs on a small folder and prints its ratio against a regeneration."""

from __future__ import annotations

import pytest

from benchmarks import __main__ as bench_main


def test_the_roll_benchmark_times_a_roll_against_a_regeneration(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bench_main.main(["roll", "--groups", "2", "--repeat", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("benchmark roll on ")
    assert len(lines) == 2
    assert lines[1].startswith("roll 2 workbooks")
    assert "regenerate, new prices" in lines[1]
    assert "time ratio" in lines[1]
