"""The workbook template: the single source of truth for the coverage workbook.

:mod:`~xlmodels.template.schema` holds the types a template is written in;
:mod:`~xlmodels.template.v2` declares every sheet, column, defined name and
formula of the current template (its formulas built in
:mod:`~xlmodels.template.v2_formulas`), and :mod:`~xlmodels.template.names`
the names of its sheets and fixed blocks. :mod:`~xlmodels.template.v1` keeps
the first template's layout for reading old workbooks, and
:mod:`~xlmodels.template.migrations` carries a workbook from one version to
the next. :mod:`~xlmodels.template.locator` finds a template's content in a
workbook: by its defined names first, by its headers where they fail.
Writing, regenerating, validating and reporting all read the layout from here.
"""
