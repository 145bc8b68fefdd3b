"""Readers of the input files: universe, market snapshot, estimates, indexes, history.

Each reader takes a CSV or Excel file (see :mod:`xlmodels.sources.raw_tables`)
whose columns use our names or a vendor's (:mod:`xlmodels.sources.columns`),
normalises codes (:mod:`xlmodels.sources.codes`) and returns a frame indexed
by code. Every mistake is an :class:`~xlmodels.errors.InputError` that names
the file, the row as the user sees it and the column. Each frame remembers
where its rows came from in ``frame.attrs["file"]`` and
``frame.attrs["rows"]`` (code -> file row), so checks across files can point
at the row at fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from xlmodels.core.fx import FxTable
from xlmodels.domain.model import ESTIMATE_COLUMNS, INDEX_COLUMNS, UNIVERSE_COLUMNS
from xlmodels.errors import InputError
from xlmodels.sources.codes import market_of, normalise_code, normalise_market, parse_fx_pair
from xlmodels.sources.columns import (
    ESTIMATES_FIELDS,
    HISTORY_FIELDS,
    INDEX_FIELDS,
    MARKET_DERIVED,
    MARKET_FIELDS,
    UNIVERSE_FIELDS,
    ColumnMatch,
    FieldKind,
    InputField,
    fold_header,
    match_columns,
    split_unit,
)
from xlmodels.sources.parsing import (
    is_missing_cell,
    read_currencies,
    read_date_codes,
    read_dates,
    read_numbers,
    read_text_codes,
    read_texts,
)
from xlmodels.sources.raw_tables import Numeric, RawTable, header_text, read_table

__all__ = [
    "EPS_BASIS_ALIASES",
    "TARGET_YEAR_ALIASES",
    "FileRows",
    "MarketSnapshot",
    "read_estimates",
    "read_history",
    "read_indexes",
    "read_market",
    "read_universe",
]

_T = TypeVar("_T")

#: Spellings of the EPS bases (folded as headers are) and what they mean.
EPS_BASIS_ALIASES = {
    "reported": "reported",
    "报告": "reported",
    "公布": "reported",
    "gaap": "reported",
    "ifrs": "reported",
    "adjusted": "adjusted",
    "经调整": "adjusted",
    "调整后": "adjusted",
    "nongaap": "adjusted",
    "nonifrs": "adjusted",
}
#: Spellings of what a target multiple applies to.
TARGET_YEAR_ALIASES = {
    "fy1": "FY1",
    "fy2": "FY2",
    "fy3": "FY3",
    "blended": "blended",
    "blend": "blended",
    "ntm": "blended",
    "混合": "blended",
}


@dataclass(frozen=True)
class MarketSnapshot:
    """A market file: security prices, and FX rates given as rows.

    Attributes
    ----------
    prices : DataFrame
        Indexed by code: ``name``, ``close``, ``price_date`` (date),
        ``shares_mn`` (millions), ``currency``.
    fx : FxTable
        The FX pairs (``CNYHKD`` rows: HKD per CNY).
    file : Path
    rows : dict
        Code -> file row of each security.
    fx_rows : dict
        ``(base, quote)`` -> file row of each FX pair.
    """

    prices: pd.DataFrame
    fx: FxTable
    file: Path
    rows: dict[str, int] = field(default_factory=dict)
    fx_rows: dict[tuple[str, str], int] = field(default_factory=dict)


def _columns(table: RawTable, matches: dict[str, ColumnMatch]) -> dict[str, list[Any]]:
    """Every matched column read by its kind; unmatched optional fields are absent."""
    out: dict[str, list[Any]] = {}
    for key, match in matches.items():
        kind = match.field.kind
        if kind is FieldKind.NUMBER:
            out[key] = list(read_numbers(table, match))
        elif kind is FieldKind.DATE:
            out[key] = list(read_dates(table, match))
        elif kind is FieldKind.CURRENCY:
            out[key] = list(read_currencies(table, match))
        else:
            out[key] = list(read_texts(table, match))
    return out


def _numeric(fields: Sequence[InputField]) -> Numeric:
    """Which headers name a number field: those columns a large file may read as numbers."""
    names = {
        fold_header(split_unit(name)[0])
        for item in fields
        if item.kind is FieldKind.NUMBER
        for name in item.names()
    }
    return lambda position, header: fold_header(split_unit(header)[0]) in names


def _exactly(read: Callable[[RawTable], _T], table: RawTable) -> _T:
    """``read`` of a table; of the file read row by row where the column-wise reading failed.

    A column-wise table holds numbers where the file holds text: whatever is
    wrong in the file is found and named, cell as written, row by row.
    """
    try:
        return read(table)
    except InputError:
        if not table.column_wise:
            raise
    return read(table.exact())


def _required_cell(
    table: RawTable, matches: dict[str, ColumnMatch], key: str, index: int, value: Any
) -> None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        header = matches[key].header if key in matches else key
        raise table.error(f"{key} is empty", row=table.row_numbers[index], column=header)


def _unique_code(table: RawTable, seen: dict[str, int], code: str, index: int, header: str) -> None:
    row = table.row_numbers[index]
    if not code:
        raise table.error("the code is empty", row=row, column=header)
    if code in seen:
        raise table.error(
            f"duplicate code {code} (also on row {seen[code]})", row=row, column=header
        )
    seen[code] = row


class FileRows(dict[str, int]):
    """Code -> file row, as a frame's ``attrs["rows"]`` keeps it: read-only, so shared.

    pandas deep-copies a frame's ``attrs`` into the result of every
    operation on it; a universe of a thousand codes made that a copy of a
    thousand-entry dict per row selected. This mapping is never changed
    once made, so a copy is the mapping itself.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> FileRows:
        return self

    def __copy__(self) -> FileRows:
        return self


