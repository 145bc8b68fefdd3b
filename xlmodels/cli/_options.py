"""Options and checks shared by the workbook commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlmodels.errors import InputError, SchemeError

__all__ = [
    "INPUT_FILE",
    "check_output",
    "check_reporting_currency",
    "check_scheme",
    "day_first_option",
    "market_option",
    "pe_history_option",
    "reporting_currency_option",
    "scheme_option",
]

#: Typer settings of an input file option: an existing, readable file.
INPUT_FILE = {"exists": True, "dir_okay": False, "readable": True}

market_option = Annotated[
    Path,
    typer.Option("--market", help="Closes, price dates, shares and FX rows.", **INPUT_FILE),
]

pe_history_option = Annotated[
    Path | None,
    typer.Option("--pe-history", help="PE-TTM series in the wide layout.", **INPUT_FILE),
]


day_first_option = Annotated[
    bool | None,
    typer.Option(
        "--day-first/--month-first",
        help="Read slash dates with the year last as day/month/year (29/11/2024) or "
        "month/day/year (11/29/2024, as Bloomberg and US Excel write them). Default: "
        "as each column shows (a day above 12); a column whose dates read both ways "
        "is refused.",
        show_default=False,
    ),
]


def check_scheme(value: str) -> str:
    """A known rating scheme id, or a usage error listing them."""
    from xlmodels.core.ratings import load_scheme

    try:
        return load_scheme(value).id
    except SchemeError as error:
        raise typer.BadParameter(str(error)) from None


scheme_option = Annotated[
    str,
    typer.Option(
        "--scheme",
        callback=check_scheme,
        help="Rating scheme id (guosen, csc, cms, ubs, or one of your own).",
    ),
]


def check_reporting_currency(value: str | None) -> str | None:
    """An ISO currency code (aliases such as RMB resolved), or a usage error."""
    # Imported when run: the core's FX module brings numpy, which --help never needs.
    from xlmodels.core.fx import currency_code

    try:
        return currency_code(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


reporting_currency_option = Annotated[
    str | None,
    typer.Option(
        "--reporting-currency",
        callback=check_reporting_currency,
        help="Show every market cap in this currency (ISO code such as HKD), converted "
        "with the market file's FX rows (USDHKD: HKD per USD); a company without a rate "
        "shows no market cap. Default: each company's own price currency.",
        show_default=False,
    ),
]


def check_output(path: Path) -> None:
    """An output workbook path must end in .xlsx and sit in an existing folder."""
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"the output must be an .xlsx file, got {path.name!r}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"the folder {folder} does not exist")
