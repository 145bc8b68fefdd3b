"""Data rules: inputs hold the kind of value their column says, and make sense."""

from __future__ import annotations

import bisect
import datetime as dt
import shlex
from collections.abc import Iterable, Iterator
from itertools import chain, pairwise
from typing import Any

from xlmodels.core.fx import currency_code
from xlmodels.domain.performance import MAX_CLOSE_AGE_DAYS
from xlmodels.domain.roll import fiscal_year_end, months_after
from xlmodels.template.names import (
    COVERAGE_SHEET,
    ESTIMATES_SHEET,
    HIST_CLOSE_CODES,
    HIST_PE_CODES,
    MARKET_SHEET,
    PERFORMANCE_SHEET,
    VALUATION_SHEET,
)
from xlmodels.template.schema import FIRST_DATA_ROW, DType, Kind, choice_values
from xlmodels.template.v3 import SPEC
from xlmodels.validate.context import WorkbookContext
from xlmodels.validate.findings import Severity
from xlmodels.validate.layout import cell_name
from xlmodels.validate.loading import CellError, LoadedSheet, is_blank
from xlmodels.validate.recompute import report_date
from xlmodels.validate.rule import Hit, rule
from xlmodels.validate.values import as_date, as_number, describe

_NUMBERS = (DType.NUMBER, DType.INTEGER)


_PLAIN_DATE = (dt.date, dt.datetime)


def _plainly(value: Any, dtype: DType) -> bool:
    """Whether ``value`` is blank or plainly of ``dtype``: :func:`_type_problem` finds nothing.

    What nearly every cell holds, told apart without the general checks.
    """
    if value is None:
        return True
    kind = type(value)
    if dtype is DType.DATE:
        return kind in _PLAIN_DATE
    if kind is int:
        return True
    return kind is float and value == value and (dtype is DType.NUMBER or value.is_integer())


def _type_problem(value: Any, dtype: DType) -> str | None:
    """What is wrong with ``value`` for a cell of ``dtype``, or None."""
    if _plainly(value, dtype):
        return None
    if is_blank(value) or isinstance(value, CellError):
        return None  # blank inputs are allowed; errors are integrity.error-value's
    if dtype in _NUMBERS:
        number = as_number(value)
        if number is None:
            return f"holds {describe(value)} where a number belongs"
        if dtype is DType.INTEGER and not number.is_integer():
            return f"holds {describe(value)} where a whole number belongs"
    elif dtype is DType.DATE and as_date(value) is None:
        return f"holds {describe(value)} where a date belongs"
    return None


@rule(
    "data.wrong-type",
    Severity.ERROR,
    "A number column, a date column or a numeric setting holds something else (text, a "
    "date where a number belongs...).",
    "Type a plain number or date (no units, no thousands separators typed as text, no "
    "'n/a'); leave the cell empty when the value is unknown.",
    spec=True,
)
def wrong_type(context: WorkbookContext) -> Iterator[Hit]:
    layout = context.layout
    for table in layout.located.values():
        for column in table.spec.columns:
            if column.kind is Kind.FORMULA or column.dtype not in (*_NUMBERS, DType.DATE):
                continue
            position = table.column(column.key)
            values = table.data.column(position, table.first, table.last)
            for row in table.rows:
                value = values[row - table.first]
                if (row, position) in table.data.uncached:
                    continue  # a formula input saved without its result
                problem = _type_problem(value, column.dtype)
                if problem:
                    yield Hit(
                        f"{problem} (column {column.label()!r} of {table.key_of(row)})",
                        table.spec.name,
                        cell_name(row, position),
                    )
    for setting in SPEC.settings.settings:
        if setting.kind is Kind.FORMULA or setting.dtype not in (*_NUMBERS, DType.DATE):
            continue
        sheet, cell = layout.setting_location(setting.key)
        problem = _type_problem(layout.setting(setting.key), setting.dtype)
        if problem:
            yield Hit(f"setting {setting.key!r} {problem}", sheet, cell)
    history = context.book.sheets.get(SPEC.history.name)
    if history is None:
        return
    last = history.last_key_row(FIRST_DATA_ROW)
    dates = history.column(1, FIRST_DATA_ROW, last)
    for row, date in enumerate(dates, start=FIRST_DATA_ROW):
        problem = _type_problem(date, DType.DATE)
        if problem:
            yield Hit(f"history date {problem}", history.name, cell_name(row, 1))
    for row, position, value in _history_values(history, last):
        problem = _type_problem(value, DType.NUMBER)
        if problem:
            yield Hit(f"history value {problem}", history.name, cell_name(row, position))


