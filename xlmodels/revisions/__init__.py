"""Estimate revisions: what changed in a coverage workbook, and when.

* :mod:`~xlmodels.revisions.snapshot`: a workbook's estimates at one
  moment (analyst inputs and what they compute to);
* :mod:`~xlmodels.revisions.changes`: the changes between two snapshots;
* :mod:`~xlmodels.revisions.workbooks`: the semantic diff of two workbook
  files (``xlmodels diff``), with the market refresh and integrity changes;
* :mod:`~xlmodels.revisions.render`: that diff as text, Markdown or JSON;
* :mod:`~xlmodels.revisions.textconv`: a workbook as stable lines for git;
* :mod:`~xlmodels.revisions.store`: the revision history regeneration
  records beside the workbooks (SQLite), and what changed between records.

This package imports none of its modules: regeneration writes the store
through :mod:`~xlmodels.revisions.store`, which sits below it, while the
workbook diff reads workbooks the way regeneration does and sits above it.
"""
