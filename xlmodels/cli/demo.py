"""``xlmodels demo``: the whole chain on the bundled sample data."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from xlmodels import sample
from xlmodels.cli._app import Language, app, console, user_errors
from xlmodels.coverage import compute_coverage
from xlmodels.report.coverage_table import coverage_display_table


@app.command()
def demo(
    lang: Annotated[Language, typer.Option("--lang", help="Language of labels.")] = Language.zh,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the table as JSON records.")
    ] = False,
) -> None:
    """Compute the reference report's coverage table from the bundled sample data.

    The sample reproduces a December 2024 internet-sector report: four covered
    companies with EPS in CNY and prices in HKD, converted at the report date's
    HKD per CNY rate. Sample data, not investment data.

    Example: [bold]xlmodels demo --lang en[/bold]
    """
    with user_errors():
        inputs = sample.load_inputs(lang=lang.value)
        coverage = compute_coverage(inputs)
        table = coverage_display_table(coverage, inputs.settings)
    if as_json:
        console.print_json(json.dumps(table.to_dict(orient="records"), ensure_ascii=False))
        return
    title = {"zh": "重点公司盈利预测及投资评级", "en": "Coverage: estimates and ratings"}[
        lang.value
    ]
    view = Table(title=title, caption="Sample data (not investment data)")
    for position, header in enumerate(table.columns):
        view.add_column(header, justify="left" if position < 3 else "right")
    for row in table.itertuples(index=False):
        view.add_row(*row)
    console.print(view)