@rule(
    "data.blank-row",
    Severity.ERROR,
    "A table has a row without its code (History: without its date) above its last row: "
    "an empty row, or values no lookup by code or date reaches.",
    "Delete the row, or fill in its code (its date on History); xlmodels regenerate "
    "rebuilds every table from the input files.",
    spec=True,
)
def blank_row(context: WorkbookContext) -> Iterator[Hit]:
    for table in context.layout.located.values():
        yield from _keyless_runs(
            table.data, table.keyless_rows, table.key_column, table.last, "code"
        )
    history = context.layout.history()
    if history is not None:
        dates = history.data.column(1, FIRST_DATA_ROW, history.last_row)
        rows = [
            row
            for row, date in enumerate(dates, start=FIRST_DATA_ROW)
            if date is None or (type(date) is not dt.date and is_blank(date))
        ]
        yield from _keyless_runs(history.data, rows, 1, history.last_row, "date")


def _keyless_runs(
    data: LoadedSheet, rows: Iterable[int], column: int, last: int, key: str
) -> Iterator[Hit]:
    """One finding per run of adjacent keyless rows that are alike (all empty, or not)."""
    runs: list[tuple[int, int, bool]] = []
    for row in rows:
        empty = data.row_is_blank(row)
        if runs and runs[-1][1] == row - 1 and runs[-1][2] == empty:
            runs[-1] = (runs[-1][0], row, empty)
        else:
            runs.append((row, row, empty))
    for first, end, empty in runs:
        one = first == end
        where = f"row {first}" if one else f"rows {first}-{end}"
        if empty:
            what = f"{where} {'is' if one else 'are'} empty"
        else:
            what = f"{where} {'has' if one else 'have'} values but no {key}"
        cell = cell_name(first, column) + ("" if one else f":{cell_name(end, column)}")
        yield Hit(f"{what}, inside the table, which goes on to row {last}", data.name, cell)


_PLAIN = (float, int)
_PLAIN_TYPES = set(_PLAIN)
#: History rows whose types are gathered together.
_ROWS_AT_ONCE = 256


def _history_values(history: LoadedSheet, last: int) -> Iterator[tuple[int, int, Any]]:
    """History's cells right of the dates that are not plainly numbers or blank.

    The History block is the bulk of a workbook: the types of a few hundred
    rows are gathered at once, each row of a block holding something else is
    checked as a set of distinct values, and only a row holding something
    other than empty cells is read cell by cell.
    """
    rows = history.dense[FIRST_DATA_ROW - 1 : last]
    for start in range(0, len(rows), _ROWS_AT_ONCE):
        # Rows of plain numbers (all of them, in a sound workbook) are passed a
        # few hundred at a time, their types gathered in C.
        block = rows[start : start + _ROWS_AT_ONCE]
        if set(map(type, chain.from_iterable([line[1:] for line in block]))) <= _PLAIN_TYPES:
            continue
        for row, line in enumerate(block, start=FIRST_DATA_ROW + start):
            yield from _odd_values(row, line[1:])


def _odd_values(row: int, line: list[Any]) -> Iterator[tuple[int, int, Any]]:
    """(row, column, value) of a History row's values that are not plainly numbers or blank."""
    distinct = set(line)
    distinct.discard("")
    if set(map(type, distinct)) <= _PLAIN_TYPES:  # empty cells only: no per-cell Python
        return
    for position, value in enumerate(line, start=2):
        if type(value) not in _PLAIN and value != "":
            yield row, position, value


