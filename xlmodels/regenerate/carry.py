"""Analyst inputs carried from an existing workbook into the regenerated one.

What the workbook holds as ``input`` cells (:class:`~xlmodels.template.schema.Kind`)
is the analyst's and is carried over: every input column of Estimates by
code, every input setting, and the benchmark expected return of each market.
What the input files hold is refreshed: names, prices, shares, FX, the
history (when a history file is given; otherwise the workbook's own history
is kept), the report date and the period.

An estimates file fills only what the workbook does not have: companies it
does not list yet, and input cells it leaves blank. Where the workbook and
the file both hold a value and they differ, the workbook's typed value wins
and the difference is reported. A company leaving the universe whose row
still holds analyst inputs is returned in :attr:`MergedInputs.leaving`, for
the caller to stop on (a conflict) rather than drop it silently.

The workbook's formula mode and language are kept unless the caller asks
for others.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from xlmodels.core.percentile import PERCENTILE_METHODS
from xlmodels.core.ratings import SchemeError, load_scheme
from xlmodels.core.returns import RELATIVE_METHODS
from xlmodels.domain.model import ESTIMATE_COLUMNS, CoverageInputs, Settings
from xlmodels.domain.performance import extend_history
from xlmodels.errors import InputError
from xlmodels.excel.cells import cell_text
from xlmodels.template.migrations import CarriedInputs, nothing_typed
from xlmodels.template.names import SETTINGS_SHEET
from xlmodels.template.schema import FORMULA_MODES, Kind, WorkbookSpec
from xlmodels.workbook.content import LANGUAGES
from xlmodels.workbook.reader import WorkbookData

__all__ = [
    "NUMBER_ESTIMATES",
    "CarriedInputs",
    "EstimateDifference",
    "MergedInputs",
    "carried_from_workbook",
    "merge_inputs",
]

#: Estimate columns holding numbers; the others hold text or a choice.
NUMBER_ESTIMATES = ("eps_lyr", "eps_fy1", "eps_fy2", "eps_fy3", "target_multiple")


def carried_from_workbook(data: WorkbookData, spec: WorkbookSpec) -> CarriedInputs:
    """The analyst inputs of a workbook read with the ``spec`` of its template version."""
    estimates_sheet = spec.by_prefix("est")
    keys = [column.key for column in estimates_sheet.columns_of(Kind.INPUT)]
    estimates = data.analyst.estimates.reindex(columns=keys)
    settings = {
        item.key: data.settings.get(item.key)
        for item in spec.settings.settings
        if item.kind is Kind.INPUT
    }
    note = data.settings.get("data_note")
    return CarriedInputs(
        version=spec.version,
        estimates=estimates,
        settings=settings,
        benchmark_expected_returns=dict(data.analyst.benchmark_expected_returns),
        lang=data.lang,
        mode=data.formula_mode,
        data_note=None if nothing_typed(note) else str(note),
        history=data.history,
    )


@dataclass(frozen=True)
class EstimateDifference:
    """A cell where the estimates file disagrees with the workbook, or could not fill it."""

    code: str
    field: str
    workbook: Any
    file: Any
    reason: str = "the workbook's typed value is kept"

    def line(self) -> str:
        shown = "(blank)" if nothing_typed(self.workbook) else _shown(self.workbook)
        return (
            f"{self.code} {self.field}: workbook {shown}, estimates file {_shown(self.file)} "
            f"({self.reason})"
        )


def _shown(value: Any) -> str:
    return cell_text(value)


@dataclass(frozen=True)
class MergedInputs:
    """The inputs a regenerated workbook is written from, and what merging them found.

    Attributes
    ----------
    inputs : CoverageInputs
        Fresh data with the carried analyst inputs and settings.
    mode, lang : str
        Formula mode and language to write.
    filled : tuple of (code, field)
        Cells the estimates file filled (the workbook had them blank or lacked the company).
    differences : tuple of EstimateDifference
        Where the file disagrees with the workbook (the workbook wins).
    leaving : dict
        Companies no longer in the universe whose rows hold analyst inputs:
        code -> {field: value}.
    notes : tuple of str
        Anything else worth telling (history kept from the workbook...).
    """

    inputs: CoverageInputs
    mode: str
    lang: str
    filled: tuple[tuple[str, str], ...] = ()
    differences: tuple[EstimateDifference, ...] = ()
    leaving: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


class _Ratings:
    """Rating labels of one scheme, compared by tier whatever their language."""

    def __init__(self, scheme: str) -> None:
        try:
            self.scheme: Any = load_scheme(scheme)
        except SchemeError:
            self.scheme = None

    def key(self, label: str) -> str | None:
        if self.scheme is None:
            return label.strip()
        tier = self.scheme.tier_of(label.strip())
        if tier is not None:
            return str(tier.key)
        if label.strip() in self.scheme.not_rated.values():
            return "not_rated"
        return None


def _same(field_name: str, first: Any, second: Any, ratings: _Ratings) -> bool:
    if field_name in NUMBER_ESTIMATES:
        try:
            return math.isclose(float(first), float(second), rel_tol=1e-9, abs_tol=0.0)
        except (TypeError, ValueError):
            return False
    if field_name == "rating_override":
        return ratings.key(str(first)) == ratings.key(str(second))
    return str(first).strip() == str(second).strip()


def _merge_estimates(
    carried: pd.DataFrame, file: pd.DataFrame, codes: Sequence[str], scheme: str
) -> tuple[pd.DataFrame, list[tuple[str, str]], list[EstimateDifference]]:
    ratings = _Ratings(scheme)
    rows: dict[str, list[Any]] = {}
    filled: list[tuple[str, str]] = []
    differences: list[EstimateDifference] = []
    for code in codes:
        typed = carried.loc[code] if code in carried.index else None
        given = file.loc[code] if code in file.index else None
        values = []
        for column in ESTIMATE_COLUMNS:
            ours = typed[column] if typed is not None and column in typed.index else None
            theirs = given[column] if given is not None and column in given.index else None
            if nothing_typed(theirs):
                values.append(None if nothing_typed(ours) else ours)
                continue
            if nothing_typed(ours):
                if column == "rating_override" and ratings.key(str(theirs)) is None:
                    differences.append(
                        EstimateDifference(
                            code,
                            column,
                            None,
                            theirs,
                            f"not a rating of the workbook's {scheme} scheme; not filled",
                        )
                    )
                    values.append(None)
                    continue
                filled.append((code, column))
                values.append(theirs)
                continue
            if not _same(column, ours, theirs, ratings):
                differences.append(EstimateDifference(code, column, ours, theirs))
            values.append(ours)
        rows[code] = values
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(ESTIMATE_COLUMNS))
    frame = frame.reindex(list(codes)).astype(object)
    frame.index.name = "code"
    for column in NUMBER_ESTIMATES:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame, filled, differences


def _history(carried: CarriedInputs, inputs: CoverageInputs) -> pd.DataFrame | None:
    history = carried.history
    if history is None or history.empty:
        return None
    keep = {*inputs.universe.index, *inputs.indexes.index}
    kept = history[history["code"].isin(keep)].reset_index(drop=True)
    return kept if not kept.empty else None


def _check(carried: CarriedInputs, settings_sheet: str = SETTINGS_SHEET) -> None:
    """Refuse carried settings no workbook can be written with, naming the setting."""
    typed = carried.settings
    choices: dict[str, tuple[str, ...]] = {
        "percentile_method": PERCENTILE_METHODS,
        "relative_method": RELATIVE_METHODS,
    }
    for key, accepted in choices.items():
        value = typed.get(key)
        if not nothing_typed(value) and value not in accepted:
            raise InputError(
                f"the setting {key} is {value!r}; use one of {', '.join(accepted)}",
                sheet=settings_sheet,
            )
    for key, accepted in (("lang", LANGUAGES), ("mode", FORMULA_MODES)):
        value = getattr(carried, key)
        if value is not None and value not in accepted:
            name = "formula_mode" if key == "mode" else key
            raise InputError(
                f"the setting {name} is {value!r}; use one of {', '.join(accepted)}",
                sheet=settings_sheet,
            )
    month, day = typed.get("fy_end_month"), typed.get("fy_end_day")
    if month is not None and day is not None:
        try:
            dt.date(2001, int(month), int(day))  # a year-end exists every year: not Feb 29
        except ValueError:
            raise InputError(
                f"the fiscal year-end {month}/{day} is not a date", sheet=settings_sheet
            ) from None


def merge_inputs(
    fresh: CoverageInputs,
    carried: CarriedInputs | None,
    *,
    mode: str | None = None,
    lang: str | None = None,
    data_note: str | None = None,
) -> MergedInputs:
    """Fresh data for one coverage group, with an existing workbook's analyst inputs.

    Parameters
    ----------
    fresh : CoverageInputs
        The group's universe, market, FX, indexes and history from the
        input files, and its estimates from the estimates file (if any).
    carried : CarriedInputs or None
        What the existing workbook holds, at the current template version;
        None for a new workbook.
    mode, lang : str, optional
        Formula mode and language; default the workbook's (``sq`` and the
        fresh settings' language for a new workbook).
    data_note : str, optional
        Provenance shown in the workbook; default the workbook's own.
    """
    if carried is None:
        language = lang or fresh.settings.lang
        settings = replace(
            fresh.settings,
            lang=language,
            data_note=fresh.settings.data_note if data_note is None else data_note,
        )
        return MergedInputs(replace(fresh, settings=settings), mode or "sq", language)
    _check(carried)
    typed = carried.settings
    defaults = fresh.settings
    scheme = str(typed.get("scheme") or defaults.scheme)
    codes = [str(code) for code in fresh.universe.index]
    estimates, filled, differences = _merge_estimates(
        carried.estimates, fresh.estimates, codes, scheme
    )
    present = set(codes)
    leaving = {
        str(code): typed_inputs
        for code in carried.estimates.index
        if code not in present and (typed_inputs := carried.inputs_of(str(code)))
    }
    fy1_year = int(typed.get("fy1_year") or defaults.fy1_year)
    if fresh.estimates_fy1_year is not None and fresh.estimates_fy1_year != fy1_year:
        # FY1 EPS of one year typed into another year's cells would be wrong
        # numbers in every PE and target price.
        raise InputError(
            f"the estimates file's EPS columns are for FY1 {fresh.estimates_fy1_year}, "
            f"the workbook's FY1 is {fy1_year}: give estimates for {fy1_year}"
        )
    language = lang or carried.lang or defaults.lang
    settings = Settings(
        report_date=defaults.report_date,
        fy1_year=fy1_year,
        period_start=defaults.period_start,
        period_end=defaults.period_end,
        scheme=scheme,
        lang=language,
        benchmark_expected_returns=dict(carried.benchmark_expected_returns),
        percentile_method=str(typed.get("percentile_method") or defaults.percentile_method),
        relative_method=str(typed.get("relative_method") or defaults.relative_method),
        fiscal_year_end=(
            int(typed.get("fy_end_month") or defaults.fiscal_year_end[0]),
            int(typed.get("fy_end_day") or defaults.fiscal_year_end[1]),
        ),
        data_note=(carried.data_note or "") if data_note is None else data_note,
    )
    notes = list(carried.notes)
    history = fresh.history
    if history is None:
        history = _history(carried, fresh)
        if history is not None:
            # The workbook's History stops at its last regeneration; the
            # market file's closes carry it to the new price date.
            extended = extend_history(history, fresh.snapshot_closes)
            notes.append(
                "no history file given: the workbook's own history is kept"
                + (", extended by the market file's closes" if extended is not history else "")
            )
            history = extended
    inputs = replace(fresh, estimates=estimates, settings=settings, history=history)
    return MergedInputs(
        inputs=inputs,
        mode=mode or carried.mode or "sq",
        lang=language,
        filled=tuple(filled),
        differences=tuple(differences),
        leaving=leaving,
        notes=tuple(notes),
    )
