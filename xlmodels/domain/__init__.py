"""The coverage data model and the computations on it.

:mod:`~xlmodels.domain.model` holds what one coverage universe is (companies,
estimates, prices, FX, benchmarks, history);
:mod:`~xlmodels.domain.coverage` and :mod:`~xlmodels.domain.performance`
compute the Coverage, Performance and Valuation figures from it with the
core. The workbook writer and the validator's recomputation both call these,
so a number has one definition.
"""
