"""The validation benchmark times validation and calamine alone on the same files (not asserted)."""

from __future__ import annotations

import pytest

from xlmodels.bench import validate


def test_validate_benchmark_times_both_sides(capsys: pytest.CaptureFixture[str]) -> None:
    single, parallel = validate.run(copies=3, companies=6, dates=40, repeat=1)
    assert single.seconds > 0
    assert single.baseline_seconds > 0
    assert parallel.baseline_seconds == single.seconds
    assert "ratio" in single.line()
    assert "with --jobs 2" in capsys.readouterr().out
