"""xlwings' decorator and error type, or stand-ins where xlwings is not installed.

Excel brings xlwings with it: the ``excel`` extra pins it for desktop Excel and
xlwings Lite provides its own. Without xlwings (a formula engine in Python, a
plain ``pip install xlmodels``) the SQ_ functions are plain Python functions:
the decorator leaves them unchanged and a whole-call error is a ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["XlwingsError", "func"]

F = TypeVar("F", bound=Callable[..., Any])

try:
    from xlwings import XlwingsError, func
except ImportError:  # the functions still work as plain Python without xlwings

    class XlwingsError(Exception):  # type: ignore[no-redef]
        """What xlwings raises to show an error with its message in a cell."""

    def func(function: Any = None, **options: Any) -> Any:  # type: ignore[no-redef]
        """Leave the function unchanged: there is no Excel to register it with."""
        if function is None:
            return lambda decorated: decorated
        return function
