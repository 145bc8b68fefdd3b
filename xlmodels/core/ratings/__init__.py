"""Investment ratings from expected returns, under schemes kept as data files."""

from __future__ import annotations

from typing import Any

from xlmodels.core.ratings.registry import (
    DEFAULT_SCHEME,
    ENVIRONMENT_VARIABLE,
    add_scheme_folder,
    available_schemes,
    load_scheme,
)
from xlmodels.core.ratings.scheme import LANGUAGES, RatingScheme, SchemeError, Tier

__all__ = [
    "DEFAULT_SCHEME",
    "ENVIRONMENT_VARIABLE",
    "LANGUAGES",
    "RatingScheme",
    "SchemeError",
    "Tier",
    "add_scheme_folder",
    "available_schemes",
    "load_scheme",
    "rate",
]


def rate(
    expected_return: Any,
    benchmark_return: Any = 0.0,
    scheme: str | RatingScheme = DEFAULT_SCHEME,
    lang: str = "zh",
) -> Any:
    """Rating label for an expected return under a rating scheme.

    The scheme compares ``expected_return - benchmark_return`` (relative
    schemes) or ``expected_return`` (absolute schemes) with its thresholds,
    best tier first, honouring each boundary's ``inclusive`` setting.

    Parameters
    ----------
    expected_return : float or array-like
        Expected return over the scheme's horizon, a fraction (usually the
        upside to the target price).
    benchmark_return : float or array-like, default 0
        Expected return of the scheme's benchmark over the same horizon
        (for UBS-style schemes, the market return assumption).
    scheme : str or RatingScheme, default "guosen"
        Scheme id: ``guosen``, ``csc``, ``cms``, ``ubs`` or one of your own
        (see :mod:`xlmodels.core.ratings.registry`).
    lang : {"zh", "en"}
        Label language.

    Returns
    -------
    str, None, numpy.ndarray of object, or pandas Series
        The label; the scheme's "not rated" label where the expected return is
        NM (no valid target); None where it is missing.

    Examples
    --------
    >>> rate(0.25)
    '优于大市'
    >>> rate(0.25, benchmark_return=0.18, lang="en")
    'Neutral'
    >>> rate([0.16, 0.10, -0.2], scheme="csc", lang="en").tolist()
    ['Buy', 'Accumulate', 'Sell']
    """
    return load_scheme(scheme).rate(expected_return, benchmark_return, lang)
