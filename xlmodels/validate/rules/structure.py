"""Structure rules: the workbook has the spec's sheets, names and headers, at a known version."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from xlmodels.excel.references import Reference, parse_reference
from xlmodels.template.migrations import upgrade_description
from xlmodels.template.schema import HEADER_ROW
from xlmodels.template.v3 import SPEC
from xlmodels.validate.context import WorkbookContext
from xlmodels.validate.findings import Severity
from xlmodels.validate.layout import cell_name, is_header, run_length
from xlmodels.validate.rule import Hit, rule
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
    blocks, the dates and codes of History. A column found by its header
    away from the spec's place is expected where it is: Excel moves a name
    with the column it covers, and a name left behind reads other data.
    """
    layout = context.layout
    names: dict[str, str] = {}
    for table in layout.tables.values():
        for column in table.spec.columns:
            names[table.spec.range_name(column.key)] = table.data_range(column.key)
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


@lru_cache(maxsize=4096)  # the same few hundred names' texts in every workbook of a batch
def _block(text: str) -> Reference | None:
    return parse_reference(text)


def _same_range(actual: str, expected: str) -> bool:
    return _block(actual) == _block(expected)


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
        for index, column in enumerate(table.spec.columns):
            position = index + 1
            shown = table.data.get(HEADER_ROW, position)
            found = table.column(column.key)
            # Fiscal years and currencies vary, so "EPS 2024E" fits the pattern
            # of EPS FY2 too: a column found elsewhere is reported all the same.
            if found == position and is_header(table.spec.name, column.key, shown):
                continue
            expected = " or ".join(repr(h) for h in column.headers.values())
            moved = (
                f"; that header is now in {cell_name(HEADER_ROW, found)}"
                if found != position
                else ""
            )
            yield Hit(
                f"header {describe(shown) if shown is not None else '(empty)'} where the "
                f"spec has {expected}{moved}",
                table.spec.name,
                cell_name(HEADER_ROW, position),
            )
        if not table.found:
            # Data read from guessed columns would give nonsense findings; say
            # once that the sheet was not checked rather than let it pass quietly.
            yield Hit(
                f"the spec's columns cannot be found by their headers ({table.problem}), so "
                f"the data and finance checks that read {table.spec.name} were skipped",
                table.spec.name,
            )