@rule(
    "data.not-positive",
    Severity.ERROR,
    "A price, a share count or a target multiple is zero or negative.",
    "Correct the input file (prices and share counts come from the market file) or the "
    "analyst input, then regenerate.",
    spec=True,
)
def not_positive(context: WorkbookContext) -> Iterator[Hit]:
    for table in context.layout.located.values():
        for column in table.spec.columns:
            if not column.positive or column.kind is Kind.FORMULA:
                continue
            position = table.column(column.key)
            for row in table.rows:
                number = as_number(table.data.get(row, position))
                if number is not None and number <= 0:
                    yield Hit(
                        f"{column.label()} of {table.key_of(row)} is {describe(number)}; "
                        "it must be above 0",
                        table.spec.name,
                        cell_name(row, position),
                    )


def _rated(context: WorkbookContext) -> dict[str, bool]:
    """Code -> whether the company carries a rating (shown, else recomputed)."""
    recomputed = context.recomputed
    coverage = context.layout.table(COVERAGE_SHEET)
    out: dict[str, bool] = {}
    for company in recomputed.rows:
        shown = None
        if coverage is not None:
            position = (company.coverage_row, coverage.column("rating"))
            if position not in coverage.data.uncached:
                shown = coverage.data.get(*position)
        rating = (
            shown if isinstance(shown, str) and shown.strip() else company.computed.get("rating")
        )
        out[company.code] = isinstance(rating, str) and rating.strip() != recomputed.not_rated
    return out


@rule(
    "data.missing-input",
    Severity.ERROR,
    "A rated company lacks a required input (its FY1 EPS, its EPS basis).",
    "Fill the input on the Estimates sheet, or set the company's rating override to the "
    "not-rated label with a reason.",
    spec=True,
)
def missing_input(context: WorkbookContext) -> Iterator[Hit]:
    estimates = context.layout.table(ESTIMATES_SHEET)
    if estimates is None:
        return
    rated = _rated(context)
    required = [column for column in estimates.spec.columns if column.required]
    for row in estimates.rows:
        code = str(estimates.key_of(row))
        if not rated.get(code, False):
            continue
        for column in required:
            if is_blank(estimates.value(row, column.key)):
                yield Hit(
                    f"{column.label()} of {code} is empty, but {code} is rated",
                    estimates.spec.name,
                    estimates.cell(row, column.key),
                )


@rule(
    "data.stale-price",
    Severity.ERROR,
    "A price date is more than stale-price-days before the report date, or after it.",
    "Refresh the market file and regenerate, or correct the report date in Settings.",
    spec=True,
)
def stale_price(context: WorkbookContext) -> Iterator[Hit]:
    layout = context.layout
    report = report_date(layout)
    if report is None:
        return
    days = context.config.stale_price_days
    places: list[tuple[str, str, Any, str]] = []
    market = layout.table(MARKET_SHEET)
    if market is not None:
        for row in market.rows:
            cell = market.cell(row, "price_date")
            value = market.value(row, "price_date")
            places.append((market.spec.name, cell, value, f"the price of {market.key_of(row)}"))
    setting_sheet, setting_cell = layout.setting_location("price_date")
    places.append(
        (setting_sheet, setting_cell, layout.setting("price_date"), "the workbook's price date")
    )
    for sheet, cell, value, what in places:
        date = as_date(value)
        if date is None:
            continue
        age = (report - date).days
        if age > days:
            yield Hit(
                f"{what} is dated {date.isoformat()}, {age} days before the report date "
                f"{report.isoformat()} (more than {days})",
                sheet,
                cell,
            )
        elif age < 0:
            yield Hit(
                f"{what} is dated {date.isoformat()}, after the report date {report.isoformat()}",
                sheet,
                cell,
            )


