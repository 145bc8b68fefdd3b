"""Native Excel charts of the coverage workbook, drawn from its own cells.

* Performance: the month's relative return of every company as horizontal
  bars, one per company, in the sheet's order (first company on top).
* Valuation: for each PE-TTM series, its history as a line with today's value
  marked and labelled with the Valuation row's ``label`` (PE and percentile).

The charts reference cells, never copies of numbers, so they follow the
workbook when Excel recalculates.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xlmodels.excel.cells import excel_serial
from xlmodels.template.schema import FIRST_DATA_ROW, HEADER_ROW, ChartSpec, column_letter
from xlmodels.workbook.content import WorkbookContent

__all__ = ["add_charts"]

_BAR_COLOUR = "#2F5597"
_LINE_COLOUR = "#2F5597"
_MARK_COLOUR = "#C00000"


def _anchor(anchor: str) -> tuple[int, int]:
    letters = "".join(c for c in anchor if c.isalpha())
    number = int("".join(c for c in anchor if c.isdigit()))
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return number - 1, column - 1


def _relative_returns(
    workbook: Workbook, sheet: Worksheet, chart: ChartSpec, content: WorkbookContent
) -> None:
    table = content.tables[chart.sheet]
    spec = table.sheet
    stocks = sum(1 for kind in table.column_values.get("kind", []) if kind == "stock")
    rows = max(stocks, 1)
    first = FIRST_DATA_ROW - 1
    last = first + rows - 1
    bars = workbook.add_chart({"type": "bar"})
    assert bars is not None
    bars.add_series(
        {
            "name": [chart.sheet, HEADER_ROW - 1, spec.position("relative_return")],
            "categories": [chart.sheet, first, spec.position("name"), last, spec.position("name")],
            "values": [
                chart.sheet,
                first,
                spec.position("relative_return"),
                last,
                spec.position("relative_return"),
            ],
            "fill": {"color": _BAR_COLOUR},
            "data_labels": {"value": True, "num_format": "0.0%"},
            "gap": 60,
        }
    )
    bars.set_title({"name": chart.titles[content.lang], "name_font": {"size": 12}})
    bars.set_legend({"none": True})
    bars.set_x_axis({"num_format": "0%", "major_gridlines": {"visible": True}})
    # Bars run bottom-up by default; reversed, the first company is on top.
    # Labels at the low end keep names clear of the bars of negative returns.
    bars.set_y_axis({"reverse": True, "label_position": "low"})
    bars.set_size({"width": 560, "height": max(260, 60 + 26 * rows)})
    row, column = _anchor(chart.anchor)
    sheet.insert_chart(row, column, bars)


def _pe_histories(
    workbook: Workbook, sheet: Worksheet, chart: ChartSpec, content: WorkbookContent
) -> None:
    table = content.tables[chart.sheet]
    spec = table.sheet
    history = content.history
    history_name = content.spec.history.name
    last_date_row = FIRST_DATA_ROW - 1 + max(history.rows, 1) - 1
    pe_start = content.spec.history.pe_start(len(history.close_codes))
    top, column = _anchor(chart.anchor)
    drawn = 0
    for index, code in enumerate(table.codes):
        if code not in history.pe_codes:
            continue
        pe_column = pe_start + history.pe_codes.index(code)
        row = FIRST_DATA_ROW - 1 + index
        line = workbook.add_chart({"type": "scatter", "subtype": "straight"})
        assert line is not None
        line.add_series(
            {
                "name": [chart.sheet, row, spec.position("name")],
                "categories": [history_name, FIRST_DATA_ROW - 1, 0, last_date_row, 0],
                "values": [history_name, FIRST_DATA_ROW - 1, pe_column, last_date_row, pe_column],
                "line": {"color": _LINE_COLOUR, "width": 1.25},
                "marker": {"type": "none"},
            }
        )
        line.add_series(
            {
                "name": [chart.sheet, HEADER_ROW - 1, spec.position("label")],
                "categories": [
                    chart.sheet,
                    row,
                    spec.position("as_of"),
                    row,
                    spec.position("as_of"),
                ],
                "values": [chart.sheet, row, spec.position("pe_ttm"), row, spec.position("pe_ttm")],
                "line": {"none": True},
                "marker": {
                    "type": "circle",
                    "size": 8,
                    "fill": {"color": _MARK_COLOUR},
                    "border": {"color": _MARK_COLOUR},
                },
                "data_labels": {
                    "value": True,
                    "position": "above",
                    "custom": [
                        {
                            "value": f"='{chart.sheet}'!"
                            f"${column_letter(spec.position('label'))}${row + 1}"
                        }
                    ],
                },
            }
        )
        name = table.column_values["name"][index]
        line.set_title({"name": f"{name} {chart.titles[content.lang]}", "name_font": {"size": 12}})
        line.set_legend({"none": True})
        x_axis: dict[str, object] = {"num_format": "yyyy-mm", "major_gridlines": {"visible": False}}
        if history.dates:
            x_axis.update(min=excel_serial(history.dates[0]), max=excel_serial(history.dates[-1]))
        line.set_x_axis(x_axis)
        line.set_y_axis({"num_format": '0"x"', "major_gridlines": {"visible": True}})
        line.set_size({"width": 640, "height": 320})
        # One chart per series, stacked down the sheet.
        sheet.insert_chart(top + chart.rows_tall * drawn, column, line)
        drawn += 1


_DRAWERS = {"relative_returns": _relative_returns, "pe_ttm_history": _pe_histories}


def add_charts(workbook: Workbook, sheets: dict[str, Worksheet], content: WorkbookContent) -> None:
    """Draw every chart of the spec on its sheet."""
    for chart in content.spec.charts:
        if chart.key not in _DRAWERS:
            raise KeyError(f"no drawing for chart {chart.key!r} of the spec")
        _DRAWERS[chart.key](workbook, sheets[chart.sheet], chart, content)
