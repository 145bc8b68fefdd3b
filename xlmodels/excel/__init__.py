"""The Excel layer: what a spreadsheet cell, formula and file can be.

Cell values, error values, date serials and blanks
(:mod:`~xlmodels.excel.cells`, :mod:`~xlmodels.excel.errors`,
:mod:`~xlmodels.excel.numbers`), formula tokens and references
(:mod:`~xlmodels.excel.formulas`), and the one guarded way to open an Office
Open XML package (:mod:`~xlmodels.excel.ooxml`). Knows nothing of the
coverage template.
"""
