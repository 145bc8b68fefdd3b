"""The revisions benchmark runs on a small size and prints its two ratios."""

from __future__ import annotations

import pytest

from benchmarks import __main__ as bench_main
from benchmarks import revisions


def test_the_revisions_benchmark_times_both_sides(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        bench_main.main(
            ["revisions", "--companies", "3", "--dates", "30", "--groups", "2", "--repeat", "1"]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("benchmark revisions on ")
    assert [line.split()[0] for line in lines[1:]] == ["xlmodels", "record"]
    assert all("ratio" in line for line in lines[1:])


def test_the_revisions_benchmark_returns_positive_timings() -> None:
    timings = revisions.run(companies=3, dates=30, groups=2, repeat=1)
    assert [t.baseline_label for t in timings] == ["cell-by-cell diff", "regenerate 2 workbooks"]
    assert all(t.seconds > 0 and t.baseline_seconds > 0 for t in timings)
