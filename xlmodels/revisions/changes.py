"""What changed between two snapshots of a workbook, in the analyst's terms.

:func:`compare_snapshots` lists the companies added and removed, every
analyst input that changed (with its relative change where it is a
number), the input settings and benchmark expected returns that changed,
and the computed outputs that moved as a consequence (PE, target price,
upside, rating). EPS are compared by fiscal year, not by slot: after FY1
moves from 2024 to 2025, the old FY2 and the new FY1 are the same year's
estimate, the year that left the window is not listed, and the new FY3 is
an estimate added. Ratings are compared by tier, so a Chinese and an English
workbook of the same estimates do not differ; outputs are compared as they
display (PE to 0.1x, prices to 0.01, upside to 0.1%), so a refreshed price
that moves nothing a reader sees is not a change.

Examples
--------
>>> from dataclasses import replace
>>> from xlmodels.sources import sample
>>> from xlmodels.revisions.snapshot import snapshot_of
>>> old = snapshot_of(sample.load_inputs(), workbook="a.xlsx")
>>> tencent = old.companies["0700.HK"]
>>> revised = replace(tencent, inputs={**tencent.inputs, "eps_fy2": 27.1})
>>> new = replace(old, companies={**old.companies, "0700.HK": revised})
>>> compare_snapshots(old, new).estimates[0].line()
'0700.HK 腾讯控股: EPS FY2 (2025E) 26.3 -> 27.1 (+3.0%)'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from xlmodels.core.display import display_sign, format_percent, format_points
from xlmodels.domain.model import EPS_SLOTS
from xlmodels.revisions.snapshot import NM_TEXT, CompanySnapshot, Snapshot, rating_key

__all__ = [
    "Change",
    "CompanyRef",
    "SnapshotChanges",
    "compare_snapshots",
    "format_value",
]

#: Labels of the analyst inputs other than EPS.
_INPUT_LABELS = {
    "eps_basis": "EPS basis",
    "target_multiple": "target PE",
    "target_year": "target PE on",
    "rating_override": "rating override",
    "override_reason": "override reason",
    "notes": "notes",
}
_SETTING_LABELS = {
    "fy1_year": "FY1 year",
    "fy_end_month": "fiscal year-end month",
    "fy_end_day": "fiscal year-end day",
    "scheme": "rating scheme",
    "percentile_method": "percentile method",
    "relative_method": "relative-return method",
}
#: Decimals each computed output displays with, and its kind.
_OUTPUTS = {
    **{f"pe_{slot}": (1, "multiple") for slot in EPS_SLOTS},
    "target_price": (2, "number"),
    "upside": (1, "percent"),
}


def format_value(value: Any, kind: str = "number", decimals: int | None = None) -> str:
    """A snapshot value as a reviewer reads it.

    Numbers keep the digits the analyst typed (up to ten significant
    digits) unless ``decimals`` is given; ``kind`` is ``number``,
    ``multiple`` (``14.2x``) or ``percent`` (a fraction shown as ``41.4%``).

    >>> format_value(26.3), format_value(None), format_value(0.4143, "percent", 1)
    ('26.3', '(blank)', '41.4%')
    >>> format_value(14.24, "multiple", 1), format_value("NM", "multiple", 1)
    ('14.2x', 'NM')
    >>> print(format_value("line one" + chr(10) + "line two", "text"))
    line one\\nline two
    """
    if value is None:
        return "(blank)"
    if value == NM_TEXT:
        return NM_TEXT
    if isinstance(value, bool) or not isinstance(value, int | float):
        # One change, one line: a note typed on several lines keeps its breaks visible.
        return str(value).replace("\r\n", "\n").replace("\n", "\\n")
    number = float(value)
    if kind == "percent":
        return f"{number * 100:.{1 if decimals is None else decimals}f}%"
    text = f"{number:.10g}" if decimals is None else f"{number:,.{decimals}f}"
    return f"{text}x" if kind == "multiple" else text


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class CompanyRef:
    """A company named in a list of changes."""

    code: str
    name: str | None

    @property
    def title(self) -> str:
        return f"{self.code} {self.name}" if self.name else self.code

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name}


@dataclass(frozen=True)
class Change:
    """One value that changed.

    Attributes
    ----------
    kind : str
        ``estimate``, ``setting``, ``benchmark`` or ``output``.
    field : str
        Its key (``eps_fy2``, ``target_price``, ``scheme``, a market for a
        benchmark expected return).
    label : str
        How a reader names it (``EPS FY2 (2025E)``).
    old, new : value
        As the snapshots keep them (a number, text, ``"NM"``, None for blank).
    company : CompanyRef or None
        The company, for estimates and outputs.
    value_kind : str
        ``number``, ``multiple``, ``percent`` or ``text``: how to show it.
    decimals : int or None
        Display decimals of an output; None shows numbers as typed.
    year : int or None
        The fiscal year of an EPS or PE.
    """

    kind: str
    field: str
    label: str
    old: Any
    new: Any
    company: CompanyRef | None = None
    value_kind: str = "number"
    decimals: int | None = None
    year: int | None = None

    @property
    def relative(self) -> float | None:
        """(new - old) / |old| for numbers; None for text, NM, blanks or an old value of 0.

        Over the absolute old value, so that a loss narrowing from -1.0 to
        -0.5 reads +50%, an improvement, as analysts read it.
        """
        first, second = _number(self.old), _number(self.new)
        if first is None or second is None or first == 0:
            return None
        if self.value_kind not in ("number", "multiple"):
            return None
        return (second - first) / abs(first)

    @property
    def points(self) -> float | None:
        """new - old for fractions (upside, expected returns), in fractions."""
        first, second = _number(self.old), _number(self.new)
        if first is None or second is None or self.value_kind != "percent":
            return None
        return second - first

    @property
    def change_text(self) -> str:
        """``+3.0%`` for a number, ``+4.3pct`` for a fraction, empty otherwise.

        A change that rounds to zero prints ``0.0%`` (``0.0pct``) with no
        sign: neither up nor down.
        """
        if self.relative is not None:
            return format_percent(self.relative, 1, signed=True)
        if self.points is not None:
            sign = "+" if display_sign(self.points, 1) > 0 else ""
            return sign + format_points(self.points, 1)
        return ""

    @property
    def old_text(self) -> str:
        return format_value(self.old, self.value_kind, self.decimals)

    @property
    def new_text(self) -> str:
        return format_value(self.new, self.value_kind, self.decimals)

    def phrase(self) -> str:
        """``EPS FY2 (2025E) 26.3 -> 27.1 (+3.0%)``."""
        change = self.change_text
        tail = f" ({change})" if change else ""
        return f"{self.label} {self.old_text} -> {self.new_text}{tail}"

    def line(self) -> str:
        """The change as one line, naming the company when there is one."""
        if self.company is None:
            return self.phrase()
        return f"{self.company.title}: {self.phrase()}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": None if self.company is None else self.company.code,
            "name": None if self.company is None else self.company.name,
            "field": self.field,
            "label": self.label,
            "year": self.year,
            "old": self.old,
            "new": self.new,
            "old_text": self.old_text,
            "new_text": self.new_text,
            "change": self.relative,
            "change_points": self.points,
            "change_text": self.change_text,
        }


@dataclass(frozen=True)
class SnapshotChanges:
    """Everything that changed between two snapshots, by kind."""

    added: list[CompanyRef] = field(default_factory=list)
    removed: list[CompanyRef] = field(default_factory=list)
    estimates: list[Change] = field(default_factory=list)
    settings: list[Change] = field(default_factory=list)
    benchmarks: list[Change] = field(default_factory=list)
    outputs: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.estimates
            or self.settings
            or self.benchmarks
            or self.outputs
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "companies_added": [c.as_dict() for c in self.added],
            "companies_removed": [c.as_dict() for c in self.removed],
            "estimates": [c.as_dict() for c in self.estimates],
            "settings": [c.as_dict() for c in self.settings],
            "benchmark_expected_returns": [c.as_dict() for c in self.benchmarks],
            "outputs": [c.as_dict() for c in self.outputs],
        }


def _same(first: Any, second: Any, kind: str = "text", decimals: int | None = None) -> bool:
    a, b = _number(first), _number(second)
    if a is not None and b is not None:
        if decimals is not None:
            scale = 100 if kind == "percent" else 1
            return round(a * scale, decimals) == round(b * scale, decimals)
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    if isinstance(first, str) and isinstance(second, str):
        return first.strip() == second.strip()
    return bool(first == second)


_Years = dict[Any, tuple[str, Any]]


def _by_year(snapshot: Snapshot, company: CompanySnapshot, prefix: str, source: str) -> _Years:
    """``{year or slot: (slot, value)}`` of a per-year field (EPS, PE)."""
    values = company.inputs if source == "inputs" else company.outputs
    out: _Years = {}
    for slot in EPS_SLOTS:
        year = snapshot.fiscal_year(slot)
        out[year if year is not None else slot] = (slot, values.get(f"{prefix}_{slot}"))
    return out


def _year_changes(
    old: Snapshot,
    new: Snapshot,
    first: CompanySnapshot,
    second: CompanySnapshot,
    *,
    prefix: str,
    kind: str,
    ref: CompanyRef,
) -> list[Change]:
    source = "inputs" if kind == "estimate" else "outputs"
    decimals, value_kind = (None, "number") if kind == "estimate" else _OUTPUTS["pe_fy1"]
    # Years are comparable only when both snapshots know their FY1; else slots.
    by_year = old.fy1_year is not None and new.fy1_year is not None
    before = _by_year(old, first, prefix, source) if by_year else _slots(first, prefix, source)
    after = _by_year(new, second, prefix, source) if by_year else _slots(second, prefix, source)
    changes = []
    # The new workbook's years only: after FY1 moves on, the year that left the
    # window was not deleted, it is no longer estimated here.
    for key in sorted(after, key=str):
        old_slot, old_value = before.get(key, (None, None))
        new_slot, new_value = after[key]
        if old_value is None and new_value is None:
            continue
        if _same(old_value, new_value, value_kind, decimals):
            continue
        slot = new_slot or old_slot or ""
        name = "EPS" if prefix == "eps" else "PE"
        if by_year:
            moved = old_slot is not None and new_slot is not None and old_slot != new_slot
            slots = f"{old_slot} -> {new_slot}" if moved else slot
            # A reported year is an actual (2023A), the others estimates (2024E).
            suffix = "A" if new_slot == "lyr" else "E"
            label = f"{name} {str(slots).upper()} ({key}{suffix})"
            year = int(key)
        else:
            label, year = f"{name} {slot.upper()}", None
        changes.append(
            Change(
                kind,
                f"{prefix}_{slot}",
                label,
                old_value,
                new_value,
                ref,
                value_kind,
                decimals,
                year,
            )
        )
    return changes


def _slots(company: CompanySnapshot, prefix: str, source: str) -> _Years:
    values = company.inputs if source == "inputs" else company.outputs
    return {slot: (slot, values.get(f"{prefix}_{slot}")) for slot in EPS_SLOTS}


def _company_changes(
    old: Snapshot, new: Snapshot, first: CompanySnapshot, second: CompanySnapshot
) -> tuple[list[Change], list[Change]]:
    ref = CompanyRef(second.code, second.name or first.name)
    estimates = _year_changes(old, new, first, second, prefix="eps", kind="estimate", ref=ref)
    for key, label in _INPUT_LABELS.items():
        before, after = first.inputs.get(key), second.inputs.get(key)
        if key == "rating_override":
            if rating_key(before, old.scheme) == rating_key(after, new.scheme):
                continue
        elif _same(before, after):
            continue
        value_kind = "number" if key == "target_multiple" else "text"
        estimates.append(Change("estimate", key, label, before, after, ref, value_kind))
    outputs = _year_changes(old, new, first, second, prefix="pe", kind="output", ref=ref)
    for key in ("target_price", "upside"):
        decimals, value_kind = _OUTPUTS[key]
        before, after = first.outputs.get(key), second.outputs.get(key)
        if before is None and after is None:
            continue
        if not _same(before, after, value_kind, decimals):
            label = "target price" if key == "target_price" else "upside"
            outputs.append(Change("output", key, label, before, after, ref, value_kind, decimals))
    before, after = first.outputs.get("rating"), second.outputs.get("rating")
    if rating_key(before, old.scheme) != rating_key(after, new.scheme):
        outputs.append(Change("output", "rating", "rating", before, after, ref, "text"))
    return estimates, outputs


def compare_snapshots(old: Snapshot, new: Snapshot) -> SnapshotChanges:
    """What changed from ``old`` to ``new``; empty when the estimates are the same."""
    changes = SnapshotChanges()
    for code, company in new.companies.items():
        if code not in old.companies:
            changes.added.append(CompanyRef(code, company.name))
    for code, company in old.companies.items():
        if code not in new.companies:
            changes.removed.append(CompanyRef(code, company.name))
            continue
        estimates, outputs = _company_changes(old, new, company, new.companies[code])
        changes.estimates.extend(estimates)
        changes.outputs.extend(outputs)
    # Follow the new workbook's row order, which is the one a reader has open.
    order = {code: i for i, code in enumerate(new.companies)}
    changes.estimates.sort(key=lambda c: order.get(c.company.code if c.company else "", -1))
    changes.outputs.sort(key=lambda c: order.get(c.company.code if c.company else "", -1))
    for key in sorted({*old.settings, *new.settings}, key=_setting_order):
        before, after = old.settings.get(key), new.settings.get(key)
        if not _same(before, after):
            label = _SETTING_LABELS.get(key, key)
            changes.settings.append(Change("setting", key, label, before, after, None, "text"))
    markets = sorted({*old.benchmark_expected_returns, *new.benchmark_expected_returns})
    for market in markets:
        before = old.benchmark_expected_returns.get(market)
        after = new.benchmark_expected_returns.get(market)
        if not _same(before, after):
            label = f"benchmark expected return {market}"
            changes.benchmarks.append(
                Change("benchmark", market, label, before, after, None, "percent", 2)
            )
    return changes


def _setting_order(key: str) -> tuple[int, str]:
    keys = list(_SETTING_LABELS)
    return (keys.index(key) if key in keys else len(keys), key)
