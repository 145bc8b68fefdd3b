"""Currency conversion rates for valuation: price-currency units per EPS-currency unit."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

__all__ = ["CURRENCY_ALIASES", "FxTable", "currency_code", "normalise_currency"]

#: Names analysts and data vendors use for the same ISO currency.
CURRENCY_ALIASES = {
    "RMB": "CNY",
    "CNH": "CNY",
    "人民币": "CNY",
    "港元": "HKD",
    "港币": "HKD",
    "美元": "USD",
}


def normalise_currency(code: str) -> str:
    """ISO code for a currency name (``"rmb"`` -> ``"CNY"``)."""
    cleaned = str(code).strip().upper()
    return CURRENCY_ALIASES.get(cleaned, CURRENCY_ALIASES.get(str(code).strip(), cleaned))


def currency_code(value: object) -> str | None:
    """The ISO code a setting names (``"hkd"``, ``"港元"`` -> ``"HKD"``); None when blank.

    Raises ``ValueError`` for anything else than three letters once aliases
    are resolved: a reporting currency that is not one would leave every
    converted figure missing.

    >>> currency_code(" hkd "), currency_code("人民币"), currency_code(None), currency_code("")
    ('HKD', 'CNY', None, None)
    >>> currency_code("HK$")
    Traceback (most recent call last):
    ValueError: 'HK$' is not a currency code: give an ISO code such as HKD, USD or CNY
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    code = normalise_currency(text)
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError(
            f"{text!r} is not a currency code: give an ISO code such as HKD, USD or CNY"
        )
    return code


class FxTable:
    """Exchange rates quoted as ``(base, quote) -> quote units per base unit``.

    ``FxTable({("CNY", "HKD"): 1.0702}).rate("CNY", "HKD")`` is the number of
    HKD per CNY, the ``fx`` that turns a CNY EPS into HKD for an HKD price.
    The inverse pair is derived; the same currency is 1.

    Examples
    --------
    >>> fx = FxTable({("CNY", "HKD"): 1.0702})
    >>> fx.rate("RMB", "HKD"), round(fx.rate("HKD", "CNY"), 4), fx.rate("USD", "USD")
    (1.0702, 0.9344, 1.0)
    """

    def __init__(self, rates: Mapping[tuple[str, str], float]) -> None:
        self._rates: dict[tuple[str, str], float] = {}
        for (base, quote), rate in rates.items():
            if not isinstance(rate, int | float) or isinstance(rate, bool) or not rate > 0:
                raise ValueError(f"FX rate {base}/{quote} must be a number above 0, got {rate!r}")
            self._rates[normalise_currency(base), normalise_currency(quote)] = float(rate)

    def pairs(self) -> list[tuple[str, str]]:
        """The pairs quoted directly."""
        return list(self._rates)

    def has(self, base: str, quote: str) -> bool:
        """Whether a rate for ``base`` in ``quote`` can be given."""
        return not math.isnan(self._lookup(normalise_currency(base), normalise_currency(quote)))

    def _lookup(self, base: str, quote: str) -> float:
        if base == quote:
            return 1.0
        if (base, quote) in self._rates:
            return self._rates[base, quote]
        if (quote, base) in self._rates:
            return 1.0 / self._rates[quote, base]
        return math.nan

    def rate(self, base: str, quote: str) -> float:
        """Units of ``quote`` per unit of ``base``; ``ValueError`` if not quoted."""
        value = self._lookup(normalise_currency(base), normalise_currency(quote))
        if math.isnan(value):
            raise ValueError(
                f"no FX rate for {normalise_currency(base)}/"
                f"{normalise_currency(quote)}: add the pair to the market data"
            )
        return value

    def rates(
        self, bases: Iterable[str], quotes: Iterable[str], *, missing: str = "raise"
    ) -> npt.NDArray[np.float64]:
        """Rates for many pairs at once (EPS currency -> price currency per row).

        ``missing="raise"`` (the default) refuses a pair that is not quoted;
        ``missing="nan"`` gives NaN for it, and for a base or quote that is
        not a currency code at all (a blank), so that a figure needing the
        rate shows missing rather than unconverted.

        >>> FxTable({("USD", "HKD"): 7.78}).rates(["USD", "CNY", None], ["HKD"] * 3, missing="nan")
        array([7.78,  nan,  nan])
        """
        if missing not in ("raise", "nan"):
            raise ValueError(f"missing must be 'raise' or 'nan', got {missing!r}")
        if missing == "raise":
            return np.array([self.rate(b, q) for b, q in zip(bases, quotes, strict=True)])
        return np.array(
            [
                self._lookup(normalise_currency(b), normalise_currency(q))
                if isinstance(b, str) and b.strip() and isinstance(q, str) and q.strip()
                else math.nan
                for b, q in zip(bases, quotes, strict=True)
            ],
            dtype=np.float64,
        )
