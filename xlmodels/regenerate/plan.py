"""What to do in a folder: one workbook per coverage group, found or named.

The universe's coverage groups each get one workbook. An existing workbook
belongs to the group its ``coverage_group`` setting records, whatever the
file is called; a workbook that records no group (a v1 workbook, or one
built from a universe of several groups) belongs to the group whose file
name it has. A group with no workbook gets a new file named from the group
(:func:`group_slug`: ``HK Internet`` -> ``hk-internet.xlsx``).

Files of the folder that belong to no group of the universe are reported
and left alone, never deleted. Excel's owner files (``~$...``), hidden files
(the temporary files of a write in progress start with a dot) and the
backups regeneration keeps (in the hidden ``.backups`` folder, or
``*.bak.xlsx`` beside the workbooks as earlier versions kept them) are not
workbooks to regenerate.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from xlmodels.domain.model import CoverageInputs
from xlmodels.errors import InputError
from xlmodels.excel.ooxml.guard import CheckedBytes, read_guarded
from xlmodels.workbook.atomic import BACKUP_FOLDER, BACKUP_SUFFIX, temporary_prefix
from xlmodels.workbook.identify import WorkbookIdentity, identify

__all__ = [
    "BACKUP_FOLDER",
    "BACKUP_SUFFIX",
    "FolderPlan",
    "GroupPlan",
    "Stray",
    "coverage_groups",
    "group_slug",
    "plan_folder",
    "split_by_group",
    "temporary_files",
    "workbook_files",
]

#: Device names Windows refuses as file names, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10))} | {
    f"lpt{i}" for i in range(10)
}
_TEMPORARY = re.compile(r"^\.(?P<target>.+\.xlsx)\.[A-Za-z0-9_]+\.tmp$", re.IGNORECASE)


def group_slug(group: str) -> str:
    """A readable file name (without extension) for a coverage group.

    >>> group_slug("HK Internet"), group_slug("  US / Internet  "), group_slug("港股互联网")
    ('hk-internet', 'us-internet', '港股互联网')
    >>> group_slug("!!!")
    'group-9a7b006d'
    """
    text = unicodedata.normalize("NFKC", group).casefold()
    slug = re.sub(r"[\W_]+", "-", text).strip("-")[:80].strip("-")
    if not slug:
        slug = "group-" + hashlib.sha1(group.encode("utf-8")).hexdigest()[:8]
    if slug in _RESERVED:
        slug += "-group"
    return slug


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def _key(group: str) -> str:
    return " ".join(group.split()).casefold()


def coverage_groups(inputs: CoverageInputs, universe_file: Path | None = None) -> list[str]:
    """The universe's coverage groups in order of first appearance.

    Raises
    ------
    InputError
        When a company has no coverage group, or two groups differ only in
        case or spacing (they would share a workbook).
    """
    universe = inputs.universe
    values = (
        [_clean(v) for v in universe["coverage_group"]]
        if "coverage_group" in universe
        else [None] * len(universe)
    )
    missing = [str(code) for code, value in zip(universe.index, values, strict=True) if not value]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise InputError(
            f"regenerate writes one workbook per coverage group, but {shown} "
            f"{'has' if len(missing) == 1 else 'have'} none: fill in the coverage_group column",
            file=universe_file,
            column="coverage_group",
        )
    groups: list[str] = []
    seen: dict[str, str] = {}
    for value in values:
        assert value is not None
        key = _key(value)
        if key in seen and seen[key] != value:
            raise InputError(
                f"the coverage groups {seen[key]!r} and {value!r} differ only in case or "
                "spacing: spell them the same",
                file=universe_file,
                column="coverage_group",
            )
        if key not in seen:
            seen[key] = value
            groups.append(value)
    return groups


def split_by_group(
    inputs: CoverageInputs, universe_file: Path | None = None
) -> dict[str, CoverageInputs]:
    """The inputs of each coverage group: its companies, their indexes and history.

    A group keeps its companies' benchmarks and every other index of a
    market it covers (an index file's sector index), and the history of
    those companies and indexes only.
    """
    groups = coverage_groups(inputs, universe_file)
    universe = inputs.universe.copy()
    universe["coverage_group"] = [_clean(v) for v in universe["coverage_group"]]
    indexes = inputs.indexes
    history = inputs.history
    out: dict[str, CoverageInputs] = {}
    for group in groups:
        members = universe[universe["coverage_group"] == group]
        codes = list(members.index)
        benchmarks = {b for b in members["benchmark"] if _clean(b)}
        markets = {m for m in members["market"] if _clean(m)}
        keep = [
            code
            for code in indexes.index
            if code in benchmarks or ("market" in indexes and indexes.at[code, "market"] in markets)
        ]
        group_history = None
        if history is not None:
            # A mask keeps the file's row order, which orders the History columns.
            group_history = history[history["code"].isin({*codes, *keep})].reset_index(drop=True)
        out[group] = replace(
            inputs,
            universe=members,
            market=inputs.market.reindex(members.index),
            estimates=inputs.estimates[inputs.estimates.index.isin(codes)],
            indexes=indexes.loc[keep],
            history=group_history,
        )
    return out


def workbook_files(folder: Path) -> list[Path]:
    """The ``.xlsx`` files of a folder that may be coverage workbooks, by name."""
    files = []
    for path in folder.iterdir():
        name = path.name
        if (
            not name.lower().endswith(".xlsx")
            or name.startswith(("~$", "."))
            or name.lower().endswith(BACKUP_SUFFIX)
            or not path.is_file()
        ):
            continue
        files.append(path)
    return sorted(files, key=lambda p: p.name)


def temporary_files(folder: Path) -> list[Path]:
    """Temporary files of workbook writes that never finished (a killed run leaves them)."""
    out = []
    for path in folder.iterdir():
        found = _TEMPORARY.match(path.name)
        if found and path.name.startswith(temporary_prefix(Path(found["target"]))):
            out.append(path)
    return sorted(out)


@dataclass(frozen=True)
class GroupPlan:
    """One coverage group's workbook: where it is (or will be) and what it is made from.

    ``problem`` says why the group cannot be regenerated (two workbooks claim
    it, or its file is unreadable); such a group fails without being touched.
    ``inputs`` is None for a job that works from the workbook's own data (a
    roll); ``group`` is then the group the workbook records, if any.
    ``checked`` is what the safety checks learnt of the file when the plan
    read it: the job, reading it again, checks it again only if its bytes
    changed meanwhile.
    """

    group: str | None
    target: Path
    exists: bool
    inputs: CoverageInputs | None
    problem: str | None = None
    checked: CheckedBytes | None = None


@dataclass(frozen=True)
class Stray:
    """A file of the folder that belongs to no group of the universe; left as it is."""

    path: Path
    group: str | None
    reason: str


@dataclass(frozen=True)
class FolderPlan:
    groups: list[GroupPlan]
    strays: list[Stray]


def plan_folder(
    folder: Path, inputs: CoverageInputs, universe_file: Path | None = None
) -> FolderPlan:
    """Match the folder's workbooks to the universe's coverage groups."""
    by_group = split_by_group(inputs, universe_file)
    identities: dict[Path, WorkbookIdentity] = {}
    checked: dict[Path, CheckedBytes] = {}
    unreadable: dict[Path, str] = {}
    for path in workbook_files(folder):
        try:
            guarded = read_guarded(path)
            identities[path] = identify(path, guarded)
        except (InputError, OSError) as error:
            unreadable[path] = str(getattr(error, "message", error))
        else:
            checked[path] = guarded.checked()
    claims: dict[str, list[Path]] = {}
    for path, identity in identities.items():
        if identity.group is not None:
            claims.setdefault(_key(identity.group), []).append(path)
    used: set[Path] = set()
    planned: set[str] = set()
    groups: list[GroupPlan] = []
    for group, group_inputs in by_group.items():
        claimed = claims.get(_key(group), [])
        if len(claimed) > 1:
            names = ", ".join(p.name for p in claimed)
            used.update(claimed)
            groups.append(
                GroupPlan(
                    group,
                    claimed[0],
                    True,
                    group_inputs,
                    f"{len(claimed)} workbooks record this coverage group ({names}): keep one",
                )
            )
            continue
        if claimed:
            used.add(claimed[0])
            groups.append(GroupPlan(group, claimed[0], True, group_inputs))
            continue
        groups.append(_by_name(folder, group, group_inputs, identities, unreadable, used, planned))
    strays = []
    for path, identity in identities.items():
        if path in used:
            continue
        if identity.group is not None:
            reason = f"its coverage group {identity.group!r} is not in the universe; left as it is"
        else:
            reason = "it records no coverage group and its name is no group's; left as it is"
        strays.append(Stray(path, identity.group, reason))
    for path, problem in unreadable.items():
        if path not in used:
            strays.append(Stray(path, None, f"not a coverage workbook ({problem}); left as it is"))
    groups = [
        replace(plan, checked=checked.get(plan.target)) if plan.exists else plan for plan in groups
    ]
    return FolderPlan(groups, sorted(strays, key=lambda s: s.path.name))


def _by_name(
    folder: Path,
    group: str,
    inputs: CoverageInputs,
    identities: dict[Path, WorkbookIdentity],
    unreadable: dict[Path, str],
    used: set[Path],
    planned: set[str],
) -> GroupPlan:
    """The workbook named after the group, or the first free name for a new one."""
    slug = group_slug(group)
    suffix = 1
    while True:
        name = f"{slug}.xlsx" if suffix == 1 else f"{slug}-{suffix}.xlsx"
        suffix += 1
        path = folder / name
        if name.casefold() in planned:
            continue
        existing = next((p for p in [*identities, *unreadable] if p.name == name), None)
        if existing is None:
            if path.exists():  # a folder or another file type of that name
                continue
            planned.add(name.casefold())
            return GroupPlan(group, path, False, inputs)
        if existing in used:
            continue
        if existing in unreadable:
            used.add(existing)
            planned.add(name.casefold())
            return GroupPlan(
                group,
                existing,
                True,
                inputs,
                f"{name} is not a readable coverage workbook ({unreadable[existing]}): "
                "move it away or repair it",
            )
        if identities[existing].group is None:
            used.add(existing)
            planned.add(name.casefold())
            return GroupPlan(group, existing, True, inputs)
