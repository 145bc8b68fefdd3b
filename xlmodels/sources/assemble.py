"""From input files to :class:`~xlmodels.domain.model.CoverageInputs`: cross-file checks, defaults.

The files are read one by one (:mod:`xlmodels.sources.readers`); here their
codes are resolved against the universe and its indexes, and what only two
files together can tell is checked: every company has a price, its price is
in the universe's price currency, its EPS currency converts into its price
currency, every estimate belongs to a company, every rating override is a
label of the scheme. Each failure names the file, row and column at fault.

Defaults when the command line does not set them, all from the market file's
latest price date among the covered companies (the *price date*):

* report date: the price date;
* period: from the last calendar day of the month before the price date's
  month to the price date (a month-end close to the month's last close);
* FY1: the calendar year of the first fiscal year-end on or after the report
  date (2024 for a report dated 2024-12-02 with a December year-end).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlmodels.core.fx import FxTable, currency_code
from xlmodels.core.ratings import DEFAULT_SCHEME, load_scheme
from xlmodels.domain.model import (
    ESTIMATE_COLUMNS,
    INDEX_COLUMNS,
    MARKET_COLUMNS,
    CoverageInputs,
    Settings,
)
from xlmodels.domain.performance import extend_history
from xlmodels.errors import InputError
from xlmodels.sources.codes import CodeBook
from xlmodels.sources.index_names import known_index_names
from xlmodels.sources.raw_tables import factorize_texts
from xlmodels.sources.readers import (
    FileRows,
    MarketSnapshot,
    read_estimates,
    read_history,
    read_indexes,
    read_market,
    read_universe,
)

__all__ = [
    "InputFiles",
    "SettingsChoices",
    "assemble_inputs",
    "default_fy1_year",
    "default_period",
    "load_inputs",
]


@dataclass(frozen=True)
class InputFiles:
    """Paths of the input files; ``estimates``, ``history``, ``pe_history``, ``indexes`` optional.

    ``history`` holds closes (and PE-TTM in the long layout); ``pe_history``
    is a second history file for PE-TTM series in the wide layout.
    ``day_first`` reads slash dates with the year last as D/M/YYYY (True) or
    M/D/YYYY (False); left None, each column must show its order
    (:mod:`xlmodels.sources.parsing`).
    """

    universe: Path
    market: Path
    estimates: Path | None = None
    history: Path | None = None
    pe_history: Path | None = None
    indexes: Path | None = None
    day_first: bool | None = None


@dataclass(frozen=True)
class SettingsChoices:
    """Settings given explicitly; None means the default described in the module docstring."""

    report_date: dt.date | None = None
    fy1_year: int | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    scheme: str = DEFAULT_SCHEME
    lang: str = "zh"
    percentile_method: str = "strict"
    relative_method: str = "arithmetic"
    fiscal_year_end: tuple[int, int] = (12, 31)
    benchmark_expected_returns: Mapping[str, float] | None = None
    data_note: str = ""
    reporting_currency: str | None = None


def _reporting_currency(value: str | None) -> str | None:
    try:
        return currency_code(value)
    except ValueError as error:
        raise InputError(f"reporting currency: {error}") from None


def default_fy1_year(report_date: dt.date, fiscal_year_end: tuple[int, int] = (12, 31)) -> int:
    """Year of the first fiscal year-end on or after ``report_date``.

    >>> default_fy1_year(dt.date(2024, 12, 2)), default_fy1_year(dt.date(2024, 12, 2), (3, 31))
    (2024, 2025)
    """
    month, day = fiscal_year_end
    end = dt.date(report_date.year, month, day)
    return report_date.year if report_date <= end else report_date.year + 1


def default_period(price_date: dt.date) -> tuple[dt.date, dt.date]:
    """The month to ``price_date``: previous month's last day to ``price_date``.

    >>> default_period(dt.date(2024, 11, 29))
    (datetime.date(2024, 10, 31), datetime.date(2024, 11, 29))
    """
    return price_date.replace(day=1) - dt.timedelta(days=1), price_date


def _rows(frame: pd.DataFrame) -> dict[str, int]:
    rows: dict[str, int] = frame.attrs.get("rows", {})
    return rows


def _file(frame: pd.DataFrame) -> Path | None:
    file: Path | None = frame.attrs.get("file")
    return file


def _resolve_index(
    frame: pd.DataFrame, book: CodeBook, what: str, unique: bool = True
) -> pd.DataFrame:
    """Rename a frame's codes to the codes the book knows; two rows for one code is an error."""
    rows = _rows(frame)
    resolved = [book.resolve(code) for code in frame.index]
    if unique:
        first: dict[str, str] = {}
        for original, code in zip(frame.index, resolved, strict=True):
            if code in first:
                raise InputError(
                    f"{original} and {first[code]} are the same security ({code}) in the {what}",
                    file=_file(frame),
                    row=rows.get(original),
                    column="code",
                )
            first[code] = original
    out = frame.copy()
    out.index = pd.Index(resolved, name="code")
    out.attrs["rows"] = FileRows(
        {
            code: rows[original]
            for original, code in zip(frame.index, resolved, strict=True)
            if original in rows
        }
    )
    return out