def _frame(
    codes: list[str],
    columns: dict[str, list[Any]],
    keys: Sequence[str],
    file: Path,
    rows: dict[str, int],
) -> pd.DataFrame:
    data = {key: columns.get(key, [None] * len(codes)) for key in keys}
    frame = pd.DataFrame(data, index=pd.Index(codes, name="code"), dtype=object)
    frame.attrs["file"] = file
    frame.attrs["rows"] = FileRows(rows)
    return frame


def read_universe(
    path: str | Path, *, sheet: str | None = None, day_first: bool | None = None
) -> pd.DataFrame:
    """Read the coverage universe: one row per covered company.

    Columns (ours, then accepted vendor names in :data:`UNIVERSE_FIELDS`):
    ``code``, ``name``, ``price_currency`` and ``eps_currency`` are required;
    ``name_en``, ``market`` (HK, A, US; derived from the code when absent),
    ``benchmark`` (index code), ``analyst``, ``coverage_group`` optional.

    Returns
    -------
    DataFrame indexed by code with :data:`~xlmodels.domain.model.UNIVERSE_COLUMNS`.
    """
    table = read_table(path, sheet, day_first=day_first, numeric=_numeric(UNIVERSE_FIELDS))
    return _exactly(lambda table: _universe(table, Path(path)), table)


