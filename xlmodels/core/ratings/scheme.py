"""A rating scheme: labels in Chinese and English, thresholds, boundary rules.

Schemes are data. Each lives in a TOML file (see ``schemes/guosen.toml``)
with tiers listed from the best rating down; every tier but the last has a
lower bound ``above`` on the excess expected return and says whether a return
exactly at the bound earns the tier (``inclusive``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from xlmodels.core.arguments import Arguments, choice
from xlmodels.core.markers import is_nm
from xlmodels.errors import SchemeError

__all__ = ["LANGUAGES", "RatingScheme", "SchemeError", "Tier"]

#: Label languages every scheme provides.
LANGUAGES = ("zh", "en")
BASES = ("relative", "absolute")


@dataclass(frozen=True)
class Tier:
    """One rating: its labels and the lower bound that earns it."""

    key: str
    zh: str
    en: str
    above: float | None
    inclusive: bool

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class RatingScheme:
    """A complete rating scheme.

    Attributes
    ----------
    id : str
        Short name used in formulas and settings (``"guosen"``).
    name, horizon, not_rated : dict
        Texts by language (``{"zh": ..., "en": ...}``).
    basis : {"relative", "absolute"}
        ``relative`` rates ``expected_return - benchmark_return``;
        ``absolute`` rates ``expected_return`` alone.
    benchmarks : dict
        Benchmark index by market (``A``, ``HK``, ``US``).
    tiers : tuple of Tier
        Best first; the last tier has no lower bound.
    source : Path or None
        The file the scheme came from.
    """

    id: str
    name: dict[str, str]
    basis: str
    horizon: dict[str, str]
    not_rated: dict[str, str]
    benchmarks: dict[str, str]
    tiers: tuple[Tier, ...]
    source: Path | None = None

    def labels(self, lang: str = "zh", include_not_rated: bool = True) -> list[str]:
        """All labels, best first, for drop-down lists and validation."""
        lang = choice("lang", lang, LANGUAGES)
        labels = [tier.label(lang) for tier in self.tiers]
        if include_not_rated:
            labels.append(self.not_rated[lang])
        return labels

    def tier_of(self, label: str) -> Tier | None:
        """The tier a label in either language names, or None."""
        for tier in self.tiers:
            if label in (tier.zh, tier.en, tier.key):
                return tier
        return None

    def rate(self, expected_return: Any, benchmark_return: Any = 0.0, lang: str = "zh") -> Any:
        """Rating label(s) for expected return(s); see :func:`xlmodels.rate`."""
        lang = choice("lang", lang, LANGUAGES)
        args = Arguments(expected_return, benchmark_return)
        expected = args.number("expected_return", expected_return)
        bench = args.number("benchmark_return", benchmark_return)
        expected, bench = np.broadcast_arrays(expected, bench)
        excess = expected - bench if self.basis == "relative" else expected.copy()
        index = self.tier_index(excess)
        labels = np.array(
            [tier.label(lang) for tier in self.tiers] + [self.not_rated[lang], None],
            dtype=object,
        )
        not_meaningful = is_nm(expected) | is_nm(bench)
        index = np.where(not_meaningful, len(self.tiers), index)
        index = np.where(np.isnan(excess) & ~not_meaningful, len(self.tiers) + 1, index)
        result = labels[index]
        return args.wrap(np.asarray(result, dtype=object), "rating")

    def tier_index(self, excess: npt.NDArray[np.float64]) -> npt.NDArray[np.intp]:
        """Index of the tier each excess return falls in (NaN -> last tier)."""
        conditions = []
        for tier in self.tiers[:-1]:
            assert tier.above is not None
            conditions.append(excess >= tier.above if tier.inclusive else excess > tier.above)
        index = np.select(conditions, list(range(len(conditions))), len(self.tiers) - 1)
        return np.asarray(index, dtype=np.intp)

    @classmethod
    def from_file(cls, path: Path) -> RatingScheme:
        """Read and check a scheme file; errors name the file and the field."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise SchemeError(f"{path}: cannot read the rating scheme ({error})") from None
        except tomllib.TOMLDecodeError as error:
            raise SchemeError(f"{path}: not valid TOML ({error})") from None
        return cls.from_mapping(data, path)

    @classmethod
    def from_mapping(cls, data: dict[str, Any], path: Path | None = None) -> RatingScheme:
        where = str(path) if path else "rating scheme"

        def fail(field: str, problem: str) -> SchemeError:
            return SchemeError(f"{where}: field '{field}' {problem}")

        def text(value: Any, field: str) -> str:
            if not isinstance(value, str) or not value.strip():
                raise fail(field, "must be non-empty text")
            return value

        def bilingual(field: str) -> dict[str, str]:
            value = data.get(field)
            if not isinstance(value, dict):
                raise fail(field, 'must be a table with "zh" and "en" texts')
            return {lang: text(value.get(lang), f"{field}.{lang}") for lang in LANGUAGES}

        scheme_id = text(data.get("id"), "id").strip().lower()
        if path is not None and path.stem.lower() != scheme_id:
            raise fail("id", f"is {scheme_id!r} but the file is named {path.name!r}")
        basis = data.get("basis", "relative")
        if basis not in BASES:
            raise fail("basis", f"must be one of {', '.join(BASES)}, got {basis!r}")
        benchmarks = data.get("benchmarks", {})
        if not isinstance(benchmarks, dict):
            raise fail("benchmarks", "must be a table of market = index name")
        raw_tiers = data.get("tiers")
        if not isinstance(raw_tiers, list) or len(raw_tiers) < 2:
            raise fail("tiers", "must list at least two [[tiers]], best first")
        tiers: list[Tier] = []
        for position, raw in enumerate(raw_tiers):
            field = f"tiers[{position}]"
            if not isinstance(raw, dict):
                raise fail(field, "must be a table")
            last = position == len(raw_tiers) - 1
            above = raw.get("above")
            if last:
                if above is not None:
                    raise fail(f"{field}.above", "must be absent on the last (lowest) tier")
            elif isinstance(above, bool) or not isinstance(above, int | float):
                raise fail(f"{field}.above", "must be a number (a fraction, 0.10 for 10%)")
            inclusive = raw.get("inclusive", False)
            if not isinstance(inclusive, bool):
                raise fail(f"{field}.inclusive", "must be true or false")
            tiers.append(
                Tier(
                    key=text(raw.get("key"), f"{field}.key"),
                    zh=text(raw.get("zh"), f"{field}.zh"),
                    en=text(raw.get("en"), f"{field}.en"),
                    above=None if last else float(above),  # type: ignore[arg-type]
                    inclusive=inclusive,
                )
            )
        bounds = [tier.above for tier in tiers[:-1]]
        for position in range(1, len(bounds)):
            if not bounds[position] < bounds[position - 1]:  # type: ignore[operator]
                raise fail(
                    f"tiers[{position}].above",
                    f"must be below the tier above it ({bounds[position - 1]:g}); "
                    "list tiers from the best rating down",
                )
        not_rated = bilingual("not_rated")
        for lang in LANGUAGES:
            labels = [tier.label(lang) for tier in tiers] + [not_rated[lang]]
            if len(set(labels)) != len(labels):
                raise fail(f"tiers.{lang}", "has the same label twice")
        return cls(
            id=scheme_id,
            name=bilingual("name"),
            basis=basis,
            horizon=bilingual("horizon"),
            not_rated=not_rated,
            benchmarks={str(k): text(v, f"benchmarks.{k}") for k, v in benchmarks.items()},
            tiers=tuple(tiers),
            source=path,
        )