def _records(frame: pd.DataFrame, *keys: str) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(code, {key: value}) of each row, for the columns named (None where there is no such column).

    Read column by column: no Series (and copy of ``attrs``) per row, no
    boxing of the columns a check does not look at.
    """
    columns = [frame[key].tolist() if key in frame else [None] * len(frame) for key in keys]
    for code, *values in zip(frame.index, *columns, strict=True):
        yield code, dict(zip(keys, values, strict=True))


def _check_fx(universe: pd.DataFrame, fx: FxTable, market_file: Path) -> None:
    rows = _rows(universe)
    for code, record in _records(universe, "eps_currency", "price_currency"):
        base, quote = record["eps_currency"], record["price_currency"]
        if not fx.has(base, quote):
            raise InputError(
                f"{code} has EPS in {base} and prices in {quote}, but {market_file.name} has no "
                f"{base}{quote} rate: add a row with code {base}{quote} and the {quote} per "
                f"{base} rate as its close",
                file=_file(universe),
                row=rows.get(str(code)),
                column="eps_currency",
            )


def _market_frame(universe: pd.DataFrame, snapshot: MarketSnapshot) -> pd.DataFrame:
    prices = snapshot.prices
    rows = _rows(prices)
    # Codes are unique in both frames (their readers and _resolve_index refuse a second row).
    currencies = dict(zip(prices.index, prices["currency"], strict=True))
    for code, record in _records(universe, "price_currency"):
        if code not in currencies:
            raise InputError(
                f"no price for {code} (universe row {_rows(universe).get(str(code))}): "
                "every covered company needs a row",
                file=snapshot.file,
            )
        currency = currencies.get(code)
        if isinstance(currency, str) and currency != record["price_currency"]:
            raise InputError(
                f"{code} is priced in {currency} here but in {record['price_currency']} in "
                "the universe",
                file=snapshot.file,
                row=rows.get(str(code)),
                column="currency",
            )
    market = prices.reindex(universe.index)[list(MARKET_COLUMNS)].copy()
    market["close"] = market["close"].astype(float)
    market["shares_mn"] = market["shares_mn"].astype(float)
    return market


def _estimates_frame(
    estimates: pd.DataFrame | None, universe: pd.DataFrame, scheme: str, lang: str
) -> pd.DataFrame:
    if estimates is None:
        return pd.DataFrame(
            {key: pd.Series(dtype=object) for key in ESTIMATE_COLUMNS},
            index=pd.Index([], name="code"),
        )
    rows, file = _rows(estimates), _file(estimates)
    headers: dict[str, str] = estimates.attrs.get("headers", {})
    labels = load_scheme(scheme)
    out = estimates.copy()
    eps_currencies = dict(zip(universe.index, universe["eps_currency"], strict=True))
    keys = ("eps_currency", "rating_override", "override_reason")
    for code, record in _records(estimates, *keys):
        row = rows.get(str(code))
        if code not in eps_currencies:
            raise InputError(
                f"{code} is not in the universe", file=file, row=row, column=headers.get("code")
            )
        currency = record.get("eps_currency")
        expected = str(eps_currencies.get(code))
        if isinstance(currency, str) and currency != expected:
            raise InputError(
                f"EPS currency {currency} differs from the universe's {expected}",
                file=file,
                row=row,
                column=headers.get("eps_currency"),
            )
        override = record["rating_override"]
        if isinstance(override, str):
            tier = labels.tier_of(override)
            if tier is not None:
                out.loc[code, "rating_override"] = tier.label(lang)
            elif override in labels.not_rated.values():
                out.loc[code, "rating_override"] = labels.not_rated[lang]
            else:
                raise InputError(
                    f"{override!r} is not a rating of the {scheme} scheme; use one of "
                    f"{', '.join(labels.labels(lang))}",
                    file=file,
                    row=row,
                    column=headers.get("rating_override"),
                )
            reason = record.get("override_reason")
            if not (isinstance(reason, str) and reason.strip()):
                # Compliance asks why a published rating departs from the
                # scheme; the validator fails a workbook without the reason.
                raise InputError(
                    f"{code} overrides its rating to {override!r} without a reason; "
                    "give one in the override_reason column",
                    file=file,
                    row=row,
                    column=headers.get("override_reason") or headers.get("rating_override"),
                )
    frame = out[list(ESTIMATE_COLUMNS)]
    frame.attrs = {}
    return frame


def _indexes_frame(
    indexes: pd.DataFrame | None, universe: pd.DataFrame, snapshot: MarketSnapshot
) -> pd.DataFrame:
    if indexes is not None:
        frame = indexes.copy()
        frame.attrs = {}
        return frame
    # Without an indexes file, the benchmarks the universe names are the
    # indexes, named as the market file names them, else as the bundled list
    # of common indexes does, else by their code.
    codes = list(dict.fromkeys(universe["benchmark"].dropna()))
    prices = snapshot.prices.reindex(codes)
    known = known_index_names().reindex(codes)
    given = [name if isinstance(name, str) and name.strip() else None for name in prices["name"]]

    def pick(first: Sequence[str | None], second: pd.Series) -> list[object]:
        return [
            a if a is not None else (b if isinstance(b, str) and b else code)
            for a, b, code in zip(first, second, codes, strict=True)
        ]

    return pd.DataFrame(
        {
            "name": pick(given, known["name"]),
            "name_en": pick(given, known["name_en"]),
            "market": [m if isinstance(m, str) and m else None for m in known["market"]],
            "currency": [
                c if isinstance(c, str) and c else k
                for c, k in zip(prices["currency"], known["currency"], strict=True)
            ],
        },
        index=pd.Index(codes, name="code"),
        columns=list(INDEX_COLUMNS),
    )


def assemble_inputs(
    universe: pd.DataFrame,
    snapshot: MarketSnapshot,
    estimates: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
    indexes: pd.DataFrame | None = None,
    choices: SettingsChoices | None = None,
) -> CoverageInputs:
    """Check the files against each other and build the inputs of every computation.

    Parameters
    ----------
    universe, snapshot, estimates, history, indexes
        As the readers return them (``history`` may join several files).
    choices : SettingsChoices, optional
        Explicit settings; the rest default from the price date.
    """
    choices = choices or SettingsChoices()
    if universe.empty:
        # Every figure is per company: without one there is no report date,
        # no workbook and no report to make.
        raise InputError(
            "the universe lists no company: add one row per covered company below its header",
            file=_file(universe),
        )
    load_scheme(choices.scheme)
    book = CodeBook([*universe.index, *([] if indexes is None else indexes.index)])
    universe = universe.copy()
    universe["benchmark"] = [
        book.resolve(code) if isinstance(code, str) else None for code in universe["benchmark"]
    ]
    for code in universe["benchmark"].dropna():
        book.add(code)
    prices = _resolve_index(snapshot.prices, book, f"market file {snapshot.file.name}")
    snapshot = MarketSnapshot(prices, snapshot.fx, snapshot.file, _rows(prices), snapshot.fx_rows)
    market = _market_frame(universe, snapshot)
    _check_fx(universe, snapshot.fx, snapshot.file)
    labelled_fy1 = _labelled_fy1(estimates, choices.fy1_year)
    resolved_estimates = (
        None if estimates is None else _resolve_index(estimates, book, "estimates file")
    )
    estimates_frame = _estimates_frame(resolved_estimates, universe, choices.scheme, choices.lang)
    closes = _snapshot_closes(prices)
    code_type = None
    if history is not None:
        # The resolved codes are given back the type of the file's.
        code_type = history["code"].dtype
        if isinstance(code_type, pd.CategoricalDtype):
            code_type = code_type.categories.dtype
        history = _resolved_history(history, book)
        history.attrs = {}
        # A history file that stops before the market file's price date gets
        # the market's close: the month's return needs a close on that day.
        history = extend_history(history, closes)
    price_date = max(d for d in market["price_date"] if d is not None)
    report_date = choices.report_date or price_date
    start, end = default_period(price_date)
    settings = Settings(
        report_date=report_date,
        fy1_year=choices.fy1_year
        or labelled_fy1
        or default_fy1_year(report_date, choices.fiscal_year_end),
        period_start=choices.period_start or start,
        period_end=choices.period_end or end,
        scheme=choices.scheme,
        lang=choices.lang,
        benchmark_expected_returns=dict(choices.benchmark_expected_returns or {}),
        percentile_method=choices.percentile_method,
        relative_method=choices.relative_method,
        fiscal_year_end=choices.fiscal_year_end,
        data_note=choices.data_note,
        reporting_currency=_reporting_currency(choices.reporting_currency),
    )
    universe.attrs = {}
    indexes_frame = _indexes_frame(indexes, universe, snapshot)
    if history is not None:
        history = _covered_history(history, universe, indexes_frame, prices)
        history = history.assign(code=_typed_codes(history["code"], code_type))
    return CoverageInputs(
        universe=universe,
        market=market,
        fx=snapshot.fx,
        estimates=estimates_frame,
        indexes=indexes_frame,
        settings=settings,
        history=history,
        snapshot_closes=closes,
        estimates_fy1_year=labelled_fy1,
    )


def _labelled_fy1(estimates: pd.DataFrame | None, chosen: int | None) -> int | None:
    """The FY1 an estimates file's ``EPS 2024E`` headers name; refused if it is not ``chosen``."""
    if estimates is None or estimates.attrs.get("fy1_year") is None:
        return None
    year = int(estimates.attrs["fy1_year"])
    if chosen is not None and chosen != year:
        header = estimates.attrs.get("headers", {}).get("eps_fy1")
        raise InputError(
            f"the EPS columns name FY1 as {year} ({header!r}), but FY1 is set to {chosen}: "
            f"leave --fy1 out, or give estimates for {chosen}",
            file=_file(estimates),
            column=header,
        )
    return year


