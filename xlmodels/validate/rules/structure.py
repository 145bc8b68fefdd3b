"""Structure rules: the workbook has the spec's sheets, names and headers, at a known version."""

from __future__ import annotations

import re
from collections.abc import Iterator

from xlmodels.regenerate.migrations import upgrade_description
from xlmodels.spec import HEADER_ROW, SPEC, TableSheet
from xlmodels.validate.context import WorkbookContext
from xlmodels.validate.findings import Severity
from xlmodels.validate.formulas import parse_reference
from xlmodels.validate.layout import cell_name, run_length
from xlmodels.validate.registry import Hit, rule
from xlmodels.validate.values import as_int, describe


@rule(
    "structure.missing-sheet",
    Severity.ERROR,
    "A sheet the coverage spec requires is missing.",
    "Regenerate the workbook (xlmodels regenerate) or restore the sheet from the template; "
    "sheet names are case-sensitive.",
)
def missing_sheet(context: WorkbookContext) -> Iterator[Hit]:
    present = {entry.name for entry in context.book.part.sheets}
    for name in SPEC.sheet_names():
        if name not in present:
            yield Hit(f"the sheet {name!r} is missing", name)


@rule(
    "structure.template-version",
    Severity.ERROR,
    "The template version in Settings is missing, unknown, or older than this xlmodels "
    "(older workbooks say which upgrade applies).",
    "Run xlmodels regenerate to bring the workbook to the current template.",
)
def template_version(context: WorkbookContext) -> Iterator[Hit]:
    layout = context.layout
    sheet, cell = layout.version_cell
    if layout.settings is None and sheet == SPEC.settings.name:
        return  # structure.missing-sheet reports the missing Settings sheet
    version = as_int(layout.version)
    current = SPEC.version
    if version == current:
        return
    skipped = "; the checks against the spec were skipped"
    if layout.version is None:
        message = f"no template version found (expected {current})"
    elif version is None or version < 1:
        message = f"template version {describe(layout.version)} is not a version number"
    elif version < current:
        message = (
            f"template version {version} is older than {current}; run xlmodels regenerate "
            f"to upgrade ({upgrade_description(version)})"
        )
    else:
        message = (
            f"template version {version} is newer than {current}, the latest this xlmodels "
            "knows; upgrade xlmodels"
        )
    yield Hit(message + skipped, sheet, cell)


@rule(
    "structure.broken-name",
    Severity.ERROR,
    "A defined name refers to #REF! (the cells it named were deleted).",
    "Fix or delete the name in Formulas > Name Manager, or regenerate the workbook.",
)
def broken_name(context: WorkbookContext) -> Iterator[Hit]:
    for defined in context.book.names:
        if "#REF!" in defined.text.upper():
            scope = f" (local to {defined.scope!r})" if defined.scope else ""
            yield Hit(
                f"the defined name {defined.name!r}{scope} refers to {defined.text}",
                defined.scope,
            )


def expected_names(context: WorkbookContext) -> dict[str, str]:
    """Spec names that must exist -> where they must point (A1, absolute).

    Sizes come from the workbook: its table rows, the rows of the Settings
    blocks, the dates and codes of History.
    """
    layout = context.layout
    names: dict[str, str] = {}
    for table in layout.tables.values():
        rows = max(table.last - table.first + 1, 1)
        for column in table.spec.columns:
            names[table.spec.range_name(column.key)] = table.spec.data_range(column.key, rows)
    settings = layout.settings
    if settings is not None:
        for setting in SPEC.settings.settings:
            names[setting.name] = SPEC.settings.cell(setting.key)
        probe = SPEC.settings.blocks(1, 1)
        markets = run_length(settings, probe.bench_first_row, 1, down=True)
        tier_top = SPEC.settings.blocks(markets, 1).tier_first_row
        tiers = run_length(settings, tier_top, 1, down=True)
        names.update(SPEC.settings.blocks(markets, tiers).names(SPEC.settings.name))
    history = layout.history()
    if history is not None:
        names.update(SPEC.history.names(history.dates, history.close_count, history.pe_count))
    return names


def _same_range(actual: str, expected: str) -> bool:
    return parse_reference(actual) == parse_reference(expected)


@rule(
    "structure.named-range",
    Severity.ERROR,
    "A named range the spec's formulas use is missing or points somewhere else.",
    "Regenerate the workbook (xlmodels regenerate), or fix the name in Formulas > Name "
    "Manager so that it covers the column's data rows.",
    spec=True,
)
def named_range(context: WorkbookContext) -> Iterator[Hit]:
    for name, expected in expected_names(context).items():
        defined = context.book.name(name)
        if defined is None:
            sheet = expected.split("!", 1)[0].strip("'")
            yield Hit(f"the named range {name!r} is missing (should be {expected})", sheet)
        elif "#REF!" in defined.text.upper():
            continue  # structure.broken-name reports it
        elif not _same_range(defined.text, expected):
            sheet = expected.split("!", 1)[0].strip("'")
            yield Hit(f"the named range {name!r} refers to {defined.text}, not {expected}", sheet)


def _header_pattern(sheet: TableSheet, key: str) -> re.Pattern[str]:
    """Any language's header, placeholders matching anything, spacing ignored."""
    column = sheet.column(key)
    alternatives = []
    for text in column.headers.values():
        pieces = re.split(r"\{[a-z0-9_]+\}", _flat(text))
        alternatives.append(".+?".join(re.escape(piece) for piece in pieces))
    return re.compile(r"^(?:" + "|".join(alternatives) + r")$", re.S)


def _flat(text: str) -> str:
    # Headers wrap onto two lines where the writer (or an analyst) breaks them.
    return "".join(text.split())


@rule(
    "structure.header",
    Severity.ERROR,
    "A column header differs from the spec's (a moved, inserted or renamed column).",
    "Undo the column change or regenerate the workbook; add your own columns to the right "
    "of the spec's.",
    spec=True,
)
def header(context: WorkbookContext) -> Iterator[Hit]:
    for table in context.layout.tables.values():
        for column in table.spec.columns:
            position = table.column(column.key)
            shown = table.data.get(HEADER_ROW, position)
            text = _flat(str(shown)) if shown is not None else ""
            if not _header_pattern(table.spec, column.key).match(text):
                expected = " or ".join(repr(h) for h in column.headers.values())
                yield Hit(
                    f"header {describe(shown) if shown is not None else '(empty)'} where the "
                    f"spec has {expected}",
                    table.spec.name,
                    cell_name(HEADER_ROW, position),
                )
