"""Every validation rule, listed once: what ``xlmodels validate`` runs and documents.

A rule runs only when it is listed in :data:`ALL_RULES`; importing a rule
module registers nothing. The list names each rule of the five families
under :mod:`xlmodels.validate.rules`, and :data:`RULES` indexes it by id.
"""

from __future__ import annotations

from collections.abc import Iterable

from xlmodels.validate.config import ValidateConfig
from xlmodels.validate.rule import FAMILIES, Rule
from xlmodels.validate.rules import data, file, finance, integrity, structure

__all__ = ["ALL_RULES", "RULES", "all_rules", "rules_table"]

#: Every rule, family by family.
ALL_RULES: tuple[Rule, ...] = (
    file.UNREADABLE,
    file.CHECK_FAILED,
    file.no_cached_values,
    structure.missing_sheet,
    structure.template_version,
    structure.broken_name,
    structure.named_range,
    structure.header,
    integrity.error_value,
    integrity.formula_overwritten,
    integrity.inconsistent_formula,
    integrity.spill,
    integrity.external_link,
    integrity.macros,
    integrity.hidden_sheet,
    integrity.manual_calculation,
    integrity.iterative_calculation,
    data.wrong_type,
    data.blank_row,
    data.not_positive,
    data.missing_input,
    data.stale_price,
    data.history_order,
    data.history_gap,
    data.stale_history,
    data.duplicate_code,
    data.missing_fx,
    data.reporting_fx,
    data.invalid_choice,
    data.out_of_range,
    data.fy1_not_rolled,
    finance.recomputed_mismatch,
    finance.implied_price,
    finance.rating_mismatch,
    finance.override_without_reason,
    finance.return_mismatch,
)


def _by_id(rules: Iterable[Rule]) -> dict[str, Rule]:
    """The rules by id; an id listed twice is a defect, caught when the module loads."""
    out: dict[str, Rule] = {}
    for item in rules:
        if item.id in out:
            raise ValueError(f"rule {item.id!r} is listed twice")
        out[item.id] = item
    return out


#: The rules by id. The runner reads its rules from here.
RULES: dict[str, Rule] = _by_id(ALL_RULES)


def all_rules() -> list[Rule]:
    """Every rule, by family then id."""
    return sorted(RULES.values(), key=lambda r: (FAMILIES.index(r.family), r.id))


def rules_table(config: ValidateConfig | None = None) -> str:
    """The rules as a Markdown table: id, severity (as configured), what each checks.

    ``xlmodels validate --list-rules`` prints it and docs/validation.md carries it.
    """
    lines = ["| Rule | Severity | Checks |", "|---|---|---|"]
    for item in all_rules():
        severity = config.severity(item.id, item.severity) if config else item.severity
        shown = severity.value if severity is not None else "off"
        lines.append(f"| `{item.id}` | {shown} | {item.summary} |")
    return "\n".join(lines) + "\n"