def _snapshot_closes(prices: pd.DataFrame) -> pd.DataFrame:
    """The market file's closes, long: ``date``, ``code``, ``close`` (priced rows only)."""
    dated = prices[prices["close"].notna() & prices["price_date"].notna()]
    return pd.DataFrame(
        {
            "date": pd.to_datetime(list(dated["price_date"])),
            "code": list(dated.index.astype(str)),
            "close": dated["close"].astype(float).to_numpy(),
        }
    )


def _covered_history(
    history: pd.DataFrame, universe: pd.DataFrame, indexes: pd.DataFrame, prices: pd.DataFrame
) -> pd.DataFrame:
    """The history rows of the universe's companies and of indexes, and no others.

    Indexes are those the universe names as benchmarks, the indexes file
    lists, the market file prices, or the bundled list of index names knows.
    A history file exported for a whole market holds thousands of codes the
    workbook never shows; kept, they made a workbook of 150 MB out of 200 MB
    of history, which the validator then refused as a zip bomb.
    """
    wanted = {
        *universe.index,
        *universe["benchmark"].dropna(),
        *indexes.index,
        *prices.index,
        *known_index_names().index,
    }
    kept = history["code"].isin(wanted)
    if bool(kept.all()):
        return history
    return history.loc[kept].reset_index(drop=True)