def _universe(table: RawTable, path: Path) -> pd.DataFrame:
    matches = match_columns(table, UNIVERSE_FIELDS, "universe file")
    columns = _columns(table, matches)
    raw_codes = columns.pop("code")
    markets = [normalise_market(m) for m in columns.get("market", [None] * len(raw_codes))]
    codes: list[str] = []
    seen: dict[str, int] = {}
    code_header = matches["code"].header
    for index, raw in enumerate(raw_codes):
        code = normalise_code(raw or "", markets[index])
        row = table.row_numbers[index]
        if markets[index] is None:
            markets[index] = market_of(code)
        if markets[index] is None and code:
            raise table.error(
                f"cannot tell the market of {raw!r}: write it as 0700.HK, 600519.SH or AMZN.O, "
                "or add a market column (HK, A, US)",
                row=row,
                column=code_header,
            )
        if markets[index] == "index":
            raise table.error(
                f"{code} is an index code; list benchmark indexes in the indexes file",
                row=row,
                column=code_header,
            )
        _unique_code(table, seen, code, index, code_header)
        for key in ("name", "price_currency", "eps_currency"):
            _required_cell(table, matches, key, index, columns[key][index])
        codes.append(code)
    columns["market"] = markets
    if "benchmark" in columns:
        columns["benchmark"] = [normalise_code(b) if b else None for b in columns["benchmark"]]
    return _frame(codes, columns, UNIVERSE_COLUMNS, Path(path), seen)


def read_indexes(
    path: str | Path, *, sheet: str | None = None, day_first: bool | None = None
) -> pd.DataFrame:
    """Read the benchmark indexes.

    ``code`` and ``name`` are required; ``name_en``, ``market`` and
    ``currency`` optional.

    Returns
    -------
    DataFrame indexed by code with :data:`~xlmodels.domain.model.INDEX_COLUMNS`.
    """
    table = read_table(path, sheet, day_first=day_first, numeric=_numeric(INDEX_FIELDS))
    return _exactly(lambda table: _indexes(table, Path(path)), table)


def _indexes(table: RawTable, path: Path) -> pd.DataFrame:
    matches = match_columns(table, INDEX_FIELDS, "indexes file")
    columns = _columns(table, matches)
    seen: dict[str, int] = {}
    codes = []
    for index, raw in enumerate(columns.pop("code")):
        code = normalise_code(raw or "")
        _unique_code(table, seen, code, index, matches["code"].header)
        _required_cell(table, matches, "name", index, columns["name"][index])
        codes.append(code)
    if "market" in columns:
        columns["market"] = [normalise_market(m) for m in columns["market"]]
    return _frame(codes, columns, INDEX_COLUMNS, Path(path), seen)


def read_market(
    path: str | Path, *, sheet: str | None = None, day_first: bool | None = None
) -> MarketSnapshot:
    """Read a market snapshot: closes, price dates, shares, currencies, and FX rows.

    A row whose code is a currency pair (``CNYHKD``, ``CNYHKD Curncy``,
    ``CNYHKD.EX``) is an FX rate: its close is the quote currency per unit
    of the base currency (HKD per CNY). Every other row is a security and
    needs a close and a price date. ``shares_mn`` is in millions; Wind's
    总股本 is read in shares and converted, Bloomberg's EQY_SH_OUT is already
    in millions, and a unit in the header (``总股本(万股)``) is honoured.
    """
    table = read_table(path, sheet, day_first=day_first, numeric=_numeric(MARKET_FIELDS))
    return _exactly(lambda table: _market(table, Path(path)), table)


def _market(table: RawTable, path: Path) -> MarketSnapshot:
    matches = match_columns(table, MARKET_FIELDS, "market file", derived=MARKET_DERIVED)
    columns = _columns(table, matches)
    code_header = matches["code"].header
    securities: list[int] = []
    codes: list[str] = []
    seen: dict[str, int] = {}
    rates: dict[tuple[str, str], float] = {}
    fx_rows: dict[tuple[str, str], int] = {}
    for index, raw in enumerate(columns["code"]):
        row = table.row_numbers[index]
        pair = parse_fx_pair(raw or "")
        if pair is not None:
            if pair in rates:
                raise table.error(
                    f"duplicate FX pair {pair[0]}{pair[1]} (also on row {fx_rows[pair]})",
                    row=row,
                    column=code_header,
                )
            _required_cell(table, matches, "close", index, columns["close"][index])
            rates[pair] = float(columns["close"][index])
            fx_rows[pair] = row
            continue
        code = normalise_code(raw or "")
        _unique_code(table, seen, code, index, code_header)
        _required_cell(table, matches, "close", index, columns["close"][index])
        _required_cell(table, matches, "price_date", index, columns["price_date"][index])
        securities.append(index)
        codes.append(code)
    picked = {key: [values[i] for i in securities] for key, values in columns.items()}
    prices = _frame(
        codes, picked, ("name", "close", "price_date", "shares_mn", "currency"), Path(path), seen
    )
    for key in ("close", "shares_mn"):
        prices[key] = prices[key].astype(float)
    return MarketSnapshot(prices, FxTable(rates), Path(path), seen, fx_rows)


