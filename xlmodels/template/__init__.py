"""The workbook template: the single source of truth for the coverage workbook.

:mod:`~xlmodels.template.spec` declares every sheet, column, defined name and
formula of the current template; :mod:`~xlmodels.template.v1` keeps the first
template's layout for reading old workbooks, and
:mod:`~xlmodels.template.migrations` carries a workbook from one version to
the next. Writing, regenerating, validating and reporting all read the layout
from here.
"""