def _resolved_history(history: pd.DataFrame, book: CodeBook) -> pd.DataFrame:
    """The history with its codes as the book writes them, held as categories.

    A history of millions of rows holds a few thousand codes: they are
    factorized once (the categories :func:`read_history` gives, else
    :func:`~xlmodels.sources.raw_tables.factorize_texts`), each resolved
    once, and what follows (each code's last close, the rows kept) works on
    their categories rather than hashing every row's text again. The caller
    gives the column back its own type.
    """
    codes = history["code"]
    if isinstance(codes.dtype, pd.CategoricalDtype):  # as read_history gives them to us
        names, ids = list(codes.cat.categories), codes.cat.codes.to_numpy()
    else:
        names, ids = factorize_texts(codes.to_numpy(dtype=object))
    if len(ids) and int(ids.min()) < 0:
        # A row without a code (a frame not made by a reader): each code mapped as it is.
        cache = {code: book.resolve(code) for code in codes.unique()}
        return history.assign(code=codes.astype(object).map(cache))
    resolved = [book.resolve(name) for name in names]
    merged, distinct = pd.factorize(np.asarray(resolved, dtype=object))
    if len(distinct) < len(resolved):  # two spellings of one code: one category
        ids = merged[ids]
    categories = pd.Index(np.asarray(distinct, dtype=object), dtype=object)
    return history.assign(code=pd.Categorical.from_codes(ids, categories=categories))


