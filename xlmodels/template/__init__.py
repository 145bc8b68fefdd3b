"""The workbook template: the single source of truth for the coverage workbook.

:mod:`~xlmodels.template.schema` holds the types a template is written in;
:mod:`~xlmodels.template.v3` declares every sheet, column, defined name and
formula of the current template (its formulas built in
:mod:`~xlmodels.template.v3_formulas`), and :mod:`~xlmodels.template.names`
the names of its sheets and fixed blocks. :mod:`~xlmodels.template.v2` and
:mod:`~xlmodels.template.v1` keep the earlier templates' layouts, each
written as its differences from the next, for reading old workbooks, and
:mod:`~xlmodels.template.migrations` carries a workbook from one version to
the next. :mod:`~xlmodels.template.locator` finds a template's content in a
workbook: by its defined names first, by its headers where they fail.
Writing, regenerating, validating and reporting all read the layout from here.
"""
