"""A workbook's estimates at one moment: the analyst inputs and what they compute to.

A :class:`Snapshot` holds what a reviewer asks about when a workbook
changes: per company, every analyst input of the Estimates sheet (EPS per
fiscal year, target multiple and year, rating override and reason, notes)
and the outputs computed from them (PE per year, target price, upside,
rating), plus the workbook's input settings and benchmark expected returns.
It is made from :class:`~xlmodels.domain.model.CoverageInputs` by the core's own
:func:`~xlmodels.domain.coverage.compute_coverage`, never from the numbers a
workbook shows, so a workbook saved by a program that does not calculate
gives the same snapshot as one saved by Excel.

Snapshots are plain data (numbers, text, ``"NM"``, None) so that the
revision store keeps them as JSON and a worker process can return one.

Examples
--------
>>> from xlmodels.sources import sample
>>> snap = snapshot_of(sample.load_inputs(), workbook="coverage-sample.xlsx")
>>> snap.companies["0700.HK"].inputs["eps_fy2"], snap.fiscal_year("fy2")
(26.3, 2025)
>>> round(snap.companies["0700.HK"].outputs["target_price"], 1)
562.9
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlmodels.core.markers import is_nm
from xlmodels.core.ratings import SchemeError, load_scheme
from xlmodels.domain.coverage import compute_coverage, display_names, published_rating
from xlmodels.domain.model import EPS_SLOTS, ESTIMATE_COLUMNS, FISCAL_YEARS, CoverageInputs

if TYPE_CHECKING:
    from xlmodels.workbook.content import WorkbookContent

__all__ = [
    "ESTIMATE_FIELDS",
    "NM_TEXT",
    "OUTPUT_FIELDS",
    "CompanySnapshot",
    "Snapshot",
    "plain_value",
    "rating_key",
    "snapshot_of",
]

#: The analyst inputs of a company, in the Estimates sheet's order.
ESTIMATE_FIELDS: tuple[str, ...] = ESTIMATE_COLUMNS
#: The computed outputs a snapshot keeps, per company.
OUTPUT_FIELDS: tuple[str, ...] = (
    *(f"pe_{slot}" for slot in EPS_SLOTS),
    "target_price",
    "upside",
    "rating",
)
#: How a not-meaningful number is kept (JSON has no NaN payloads).
NM_TEXT = "NM"


def plain_value(value: Any) -> Any:
    """A cell value as a snapshot keeps it: float, text, ``"NM"`` or None (blank).

    >>> plain_value(float("nan")), plain_value("  "), plain_value(20), plain_value(" FY2 ")
    (None, None, 20.0, 'FY2')
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if is_nm(value):
            return NM_TEXT
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        number = float(value)  # numpy scalars
    except (TypeError, ValueError):
        text = str(value).strip()
        return text or None
    return plain_value(number)


def rating_key(label: Any, scheme: str | None) -> str | None:
    """The tier a rating label names under ``scheme``, whatever its language.

    ``"优于大市"`` and ``"Outperform"`` are the same rating; a label the
    scheme does not know is compared as text.

    >>> rating_key("Outperform", "guosen") == rating_key("优于大市", "guosen")
    True
    """
    if not isinstance(label, str) or not label.strip():
        return None
    text = label.strip()
    try:
        loaded = load_scheme(scheme or "guosen")
    except SchemeError:
        return text
    tier = loaded.tier_of(text)
    if tier is not None:
        return str(tier.key)
    if text in loaded.not_rated.values():
        return "not_rated"
    return text


@dataclass(frozen=True)
class CompanySnapshot:
    """One company of a snapshot: who it is, what the analyst typed, what it computes to."""

    code: str
    name: str | None
    market: str | None
    price_currency: str | None
    eps_currency: str | None
    inputs: dict[str, Any]
    outputs: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "market": self.market,
            "price_currency": self.price_currency,
            "eps_currency": self.eps_currency,
            "inputs": dict(self.inputs),
            "outputs": dict(self.outputs),
        }

    @classmethod
    def from_dict(cls, code: str, data: dict[str, Any]) -> CompanySnapshot:
        return cls(
            code=code,
            name=data.get("name"),
            market=data.get("market"),
            price_currency=data.get("price_currency"),
            eps_currency=data.get("eps_currency"),
            inputs=dict(data.get("inputs", {})),
            outputs=dict(data.get("outputs", {})),
        )