@rule(
    "data.history-order",
    Severity.ERROR,
    "History dates are not strictly increasing (a date repeated or out of order).",
    "Sort the history file by date and remove duplicate dates, then regenerate.",
    spec=True,
)
def history_order(context: WorkbookContext) -> Iterator[Hit]:
    for row, date, previous in _history_dates(context):
        if previous is not None and date <= previous:
            word = "repeats" if date == previous else "comes before"
            yield Hit(
                f"history date {date.isoformat()} {word} the date above it "
                f"({previous.isoformat()})",
                SPEC.history.name,
                cell_name(row, 1),
            )


@rule(
    "data.history-gap",
    Severity.WARNING,
    "Two consecutive History dates are more than max-history-gap-days apart.",
    "Fill the missing dates in the history file (closes carry over holidays), then regenerate.",
    spec=True,
)
def history_gap(context: WorkbookContext) -> Iterator[Hit]:
    limit = context.config.max_history_gap_days
    for row, date, previous in _history_dates(context):
        if previous is not None and (date - previous).days > limit:
            yield Hit(
                f"{(date - previous).days} days pass between history dates "
                f"{previous.isoformat()} and {date.isoformat()} (more than {limit})",
                SPEC.history.name,
                cell_name(row, 1),
            )


@rule(
    "data.stale-history",
    Severity.ERROR,
    "History stops too long before a period date (the price date) for the month's figures: "
    "a return or PE-TTM would pass an old value off as the month's.",
    "Regenerate with a history file (--history, --pe-history) that reaches the price date; "
    "without one, regenerate extends the closes from the market file.",
    spec=True,
)
def stale_history(context: WorkbookContext) -> Iterator[Hit]:
    layout = context.layout
    start = as_date(layout.setting("period_start"))
    end = as_date(layout.setting("period_end"))
    age = dt.timedelta(days=MAX_CLOSE_AGE_DAYS)
    performance = layout.table(PERFORMANCE_SHEET)
    history = layout.history()
    if performance is not None and history is not None:
        known, days = layout.history_days
        for row in performance.rows:
            code = str(performance.key_of(row)).strip()
            column = history.close_columns.get(code)
            if column is None:
                continue
            for boundary, day in (("end", end), ("start", start)):
                if day is None:
                    continue
                used = _last_close(history.data, known, bisect.bisect_right(days, day), column)
                if used is None or used >= day - age:
                    continue  # fresh, or no close before the boundary (missing, not stale)
                yield Hit(
                    f"the month's return of {code} would take its {boundary} close from "
                    f"{used.isoformat()}, {(day - used).days} days before the period "
                    f"{boundary} {day.isoformat()} (more than {MAX_CLOSE_AGE_DAYS}): "
                    "History stops before the price date, so the return cannot be computed",
                    performance.spec.name,
                    performance.cell(row, "return"),
                )
                break
    valuation = layout.table(VALUATION_SHEET)
    if valuation is not None and end is not None:
        for row in valuation.rows:
            as_of = as_date(valuation.value(row, "as_of"))
            first = as_date(valuation.value(row, "first_date"))
            if as_of is None or (first is not None and first > end):
                continue
            if as_of < end - age:
                yield Hit(
                    f"the PE-TTM of {valuation.key_of(row)} is as of {as_of.isoformat()}, "
                    f"{(end - as_of).days} days before the period end {end.isoformat()} "
                    f"(more than {MAX_CLOSE_AGE_DAYS}): not the month's",
                    valuation.spec.name,
                    valuation.cell(row, "as_of"),
                )


def _last_close(
    data: LoadedSheet, known: list[tuple[dt.date, int]], stop: int, column: int
) -> dt.date | None:
    """Date of the last close in ``column`` among the first ``stop`` dated History rows."""
    for index in range(min(stop, len(known)) - 1, -1, -1):  # most often, the first one looked at
        day, row = known[index]
        if as_number(data.get(row, column)) is not None:
            return day
    return None


