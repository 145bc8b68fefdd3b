"""Benchmarks run and print ratios (speed itself is read from the output, not asserted)."""

from __future__ import annotations

import pytest

from benchmarks import __main__ as bench_main
from benchmarks import core


def test_core_benchmark_measures_each_function_against_numpy() -> None:
    timings = core.run(rows=10_000)
    assert [t.label for t in timings] == [
        "xlmodels.pe",
        "xlmodels.upside",
        "xlmodels.rate (guosen)",
    ]
    assert all(t.seconds > 0 and t.baseline_seconds > 0 for t in timings)
    assert "ratio" in timings[0].line()


def test_bench_lists_and_refuses_unknown_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_main.main(["--list"]) == 0
    assert "core" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        bench_main.main(["nonexistent"])


def test_a_benchmark_without_options_still_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(core, "run", lambda: [])
    assert bench_main.main(["core"]) == 0
    assert capsys.readouterr().out.startswith("benchmark core on ")
    with pytest.raises(SystemExit):
        bench_main.main(["core", "--copies", "3"])  # validate's option, not core's


def test_startup_benchmark_times_whole_processes_against_importing_pandas() -> None:
    from benchmarks import startup

    timings = startup.run(repeat=1)
    assert [t.label for t in timings] == [
        "xlmodels --help",
        "import xlmodels.cli",
        "xlmodels validate one.xlsx",
    ]
    assert {t.baseline_label for t in timings} == {'python -c "import pandas"'}
    assert all(t.seconds > 0 and t.baseline_seconds > 0 for t in timings)


def test_scaling_benchmark_times_regenerate_against_build_and_the_floor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bench_main.main(["scaling", "--size", "4x40", "--repeat", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("benchmark scaling on ")
    assert [line.split("  ")[0] for line in lines[1:]] == ["regenerate 4x40"] * 2
    assert "build, same workbook" in lines[1]
    assert "ratio" in lines[1]
    assert "floor: calamine + xlsxwriter" in lines[2]
