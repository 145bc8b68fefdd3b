"""What a validation rule is: its id, default severity, description, fix hint and check.

Rule ids are readable and stable: ``<family>.<name>`` in lower case with
hyphens (``integrity.error-value``), where the family is one of
:data:`FAMILIES`. An id is never reused for a different check and never
renamed: configuration files and CI baselines refer to it.

A check is a function that receives the workbook being validated and yields
:class:`Hit` objects (sheet, cell, message); the runner turns them into
findings with the rule's id, severity (as configured) and fix hint. The
:func:`rule` decorator makes a check function a :class:`Rule`; defining one
registers nothing: :mod:`xlmodels.validate.registry` lists every rule that runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xlmodels.validate.findings import Severity

if TYPE_CHECKING:
    from xlmodels.validate.context import WorkbookContext

__all__ = ["FAMILIES", "Check", "Hit", "Rule", "declare", "rule"]

#: Rule families, in the order reports list them.
FAMILIES = ("file", "structure", "integrity", "data", "finance")


@dataclass(frozen=True)
class Hit:
    """Where a rule fired and what it says; the runner adds the rest."""

    message: str
    sheet: str | None = None
    cell: str | None = None
    #: A fix specific to this hit, replacing the rule's general hint.
    fix: str | None = None


Check = Callable[["WorkbookContext"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """One validation rule.

    Attributes
    ----------
    id : str
        ``<family>.<name>``, stable.
    severity : Severity
        Default severity; configuration may change it or turn the rule off.
    summary : str
        One line: what the rule checks.
    fix : str
        How to fix what it finds.
    check : callable or None
        The check; None for the rules the runner raises itself
        (``file.unreadable``, ``file.check-failed``).
    spec : bool
        Whether the rule compares the workbook with the coverage spec: such
        rules run only on workbooks of the template version this spec
        describes.

    Raises
    ------
    ValueError
        For an id that is not ``<family>.<name>`` with a known family.
    """

    id: str
    severity: Severity
    summary: str
    fix: str
    check: Check | None = None
    spec: bool = False

    def __post_init__(self) -> None:
        family, _, name = self.id.partition(".")
        if family not in FAMILIES or not name or name != name.lower() or " " in name:
            raise ValueError(f"rule id {self.id!r} is not <family>.<name> with a known family")

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]


def declare(id: str, severity: Severity, summary: str, fix: str) -> Rule:
    """A rule that the runner raises itself (no check function)."""
    return Rule(id, severity, summary, fix)


def rule(
    id: str, severity: Severity, summary: str, fix: str, *, spec: bool = False
) -> Callable[[Check], Rule]:
    """Make the decorated check function a :class:`Rule` with this id and description."""

    def decorate(check: Check) -> Rule:
        return Rule(id, severity, summary, fix, check, spec)

    return decorate