def _history_dates(context: WorkbookContext) -> Iterator[tuple[int, Any, Any]]:
    """(row, date, the date above it) of each History row whose date cell holds a date.

    The rows holding something else are data.wrong-type's.
    """
    known = context.layout.history_days[0]
    if known:
        yield known[0][1], known[0][0], None
    for (previous, _), (date, row) in pairwise(known):
        yield row, date, previous


@rule(
    "data.duplicate-code",
    Severity.ERROR,
    "A code appears twice in a table (lookups by code find only the first row).",
    "Remove the duplicate row from the input file, then regenerate.",
    spec=True,
)
def duplicate_code(context: WorkbookContext) -> Iterator[Hit]:
    for table in context.layout.located.values():
        seen: dict[str, int] = {}
        for row in table.rows:
            code = str(table.key_of(row)).strip()
            if code in seen:
                yield Hit(
                    f"code {code} appears again (first in row {seen[code]})",
                    table.spec.name,
                    cell_name(row, 1),
                )
            else:
                seen[code] = row
    for name in (HIST_CLOSE_CODES, HIST_PE_CODES):
        found = context.layout.range_values(name)
        if found is None:
            continue
        sheet, cells = found
        codes: dict[str, str] = {}
        for row, column, value in cells:
            if is_blank(value):
                continue
            code = str(value).strip()
            if code in codes:
                yield Hit(
                    f"code {code} heads two history columns (first at {codes[code]})",
                    sheet,
                    cell_name(row, column),
                )
            else:
                codes[code] = cell_name(row, column)


@rule(
    "data.missing-fx",
    Severity.ERROR,
    "A company whose price and EPS currencies differ has no usable FX rate (empty, not "
    "positive, or exactly 1).",
    "Add the currency pair to the FX file (price-currency units per EPS-currency unit) "
    "and regenerate.",
    spec=True,
)
def missing_fx(context: WorkbookContext) -> Iterator[Hit]:
    market = context.layout.table(MARKET_SHEET)
    if market is None:
        return
    for row in market.rows:
        price, eps = market.value(row, "price_currency"), market.value(row, "eps_currency")
        fx = as_number(market.value(row, "fx"))
        pair = f"{eps} to {price}" if not (is_blank(price) or is_blank(eps)) else "its currencies"
        cell = market.cell(row, "fx")
        if fx is None or fx <= 0:
            yield Hit(f"{market.key_of(row)} has no FX rate for {pair}", market.spec.name, cell)
        elif fx == 1 and str(price).strip().upper() != str(eps).strip().upper():
            yield Hit(
                f"{market.key_of(row)} converts {pair} at exactly 1: its EPS would not be "
                "converted",
                market.spec.name,
                cell,
            )


@rule(
    "data.invalid-choice",
    Severity.ERROR,
    "An input that takes a value from a drop-down list holds something else (an EPS basis, "
    "a target year, a rating override, a scheme or a method).",
    "Choose the value from the cell's drop-down list (ratings follow the workbook's scheme "
    "and language).",
    spec=True,
)
def invalid_choice(context: WorkbookContext) -> Iterator[Hit]:
    layout = context.layout
    recomputed = context.recomputed
    scheme, lang = recomputed.scheme, recomputed.lang

    def allowed(name: str) -> tuple[str, ...]:
        return choice_values(name, lang=lang, scheme=scheme)

    for table in layout.located.values():
        for column in table.spec.columns:
            if column.kind is not Kind.INPUT or column.choices is None:
                continue
            accepted = allowed(column.choices)
            for row in table.rows:
                value = table.value(row, column.key)
                if is_blank(value) or str(value).strip() in accepted:
                    continue
                yield Hit(
                    f"{column.label()} of {table.key_of(row)} is {describe(value)}, not "
                    f"one of {', '.join(accepted)}",
                    table.spec.name,
                    table.cell(row, column.key),
                )
    for setting in SPEC.settings.settings:
        if setting.kind is Kind.FORMULA or setting.choices is None:
            continue
        value = layout.setting(setting.key)
        accepted = allowed(setting.choices)
        if value is not None and str(value).strip() not in accepted:
            sheet, cell = layout.setting_location(setting.key)
            yield Hit(
                f"setting {setting.key!r} is {describe(value)}, not one of {', '.join(accepted)}",
                sheet,
                cell,
            )


