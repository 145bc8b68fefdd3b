"""Pausing Python's cyclic garbage collector while a job allocates millions of objects.

Reading and writing a workbook creates millions of small objects (cell
values, rows, tuples) that hold no reference cycles. Each allocation burst
makes the cyclic collector walk every tracked object again, generation by
generation: for a large workbook that is time spent finding nothing to
collect. Reference counting still frees everything as usual while the
collector is paused; it runs again, as it was, when the block ends.

>>> import gc
>>> with collector_paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector for the block; restore its state after.

    Nested uses are safe: only the outermost one that found the collector
    running starts it again, also when the block raises.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
