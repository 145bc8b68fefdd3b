"""Office Open XML packages checked before any parser reads them.

Below the workbook reader, so that every command applies the same checks:
:mod:`~xlmodels.excel.ooxml.limits` (the bounds), :mod:`~xlmodels.excel.ooxml.cfb`
(telling encrypted and legacy files apart), :mod:`~xlmodels.excel.ooxml.safety`
(the checks on a package's bytes), :mod:`~xlmodels.excel.ooxml.package` (the
workbook part: sheets and their parts) and :mod:`~xlmodels.excel.ooxml.guard`
(the one way a command opens a spreadsheet).
"""
