"""The inputs and memory benchmarks run and print their ratios (nothing about speed is asserted)."""

from __future__ import annotations

import pytest

from benchmarks import __main__ as bench_main


def test_the_inputs_benchmark_reads_against_pandas(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_main.main(["inputs", "--size", "4x60", "--repeat", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split("  ")[0] for line in lines] == [
        "read_history csv 4x60",
        "load_inputs 4x60",
        "read_history xlsx 4x60",
    ]
    assert "pd.read_csv" in lines[0]
    assert "pd.read_excel (calamine)" in lines[2]
    assert all("ratio" in line for line in lines)


def test_the_memory_benchmark_measures_child_processes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from benchmarks import memory

    peaks = memory.run(size=["4x40"])
    assert [peak.label for peak in peaks] == ["build 4x40 peak", "regenerate 4x40 peak"]
    # Every side is a Python process that imported pandas: tens of megabytes at least.
    assert all(p.seconds > 20 and p.baseline_seconds > 20 for p in peaks)
    assert peaks[1].baseline_seconds == peaks[0].seconds  # regenerate against the same build
    print(peaks[0].line())
    assert " MB " in capsys.readouterr().out
