"""Template upgrades: which template each version is, and how its analyst inputs move on.

Every template version regeneration can read has a spec in
:data:`TEMPLATES`; each step from one version to the next is a
:class:`Migration` in :data:`MIGRATIONS`. Regeneration reads an older
workbook with its own version's spec (through that version's named ranges,
so a block that moved is found where the old template put it), checks it
against that spec, then runs the migrations of :func:`migration_path` on the
analyst inputs it read, and writes the current template. The validator
asks the same function which upgrade applies to a workbook it finds.

Examples
--------
>>> [m.label for m in migration_path(1)], migration_path(TEMPLATE_VERSION)
(['v1 -> v2', 'v2 -> v3'], [])
>>> try:
...     migration_path(TEMPLATE_VERSION + 1)
... except TemplateVersionError as error:
...     print(str(error).split(":")[0])
template version 4 is newer than 3, the latest this xlmodels knows
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from xlmodels.core.markers import is_nm
from xlmodels.excel.cells import is_blank
from xlmodels.template.schema import WorkbookSpec
from xlmodels.template.v1 import SPEC_V1
from xlmodels.template.v2 import SPEC_V2
from xlmodels.template.v3 import SPEC, TEMPLATE_VERSION

__all__ = [
    "MIGRATIONS",
    "TEMPLATES",
    "CarriedInputs",
    "Migration",
    "TemplateVersionError",
    "migrate",
    "migration_path",
    "nothing_typed",
    "reading_spec",
    "template_spec",
    "upgrade_description",
]


def nothing_typed(value: Any) -> bool:
    """Whether an analyst input cell carries nothing over: blank, or NM.

    :func:`~xlmodels.excel.cells.is_blank`, and NM as well: NM is a result the
    core computes, never an estimate an analyst types, so an input reading NM
    is not carried into the regenerated workbook.

    >>> from xlmodels import NM
    >>> nothing_typed(None), nothing_typed(" "), nothing_typed(NM), nothing_typed(0.0)
    (True, True, True, False)
    """
    if isinstance(value, float | np.floating) and bool(is_nm(float(value))):
        return True
    return is_blank(value)


@dataclass(frozen=True)
class CarriedInputs:
    """What regeneration keeps from an existing workbook, in the terms of one template version.

    Attributes
    ----------
    version : int
        Template version these inputs are laid out for; migrations move it on.
    estimates : DataFrame
        Every input column of the version's Estimates sheet, indexed by code
        in the workbook's row order.
    settings : dict
        Every input setting by key (``fy1_year``, ``scheme``...).
    benchmark_expected_returns : dict
        Market -> expected return of its rating benchmark.
    lang, mode, data_note : str or None
        The workbook's language, formula mode and data note.
    history : DataFrame or None
        The workbook's History sheet in the long layout, kept when no
        history file is given.
    notes : tuple of str
        What migrations want the user to know (a new column to fill in).
    """

    version: int
    estimates: pd.DataFrame
    settings: dict[str, Any]
    benchmark_expected_returns: dict[str, float]
    lang: str | None = None
    mode: str | None = None
    data_note: str | None = None
    history: pd.DataFrame | None = None
    notes: tuple[str, ...] = field(default=())

    def inputs_of(self, code: str) -> dict[str, Any]:
        """The non-blank analyst inputs of one company (empty if it has none)."""
        if code not in self.estimates.index:
            return {}
        row = self.estimates.loc[code]
        return {key: row[key] for key in self.estimates.columns if not nothing_typed(row[key])}


class TemplateVersionError(ValueError):
    """A template version regeneration cannot read: newer than this xlmodels, or unknown."""


@dataclass(frozen=True)
class Migration:
    """One step of a template upgrade.

    Attributes
    ----------
    from_version, to_version : int
    description : str
        What changes for the analyst, in one sentence.
    upgrade : callable
        Moves analyst inputs read with ``from_version``'s spec to
        ``to_version``'s layout.
    """

    from_version: int
    to_version: int
    description: str
    upgrade: Callable[[CarriedInputs], CarriedInputs]

    @property
    def label(self) -> str:
        return f"v{self.from_version} -> v{self.to_version}"

    def __call__(self, carried: CarriedInputs) -> CarriedInputs:
        if carried.version != self.from_version:
            raise TemplateVersionError(
                f"migration {self.label} applies to version {self.from_version} inputs, "
                f"not version {carried.version}"
            )
        upgraded = self.upgrade(carried)
        return replace(upgraded, version=self.to_version)


def _v1_to_v2(carried: CarriedInputs) -> CarriedInputs:
    estimates = carried.estimates.copy()
    # The EPS basis is new: no value can be inferred from v1, so it starts blank
    # (the estimates file fills it where it gives one) and the analyst is told.
    estimates.insert(0, "eps_basis", None)
    estimates["eps_basis"] = estimates["eps_basis"].astype(object)
    note = (
        "upgraded from template v1: the new EPS basis column is blank; fill in reported or "
        "adjusted for each company"
    )
    return replace(carried, estimates=estimates, notes=(*carried.notes, note))


def _v2_to_v3(carried: CarriedInputs) -> CarriedInputs:
    estimates = carried.estimates.copy()
    # The last reported year's EPS is new and optional: it starts blank (the
    # estimates file fills it where it gives one), just before FY1's.
    position = list(estimates.columns).index("eps_fy1") if "eps_fy1" in estimates else 0
    estimates.insert(position, "eps_lyr", float("nan"))
    estimates["eps_lyr"] = estimates["eps_lyr"].astype(float)
    # No reporting currency: market caps stay in each row's price currency, as in v2.
    settings = {**carried.settings, "reporting_currency": None}
    note = (
        "upgraded from template v2: the new EPS LYR column (last reported fiscal year) is "
        "blank; fill it in for a PE LYR"
    )
    return replace(carried, estimates=estimates, settings=settings, notes=(*carried.notes, note))


#: The spec of every template version regeneration reads.
TEMPLATES: dict[int, WorkbookSpec] = {1: SPEC_V1, 2: SPEC_V2, TEMPLATE_VERSION: SPEC}

#: Every upgrade step, oldest first.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        2,
        "adds the EPS basis column to Estimates (left blank for the analyst to fill in), moves "
        "the benchmark expected returns above the rating tiers on Settings, and records the "
        "coverage group in Settings",
        _v1_to_v2,
    ),
    Migration(
        2,
        3,
        "adds the EPS LYR column (the last reported fiscal year's EPS, left blank for the "
        "analyst to fill in) to Estimates, and that EPS with its PE LYR to Coverage; shows "
        "each row's price and EPS currency on Coverage instead of currencies in the headers; "
        "adds the reporting currency of market caps to Settings (left blank: each row's price "
        "currency); stores the Chinese and English names of companies and indexes; and "
        "writes each column an SQ_ function computes as one formula spilling over the rows "
        "(one call per column instead of one per company)",
        _v2_to_v3,
    ),
)


def template_spec(version: int) -> WorkbookSpec:
    """The spec of template ``version``.

    Raises
    ------
    TemplateVersionError
        For a version newer than this xlmodels or one it never had.
    """
    if version > TEMPLATE_VERSION:
        raise TemplateVersionError(
            f"template version {version} is newer than {TEMPLATE_VERSION}, the latest this "
            "xlmodels knows: upgrade xlmodels to regenerate it"
        )
    if version not in TEMPLATES:
        known = ", ".join(str(v) for v in sorted(TEMPLATES))
        raise TemplateVersionError(
            f"template version {version} is unknown (this xlmodels reads versions {known})"
        )
    return TEMPLATES[version]


def _without_group(spec: WorkbookSpec) -> WorkbookSpec:
    settings = replace(
        spec.settings,
        settings=tuple(item for item in spec.settings.settings if item.key != "coverage_group"),
    )
    sheets = tuple(settings if sheet is spec.settings else sheet for sheet in spec.sheets)
    return replace(spec, sheets=sheets)


#: Version 2 as written before it recorded the coverage group (the setting
#: came last, so nothing else moved but the blocks under the list, which
#: are found through their names).
_SPEC_V2_WITHOUT_GROUP = _without_group(SPEC_V2)


def reading_spec(version: int, names: Collection[str]) -> WorkbookSpec:
    """The spec to read a workbook of template ``version`` whose defined names are ``names``.

    That of the version itself, except for a version-2 workbook written
    before version 2 recorded its coverage group: it lacks that one setting
    and is read without it (regeneration adds it).

    Raises
    ------
    TemplateVersionError
    """
    spec = template_spec(version)
    if version == 2 and "set_coverage_group" not in names:
        return _SPEC_V2_WITHOUT_GROUP
    return spec


def migration_path(version: int) -> list[Migration]:
    """The migrations that bring a workbook of template ``version`` to the current one.

    Empty for a current workbook.

    Raises
    ------
    TemplateVersionError
        For a version newer than this xlmodels (upgrade xlmodels) or one it
        cannot upgrade.
    """
    template_spec(version)
    path: list[Migration] = []
    current = version
    while current < TEMPLATE_VERSION:
        step = next((m for m in MIGRATIONS if m.from_version == current), None)
        if step is None:
            raise TemplateVersionError(f"no migration from template version {current}")
        path.append(step)
        current = step.to_version
    return path


def upgrade_description(version: int) -> str:
    """One sentence saying what upgrading a workbook of ``version`` does.

    >>> upgrade_description(1).split(":")[0]
    'v1 -> v2'
    >>> upgrade_description(TEMPLATE_VERSION)
    'the workbook is at the current template version'
    """
    path = migration_path(version)
    if not path:
        return "the workbook is at the current template version"
    return "; ".join(f"{m.label}: {m.description}" for m in path)


def migrate(carried: CarriedInputs) -> CarriedInputs:
    """Carried inputs brought to the current template version, step by step."""
    for step in migration_path(carried.version):
        carried = step(carried)
    return carried
