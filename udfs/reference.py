"""The function reference, read from the functions themselves.

Signatures come from :func:`inspect.signature`, descriptions from the
docstrings and argument docs from the ``Annotated`` hints: the same places
xlwings reads when it registers the functions with Excel, so the reference
cannot drift from what the Function Wizard shows. ``xlmodels functions``
prints it; the manual's function table (docs/excel-functions.md) is
:func:`markdown_table`.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from udfs.functions import CATEGORY, FUNCTIONS

__all__ = ["Argument", "Function", "describe", "markdown_table", "reference"]


@dataclass(frozen=True)
class Argument:
    """One argument of an SQ_ function as Excel shows it."""

    name: str
    doc: str
    optional: bool
    default: Any


@dataclass(frozen=True)
class Function:
    """One SQ_ function as Excel shows it."""

    name: str
    description: str
    category: str
    arguments: tuple[Argument, ...]

    @property
    def signature(self) -> str:
        """``SQ_PE(price, eps, [fx])``: optional arguments in brackets."""
        names = (f"[{a.name}]" if a.optional else a.name for a in self.arguments)
        return f"{self.name}({', '.join(names)})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "signature": self.signature,
            "description": self.description,
            "category": self.category,
            "arguments": [
                {
                    "name": a.name,
                    "optional": a.optional,
                    "default": a.default,
                    "doc": a.doc,
                }
                for a in self.arguments
            ],
        }


def describe(function: Callable[..., Any]) -> Function:
    """The reference entry of one function, from its signature, docstring and hints."""
    hints = typing.get_type_hints(function, include_extras=True)
    arguments = []
    for parameter in inspect.signature(function).parameters.values():
        optional = parameter.default is not inspect.Parameter.empty
        arguments.append(
            Argument(
                name=parameter.name,
                doc=_argument_doc(hints.get(parameter.name)),
                optional=optional,
                default=parameter.default if optional else None,
            )
        )
    return Function(
        name=function.__name__,
        description=inspect.getdoc(function) or "",
        category=CATEGORY,
        arguments=tuple(arguments),
    )


def _argument_doc(hint: Any) -> str:
    for metadata in getattr(hint, "__metadata__", ()):
        if isinstance(metadata, dict) and "doc" in metadata:
            return str(metadata["doc"])
    return ""


def reference() -> list[Function]:
    """Every SQ_ function, in the order of :data:`udfs.FUNCTIONS`."""
    return [describe(function) for function in FUNCTIONS.values()]


def markdown_table(functions: Iterable[Function] | None = None) -> str:
    """The reference as a Markdown table: function, description, arguments.

    >>> print(markdown_table(reference()[:1]))
    | Function | Description | Arguments |
    |---|---|---|
    | `SQ_PE(price, eps, [fx])` | PE multiple: price / (eps x fx). EPS <= 0 gives NM. | ...
    """
    rows = [
        "| Function | Description | Arguments |",
        "|---|---|---|",
    ]
    for function in reference() if functions is None else functions:
        arguments = "<br>".join(f"`{a.name}`: {_escape(a.doc)}" for a in function.arguments)
        rows.append(f"| `{function.signature}` | {_escape(function.description)} | {arguments} |")
    return "\n".join(rows) + "\n"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