def _typed_codes(codes: pd.Series, dtype: Any) -> Any:
    """The codes as an array of ``dtype``: categories typed once, then taken row by row."""
    array = codes.array
    if isinstance(array, pd.Categorical):
        categories = pd.array(np.asarray(array.categories, dtype=object), dtype=dtype)
        return categories.take(array.codes, allow_fill=True)
    return array.astype(dtype)


def _join_history(frames: list[pd.DataFrame]) -> pd.DataFrame | None:
    if not frames:
        return None
    if len(frames) == 1:
        return frames[0]
    # A closes file and a PE-TTM file: one row per date and code with both fields.
    joined = pd.concat(frames, ignore_index=True)
    return (
        joined.groupby(["date", "code"], as_index=False, sort=True)
        .agg({"close": "last", "pe_ttm": "last"})
        .reset_index(drop=True)
    )


def load_inputs(files: InputFiles, choices: SettingsChoices | None = None) -> CoverageInputs:
    """Read every input file and assemble them; nothing is written anywhere.

    Raises
    ------
    InputError
        Naming the file, row and column of the first problem found.
    FileNotFoundError
        When a file does not exist.
    """
    day_first = files.day_first
    universe = read_universe(files.universe, day_first=day_first)
    snapshot = read_market(files.market, day_first=day_first)
    estimates = (
        None if files.estimates is None else read_estimates(files.estimates, day_first=day_first)
    )
    indexes = None if files.indexes is None else read_indexes(files.indexes, day_first=day_first)
    history_frames = []
    if files.history is not None:
        history_frames.append(
            read_history(files.history, day_first=day_first, code_categories=True)
        )
    if files.pe_history is not None:
        history_frames.append(
            read_history(files.pe_history, wide_field="pe_ttm", day_first=day_first)
        )
    return assemble_inputs(
        universe, snapshot, estimates, _join_history(history_frames), indexes, choices
    )
