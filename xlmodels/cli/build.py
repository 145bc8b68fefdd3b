"""``xlmodels build``: one filled coverage workbook from input files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from xlmodels.cli._app import FormulaMode, Language, app, print_text, user_errors
from xlmodels.cli._options import (
    INPUT_FILE,
    check_output,
    day_first_option,
    market_option,
    pe_history_option,
    reporting_currency_option,
    scheme_option,
)
from xlmodels.core.methods import PERCENTILE_METHODS, RELATIVE_METHODS


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _choice(accepted: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in accepted:
            raise typer.BadParameter(f"choose from {', '.join(accepted)}")
        return value

    return check


@app.command()
def build(
    universe: Annotated[
        Path, typer.Option("--universe", help="Covered companies (CSV or XLSX).", **INPUT_FILE)
    ],
    market: market_option,
    estimates: Annotated[
        Path,
        typer.Option("--estimates", help="Analyst EPS, target multiples, overrides.", **INPUT_FILE),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The .xlsx file to write.")],
    history: Annotated[
        Path | None,
        typer.Option("--history", help="Daily closes (and PE-TTM), long or wide.", **INPUT_FILE),
    ] = None,
    pe_history: pe_history_option = None,
    day_first: day_first_option = None,
    indexes: Annotated[
        Path | None,
        typer.Option("--indexes", help="Benchmark indexes: code, name, market.", **INPUT_FILE),
    ] = None,
    lang: Annotated[Language, typer.Option("--lang", help="Language of the workbook.")] = (
        Language.zh
    ),
    formulas: Annotated[
        FormulaMode,
        typer.Option("--formulas", help="sq: SQ_ functions (xlwings); native: plain Excel."),
    ] = FormulaMode.sq,
    report_date: Annotated[
        dt.datetime | None,
        typer.Option("--report-date", formats=["%Y-%m-%d"], help="Default: the latest price date."),
    ] = None,
    fy1: Annotated[
        int | None,
        typer.Option("--fy1", help="Year of FY1 (2024 for 2024E). Default: from the report date."),
    ] = None,
    period_start: Annotated[
        dt.datetime | None,
        typer.Option(
            "--period-start",
            formats=["%Y-%m-%d"],
            help="Returns from this close. Default: the previous month's last day.",
        ),
    ] = None,
    period_end: Annotated[
        dt.datetime | None,
        typer.Option(
            "--period-end", formats=["%Y-%m-%d"], help="Returns to this close. Default: price date."
        ),
    ] = None,
    scheme: scheme_option = "guosen",
    percentile_method: Annotated[
        str,
        typer.Option(
            "--percentile-method",
            callback=_choice(PERCENTILE_METHODS),
            help=f"Valuation percentile: {', '.join(PERCENTILE_METHODS)}. strict is the "
            "share of history below today, what research reports quote; inc is Excel's "
            "PERCENTRANK.INC.",
        ),
    ] = "strict",
    relative_method: Annotated[
        str,
        typer.Option(
            "--relative-method",
            callback=_choice(RELATIVE_METHODS),
            help=f"Relative returns: {', '.join(RELATIVE_METHODS)}.",
        ),
    ] = "arithmetic",
    data_note: Annotated[
        str, typer.Option("--data-note", help="Provenance shown inside the workbook.")
    ] = "",
    reporting_currency: reporting_currency_option = None,
) -> None:
    """Build one coverage workbook from a universe, a market snapshot and estimates.

    Input files are CSV (UTF-8 or GBK) or XLSX, with our column names or
    Wind's and Bloomberg's (证券代码, 收盘价, 总股本, PX_LAST, EQY_SH_OUT...).
    FX rates are rows of the market file (code CNYHKD: HKD per CNY). Every
    problem is reported with its file, row and column, and nothing is written.

    Defaults from the market file's latest price date: report date = price
    date; period = previous month's last day to the price date; FY1 = the
    year of the first fiscal year-end on or after the report date.

    Example:

      [bold]xlmodels build --universe universe.csv --market market.csv
      --estimates estimates.csv --history history.csv --out coverage.xlsx[/bold]
    """
    # Imported when run: --help and the other commands never load the readers or the writer.
    from xlmodels.sources import InputFiles, SettingsChoices, load_inputs
    from xlmodels.workbook import write_workbook

    with user_errors():
        check_output(out)
        inputs = load_inputs(
            InputFiles(
                universe, market, estimates, history, pe_history, indexes, day_first=day_first
            ),
            SettingsChoices(
                report_date=_date(report_date),
                fy1_year=fy1,
                period_start=_date(period_start),
                period_end=_date(period_end),
                scheme=scheme,
                lang=lang.value,
                percentile_method=percentile_method,
                relative_method=relative_method,
                data_note=data_note,
                reporting_currency=reporting_currency,
            ),
        )
        content = write_workbook(out, inputs, mode=formulas.value)
    settings = content.inputs.settings
    print_text(
        f"wrote {out}: {len(content.inputs.universe)} companies, "
        f"{content.history.rows} history dates, report date {settings.report_date}, "
        f"{formulas.value} formulas, {lang.value}"
    )
