"""Security codes: one spelling per security, whichever vendor a file came from.

Codes are written the way Wind writes them, the convention of the bundled
sample and of most Chinese sell-side workbooks:

============================  ==========================  ======================
Source spelling               Canonical code              Rule
============================  ==========================  ======================
``0700.HK``, ``700.hk``       ``0700.HK``                 Hong Kong: the number
``700 HK``, ``700 HK Equity``                             without leading zeros,
``00700`` (market HK)                                     padded to four digits
``600519.SH``, ``600519 CH``  ``600519.SH``               A shares: six digits;
``600519`` (market A)                                     exchange from the
                                                          first digit (6, 9: SH;
                                                          0, 2, 3: SZ; 4, 8: BJ)
``AMZN.O``, ``AMZN UW``       ``AMZN.O``                  US with the exchange
``AMZN.OQ``                                               known: .O NASDAQ, .N
                                                          NYSE, .A NYSE American
``AMZN US Equity``            ``AMZN.US``                 US composite: the
                                                          exchange is unknown
``HSTECH.HI``                 ``HSTECH.HI``               indexes keep their code
``HSTECH Index``              ``HSTECH Index``            (Bloomberg's yellow key)
============================  ==========================  ======================

Files other than the universe name the same security in their own way, so
their codes are *resolved* against the universe (and the indexes) by
:class:`CodeBook`: a code that is not known as written is matched by its
ticker or number within its market, so ``AMZN US Equity`` in a Bloomberg
market file finds ``AMZN.O`` of a Wind universe, and ``00700`` finds
``0700.HK``. A code matching no security, or two, is kept as written.

FX pairs are not securities: ``CNYHKD``, ``CNYHKD Curncy``, ``CNYHKD.EX``
and ``CNY/HKD`` all quote HKD per CNY (:func:`parse_fx_pair`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from xlmodels.core.fx import normalise_currency

__all__ = [
    "CURRENCIES",
    "MARKET_ALIASES",
    "CodeBook",
    "market_of",
    "normalise_code",
    "normalise_market",
    "parse_fx_pair",
]

#: ISO currency codes recognised in an FX pair (a six-letter code made of two of these).
CURRENCIES = frozenset(
    {
        *("AED", "AUD", "BRL", "CAD", "CHF", "CNH", "CNY", "DKK", "EUR", "GBP", "HKD"),
        *("IDR", "INR", "JPY", "KRW", "MOP", "MXN", "MYR", "NOK", "NZD", "PHP", "RUB"),
        *("SAR", "SEK", "SGD", "THB", "TRY", "TWD", "USD", "VND", "ZAR"),
    }
)

#: Market names in universe files, mapped to the markets xlmodels uses (HK, A, US).
MARKET_ALIASES = {
    "HK": "HK",
    "H": "HK",
    "HKEX": "HK",
    "港股": "HK",
    "香港": "HK",
    "A": "A",
    "A股": "A",
    "CN": "A",
    "CH": "A",
    "SH": "A",
    "SZ": "A",
    "BJ": "A",
    "沪深": "A",
    "US": "US",
    "美股": "US",
    "美国": "US",
}

# Bloomberg exchange codes (``700 HK Equity``) and their Wind suffixes.
_BLOOMBERG_EXCHANGES = {
    "HK": "HK",
    "UW": "O",
    "UQ": "O",
    "UR": "O",
    "UN": "N",
    "UA": "A",
    "US": "US",
    "JP": "T",
    "JT": "T",
    "LN": "L",
    "SP": "SI",
    "TT": "TW",
}
_CHINA_EXCHANGES = {"CH", "CG", "CS", "C1", "C2", "SH", "SZ", "BJ"}
_US_SUFFIXES = {"O": "O", "OQ": "O", "N": "N", "A": "A", "US": "US"}
_INDEX_SUFFIXES = {"HI", "GI", "CSI", "SPI", "MI", "WI", "CI", "INDEX"}
_YELLOW_KEY = re.compile(r"\s+(EQUITY|INDEX|CURNCY)$", re.IGNORECASE)


def normalise_market(market: object) -> str | None:
    """The market a universe file names (``港股`` -> ``HK``); None when blank.

    >>> normalise_market("港股"), normalise_market(" us "), normalise_market("")
    ('HK', 'US', None)
    """
    if market is None:
        return None
    text = str(market).strip()
    if not text or text.lower() == "nan":
        return None
    return MARKET_ALIASES.get(text.upper(), MARKET_ALIASES.get(text, text.upper()))


def _a_share(number: str) -> str:
    exchange = {"6": "SH", "9": "SH", "0": "SZ", "2": "SZ", "3": "SZ", "4": "BJ", "8": "BJ"}
    return f"{number}.{exchange.get(number[0], 'SH')}"


def _hong_kong(number: str) -> str:
    return f"{int(number):04d}.HK"


def parse_fx_pair(code: str) -> tuple[str, str] | None:
    """``(base, quote)`` of an FX-pair code, or None for anything else.

    The rate quoted for the pair is units of ``quote`` per unit of ``base``.

    >>> parse_fx_pair("CNYHKD"), parse_fx_pair("CNYHKD Curncy"), parse_fx_pair("cny/hkd")
    (('CNY', 'HKD'), ('CNY', 'HKD'), ('CNY', 'HKD'))
    >>> parse_fx_pair("CNYHKD.EX"), parse_fx_pair("HSTECH"), parse_fx_pair("0700.HK")
    (('CNY', 'HKD'), None, None)
    """
    text = str(code).strip().upper()
    text = re.sub(r"\s+CURNCY$", "", text)
    text = re.sub(r"\.(EX|FX)$", "", text)
    text = text.replace("/", "").replace(" ", "").rstrip("=")
    if len(text) != 6 or not text.isalpha():
        return None
    base, quote = text[:3], text[3:]
    if base not in CURRENCIES or quote not in CURRENCIES:
        return None
    return normalise_currency(base), normalise_currency(quote)


def normalise_code(code: object, market: str | None = None) -> str:
    """The canonical spelling of a security code (see the module's table).

    ``market`` (``HK``, ``A``, ``US``) tells what a bare number means; a
    bare number with no market is kept as written (a six-digit number is
    taken as an A share).

    Examples
    --------
    >>> [normalise_code(c) for c in ["0700.HK", "700 HK", "700 HK Equity", "9988.hk"]]
    ['0700.HK', '0700.HK', '0700.HK', '9988.HK']
    >>> normalise_code("00700", market="HK"), normalise_code("600519"), normalise_code("000001 CH")
    ('0700.HK', '600519.SH', '000001.SZ')
    >>> [normalise_code(c) for c in ["AMZN US Equity", "AMZN UW Equity", "amzn.oq"]]
    ['AMZN.US', 'AMZN.O', 'AMZN.O']
    >>> normalise_code("HSTECH Index"), normalise_code("HSTECH.HI")
    ('HSTECH Index', 'HSTECH.HI')
    """
    text = " ".join(str(code).strip().split())
    if not text:
        return ""
    yellow = _YELLOW_KEY.search(text)
    key = yellow.group(1).upper() if yellow else ""
    body = _YELLOW_KEY.sub("", text).strip() if yellow else text
    if key == "INDEX":
        return f"{body.upper()} Index"
    if key == "CURNCY":
        return f"{body.upper()} Curncy"
    parts = body.split(" ")
    if len(parts) == 2:
        # Bloomberg ticker without (or with) its yellow key: "700 HK", "AMZN UW".
        ticker, exchange = parts[0].upper(), parts[1].upper()
        if exchange in _CHINA_EXCHANGES and ticker.isdigit():
            return _a_share(ticker.zfill(6))
        if exchange == "HK" and ticker.isdigit():
            return _hong_kong(ticker)
        return f"{ticker}.{_BLOOMBERG_EXCHANGES.get(exchange, exchange)}"
    if "." in body:
        ticker, _, suffix = body.rpartition(".")
        suffix = suffix.upper()
        if suffix == "HK" and ticker.isdigit():
            return _hong_kong(ticker)
        if suffix in {"SH", "SZ", "BJ"} and ticker.isdigit():
            return f"{ticker.zfill(6)}.{suffix}"
        if suffix in _US_SUFFIXES:
            return f"{ticker.upper()}.{_US_SUFFIXES[suffix]}"
        return f"{ticker.upper()}.{suffix}"
    if body.isdigit():
        if market == "HK":
            return _hong_kong(body)
        if market == "A" or (market is None and len(body) == 6):
            return _a_share(body.zfill(6))
        return body
    if market == "US" and body.replace("/", "").isalnum():
        return f"{body.upper()}.US"
    return body.upper()


def market_of(code: str) -> str | None:
    """The market of a canonical code: ``HK``, ``A``, ``US``, ``index`` or None.

    >>> market_of("0700.HK"), market_of("AMZN.O"), market_of("HSTECH Index"), market_of("X")
    ('HK', 'US', 'index', None)
    """
    root, suffix = _split(code)
    if suffix == "HK":
        return "HK"
    if suffix in {"SH", "SZ", "BJ"} and root.isdigit():
        return "A"
    if suffix in _US_SUFFIXES.values():
        return "US"
    if suffix in _INDEX_SUFFIXES:
        return "index"
    return None


def _split(code: str) -> tuple[str, str]:
    if code.endswith(" Index"):
        return code[: -len(" Index")], "INDEX"
    root, dot, suffix = code.rpartition(".")
    return (root, suffix.upper()) if dot else (code, "")


def _match_key(code: str) -> tuple[str, str] | None:
    market = market_of(code)
    if market is None:
        return None
    root, _ = _split(code)
    if market == "HK" and root.isdigit():
        root = str(int(root))
    return market, root


class CodeBook:
    """The securities of a universe (and its indexes), to resolve other files' codes.

    Examples
    --------
    >>> book = CodeBook(["0700.HK", "AMZN.O", "HSTECH.HI"])
    >>> book.resolve("700 HK Equity"), book.resolve("AMZN US Equity"), book.resolve("00700")
    ('0700.HK', 'AMZN.O', '0700.HK')
    >>> book.resolve("HSTECH Index"), book.resolve("9999.HK")
    ('HSTECH.HI', '9999.HK')
    """

    def __init__(self, codes: Iterable[str]) -> None:
        self._codes: set[str] = set()
        self._by_key: dict[tuple[str, str], set[str]] = {}
        self._by_number: dict[str, set[str]] = {}
        for code in codes:
            self.add(code)

    def add(self, code: str) -> None:
        """Make ``code`` (canonical) known."""
        self._codes.add(code)
        key = _match_key(code)
        if key is None:
            return
        self._by_key.setdefault(key, set()).add(code)
        if key[1].isdigit():
            self._by_number.setdefault(str(int(key[1])), set()).add(code)

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def resolve(self, code: object, market: str | None = None) -> str:
        """The known code a file's ``code`` names, else its canonical spelling."""
        canonical = normalise_code(code, market)
        if canonical in self._codes or not canonical:
            return canonical
        candidates: set[str] = set()
        key = _match_key(canonical)
        if key is not None:
            # Vendors spell exchanges and index suffixes differently (.O, US,
            # .HI, " Index"): within a market the ticker or number decides.
            candidates = self._by_key.get(key, set())
        elif canonical.isdigit():
            candidates = self._by_number.get(str(int(canonical)), set())
        return next(iter(candidates)) if len(candidates) == 1 else canonical
