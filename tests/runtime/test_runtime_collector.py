"""The cyclic garbage collector pauses for a block and runs again after it, as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from xlmodels.runtime.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_running() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_paused_inside_and_running_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_runs_again_when_the_block_raises() -> None:
    with pytest.raises(ValueError, match="boom"), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_nested_pauses_leave_it_paused_until_the_outer_one_ends() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_paused_before_stays_paused() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_objects_without_cycles_are_still_freed() -> None:
    import weakref

    class Cell:
        pass

    with collector_paused():
        cell = Cell()
        alive = weakref.ref(cell)
        del cell
        assert alive() is None