def _choice(
    table: RawTable,
    match: ColumnMatch | None,
    values: list[Any],
    aliases: dict[str, str],
) -> list[Any]:
    if match is None:
        return values
    out: list[Any] = []
    accepted = ", ".join(sorted(set(aliases.values())))
    for index, value in enumerate(values):
        if value is None:
            out.append(None)
            continue
        meaning = aliases.get(fold_header(str(value)))
        if meaning is None:
            raise table.error(
                f"expected one of {accepted}, got {value!r}",
                row=table.row_numbers[index],
                column=match.header,
            )
        out.append(meaning)
    return out


def read_estimates(
    path: str | Path, *, sheet: str | None = None, day_first: bool | None = None
) -> pd.DataFrame:
    """Read analyst estimates: one row per company.

    Columns: ``code`` (required), ``eps_basis`` (reported or adjusted, also
    报告/经调整), ``eps_lyr`` (the last reported fiscal year's EPS, the
    year before FY1; optional), ``eps_fy1``..``eps_fy3`` (in the EPS currency),
    ``target_multiple`` (above 0), ``target_year`` (FY1, FY2, FY3 or
    blended), ``rating_override``, ``override_reason``, ``notes``; ``name``
    and ``eps_currency`` may be present (the currency must then agree with
    the universe's). EPS columns headed by their fiscal year, as the
    workbook's Estimates sheet heads them (``EPS 2024E（人民币）``), are FY1
    to FY3 in order of year (``EPS 2023A``, the year before, is the last
    reported one); the frame's ``attrs["fy1_year"]`` then says which year
    FY1 is.

    Returns
    -------
    DataFrame indexed by code with :data:`~xlmodels.domain.model.ESTIMATE_COLUMNS`
    (and ``eps_currency`` when the file has it).
    """
    table = read_table(path, sheet, day_first=day_first, numeric=_numeric(ESTIMATES_FIELDS))
    return _exactly(lambda table: _estimates(table, Path(path)), table)


def _estimates(table: RawTable, path: Path) -> pd.DataFrame:
    matches = match_columns(table, ESTIMATES_FIELDS, "estimates file")
    columns = _columns(table, matches)
    columns["eps_basis"] = _choice(
        table,
        matches.get("eps_basis"),
        columns.get("eps_basis", [None] * len(table.rows)),
        EPS_BASIS_ALIASES,
    )
    columns["target_year"] = _choice(
        table,
        matches.get("target_year"),
        columns.get("target_year", [None] * len(table.rows)),
        TARGET_YEAR_ALIASES,
    )
    seen: dict[str, int] = {}
    codes = []
    for index, raw in enumerate(columns.pop("code")):
        code = normalise_code(raw or "")
        _unique_code(table, seen, code, index, matches["code"].header)
        codes.append(code)
    keys = (*ESTIMATE_COLUMNS, *(["eps_currency"] if "eps_currency" in matches else []))
    frame = _frame(codes, columns, keys, Path(path), seen)
    for slot in ("eps_lyr", "eps_fy1", "eps_fy2", "eps_fy3", "target_multiple"):
        frame[slot] = frame[slot].astype(float)
    frame.attrs["headers"] = {key: match.header for key, match in matches.items()}
    if "eps_fy1" in matches and matches["eps_fy1"].year is not None:
        # Columns headed by their fiscal year (a workbook's Estimates sheet):
        # FY1 is the year they name, not one guessed from the calendar.
        frame.attrs["fy1_year"] = matches["eps_fy1"].year
    return frame


