"""The validation benchmark times validation and calamine alone on the same files (not asserted)."""

from __future__ import annotations

import pytest

from benchmarks import validate


def test_validate_benchmark_times_both_sides(capsys: pytest.CaptureFixture[str]) -> None:
    single, parallel = validate.run(copies=3, companies=6, dates=40, repeat=1)
    assert single.seconds > 0
    assert single.baseline_seconds > 0
    assert parallel.baseline_seconds == single.seconds
    assert "ratio" in single.line()
    assert "with --jobs 2" in capsys.readouterr().out


def test_the_sizes_are_options_with_the_issue_sizes_as_defaults(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import __main__ as bench_main

    calls: list[dict[str, int]] = []

    def record(**sizes: int) -> list[object]:
        calls.append(sizes)
        return []

    monkeypatch.setattr(validate, "run", record)
    assert bench_main.main(["validate"]) == 0
    assert bench_main.main(["validate", "--copies", "3", "--companies", "6", "--dates", "40"]) == 0
    assert calls == [
        {"copies": 200, "companies": 50, "dates": 2_500, "repeat": 2},
        {"copies": 3, "companies": 6, "dates": 40, "repeat": 2},
    ]
    with pytest.raises(SystemExit):
        bench_main.main(["validate", "--copies", "0"])
    assert "--copies: 0 must be 1 or more" in capsys.readouterr().err
    monkeypatch.setenv("COLUMNS", "200")  # argparse wraps help to the terminal
    with pytest.raises(SystemExit):
        bench_main.main(["validate", "--help"])
    shown = capsys.readouterr().out
    for option in ("--copies N", "--companies N", "--dates N", "--repeat N"):
        assert option in shown
    assert "(default: 200)" in shown
    assert "python -m benchmarks validate --copies 20 --companies 10 --dates 250" in shown
