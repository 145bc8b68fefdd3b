"""The report's "盈利预测调整 / Estimate revisions" section: EPS, target and rating changes.

Each coverage workbook of a report is compared with a record of the
revision store beside it (:mod:`xlmodels.revisions.store`), the *baseline*:
the latest record made for an earlier report date (last month's final
state), or, when the store has none, the workbook's first record. The
section lists, per company, each EPS that changed (by fiscal year), the
target price and the rating, with old, new and the change; ratings say
whether they were raised or cut. A workbook whose folder has no store adds
nothing, and a report none of whose workbooks has one has no such section.

Examples
--------
>>> baseline_of([], "2024-12-02") is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from xlmodels.core.display import format_number, format_percent
from xlmodels.core.ratings import SchemeError, load_scheme
from xlmodels.report.coverage_table import TableColumn
from xlmodels.revisions.changes import Change, compare_snapshots
from xlmodels.revisions.snapshot import rating_key
from xlmodels.revisions.store import Record, read_records, store_path
from xlmodels.revisions.workbooks import read_state

__all__ = [
    "EstimateRevisions",
    "RevisionLine",
    "baseline_of",
    "report_revisions",
    "revisions_columns",
    "revisions_title",
]


def revisions_title(lang: str) -> str:
    """The section's title."""
    return "盈利预测调整" if lang == "zh" else "Estimate revisions"


@dataclass(frozen=True)
class RevisionLine:
    """One printed change: a company's EPS of one year, its target price or its rating.

    ``old`` and ``new`` are numbers (EPS, target price) or rating labels in
    the report's language; ``change`` is the relative change of a number, or
    +1 / -1 for a rating raised or cut (0 when the tiers cannot be ordered).
    """

    code: str
    name: str
    item: str
    old: Any
    new: Any
    change: float | None
    kind: str  # "eps", "target_price" or "rating"

    def change_text(self, lang: str) -> str:
        if self.change is None:
            return ""
        if self.kind == "rating":
            if self.change > 0:
                return "上调" if lang == "zh" else "upgrade"
            if self.change < 0:
                return "下调" if lang == "zh" else "downgrade"
            return ""
        # A change that rounds to zero prints 0.0% with no sign: neither up nor down.
        return format_percent(self.change, 1, signed=True)


@dataclass(frozen=True)
class BaselineNote:
    """Which record a workbook was compared with."""

    workbook: str
    recorded_at: str
    report_date: str | None


@dataclass(frozen=True)
class EstimateRevisions:
    """The section's content: the changes, and what each workbook was compared with."""

    lang: str
    lines: list[RevisionLine] = field(default_factory=list)
    baselines: list[BaselineNote] = field(default_factory=list)

    def notes(self) -> list[str]:
        """One sentence per workbook saying which record it was compared with."""
        out = []
        for note in self.baselines:
            if self.lang == "zh":
                date = f"（报告日期 {note.report_date}）" if note.report_date else ""
                out.append(f"{note.workbook}：对比 {note.recorded_at} 的记录{date}。")
            else:
                report = f", report date {note.report_date}" if note.report_date else ""
                out.append(f"{note.workbook}: against the record of {note.recorded_at}{report}.")
        return out

    def empty_note(self) -> str:
        return "本期无盈利预测调整。" if self.lang == "zh" else "No estimate was revised."

    def text_table(self) -> pd.DataFrame:
        """The lines as printed strings, in :func:`revisions_columns` order."""
        rows = [
            {
                "code": line.code,
                "name": line.name,
                "item": line.item,
                "old": _shown(line, line.old),
                "new": _shown(line, line.new),
                "change": line.change_text(self.lang),
            }
            for line in self.lines
        ]
        return pd.DataFrame(rows, columns=[c.key for c in revisions_columns(self.lang)])


def _shown(line: RevisionLine, value: Any) -> str:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return format_number(value, 2)  # NM as NM, missing as "-", as every report figure
    return str(value)


def revisions_columns(lang: str) -> tuple[TableColumn, ...]:
    """Columns of the section's table."""
    zh = lang == "zh"
    headers = (
        ("代码", "公司名称", "调整项", "调整前", "调整后", "变动")
        if zh
        else ("Code", "Company", "Item", "Before", "After", "Change")
    )
    kinds = ("text", "text", "text", "number", "number", "number")
    keys = ("code", "name", "item", "old", "new", "change")
    return tuple(
        TableColumn(key, header, kind=kind)
        for key, header, kind in zip(keys, headers, kinds, strict=True)
    )