@rule(
    "data.out-of-range",
    Severity.ERROR,
    "A numeric setting lies outside its accepted range (the FY1 year, the fiscal year-end "
    "month or day).",
    "Correct the setting on the Settings sheet.",
    spec=True,
)
def out_of_range(context: WorkbookContext) -> Iterator[Hit]:
    layout = context.layout
    for setting in SPEC.settings.settings:
        if setting.bounds is None:
            continue
        number = as_number(layout.setting(setting.key))
        low, high = setting.bounds
        if number is not None and not low <= number <= high:
            sheet, cell = layout.setting_location(setting.key)
            yield Hit(
                f"setting {setting.key!r} is {describe(number)}, outside {low:g} to {high:g}",
                sheet,
                cell,
            )


@rule(
    "data.reporting-fx",
    Severity.WARNING,
    "Market caps are to be shown in a reporting currency, but the Settings value is not a "
    "currency code, or a company has no FX rate into it: its market cap shows blank.",
    "Give an ISO code such as HKD in Settings, add the pair to the market file's FX rows "
    "(USDHKD: HKD per USD), and regenerate.",
    spec=True,
)
def reporting_fx(context: WorkbookContext) -> Iterator[Hit]:
    layout = context.layout
    value = layout.setting("reporting_currency")
    if is_blank(value):
        return
    try:
        code = currency_code(value)
    except ValueError as error:
        sheet, cell = layout.setting_location("reporting_currency")
        yield Hit(f"setting 'reporting_currency': {error}", sheet, cell)
        return
    market = layout.table(MARKET_SHEET)
    if market is None:
        return
    for row in market.rows:
        rate = as_number(market.value(row, "reporting_fx"))
        if rate is not None and rate > 0:
            continue
        price = market.value(row, "price_currency")
        source = "its price currency" if is_blank(price) else str(price).strip()
        yield Hit(
            f"{market.key_of(row)} has no FX rate from {source} into the reporting currency "
            f"{code}: its market cap shows blank",
            market.spec.name,
            market.cell(row, "reporting_fx"),
        )


def _whole(value: Any) -> int | None:
    number = as_number(value)
    return int(number) if number is not None and number.is_integer() else None


@rule(
    "data.fy1-not-rolled",
    Severity.WARNING,
    "The report date is more than roll-after-months past the end of FY1 and the estimates "
    "have not been rolled to the next fiscal year.",
    "Once the companies have reported the year, roll the workbook with xlmodels roll: FY2 "
    "becomes FY1 and the old FY1 EPS the last reported year.",
    spec=True,
)
def fy1_not_rolled(context: WorkbookContext) -> Iterator[Hit]:
    layout = context.layout
    report = report_date(layout)
    fy1 = _whole(layout.setting("fy1_year"))
    month, day = _whole(layout.setting("fy_end_month")), _whole(layout.setting("fy_end_day"))
    if report is None or fy1 is None or month is None or day is None:
        return  # a missing or mistyped setting is data.wrong-type's
    try:
        ended = fiscal_year_end(fy1, (month, day))
    except ValueError:
        return  # no such year-end: data.out-of-range's
    months = context.config.roll_after_months
    due = months_after(ended, months)
    if report <= due:
        return
    sheet, cell = layout.setting_location("fy1_year")
    command = f"xlmodels roll {shlex.quote(context.file)} --to {fy1 + 1}"
    yield Hit(
        f"FY1 is still {fy1} ({sheet}!{cell}), which ended on {ended.isoformat()}, but the "
        f"report date {report.isoformat()} is more than {months} months later: once the "
        f"{fy1} results are out, roll the estimates with {command}",
        sheet,
        cell,
        fix=f"Run {command} (add --dry-run first to see what moves), or set "
        "roll-after-months in [tool.xlmodels.validate] if results come later.",
    )