@dataclass(frozen=True)
class Snapshot:
    """The estimates of one workbook at one moment.

    Attributes
    ----------
    workbook : str
        The workbook's file name.
    coverage_group : str or None
    template_version : int or None
    lang, formula_mode, scheme : str or None
    report_date : str or None
        ISO date.
    fy1_year : int or None
        Calendar year of the FY1 slot (2024 for 2024E).
    settings : dict
        Every input setting by key (``fy1_year``, ``scheme``...).
    benchmark_expected_returns : dict
        Market -> expected return of its benchmark, a fraction.
    companies : dict
        Code -> :class:`CompanySnapshot`, in the workbook's row order.
    """

    workbook: str
    coverage_group: str | None
    template_version: int | None
    lang: str | None
    formula_mode: str | None
    scheme: str | None
    report_date: str | None
    fy1_year: int | None
    settings: dict[str, Any]
    benchmark_expected_returns: dict[str, float]
    companies: dict[str, CompanySnapshot] = field(default_factory=dict)

    def fiscal_year(self, slot: str) -> int | None:
        """Calendar year of an EPS slot (``fy2`` -> 2025, ``lyr`` -> 2023); None without FY1."""
        if self.fy1_year is None:
            return None
        if slot == "lyr":
            return self.fy1_year - 1
        return self.fy1_year + FISCAL_YEARS.index(slot)

    def as_dict(self) -> dict[str, Any]:
        return {
            "workbook": self.workbook,
            "coverage_group": self.coverage_group,
            "template_version": self.template_version,
            "lang": self.lang,
            "formula_mode": self.formula_mode,
            "scheme": self.scheme,
            "report_date": self.report_date,
            "fy1_year": self.fy1_year,
            "settings": dict(self.settings),
            "benchmark_expected_returns": dict(self.benchmark_expected_returns),
            "companies": {code: company.as_dict() for code, company in self.companies.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Snapshot:
        return cls(
            workbook=str(data["workbook"]),
            coverage_group=data.get("coverage_group"),
            template_version=data.get("template_version"),
            lang=data.get("lang"),
            formula_mode=data.get("formula_mode"),
            scheme=data.get("scheme"),
            report_date=data.get("report_date"),
            fy1_year=data.get("fy1_year"),
            settings=dict(data.get("settings", {})),
            benchmark_expected_returns=dict(data.get("benchmark_expected_returns", {})),
            companies={
                code: CompanySnapshot.from_dict(code, company)
                for code, company in data.get("companies", {}).items()
            },
        )

    def to_json(self) -> str:
        """Canonical JSON text: the same snapshot always gives the same text."""
        return json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True, allow_nan=False)

    def estimates_digest(self) -> str:
        """Digest of what an analyst can change (inputs, settings, benchmark returns).

        Two snapshots with the same digest hold the same estimates, whatever
        the market did to the computed outputs in between.
        """
        content = {
            "settings": self.settings,
            "benchmarks": self.benchmark_expected_returns,
            "inputs": {code: c.inputs for code, c in self.companies.items()},
        }
        text = json.dumps(content, ensure_ascii=False, sort_keys=True, allow_nan=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text(value: Any) -> str | None:
    plain = plain_value(value)
    return None if plain is None else str(plain)


def _benchmark_returns(inputs: CoverageInputs) -> dict[str, float]:
    """The benchmark expected return of every market present, as the workbook writes them.

    A workbook lists one per market of its companies, 0 where none was given
    (the rating then compares the upside with 0, as the core does).
    """
    given = inputs.settings.benchmark_expected_returns
    markets: Any = inputs.universe.get("market", [])
    present = sorted({str(m).strip() for m in markets if isinstance(m, str) and m.strip()})
    if not present:
        present = sorted(given)
    return {market: float(given.get(market, 0.0)) for market in present}


def _typed_table(inputs: CoverageInputs, built: WorkbookContent) -> pd.DataFrame:
    """The part of ``compute_coverage(inputs)`` a snapshot keeps, from a workbook built from them.

    A workbook shows its inputs in its language
    (:func:`~xlmodels.workbook.content.localise_inputs`): each name in that
    language and each rating override as its scheme's label in it, and
    nothing else changes; so, built in the inputs' own language, its
    coverage table has their figures and model ratings. The snapshot keeps
    names and overrides as the inputs give them: those two columns are taken
    from ``inputs`` again, as :func:`compute_coverage` takes them.
    """
    universe, shown = inputs.universe, built.coverage
    if built.lang != inputs.settings.lang or not shown.index.equals(universe.index):
        raise ValueError("the workbook was not built from these inputs in their language")
    table = shown.reindex(columns=["price_currency", "eps_currency", *OUTPUT_FIELDS])
    table.insert(0, "name", display_names(universe, inputs.settings.lang))
    overrides = inputs.estimates.get("rating_override")
    if overrides is None:
        table["rating"] = shown["model_rating"]
    else:
        table["rating"] = published_rating(shown["model_rating"], overrides.reindex(universe.index))
    return table


def snapshot_of(
    inputs: CoverageInputs,
    *,
    workbook: str,
    template_version: int | None = None,
    formula_mode: str | None = None,
    coverage_group: str | None = None,
    settings: dict[str, Any] | None = None,
    built: WorkbookContent | None = None,
) -> Snapshot:
    """The snapshot of a workbook made from ``inputs``.

    Parameters
    ----------
    inputs : CoverageInputs
        What the workbook is computed from (as written, or as read back).
    workbook : str
        The workbook's file name.
    template_version, formula_mode, coverage_group : optional
        What the workbook records about itself.
    settings : dict, optional
        The workbook's input settings by key; default those of ``inputs``.
    built : WorkbookContent, optional
        The workbook as built from ``inputs`` in their own language
        (:func:`~xlmodels.workbook.content.build_content`): its coverage
        figures are taken rather than computed a second time. The snapshot
        is the same either way.
    """
    table = compute_coverage(inputs) if built is None else _typed_table(inputs, built)
    chosen = inputs.settings
    if settings is None:
        settings = {
            "fy1_year": chosen.fy1_year,
            "fy_end_month": chosen.fiscal_year_end[0],
            "fy_end_day": chosen.fiscal_year_end[1],
            "scheme": chosen.scheme,
            "percentile_method": chosen.percentile_method,
            "relative_method": chosen.relative_method,
        }
    estimates = inputs.estimates.reindex(index=table.index, columns=list(ESTIMATE_FIELDS))
    universe = inputs.universe
    # Row by row as plain dictionaries: a pandas lookup per company cost more than the rest.
    typed_rows = estimates.to_dict("index")
    markets = universe["market"].to_dict() if "market" in universe else None
    companies: dict[str, CompanySnapshot] = {}
    for code, row in table.to_dict("index").items():
        typed = typed_rows[code]
        companies[str(code)] = CompanySnapshot(
            code=str(code),
            name=_text(row["name"]),
            market=_text(markets[code]) if markets is not None else None,
            price_currency=_text(row["price_currency"]),
            eps_currency=_text(row["eps_currency"]),
            inputs={key: plain_value(typed[key]) for key in ESTIMATE_FIELDS},
            outputs={key: plain_value(row[key]) for key in OUTPUT_FIELDS},
        )
    group = coverage_group
    if group is None and "coverage_group" in universe and len(universe):
        group = _text(universe["coverage_group"].iloc[0])
    return Snapshot(
        workbook=workbook,
        coverage_group=group,
        template_version=template_version,
        lang=chosen.lang,
        formula_mode=formula_mode,
        scheme=chosen.scheme,
        report_date=chosen.report_date.isoformat(),
        fy1_year=chosen.fy1_year,
        settings={key: plain_value(value) for key, value in settings.items()},
        benchmark_expected_returns=_benchmark_returns(inputs),
        companies=companies,
    )
