"""``xlmodels regenerate``: refresh a folder of coverage workbooks, one per coverage group."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from xlmodels.cli._app import (
    FormulaMode,
    Language,
    app,
    print_error,
    user_errors,
)
from xlmodels.cli._batch import print_batch, progress
from xlmodels.cli._options import (
    INPUT_FILE,
    check_reporting_currency,
    day_first_option,
    market_option,
    pe_history_option,
    scheme_option,
)
from xlmodels.regenerate.lock import DEFAULT_WAIT, FolderBusy
from xlmodels.runtime.printable import printable_data

if TYPE_CHECKING:  # the batch's modules are imported when the command runs
    from xlmodels.domain.model import CoverageInputs
    from xlmodels.regenerate import BatchResult, RegenerateOptions


def _print_summary(result: BatchResult) -> None:
    title = (
        f"Dry run of {result.folder}: nothing was written"
        if result.dry_run
        else f"Regenerated {result.folder}"
    )
    print_batch(title, result, result.dry_run)


@app.command()
def regenerate(
    universe: Annotated[
        Path,
        typer.Option(
            "--universe", help="Covered companies with their coverage group.", **INPUT_FILE
        ),
    ],
    market: market_option,
    folder: Annotated[
        Path,
        typer.Option(
            "--dir",
            help="The folder of coverage workbooks (one per coverage group).",
            exists=True,
            file_okay=False,
        ),
    ],
    estimates: Annotated[
        Path | None,
        typer.Option(
            "--estimates",
            help="Fills companies and blank input cells the workbooks lack; never overrides.",
            **INPUT_FILE,
        ),
    ] = None,
    history: Annotated[
        Path | None,
        typer.Option(
            "--history",
            help="Daily closes (and PE-TTM). Without it each workbook keeps its own history.",
            **INPUT_FILE,
        ),
    ] = None,
    pe_history: pe_history_option = None,
    day_first: day_first_option = None,
    indexes: Annotated[
        Path | None,
        typer.Option("--indexes", help="Benchmark and sector indexes.", **INPUT_FILE),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Workbooks regenerated at once.")
    ] = 1,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="List what would change, cell by cell; write nothing."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Regenerate workbooks with conflicts too, keeping each previous file as a "
            "timestamped backup in the .backups folder beside it (which validate skips).",
        ),
    ] = False,
    skip_open: Annotated[
        bool,
        typer.Option(
            "--skip-open",
            help="Exit 0 even if a workbook open in Excel (or changed during the run) was "
            "skipped. Without it such a run exits 1, naming the workbook.",
        ),
    ] = False,
    formulas: Annotated[
        FormulaMode | None,
        typer.Option("--formulas", help="Formula mode to write. Default: each workbook's own."),
    ] = None,
    lang: Annotated[
        Language | None,
        typer.Option("--lang", help="Language to write. Default: each workbook's own (zh)."),
    ] = None,
    report_date: Annotated[
        dt.datetime | None,
        typer.Option("--report-date", formats=["%Y-%m-%d"], help="Default: the latest price date."),
    ] = None,
    scheme: scheme_option = "guosen",
    data_note: Annotated[
        str | None,
        typer.Option("--data-note", help="Provenance shown in the workbooks. Default: kept."),
    ] = None,
    reporting_currency: Annotated[
        str | None,
        typer.Option(
            "--reporting-currency",
            callback=check_reporting_currency,
            help="Currency of market caps (ISO code such as HKD) for new workbooks and "
            "those whose Settings leave it blank; a workbook's own setting is kept.",
            show_default=False,
        ),
    ] = None,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            min=0,
            help="Seconds to wait for another regeneration of the folder to finish.",
        ),
    ] = DEFAULT_WAIT,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the outcome as JSON (a dry run's every cell).")
    ] = False,
) -> None:
    """Create or refresh one coverage workbook per coverage group in a folder.

    Each coverage group of the universe gets a workbook (hk-internet.xlsx for
    "HK Internet"); an existing one is found by the group it records. Prices,
    FX, shares and history are refreshed from the files; every analyst input
    (Estimates, Settings inputs, benchmark expected returns) is carried over,
    also across a template upgrade. The estimates file only fills what a
    workbook lacks; where it disagrees, the workbook wins and it is reported.

    Sheets of your own are carried with their cells, formats, merged cells,
    widths and names. What cannot be carried (a chart or pivot on your own
    sheet, an edited formula, a number typed over a formula, inputs of a
    company leaving the universe, a name of your own on a template sheet)
    stops that workbook; --force proceeds and keeps a backup in .backups/.
    Workbooks open in Excel are skipped. Each run records the workbooks'
    estimates in the folder's revision history (.xlmodels-revisions.sqlite;
    see xlmodels revisions). Exit code 0 when every workbook is done, 1 when a
    workbook failed, was stopped by conflicts or was skipped (unless
    --skip-open), or the folder is busy, or the revision history could not be
    written; 2 for bad usage or unreadable input files (then nothing is
    written).

    Example:

      [bold]xlmodels regenerate --universe universe.csv --market market.csv
      --history history.csv --dir coverage/ --jobs 2[/bold]
    """
    # Imported when run: --help and the other commands never load the readers and writers.
    from xlmodels.regenerate import RegenerateOptions
    from xlmodels.regenerate.plan import coverage_groups
    from xlmodels.sources import InputFiles, SettingsChoices, load_inputs

    with user_errors():
        inputs = load_inputs(
            InputFiles(
                universe, market, estimates, history, pe_history, indexes, day_first=day_first
            ),
            SettingsChoices(
                report_date=report_date.date() if report_date else None,
                scheme=scheme,
                lang=(lang or Language.zh).value,
                reporting_currency=reporting_currency,
            ),
        )
        coverage_groups(inputs, universe)
        options = RegenerateOptions(
            jobs=jobs,
            dry_run=dry_run,
            force=force,
            mode=formulas.value if formulas else None,
            lang=lang.value if lang else None,
            data_note=data_note,
            wait=wait,
            skip_open=skip_open,
        )
        try:
            result = _run(folder, inputs, options, universe)
        except FolderBusy as error:
            print_error(str(error))
            raise typer.Exit(1) from None
    if as_json:
        listing = printable_data(result.as_dict())
        sys.stdout.write(json.dumps(listing, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_summary(result)
    if not result.skip_open:
        for skipped in result.skipped:
            print_error(
                f"{skipped.file} was not regenerated ({skipped.reason}); "
                "--skip-open accepts a skipped workbook"
            )
    raise typer.Exit(result.exit_code)


def _run(
    folder: Path, inputs: CoverageInputs, options: RegenerateOptions, universe_file: Path
) -> BatchResult:
    from xlmodels.regenerate import regenerate_folder

    with progress("regenerating") as bar:
        return regenerate_folder(
            folder,
            inputs,
            options,
            universe_file=universe_file,
            on_start=bar.on_start,
            on_result=bar.on_result,
        )