def _is_long(table: RawTable) -> bool:
    code_names = {fold_header(split_unit(n)[0]) for n in HISTORY_FIELDS[1].names()}
    return any(fold_header(split_unit(h)[0]) in code_names for h in table.headers)


def read_history(
    path: str | Path,
    *,
    sheet: str | None = None,
    wide_field: str = "close",
    day_first: bool | None = None,
    code_categories: bool = False,
) -> pd.DataFrame:
    """Read price and valuation history, long or wide.

    Long layout: ``date``, ``code``, and ``close`` and/or ``pe_ttm`` (one
    row per date and code). Wide layout, as a Wind export gives it: a date
    column first, then one column per code holding ``wide_field`` (``close``
    or ``pe_ttm``). The layout is recognised by the presence of a code column.
    A coverage workbook's History sheet saved as CSV is the wide layout in
    two blocks, a row above the codes naming them (收盘价 / Close, PE-TTM):
    each block is read as what it names, whatever ``wide_field`` says.

    ``code_categories`` gives a long history's codes as a ``Categorical``,
    one category per code, in the type the column would have otherwise:
    what checks over millions of rows group and filter by without hashing
    each row's text again (:func:`~xlmodels.sources.load_inputs`).

    Returns
    -------
    DataFrame with :data:`~xlmodels.domain.model.HISTORY_COLUMNS`: ``date``
    (datetime64), ``code``, ``close``, ``pe_ttm`` (floats, NaN where missing).
    """
    if wide_field not in ("close", "pe_ttm"):
        raise ValueError(f"wide_field must be 'close' or 'pe_ttm', got {wide_field!r}")
    table = read_table(path, sheet, day_first=day_first, numeric=_history_numbers)

    def read(table: RawTable) -> pd.DataFrame:
        blocks = _history_blocks(table)
        if blocks is not None:
            return _read_history_blocks(table.exact(), blocks)
        if _is_long(table):
            return _read_long_history(table, code_categories)
        return _read_wide_history(table, wide_field)

    frame = _exactly(read, table)
    frame.attrs["file"] = Path(path)
    return frame


_HISTORY_NUMBERS = _numeric(HISTORY_FIELDS)
_HISTORY_TEXTS = {
    fold_header(split_unit(name)[0])
    for item in HISTORY_FIELDS
    if item.kind is not FieldKind.NUMBER
    for name in item.names()
}


def _history_numbers(position: int, header: str) -> bool:
    """A history's number columns: close and PE-TTM (long), every code's column (wide)."""
    if _HISTORY_NUMBERS(position, header):
        return True
    return position > 0 and fold_header(split_unit(header)[0]) not in _HISTORY_TEXTS


#: The block labels of a workbook's History sheet (its row 3), folded, and the field of each.
_HISTORY_BLOCKS = {
    fold_header(split_unit(label)[0]): field
    for labels, field in ((("收盘价", "Close"), "close"), (("PE-TTM（x）", "PE-TTM (x)"), "pe_ttm"))
    for label in labels
}


def _history_blocks(table: RawTable) -> list[tuple[int, str]] | None:
    """``(first column, field)`` of each block when the header row is the History sheet's labels."""
    labelled = [(i, h) for i, h in enumerate(table.headers) if h]
    if not labelled or table.headers[0] or not table.rows:
        return None
    fields = [_HISTORY_BLOCKS.get(fold_header(split_unit(h)[0])) for _, h in labelled]
    if any(field is None for field in fields):
        return None
    return [(i, str(field)) for (i, _), field in zip(labelled, fields, strict=True)]


