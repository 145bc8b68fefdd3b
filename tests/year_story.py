"""The year's story, month by month, and its run through the command line.

A Hong Kong and US coverage (``tests/year_market.py``) is built at the end of
July 2024 and refreshed every month to June 2025 as a research team runs it:
each month a new market snapshot and a longer history, the analyst's edits
typed into the workbook between months (:data:`STORY`), ``regenerate``,
``validate`` and ``report`` in Chinese and English. The story crosses the
calendar year end, the Lunar New Year holidays at a January month-end, the
March results season and the roll that follows in May, a January whose
history was not refreshed, and a month in which a stock ends where it began.
:func:`run_year` runs it and keeps every month's outcome in a
:class:`YearRecord` for the checks of ``tests/regenerate/test_year_in_the_life.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from tests.cli_helpers import Cli
from tests.year_helpers import (
    Desk,
    MonthData,
    add_own_sheet,
    published_workbook,
    read_month,
    type_benchmark_er,
    type_estimates,
)
from tests.year_market import (
    COMPANIES,
    MONTH_ENDS,
    WORKBOOK,
    MonthFiles,
    Year,
    write_estimates,
    write_month,
)

MONTHS = MONTH_ENDS

FIRST_FY1 = 2024


# --------------------------------------------------------------------------- the story


def _type(path: Path, desk: Desk, code: str, **fields: Any) -> None:
    """The analyst types into the workbook; the desk records what was meant.

    ``eps_fy1``..``eps_fy3`` name the workbook's slots, which the desk keeps
    by calendar year (FY1 is ``desk.fy1``).
    """
    estimate = desk.estimates[code]
    for name, value in fields.items():
        if name.startswith("eps_fy"):
            year = desk.fy1 + int(name[-1]) - 1
            if value is None:
                estimate.eps.pop(year, None)
            else:
                estimate.eps[year] = value
        elif name == "target_multiple":
            estimate.target_multiple = value
        elif name == "target_year":
            estimate.target_year = value
        elif name == "rating_override":
            estimate.override = value
        elif name == "override_reason":
            estimate.reason = value
        elif name == "notes":
            estimate.notes = value
        elif name == "eps_basis":
            estimate.basis = value
        else:
            raise AssertionError(f"no such input: {name}")
    type_estimates(path, {code: fields})


def _august(path: Path, desk: Desk) -> None:
    _type(path, desk, "0700.HK", eps_fy2=26.6, notes="FY2 raised after the Q2 beat")


def _september(path: Path, desk: Desk) -> None:
    _type(path, desk, "1810.HK", target_multiple=26.0)


def _october(path: Path, desk: Desk) -> None:
    _type(path, desk, "9988.HK", rating_override="中性", override_reason="监管不确定性仍在")


def _november(path: Path, desk: Desk) -> None:
    add_own_sheet(path)


def _december(path: Path, desk: Desk) -> None:
    type_benchmark_er(path, "HK", 0.05)
    desk.benchmark_er["HK"] = 0.05
    _type(path, desk, "3690.HK", target_year="blended")


def _january(path: Path, desk: Desk) -> None:
    _type(path, desk, "PDD.O", eps_basis="reported", notes="EPS per ADS, GAAP")


def _february(path: Path, desk: Desk) -> None:
    _type(path, desk, "9988.HK", rating_override=None, override_reason=None)


def _march(path: Path, desk: Desk) -> None:
    # Results season: FY2024 actuals replace the estimates, next years revised.
    _type(path, desk, "0700.HK", eps_fy1=23.1, eps_fy2=27.0)
    _type(path, desk, "PDD.O", eps_fy1=80.2, eps_fy2=92.0, eps_fy3=104.5)
    _type(path, desk, "AMZN.O", eps_fy1=5.53, eps_fy2=6.4)


def _june(path: Path, desk: Desk) -> None:
    # After the roll: the new FY3 (2027E) filled in, Tencent valued on the new FY2.
    for company in COMPANIES:
        _type(path, desk, company.code, eps_fy3=company.eps[2027])
    _type(path, desk, "0700.HK", target_year="FY2")
    _type(path, desk, "1810.HK", target_multiple=24.0, notes="Multiple trimmed after the rally")


@dataclass(frozen=True)
class Chapter:
    """What happens in a month besides the refresh."""

    edit: Callable[[Path, Desk], None] | None = None
    langs: tuple[str, ...] = ("zh",)
    formats: str = "md,xlsx,csv"
    history_through: dt.date | None = None  # the history file ends before the month-end
    stale_attempts: bool = False  # first tried without fresh history, which is refused
    roll: bool = False  # the estimates roll after the annual results, once the validator warns


STORY = {
    MONTHS[0]: Chapter(langs=("zh", "en")),
    MONTHS[1]: Chapter(_august),
    # The vendor's history was exported the day before the month's last close.
    MONTHS[2]: Chapter(_september, history_through=dt.date(2024, 9, 27)),
    MONTHS[3]: Chapter(_october),
    MONTHS[4]: Chapter(_november, langs=("zh", "en")),
    MONTHS[5]: Chapter(_december),
    MONTHS[6]: Chapter(_january, langs=("zh", "en"), formats="md,html,xlsx,csv,png,svg",
                       stale_attempts=True),
    MONTHS[7]: Chapter(_february),
    MONTHS[8]: Chapter(_march, langs=("zh", "en")),
    MONTHS[9]: Chapter(),
    # The 2024 results came out in March; the roll waits until May, when validate warns.
    MONTHS[10]: Chapter(roll=True, langs=("zh", "en")),  # no edit: see the estimates test
    MONTHS[11]: Chapter(_june, langs=("zh", "en")),
}  # fmt: skip


# --------------------------------------------------------------------------- running the year


@dataclass
class Month:
    """What one month did and published."""

    end: dt.date
    files: MonthFiles
    data: MonthData
    desk: Desk  # the analyst's inputs after the month's edits
    regenerated: dict[str, Any]  # regenerate --json (build: an equivalent record)
    validated: dict[str, Any]  # validate --format json
    workbook: Path  # a copy of the month's workbook
    published: dict[str, pd.DataFrame]
    reports: dict[str, Path] = field(default_factory=dict)  # lang -> report folder
    report_files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    refusals: list[dict[str, Any]] = field(default_factory=list)
    roll: dict[str, Any] = field(default_factory=dict)  # the roll's steps, by name
    old_estimates: dict[str, Any] = field(default_factory=dict)  # last year's file, refused


@dataclass
class YearRecord:
    months: list[Month]
    root: Path

    def __iter__(self) -> Any:
        return iter(self.months)


def _ok(result: Any, what: str) -> Any:
    assert result.exit_code == 0, f"{what}: exit {result.exit_code}\n{result.output}"
    return result.json() if result.stdout.lstrip().startswith("{") else None


def _stale_attempts(cli: Cli, books: Path, root: Path, year: Year, end: dt.date) -> list[Any]:
    """January without fresh history: refused each time, and the workbook left as it was."""
    files = write_month(year, root / "without-history", end)
    before = (books / WORKBOOK).read_bytes()
    refusals = []
    # 1. No history file: the market file's closes extend the workbook's
    #    History, but the PE-TTM series (which no market file carries) stops in December.
    no_history = cli("regenerate", *files.arguments(history=False), "--dir", books, "--json")
    # 2. Last month's file given again: the closes stop at the period start too.
    november = write_month(year, root / "stale-history", end, history_through=MONTHS[4])
    stale = cli("regenerate", *files.arguments(history=november.history), "--dir", books, "--json")
    for result in (no_history, stale):
        assert (books / WORKBOOK).read_bytes() == before
        refusals.append({"exit_code": result.exit_code, "json": result.json()})
    # 3. The un-refreshed workbook with January's dates typed into Settings: validate
    #    and report refuse rather than print December's closes as January's.
    typed = root / "typed-dates" / WORKBOOK
    typed.parent.mkdir()
    shutil.copy(books / WORKBOOK, typed)
    book = openpyxl.load_workbook(typed)
    for name in ("set_report_date", "set_period_end"):
        sheet, reference = next(iter(book.defined_names[name].destinations))
        book[sheet][reference.replace("$", "")] = dt.datetime.combine(end, dt.time())
    book.save(typed)
    checked = cli("validate", typed, "--format", "json")
    reported = cli("report", typed, "--out", root / "typed-report", "--format", "md")
    refusals.append({"exit_code": checked.exit_code, "json": checked.json()})
    refusals.append(
        {"exit_code": reported.exit_code, "text": reported.text, "root": root / "typed-report"}
    )
    return refusals


def _last_years_estimates(cli: Cli, books: Path, files: MonthFiles, folder: Path) -> dict[str, Any]:
    """After the roll, last year's estimates file (EPS 2024E...) is refused, nothing written."""
    before = (books / WORKBOOK).read_bytes()
    old = write_estimates(folder / "old-estimates", FIRST_FY1)
    result = cli("regenerate", *files.arguments(), "--estimates", old, "--dir", books, "--json")
    assert (books / WORKBOOK).read_bytes() == before
    return {"exit_code": result.exit_code, "json": result.json()}


