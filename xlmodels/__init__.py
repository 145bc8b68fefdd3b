"""xlmodels: one trusted definition of every equity-research valuation number.

The numeric core is pure and vectorized: each function takes scalars, numpy
arrays or pandas objects, broadcasts them like numpy, and gives back the same
kind (pandas keeps its index). Returns are fractions, never percentages;
rounding is left to display.

>>> import xlmodels as xm
>>> round(xm.pe(398.0, 24.1, fx=1.0702))
15
>>> xm.pe(100.0, -1.0)
NM
>>> round(xm.relative_return(0.1674, -0.0324) * 100, 1)
20.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlmodels.runtime.lazy import lazy_attributes

if TYPE_CHECKING:
    from xlmodels.core import ratings
    from xlmodels.core.markers import NM, NotMeaningful, is_missing, is_nm
    from xlmodels.core.movers import top_movers
    from xlmodels.core.percentile import percentile_rank, percentile_ranks
    from xlmodels.core.ratings import available_schemes, load_scheme, rate
    from xlmodels.core.returns import (
        cagr,
        period_return,
        relative_return,
        return_between,
        series_return,
    )
    from xlmodels.core.targets import (
        segment_value,
        stake_value,
        target_price,
        target_price_dcf,
        target_price_sotp,
        upside,
    )
    from xlmodels.core.valuation import (
        blended_eps,
        fy1_remaining,
        market_cap,
        pe,
        pe_lyr,
        pe_ttm,
        peg,
    )

# Imported on first use: the command line's --help, and the commands that
# compute nothing, do not pay for numpy and pandas.
__getattr__ = lazy_attributes(
    __name__,
    {
        "ratings": "xlmodels.core",
        "NM": "xlmodels.core.markers",
        "NotMeaningful": "xlmodels.core.markers",
        "is_missing": "xlmodels.core.markers",
        "is_nm": "xlmodels.core.markers",
        "top_movers": "xlmodels.core.movers",
        "percentile_rank": "xlmodels.core.percentile",
        "percentile_ranks": "xlmodels.core.percentile",
        "available_schemes": "xlmodels.core.ratings",
        "load_scheme": "xlmodels.core.ratings",
        "rate": "xlmodels.core.ratings",
        "cagr": "xlmodels.core.returns",
        "period_return": "xlmodels.core.returns",
        "relative_return": "xlmodels.core.returns",
        "return_between": "xlmodels.core.returns",
        "series_return": "xlmodels.core.returns",
        "segment_value": "xlmodels.core.targets",
        "stake_value": "xlmodels.core.targets",
        "target_price": "xlmodels.core.targets",
        "target_price_dcf": "xlmodels.core.targets",
        "target_price_sotp": "xlmodels.core.targets",
        "upside": "xlmodels.core.targets",
        "blended_eps": "xlmodels.core.valuation",
        "fy1_remaining": "xlmodels.core.valuation",
        "market_cap": "xlmodels.core.valuation",
        "pe": "xlmodels.core.valuation",
        "pe_lyr": "xlmodels.core.valuation",
        "pe_ttm": "xlmodels.core.valuation",
        "peg": "xlmodels.core.valuation",
    },
)

__version__ = "0.1.0"

__all__ = [
    "NM",
    "NotMeaningful",
    "__version__",
    "available_schemes",
    "blended_eps",
    "cagr",
    "fy1_remaining",
    "is_missing",
    "is_nm",
    "load_scheme",
    "market_cap",
    "pe",
    "pe_lyr",
    "pe_ttm",
    "peg",
    "percentile_rank",
    "percentile_ranks",
    "period_return",
    "rate",
    "ratings",
    "relative_return",
    "return_between",
    "segment_value",
    "series_return",
    "stake_value",
    "target_price",
    "target_price_dcf",
    "target_price_sotp",
    "top_movers",
    "upside",
]