def _read_history_blocks(table: RawTable, blocks: list[tuple[int, str]]) -> pd.DataFrame:
    """The History sheet's blocks, each read as a wide history of its field, joined."""
    codes = [header_text(cell) for cell in table.rows[0]]
    width = max(len(codes), *(len(row) for row in table.rows))
    frames = []
    for number, (start, kind) in enumerate(blocks):
        end = blocks[number + 1][0] if number + 1 < len(blocks) else width
        columns = [0, *range(start, end)]
        block = RawTable(
            table.file,
            table.sheet,
            [codes[c] if c < len(codes) else "" for c in columns],
            table.row_numbers[0],
            [[row[c] if c < len(row) else "" for c in columns] for row in table.rows[1:]],
            table.row_numbers[1:],
            table.day_first,
        )
        frames.append(_read_wide_history(block, kind))
    joined = pd.concat(frames, ignore_index=True)
    return (
        joined.groupby(["date", "code"], as_index=False, sort=True)
        .agg({"close": "last", "pe_ttm": "last"})
        .reset_index(drop=True)
    )


def _read_long_history(table: RawTable, code_categories: bool = False) -> pd.DataFrame:
    matches = match_columns(table, HISTORY_FIELDS, "history file")
    if "close" not in matches and "pe_ttm" not in matches:
        raise table.error("the history file needs a close or a pe_ttm column", row=table.header_row)
    size = table.size
    # Dates and codes are read once per distinct cell: a long history repeats them.
    dates, date_codes = read_date_codes(table, matches["date"])
    empty_dates = [i for i, day in enumerate(dates) if day is None]
    if empty_dates:
        index = int(np.flatnonzero(np.isin(date_codes, empty_dates))[0])
        raise table.error(
            "the date is empty", row=table.row_numbers[index], column=matches["date"].header
        )
    texts, code_ids = read_text_codes(table, matches["code"])
    normalised = [normalise_code(text or "") for text in texts]
    if not all(normalised):
        empty_codes = [i for i, code in enumerate(normalised) if not code]
        index = int(np.flatnonzero(np.isin(code_ids, empty_codes))[0])
        raise table.error(
            "the code is empty", row=table.row_numbers[index], column=matches["code"].header
        )
    # Different spellings of one code are one code.
    code_ids, code_names = _merge_spellings(code_ids, normalised)
    date_ids, day_values = _merge_dates(date_codes, dates)
    del date_codes  # a history of millions of rows: keep one array of ids per column
    keys = date_ids.astype(np.int64) * max(len(code_names), 1) + code_ids
    repeated = _repeats(keys)
    del keys
    if repeated:
        keys = date_ids.astype(np.int64) * max(len(code_names), 1) + code_ids
        duplicated = pd.Index(keys).duplicated(keep="first")
        index = int(np.flatnonzero(duplicated)[0])
        raise table.error(
            f"a second row for {code_names[code_ids[index]]} on {day_values[date_ids[index]]}",
            row=table.row_numbers[index],
            column=matches["code"].header,
        )
    # The distinct codes as the frame would type them, each row taking its own.
    names = pd.Series(np.asarray(code_names, dtype=object)).array
    codes = (
        pd.Categorical.from_codes(code_ids, categories=pd.Index(names))
        if code_categories
        else names.take(code_ids)
    )
    # Every column is new here: the frame takes them as they are, uncopied.
    return pd.DataFrame(
        {
            "date": pd.to_datetime(pd.Series(day_values, dtype=object)).to_numpy()[date_ids],
            "code": codes,
            "close": _history_values(table, matches, "close", size),
            "pe_ttm": _history_values(table, matches, "pe_ttm", size),
        },
        copy=False,
    )


def _repeats(keys: npt.NDArray[np.int64]) -> bool:
    """Whether a key appears twice: none where they rise, counted where dense, else hashed."""
    if not len(keys):
        return False
    if bool((keys[1:] > keys[:-1]).all()):
        return False  # a file sorted by date and code
    if keys.max() < 4 * len(keys) + 1024:
        return bool(np.bincount(keys).max() > 1)
    return bool(pd.Index(keys).has_duplicates)


