"""The numbers a spreadsheet cell can hold, shared by everything that reads or writes cells.

Excel stores IEEE doubles but accepts only magnitudes from
:data:`SMALLEST` to :data:`LARGEST` (its specification's limits); infinity
and NaN have no representation in a file at all. A value outside that range
read from an input is refused where it is read, naming its cell, and a
computation that overflows is written as ``#NUM!``, what Excel itself shows.
"""

from __future__ import annotations

import math
from typing import Final

__all__ = ["LARGEST", "SMALLEST", "out_of_range"]

#: Largest magnitude Excel accepts in a cell (9.99999999999999E+307).
LARGEST: Final = 9.99999999999999e307
#: Smallest non-zero magnitude Excel accepts (2.2250738585072E-308); smaller ones become 0.
SMALLEST: Final = 2.2250738585072e-308


def out_of_range(value: float) -> str | None:
    """Why a spreadsheet cannot hold ``value``, or None when it can.

    Examples
    --------
    >>> out_of_range(398.0) is None, out_of_range(0.0) is None
    (True, True)
    >>> out_of_range(1e308)
    '1e+308 is beyond the largest number a spreadsheet holds (9.99999999999999E+307)'
    >>> out_of_range(5e-324)
    '5e-324 is closer to 0 than the smallest number a spreadsheet holds (2.2250738585072E-308)'
    """
    if math.isnan(value) or math.isinf(value):
        return f"{value} is not a number a spreadsheet holds"
    magnitude = abs(value)
    if magnitude > LARGEST:
        return f"{value!r} is beyond the largest number a spreadsheet holds (9.99999999999999E+307)"
    if 0 < magnitude < SMALLEST:
        return (
            f"{value!r} is closer to 0 than the smallest number a spreadsheet holds "
            "(2.2250738585072E-308)"
        )
    return None