def _roll(cli: Cli, books: Path, desk: Desk) -> dict[str, Any]:
    """The roll after the results: warned of, tried dry, done, done again (nothing to do)."""
    steps: dict[str, Any] = {"warned": cli("validate", books, "--format", "json").json()}
    before = (books / WORKBOOK).read_bytes()
    dry = cli("roll", books, "--dry-run", "--json")
    steps["dry_run"] = {"exit_code": dry.exit_code, "json": dry.json()}
    steps["dry_run_wrote"] = (books / WORKBOOK).read_bytes() != before
    steps["rolled"] = _ok(cli("roll", books, "--json"), "roll")
    desk.roll()
    rolled = (books / WORKBOOK).read_bytes()
    steps["again"] = _ok(cli("roll", books, "--json"), "roll again")
    steps["again_wrote"] = (books / WORKBOOK).read_bytes() != rolled
    return steps


def run_year(root: Path) -> YearRecord:
    cli = Cli()
    year = Year()
    books = root / "books"
    books.mkdir()
    desk = Desk.first(FIRST_FY1)
    months = []
    for number, end in enumerate(MONTHS):
        chapter = STORY[end]
        folder = root / f"{end:%Y-%m}"
        refusals: list[dict[str, Any]] = []
        old_estimates: dict[str, Any] = {}
        if chapter.edit is not None:
            chapter.edit(books / WORKBOOK, desk)
        if chapter.stale_attempts:
            refusals = _stale_attempts(cli, books, folder / "attempts", year, end)
        files = write_month(year, folder / "inputs", end, history_through=chapter.history_through)
        if desk.fy1 == FIRST_FY1:
            files.estimates = write_estimates(folder / "inputs", FIRST_FY1)
        else:
            old_estimates = _last_years_estimates(cli, books, files, folder)
        if number == 0:
            # The first month: one build, then the folder is the team's.
            built = cli("build", *files.arguments(), "--out", books / WORKBOOK)
            _ok(built, "build")
            regenerated = {"workbooks": [{"file": WORKBOOK, "status": "created"}]}
        else:
            regenerated = _ok(
                cli("regenerate", *files.arguments(), "--dir", books, "--json"),
                f"regenerate {end}",
            )
        validated = cli("validate", books, "--format", "json").json()
        roll: dict[str, Any] = {}
        if chapter.roll:
            roll = _roll(cli, books, desk)
            validated = cli("validate", books, "--format", "json").json()
        copy_path = folder / "workbook" / WORKBOOK
        copy_path.parent.mkdir(parents=True)
        shutil.copy(books / WORKBOOK, copy_path)
        month = Month(
            end=end,
            files=files,
            data=read_month(files),
            desk=copy.deepcopy(desk),
            regenerated=regenerated,
            validated=validated,
            workbook=copy_path,
            published=published_workbook(copy_path),
            refusals=refusals,
            roll=roll,
            old_estimates=old_estimates,
        )
        for lang in chapter.langs:
            out = folder / f"report-{lang}"
            written = _ok(
                cli(
                    "report", books / WORKBOOK, "--out", out, "--lang", lang,
                    "--format", chapter.formats, "--json",
                ),
                f"report {end} {lang}",
            )  # fmt: skip
            month.reports[lang] = out
            month.report_files[lang] = written["files"]
        months.append(month)
    return YearRecord(months, root)
