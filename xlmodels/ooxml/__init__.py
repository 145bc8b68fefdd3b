"""Office Open XML packages checked before any parser reads them.

Below the workbook reader, so that every command applies the same checks:
:mod:`~xlmodels.ooxml.limits` (the bounds), :mod:`~xlmodels.ooxml.cfb`
(telling encrypted and legacy files apart), :mod:`~xlmodels.ooxml.safety`
(the checks on a package's bytes), :mod:`~xlmodels.ooxml.package` (the
workbook part: sheets and their parts) and :mod:`~xlmodels.ooxml.guard`
(the one way a command opens a spreadsheet).
"""
