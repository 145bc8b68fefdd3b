"""The SQ_ worksheet functions, exposed to Excel through xlwings.

This package is the module Excel loads: ``UDF_MODULES`` is ``udfs`` for
classic desktop Excel, and ``from udfs import *`` in xlwings Lite's
``main.py`` makes the functions custom functions there. In Python the
functions are plain functions taking and returning cell values (numbers,
text, lists of lists), listed by name in :data:`FUNCTIONS`.

>>> from udfs import SQ_PE, SQ_RATING
>>> round(SQ_PE(398.0, 24.1, 1.0702), 2)
15.43
>>> SQ_PE([[398.0], [134.4]], [[24.1], [-1.0]], 1.0702)
[[15.431...], ['NM']]
>>> SQ_RATING(0.25, lang="en")
'Outperform'
"""

# The package re-exports the module's public names, listed once there: xlwings
# scans the package's attributes for the decorated functions.
from udfs import functions as _functions
from udfs.functions import *  # noqa: F403

__all__ = list(_functions.__all__)
