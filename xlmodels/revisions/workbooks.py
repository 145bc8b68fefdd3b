"""The semantic difference between two coverage workbooks.

:func:`read_state` reads a workbook of any template version the way
regeneration does: with the spec of its own version (a v1 workbook through
its v1 names), then computes its :class:`~xlmodels.revisions.snapshot.Snapshot`,
summarises its market data and lists what breaks the template (an edited
or typed-over formula, a sheet of the analyst's own holding what
regeneration cannot carry; the checks regeneration stops on,
:func:`~xlmodels.workbook.conflicts.find_conflicts`).

:func:`diff_workbooks` compares two states: the estimates
(:func:`~xlmodels.revisions.changes.compare_snapshots`), the workbook
itself (template version, language, formula mode), the market refresh
summarised (prices, FX, history rows) rather than listed cell by cell, and
the integrity problems that appeared or went away.

Examples
--------
>>> diff = diff_workbooks("workbooks/coverage-sample.xlsx", "workbooks/coverage-sample.xlsx")
>>> diff.identical
True
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from xlmodels.core.ratings import SchemeError
from xlmodels.errors import InputError
from xlmodels.excel.cells import cell_text
from xlmodels.excel.ooxml.guard import guard_bytes
from xlmodels.revisions.changes import Change, SnapshotChanges, compare_snapshots
from xlmodels.revisions.snapshot import Snapshot, plain_value, snapshot_of
from xlmodels.template.migrations import TemplateVersionError, reading_spec
from xlmodels.template.names import MARKET_SHEET
from xlmodels.workbook.conflicts import Conflict, find_conflicts
from xlmodels.workbook.coverage_inputs import coverage_inputs
from xlmodels.workbook.identify import defined_names, identify
from xlmodels.workbook.own_sheets import read_own_sheets
from xlmodels.workbook.reader import WorkbookData, read_workbook
from xlmodels.workbook.stored_cells import read_cells

__all__ = [
    "MarketSummary",
    "WorkbookDiff",
    "WorkbookState",
    "diff_workbooks",
    "read_state",
]


@dataclass(frozen=True)
class WorkbookState:
    """A coverage workbook as the diff sees it.

    Attributes
    ----------
    path : Path or None
    data : WorkbookData
        The workbook read with the spec of its template version.
    snapshot : Snapshot
        Its estimates and what they compute to.
    conflicts : list of Conflict
        What breaks the template: edited or typed-over formulas, formulas in
        input cells, extra sheets, cells or names.
    """

    path: Path | None
    data: WorkbookData
    snapshot: Snapshot
    conflicts: list[Conflict]

    @property
    def label(self) -> str:
        return str(self.path) if self.path is not None else self.snapshot.workbook


def _source(source: str | Path | IO[bytes]) -> tuple[Path | None, bytes]:
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            raise InputError("is a folder, not a workbook", file=path)
        if not path.is_file():
            raise FileNotFoundError(f"no such workbook: {path}")
        return path, path.read_bytes()
    return None, source.read()


def read_state(source: str | Path | IO[bytes], *, name: str | None = None) -> WorkbookState:
    """Read a coverage workbook of any known template version for comparing.

    Raises
    ------
    InputError
        When the file is not a coverage workbook, or a cell cannot be read
        (naming the sheet and cell), or its template version is unknown.
    FileNotFoundError
    """
    path, content = _source(source)
    label = name or (path.name if path is not None else "workbook")
    guarded = guard_bytes(content, path or Path(label))
    identity = identify(path or Path(label), guarded)
    if identity.version is None:
        raise InputError("the workbook records no template version", file=path)
    _, defined = defined_names(guarded, path)
    try:
        spec = reading_spec(identity.version, {n.name for n in defined if n.scope is None})
    except TemplateVersionError as error:
        raise InputError(str(error), file=path) from None
    try:
        data = read_workbook(io.BytesIO(content), spec=spec)
        cells = read_cells(guarded)
        own = read_own_sheets(guarded, spec.sheet_names(), cells)
    except InputError as error:
        # Read from memory, the reader knows no file name: the user needs it.
        raise _located(error, path) from None
    if path is not None:
        data = _with_file(data, path)
    conflicts = find_conflicts(spec, data, cells, defined, own)
    try:
        inputs = coverage_inputs(data)
        snapshot = snapshot_of(
            inputs,
            workbook=label,
            template_version=identity.version,
            formula_mode=data.formula_mode,
            coverage_group=identity.group,
            settings=dict(data.analyst.settings),
        )
    except InputError as error:
        raise _located(error, path) from None
    except SchemeError as error:
        raise InputError(str(error), file=path, sheet=spec.settings.name) from None
    except ValueError as error:  # the core refusing a value the reader let through
        raise InputError(f"cannot compute the workbook's outputs: {error}", file=path) from None
    return WorkbookState(path, data, snapshot, conflicts)


def _located(error: InputError, path: Path | None) -> InputError:
    if error.file is not None or path is None:
        return error
    return InputError(
        error.message,
        file=path,
        sheet=error.sheet,
        cell=error.cell,
        row=error.row,
        column=error.column,
    )


def _with_file(data: WorkbookData, path: Path) -> WorkbookData:
    if data.file == path:
        return data
    return WorkbookData(
        file=path,
        sheet_names=data.sheet_names,
        settings=data.settings,
        analyst=data.analyst,
        tables=data.tables,
        history=data.history,
        names=data.names,
    )


@dataclass(frozen=True)
class FxChange:
    """An FX rate that changed, for the companies whose Market row holds it."""

    pair: str  # "CNY/HKD": price-currency units per EPS-currency unit
    old: float | None
    new: float | None
    codes: tuple[str, ...]
    all_companies: bool  # every company of the pair in both workbooks

    def line(self) -> str:
        text = f"FX {self.pair} {_rate(self.old)} -> {_rate(self.new)}"
        return text if self.all_companies else f"{text} ({', '.join(self.codes)})"

    def as_dict(self) -> dict[str, Any]:
        return {"pair": self.pair, "old": self.old, "new": self.new, "codes": list(self.codes)}


@dataclass(frozen=True)
class MarketSummary:
    """The market refresh between two workbooks, summarised.

    Attributes
    ----------
    report_date, price_date, period : tuple of (old, new) or None
        Set when they differ (ISO dates; the period as ``start..end``).
    closes_changed : list of str
        Codes (in both workbooks) whose close changed.
    median_close_change : float or None
        Median relative change of those closes.
    shares_changed : list of str
    fx_changed : list of FxChange
        FX rates (price-currency units per EPS-currency unit) that changed,
        by currency pair, old and new rate, with the companies whose row
        holds the change.
    history_rows_added, history_rows_removed : int
        History dates only the new (old) workbook has.
    history_values_revised : int
        Closes and PE-TTM values that differ on dates both have.
    history_last : tuple of (old, new) or None
        Last History date of each, when it differs.
    """

    report_date: tuple[Any, Any] | None = None
    price_date: tuple[Any, Any] | None = None
    period: tuple[Any, Any] | None = None
    closes_changed: list[str] = field(default_factory=list)
    median_close_change: float | None = None
    shares_changed: list[str] = field(default_factory=list)
    fx_changed: list[FxChange] = field(default_factory=list)
    history_rows_added: int = 0
    history_rows_removed: int = 0
    history_values_revised: int = 0
    history_last: tuple[Any, Any] | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.report_date
            or self.price_date
            or self.period
            or self.closes_changed
            or self.shares_changed
            or self.fx_changed
            or self.history_rows_added
            or self.history_rows_removed
            or self.history_values_revised
        )

    def lines(self) -> list[str]:
        """The summary as lines a reviewer reads."""
        out: list[str] = []
        for label, pair in (
            ("report date", self.report_date),
            ("price date", self.price_date),
            ("period", self.period),
        ):
            if pair is not None:
                out.append(f"{label} {pair[0] or '(blank)'} -> {pair[1] or '(blank)'}")
        if self.closes_changed:
            count = len(self.closes_changed)
            median = (
                ""
                if self.median_close_change is None
                else f" (median {self.median_close_change * 100:+.1f}%)"
            )
            out.append(f"closes of {count} compan{'y' if count == 1 else 'ies'} changed{median}")
        if self.shares_changed:
            count = len(self.shares_changed)
            out.append(
                f"share counts of {count} compan{'y' if count == 1 else 'ies'} changed: "
                + ", ".join(self.shares_changed)
            )
        out.extend(change.line() for change in self.fx_changed)
        if self.history_rows_added or self.history_rows_removed:
            text = f"history: {self.history_rows_added} date(s) added"
            if self.history_rows_removed:
                text += f", {self.history_rows_removed} removed"
            if self.history_last is not None:
                text += f" (last date {self.history_last[0]} -> {self.history_last[1]})"
            out.append(text)
        if self.history_values_revised:
            out.append(f"history: {self.history_values_revised} value(s) revised on shared dates")
        return out

    def as_dict(self) -> dict[str, Any]:
        def pair(value: tuple[Any, Any] | None) -> dict[str, Any] | None:
            return None if value is None else {"old": value[0], "new": value[1]}

        return {
            "report_date": pair(self.report_date),
            "price_date": pair(self.price_date),
            "period": pair(self.period),
            "closes_changed": list(self.closes_changed),
            "median_close_change": self.median_close_change,
            "shares_changed": list(self.shares_changed),
            "fx_changed": [change.as_dict() for change in self.fx_changed],
            "history_rows_added": self.history_rows_added,
            "history_rows_removed": self.history_rows_removed,
            "history_values_revised": self.history_values_revised,
            "history_last": pair(self.history_last),
        }


def _rate(value: float | None) -> str:
    return cell_text(value)


def _different(first: Any, second: Any) -> bool:
    a, b = plain_value(first), plain_value(second)
    if isinstance(a, float) and isinstance(b, float):
        return not math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    return bool(a != b)


def _setting_pair(old: WorkbookData, new: WorkbookData, key: str) -> tuple[Any, Any] | None:
    first, second = plain_value(old.settings.get(key)), plain_value(new.settings.get(key))
    return None if first == second else (first, second)


def _pair(row: pd.Series) -> str | None:
    eps, price = row.get("eps_currency"), row.get("price_currency")
    if not isinstance(eps, str) or not isinstance(price, str) or eps == price:
        return None
    return f"{eps}/{price}"


def _fx_changes(first: pd.DataFrame, second: pd.DataFrame, shared: list[Any]) -> list[FxChange]:
    """FX rates that changed, row by row, gathered by pair and rates.

    Every Market row holds its own rate, and the workbook's formulas read
    each company's own: a blank typed over one company's rate is a change
    of that company, even when the other rows of its pair keep theirs.
    """
    moved: dict[tuple[str, float | None, float | None], list[str]] = {}
    members: dict[str, int] = {}
    for code in shared:
        pair = _pair(second.loc[code]) or _pair(first.loc[code])
        if pair is None:
            continue
        members[pair] = members.get(pair, 0) + 1
        before, after = plain_value(first.loc[code, "fx"]), plain_value(second.loc[code, "fx"])
        if _different(before, after):
            key = (pair, _float(before), _float(after))
            moved.setdefault(key, []).append(str(code))
    return [
        FxChange(pair, old, new, tuple(codes), len(codes) == members[pair])
        for (pair, old, new), codes in moved.items()
    ]


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _history_summary(old: pd.DataFrame | None, new: pd.DataFrame | None) -> dict[str, Any]:
    empty = pd.DataFrame(columns=["date", "code", "close", "pe_ttm"])
    first = empty if old is None else old
    second = empty if new is None else new
    old_dates, new_dates = set(first["date"]), set(second["date"])
    shared = old_dates & new_dates
    merged = first[first["date"].isin(shared)].merge(
        second[second["date"].isin(shared)], on=["date", "code"], how="outer", suffixes=("_o", "_n")
    )
    revised = 0
    for column in ("close", "pe_ttm"):
        before, after = merged[f"{column}_o"].astype(float), merged[f"{column}_n"].astype(float)
        both_blank = before.isna() & after.isna()
        equal = (before - after).abs() <= 1e-12 * after.abs().clip(lower=1e-300)
        revised += int((~both_blank & ~equal.fillna(False)).sum())
    last_old = max(old_dates).date().isoformat() if old_dates else None
    last_new = max(new_dates).date().isoformat() if new_dates else None
    return {
        "history_rows_added": len(new_dates - old_dates),
        "history_rows_removed": len(old_dates - new_dates),
        "history_values_revised": revised,
        "history_last": None if last_old == last_new else (last_old, last_new),
    }


def _period_text(period: tuple[Any, Any]) -> str:
    start, end = (plain_value(value) for value in period)
    return f"{start or '?'}..{end or '?'}"


def market_summary(old: WorkbookData, new: WorkbookData) -> MarketSummary:
    """The market data of ``new`` against ``old``: dates, closes, shares, FX, history."""
    first, second = old.tables[MARKET_SHEET], new.tables[MARKET_SHEET]
    shared = [code for code in second.index if code in first.index]
    closes, moves, shares = [], [], []
    for code in shared:
        before, after = first.loc[code, "close"], second.loc[code, "close"]
        if _different(before, after):
            closes.append(str(code))
            a, b = plain_value(before), plain_value(after)
            if isinstance(a, float) and isinstance(b, float) and a > 0:
                moves.append(b / a - 1)
        if _different(first.loc[code, "shares_mn"], second.loc[code, "shares_mn"]):
            shares.append(str(code))
    fx = _fx_changes(first, second, shared)
    period_old = (plain_value(old.settings.get("period_start")), old.settings.get("period_end"))
    period_new = (plain_value(new.settings.get("period_start")), new.settings.get("period_end"))
    period: tuple[str, str] | None = None
    if [plain_value(v) for v in period_old] != [plain_value(v) for v in period_new]:
        period = (_period_text(period_old), _period_text(period_new))
    return MarketSummary(
        report_date=_setting_pair(old, new, "report_date"),
        price_date=_setting_pair(old, new, "price_date"),
        period=period,
        closes_changed=closes,
        median_close_change=float(pd.Series(moves).median()) if moves else None,
        shares_changed=shares,
        fx_changed=fx,
        **_history_summary(old.history, new.history),
    )


@dataclass(frozen=True)
class IntegrityChange:
    """A break of the template that appeared in the new workbook, or was repaired."""

    status: str  # "introduced" or "resolved"
    conflict: Conflict

    def line(self) -> str:
        sign = "+" if self.status == "introduced" else "-"
        return f"{sign} {self.conflict.line()}"

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, **self.conflict.as_dict()}


@dataclass(frozen=True)
class WorkbookDiff:
    """Everything that differs between two coverage workbooks."""

    old: WorkbookState
    new: WorkbookState
    estimates: SnapshotChanges
    workbook: list[Change]
    market: MarketSummary
    integrity: list[IntegrityChange]

    @property
    def identical(self) -> bool:
        return (
            self.estimates.empty and not self.workbook and self.market.empty and not self.integrity
        )

    @property
    def exit_code(self) -> int:
        """0 when nothing differs, 1 when something does (as ``diff``)."""
        return 0 if self.identical else 1

    def as_dict(self) -> dict[str, Any]:
        def side(state: WorkbookState) -> dict[str, Any]:
            snapshot = state.snapshot
            return {
                "file": state.label,
                "template_version": snapshot.template_version,
                "lang": snapshot.lang,
                "formula_mode": snapshot.formula_mode,
                "report_date": snapshot.report_date,
                "coverage_group": snapshot.coverage_group,
                "companies": len(snapshot.companies),
            }

        return {
            "old": side(self.old),
            "new": side(self.new),
            "identical": self.identical,
            "workbook": [change.as_dict() for change in self.workbook],
            **self.estimates.as_dict(),
            "market": self.market.as_dict(),
            "integrity": [change.as_dict() for change in self.integrity],
        }


def _workbook_changes(old: Snapshot, new: Snapshot) -> list[Change]:
    changes = []
    for key, label in (
        ("template_version", "template version"),
        ("lang", "language"),
        ("formula_mode", "formula mode"),
        ("coverage_group", "coverage group"),
    ):
        before, after = getattr(old, key), getattr(new, key)
        if before != after:
            changes.append(Change("workbook", key, label, before, after, None, "text"))
    return changes


def _integrity(old: list[Conflict], new: list[Conflict]) -> list[IntegrityChange]:
    def key(conflict: Conflict) -> tuple[str, str, str, str]:
        return (str(conflict.kind), conflict.sheet, conflict.cell, conflict.found)

    before, after = {key(c) for c in old}, {key(c) for c in new}
    changes = [IntegrityChange("introduced", c) for c in new if key(c) not in before]
    changes += [IntegrityChange("resolved", c) for c in old if key(c) not in after]
    return changes


def compare_states(old: WorkbookState, new: WorkbookState) -> WorkbookDiff:
    """The difference between two workbooks already read."""
    return WorkbookDiff(
        old=old,
        new=new,
        estimates=compare_snapshots(old.snapshot, new.snapshot),
        workbook=_workbook_changes(old.snapshot, new.snapshot),
        market=market_summary(old.data, new.data),
        integrity=_integrity(old.conflicts, new.conflicts),
    )


def diff_workbooks(old: str | Path | IO[bytes], new: str | Path | IO[bytes]) -> WorkbookDiff:
    """Compare two coverage workbooks of any known template version and language.

    Raises
    ------
    InputError
        Naming the file (and sheet and cell) that cannot be read as a
        coverage workbook.
    FileNotFoundError
    """
    return compare_states(read_state(old), read_state(new))
