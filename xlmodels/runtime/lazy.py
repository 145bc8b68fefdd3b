"""Packages whose public names are imported when first used.

A package's ``__init__`` that imports every submodule makes each import of
one of them pay for all: ``xlmodels validate`` would load the workbook
writer and ``xlmodels --help`` the whole regeneration. A package lists
where each public name lives instead, and :func:`lazy_attributes` gives it
the module ``__getattr__`` (PEP 562) that imports the submodule when the
name is first used.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` importing each name of ``homes`` from its submodule.

    Parameters
    ----------
    package
        The package's ``__name__``.
    homes
        Public name -> the module that defines it (or the package it is a
        submodule of).

    Returns
    -------
    Callable
        ``__getattr__(name)``: the name's value, imported once and then kept
        in the package's namespace; an unknown name raises AttributeError.

    Examples
    --------
    >>> homes = {"LOCK_NAME": "xlmodels.regenerate.lock"}
    >>> __getattr__ = lazy_attributes("xlmodels.regenerate", homes)
    >>> __getattr__("LOCK_NAME")
    '.xlmodels-regenerate.lock'
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(home)
        # A name may be a submodule of its home, imported only now.
        value = (
            getattr(module, name)
            if hasattr(module, name)
            else importlib.import_module(f"{home}.{name}")
        )
        setattr(sys.modules[package], name, value)  # imported once
        return value

    return __getattr__