def _history_values(
    table: RawTable, matches: dict[str, ColumnMatch], key: str, size: int
) -> npt.NDArray[np.float64]:
    if key not in matches:
        return np.full(size, np.nan)
    return read_numbers(table, matches[key])


def _merge_spellings(
    ids: npt.NDArray[np.intp], names: list[str]
) -> tuple[npt.NDArray[np.intp], list[str]]:
    """Ids of distinct cells mapped to ids of distinct values (``0700.hk`` and ``0700.HK``)."""
    merged, distinct = pd.factorize(np.asarray(names, dtype=object))
    if len(distinct) == len(names):
        return ids, names  # no two spellings of one code
    return merged[ids], [str(name) for name in distinct]


def _merge_dates(
    ids: npt.NDArray[np.intp], dates: list[dt.date | None]
) -> tuple[npt.NDArray[np.intp], list[dt.date]]:
    """Ids of distinct date cells mapped to ids of distinct dates (``2024-11-29``, ``20241129``)."""
    merged, distinct = pd.factorize(np.asarray(dates, dtype=object))
    if len(distinct) == len(dates):
        return ids, list(distinct)  # no two spellings of one date
    return merged[ids], list(distinct)


def _read_wide_history(table: RawTable, wide_field: str) -> pd.DataFrame:
    if len(table.headers) < 2:
        raise table.error(
            "a history file needs a code column (long layout) or a date column followed by "
            "one column per code (wide layout)",
            row=table.header_row,
        )
    date_field = InputField("date", FieldKind.DATE, ("日期",))
    value_field = InputField(wide_field, FieldKind.NUMBER, positive=wide_field == "close")
    dates = read_dates(table, ColumnMatch(date_field, 0, table.headers[0] or "A"))
    for index, value in enumerate(dates):
        if value is None:
            raise table.error(
                "the date is empty", row=table.row_numbers[index], column=table.headers[0] or "A"
            )
    if len(set(dates)) != len(dates):
        seen: dict[dt.date | None, int] = {}
        for index, value in enumerate(dates):
            if value in seen:
                raise table.error(
                    f"date {value} appears twice (also on row {seen[value]})",
                    row=table.row_numbers[index],
                    column=table.headers[0] or "A",
                )
            seen[value] = table.row_numbers[index]
    seen_codes: dict[str, str] = {}
    codes: list[str] = []
    parts: list[npt.NDArray[np.float64]] = []
    days = pd.to_datetime(pd.Series(dates, dtype=object)).to_numpy()
    for position, header in enumerate(table.headers[1:], start=1):
        if not header:
            if any(not is_missing_cell(c) for c in table.column(position)):
                raise table.error(
                    f"column {position + 1} has data but no code in its header",
                    row=table.header_row,
                )
            continue
        code = normalise_code(split_unit(header)[0])
        if code in seen_codes:
            raise table.error(
                f"{code} has two columns ({seen_codes[code]!r} and {header!r})",
                row=table.header_row,
                column=header,
            )
        seen_codes[code] = header
        codes.append(code)
        parts.append(read_numbers(table, ColumnMatch(value_field, position, header)))
    if not parts:
        raise table.error("the history file has no code columns", row=table.header_row)
    # Long, code by code (every date of the first code, then the next's), built at once.
    values = np.concatenate(parts)
    names = pd.Series(np.asarray(codes, dtype=object)).array
    other = "pe_ttm" if wide_field == "close" else "close"
    frame = pd.DataFrame(
        {
            "date": np.tile(days, len(codes)),
            "code": names.take(np.repeat(np.arange(len(codes)), len(days))),
            wide_field: values,
            other: np.full(len(values), np.nan),
        },
        columns=["date", "code", "close", "pe_ttm"],
        copy=False,
    )
    return frame.dropna(subset=[wide_field]).reset_index(drop=True)