def baseline_of(records: Sequence[Record], report_date: str | None) -> Record | None:
    """The record a workbook is compared with.

    The latest record made for an earlier report date than ``report_date``
    (ISO text); when there is none, the first record.
    """
    if not records:
        return None
    if report_date is not None:
        earlier = [r for r in records if r.report_date is not None and r.report_date < report_date]
        if earlier:
            return earlier[-1]
    return records[0]


def _rating_text(label: Any, scheme: str | None, lang: str) -> str | None:
    """A rating label in the report's language."""
    if not isinstance(label, str):
        return None
    key = rating_key(label, scheme)
    try:
        loaded = load_scheme(scheme or "guosen")
    except SchemeError:
        return label
    if key == "not_rated":
        return loaded.not_rated[lang]
    tier = next((t for t in loaded.tiers if t.key == key), None)
    return label if tier is None else tier.label(lang)


def _rating_move(old: Any, new: Any, scheme: str | None) -> float:
    """+1 for a better tier, -1 for a worse one, 0 when they cannot be ordered."""
    try:
        tiers = [tier.key for tier in load_scheme(scheme or "guosen").tiers]
    except SchemeError:
        return 0.0
    first, second = rating_key(old, scheme), rating_key(new, scheme)
    if first in tiers and second in tiers:
        return float(
            (tiers.index(first) > tiers.index(second)) - (tiers.index(first) < tiers.index(second))
        )
    return 0.0


def _lines(
    changes: list[Change], scheme: str | None, lang: str, names: dict[str, str]
) -> list[RevisionLine]:
    out = []
    for change in changes:
        company = change.company
        if company is None:
            continue
        name = names.get(company.code) or company.name or company.code
        if change.kind == "estimate" and change.field.startswith("eps_") and change.year:
            item = f"EPS {change.year}E"
            out.append(
                RevisionLine(
                    company.code, name, item, change.old, change.new, change.relative, "eps"
                )
            )
        elif change.field == "target_price":
            item = "目标价" if lang == "zh" else "Target price"
            out.append(
                RevisionLine(
                    company.code,
                    name,
                    item,
                    # A target on EPS <= 0 is "NM": printed as such, never as missing.
                    change.old,
                    change.new,
                    change.relative,
                    "target_price",
                )
            )
        elif change.field == "rating":
            item = "投资评级" if lang == "zh" else "Rating"
            out.append(
                RevisionLine(
                    company.code,
                    name,
                    item,
                    _rating_text(change.old, scheme, lang),
                    _rating_text(change.new, scheme, lang),
                    _rating_move(change.old, change.new, scheme),
                    "rating",
                )
            )
    return out


def report_revisions(
    paths: Sequence[Path], lang: str, names: dict[str, str] | None = None
) -> EstimateRevisions | None:
    """The revisions section of a report on the workbooks ``paths``, or None without any store.

    Parameters
    ----------
    paths : sequence of Path
        The report's coverage workbooks; each one's store is its folder's.
    lang : {"zh", "en"}
    names : dict, optional
        Company names in the report's language, by code.

    Raises
    ------
    InputError
        A workbook or a store that cannot be read, naming the file.
    """
    names = names or {}
    found = False
    revisions = EstimateRevisions(lang)
    by_folder: dict[Path, list[Record]] = {}
    for path in paths:
        if not store_path(path.parent).is_file():
            continue
        if path.parent not in by_folder:  # one read per folder, however many workbooks
            by_folder[path.parent] = read_records(path.parent)
        records = [r for r in by_folder[path.parent] if r.workbook == path.name]
        state = read_state(path)
        baseline = baseline_of(records, state.snapshot.report_date)
        if baseline is None:
            continue
        found = True
        revisions.baselines.append(
            BaselineNote(
                path.name,
                baseline.recorded_at.strftime("%Y-%m-%d %H:%M"),
                baseline.report_date,
            )
        )
        changes = compare_snapshots(baseline.snapshot, state.snapshot)
        listed = [
            *(c for c in changes.estimates if c.field.startswith("eps_")),
            *(c for c in changes.outputs if c.field in ("target_price", "rating")),
        ]
        order = {code: i for i, code in enumerate(state.snapshot.companies)}
        kinds = {"eps": 0, "target_price": 1, "rating": 2}
        lines = _lines(listed, state.snapshot.scheme, lang, names)
        lines.sort(key=lambda line: (order.get(line.code, len(order)), kinds[line.kind], line.item))
        revisions.lines.extend(lines)
    return revisions if found else None
