"""Text every output can carry, whatever bytes a file name holds.

A file system takes any bytes as a name; Python reads the ones that are not
UTF-8 as lone surrogates (``\\udcff``), which no terminal, JSON parser or XML
file accepts. Every name a command prints or writes into a report goes
through :func:`printable` first: undecodable bytes become ``\\xff``, the way
Python and ``ls -b`` show them, so the text, JSON, JUnit and SARIF outputs
name such a file the same way and stay valid.
"""

from __future__ import annotations

import os

__all__ = ["printable", "printable_data", "printable_path"]


def printable(text: str) -> str:
    """``text`` with every undecodable byte written as ``\\xNN``.

    Examples
    --------
    >>> printable("books/hk\\udcff.xlsx")
    'books/hk\\\\xff.xlsx'
    >>> printable("恒生科技.xlsx")
    '恒生科技.xlsx'
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape" if _escaped_bytes_only(text) else "replace")
        return raw.decode("utf-8", "backslashreplace")
    return text


def _escaped_bytes_only(text: str) -> bool:
    """Whether every surrogate in ``text`` stands for one undecodable byte."""
    return all("\udc80" <= ch <= "\udcff" for ch in text if "\ud800" <= ch <= "\udfff")


def printable_path(path: str | os.PathLike[str]) -> str:
    """A path as :func:`printable` text."""
    return printable(os.fspath(path))


def printable_data(value: object) -> object:
    """A JSON-like value (dicts, lists, strings...) with every string :func:`printable`.

    >>> printable_data({"file": "hk\\udcff.xlsx", "changes": [1, "a"]})
    {'file': 'hk\\\\xff.xlsx', 'changes': [1, 'a']}
    """
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_data(key): printable_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printable_data(item) for item in value]
    return value
