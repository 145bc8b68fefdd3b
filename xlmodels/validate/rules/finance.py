"""Finance rules: the numbers shown are the numbers the inputs give.

A shown value is what a Coverage cell holds: its formula's saved result, or
a typed value. Formulas saved without results have no shown value; for them
the numbers recomputed from the inputs stand in (and ``file.no-cached-values``
says so), which leaves the typed-over cells to compare.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from xlmodels.core.markers import is_nm
from xlmodels.core.ratings import load_scheme
from xlmodels.domain.model import EPS_SLOTS
from xlmodels.template.names import COVERAGE_SHEET, ESTIMATES_SHEET, PERFORMANCE_SHEET
from xlmodels.validate.context import WorkbookContext
from xlmodels.validate.findings import Severity
from xlmodels.validate.layout import TableRows
from xlmodels.validate.loading import CellError, is_blank
from xlmodels.validate.recompute import CompanyRow, performance
from xlmodels.validate.rule import Hit, rule
from xlmodels.validate.values import as_number, describe

#: Coverage columns whose shown values are compared with the recomputed ones.
COMPARED = (
    "close",
    "fx",
    "market_cap",
    *(f"eps_{slot}" for slot in EPS_SLOTS),
    *(f"pe_{slot}" for slot in EPS_SLOTS),
    "target_eps",
    "target_price",
    "upside",
)
_NOT_MEANINGFUL = "NM"


@lru_cache(maxsize=256)  # a handful of formats, asked of every compared cell
def decimals(number_format: str | None) -> int:
    """Decimals a number format displays: ``'0.0"x"'`` -> 1, ``'0.0%'`` -> 3."""
    if not number_format:
        return 2
    plain = re.sub(r'"[^"]*"', "", number_format.split(";", 1)[0])
    match = re.search(r"\.(0+)", plain)
    places = len(match.group(1)) if match else 0
    return places + 2 if "%" in plain else places


def _shown(coverage: TableRows, company: CompanyRow, key: str) -> tuple[bool, Any]:
    """(whether the cell shows something to compare, what it shows)."""
    position = (company.coverage_row, coverage.column(key))
    if position in coverage.data.uncached:
        return False, None
    return True, coverage.data.get(*position)


def _agrees(shown: Any, expected: Any, tolerance: float) -> bool:
    number = as_number(shown)
    expected_number = as_number(expected)
    # NM is a NaN: only a NaN needs the test of its bits.
    expected_nm = isinstance(expected, float) and expected != expected and bool(is_nm(expected))
    if expected_nm:
        return isinstance(shown, str) and shown.strip().upper() == _NOT_MEANINGFUL
    if expected_number is None or math.isnan(expected_number):
        return is_blank(shown)
    if number is None:
        return False
    return abs(number - expected_number) <= tolerance + 1e-9 * abs(expected_number)


def _format(value: Any, places: int, percent: bool = False) -> str:
    if isinstance(value, float) and bool(is_nm(value)):
        return "NM"
    if isinstance(value, float) and math.isnan(value):
        return "no value (an input is missing or not usable)"
    number = as_number(value)
    if number is None:
        return "nothing" if is_blank(value) else describe(value)
    if percent:  # one digit more than the cell displays
        return f"{number:.{max(places - 1, 0)}%}"
    return f"{number:,.{min(places + 2, 10)}f}"


@rule(
    "finance.recomputed-mismatch",
    Severity.ERROR,
    "A shown close, FX, EPS, PE, market cap, target price or upside differs, beyond display "
    "rounding, from the value the core recomputes from the workbook's inputs.",
    "Find why the cell disagrees with its inputs (a typed-over value, a stale result, an "
    "EPS not converted to the price currency); recalculate in Excel or regenerate.",
    spec=True,
)
def recomputed_mismatch(context: WorkbookContext) -> Iterator[Hit]:
    coverage = context.layout.table(COVERAGE_SHEET)
    if coverage is None:
        return
    units = context.config.display_tolerance
    # What each compared column needs, looked up once rather than once per company.
    compared = []
    for key in COMPARED:
        column = coverage.spec.column(key)
        places = decimals(column.number_format)
        compared.append((key, column, coverage.column(key), places, units * 10.0**-places))
    uncached, get = coverage.data.uncached, coverage.data.get
    for company in context.recomputed.rows:
        row = company.coverage_row
        for key, column, position, places, tolerance in compared:
            if (row, position) in uncached:
                continue
            shown = get(row, position)
            if isinstance(shown, CellError):
                continue
            expected = company.computed.get(key)
            if _agrees(shown, expected, tolerance):
                continue
            percent = "%" in (column.number_format or "")
            label = column.label().split(" (", 1)[0]
            message = (
                f"{label} of {company.code} shows {_format(shown, places, percent)}, but its "
                f"inputs give {_format(expected, places, percent)}"
            )
            hint = _pe_hint(company, key, shown, units * 10.0**-places)
            yield Hit(message + hint, coverage.spec.name, coverage.cell(company.coverage_row, key))


def _pe_hint(company: CompanyRow, key: str, shown: Any, tolerance: float) -> str:
    """Why a shown PE is wrong, when the likely reason is the classic one: no FX."""
    if not key.startswith("pe_"):
        return ""
    close = as_number(company.computed.get("close"))
    eps = as_number(company.computed.get(f"eps_{key[3:]}"))
    fx = as_number(company.computed.get("fx"))
    number = as_number(shown)
    if close is None or eps is None or number is None or eps == 0 or fx in (None, 1.0):
        return ""
    if abs(number - close / eps) <= tolerance:
        currencies = (company.inputs.get("eps_currency"), company.inputs.get("price_currency"))
        return (
            f": that is price / EPS without FX, the EPS was not converted from "
            f"{currencies[0]} to {currencies[1]}"
        )
    return ""


@rule(
    "finance.implied-price",
    Severity.ERROR,
    "EPS x PE x FX does not give back the close for every year of a row: one year's PE "
    "was computed on something else.",
    "Recalculate the row's PE cells from the same close, EPS and FX (regenerate the "
    "workbook if a PE was typed over).",
    spec=True,
)
def implied_price(context: WorkbookContext) -> Iterator[Hit]:
    coverage = context.layout.table(COVERAGE_SHEET)
    if coverage is None:
        return
    tolerance = context.config.implied_price_tolerance
    for company in context.recomputed.rows:
        values = {}
        for key in ("close", "fx", *(f"{kind}_{s}" for kind in ("eps", "pe") for s in EPS_SLOTS)):
            comparable, shown = _shown(coverage, company, key)
            values[key] = as_number(shown) if comparable else None
        close, fx = values["close"], values["fx"]
        if close is None or fx is None or close <= 0:
            continue
        for slot in EPS_SLOTS:
            eps, multiple = values[f"eps_{slot}"], values[f"pe_{slot}"]
            if eps is None or multiple is None:
                continue
            implied = eps * multiple * fx
            if abs(implied / close - 1) > tolerance:
                yield Hit(
                    f"EPS {slot.upper()} x PE x FX of {company.code} gives a price of "
                    f"{implied:,.2f}, not its close {close:,.2f}",
                    coverage.spec.name,
                    coverage.cell(company.coverage_row, f"pe_{slot}"),
                )


@rule(
    "finance.rating-mismatch",
    Severity.ERROR,
    "A rating disagrees with the rating scheme for the company's upside and benchmark "
    "expected return, and no override is recorded.",
    "Recalculate, or record the rating you intend as an override on the Estimates sheet "
    "with its reason.",
    spec=True,
)
def rating_mismatch(context: WorkbookContext) -> Iterator[Hit]:
    coverage = context.layout.table(COVERAGE_SHEET)
    if coverage is None:
        return
    recomputed = context.recomputed
    relative = load_scheme(recomputed.scheme).basis == "relative"
    for company in recomputed.rows:
        for key in ("model_rating", "rating"):
            comparable, shown = _shown(coverage, company, key)
            if not comparable or isinstance(shown, CellError) or is_blank(shown):
                continue
            expected = company.computed.get(key)
            if str(shown).strip() == str(expected).strip():
                continue
            upside = as_number(company.computed.get("upside"))
            basis = (
                f"an upside of {upside:.1%}"
                if upside is not None and not math.isnan(upside)
                else "no target price"
            )
            bench = as_number(company.computed.get("benchmark_return"))
            if relative and upside is not None and not math.isnan(upside) and bench:
                # A relative scheme rates the upside less this; without it the
                # expected rating looks wrong for the upside quoted.
                market = company.inputs.get("market")
                basis += f" against the {market} benchmark expected return of {bench:.1%}"
            what = "model rating" if key == "model_rating" else "rating"
            yield Hit(
                f"{what} of {company.code} is {shown!r}, but the {recomputed.scheme} scheme "
                f"gives {expected!r} for {basis} and no override is recorded",
                coverage.spec.name,
                coverage.cell(company.coverage_row, key),
            )


@rule(
    "finance.override-without-reason",
    Severity.ERROR,
    "A rating override has no reason recorded.",
    "Write the reason for the override next to it on the Estimates sheet, or clear the override.",
    spec=True,
)
def override_without_reason(context: WorkbookContext) -> Iterator[Hit]:
    estimates = context.layout.table(ESTIMATES_SHEET)
    if estimates is None:
        return
    for row in estimates.rows:
        override = estimates.value(row, "rating_override")
        if not is_blank(override) and is_blank(estimates.value(row, "override_reason")):
            yield Hit(
                f"{estimates.key_of(row)} is overridden to {describe(override)} with no reason",
                estimates.spec.name,
                estimates.cell(row, "override_reason"),
            )


@rule(
    "finance.return-mismatch",
    Severity.ERROR,
    "A shown start or end close, return, benchmark return or relative return of the month "
    "differs, beyond display rounding, from the one the core computes from History and "
    "the period in Settings.",
    "Recalculate, or check the period dates in Settings and the History closes "
    "(xlmodels regenerate rewrites the Performance sheet).",
    spec=True,
)
def return_mismatch(context: WorkbookContext) -> Iterator[Hit]:
    table = context.layout.table(PERFORMANCE_SHEET)
    if table is None:
        return
    units = context.config.display_tolerance
    for item in performance(context.layout):
        for key, expected in item.computed.items():
            column = table.spec.column(key)
            position = (item.row, table.column(key))
            if position in table.data.uncached:
                continue
            shown = table.data.get(*position)
            if isinstance(shown, CellError):
                continue
            places = decimals(column.number_format)
            if _agrees(shown, expected, units * 10.0**-places):
                continue
            label = column.label().split(" (", 1)[0]
            percent = "%" in (column.number_format or "")
            yield Hit(
                f"{label} of {item.code} shows {_format(shown, places, percent)}, but History "
                f"and the period give {_format(expected, places, percent)}",
                table.spec.name,
                table.cell(item.row, key),
            )
