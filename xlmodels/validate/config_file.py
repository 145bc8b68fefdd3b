"""Reading the validation settings from ``pyproject.toml`` or a TOML file given with ``--config``.

What the settings mean is in :mod:`xlmodels.validate.config`; here they are
found, parsed and checked against the rules :mod:`~xlmodels.validate.registry`
lists. An unknown key, rule id or severity is a usage error naming it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from xlmodels.validate.config import OFF, ConfigError, Limits, ValidateConfig
from xlmodels.validate.findings import Severity
from xlmodels.validate.registry import RULES

__all__ = ["find_pyproject", "load_config", "parse_config"]

_SCALARS = {
    "stale-price-days": ("stale_price_days", int),
    "max-history-gap-days": ("max_history_gap_days", int),
    "display-tolerance": ("display_tolerance", float),
    "implied-price-tolerance": ("implied_price_tolerance", float),
    "roll-after-months": ("roll_after_months", int),
}
_LIMITS = {f.name.replace("_", "-"): f for f in fields(Limits)}


def _number(value: Any, kind: type, key: str, where: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{key} must be a number, got {value!r}", file=where)
    if kind is int and not float(value).is_integer():
        raise ConfigError(f"{key} must be a whole number, got {value!r}", file=where)
    if value < 0:
        raise ConfigError(f"{key} must not be negative, got {value!r}", file=where)
    return kind(value)


def parse_config(table: Mapping[str, Any], where: str) -> ValidateConfig:
    """Settings from the contents of a ``[tool.xlmodels.validate]`` table."""
    config = ValidateConfig(source=where)
    for key, value in table.items():
        if key in _SCALARS:
            attribute, kind = _SCALARS[key]
            config = replace(config, **{attribute: _number(value, kind, key, where)})
        elif key == "rules":
            config = replace(config, severities=_severities(value, where))
        elif key == "limits":
            config = replace(config, limits=_limits(value, where))
        else:
            known = ", ".join([*_SCALARS, "rules", "limits"])
            raise ConfigError(
                f"unknown setting {key!r} in [tool.xlmodels.validate]; known: {known}",
                file=where,
            )
    return config


def _severities(table: Any, where: str) -> dict[str, Severity | None]:
    if not isinstance(table, Mapping):
        raise ConfigError("rules must be a table of rule id = severity", file=where)
    known = set(RULES)
    choices = [*(s.value for s in Severity), OFF]
    out: dict[str, Severity | None] = {}
    for rule_id, value in table.items():
        if rule_id not in known:
            raise ConfigError(
                f"unknown rule {rule_id!r} in [tool.xlmodels.validate.rules] "
                "(xlmodels validate --list-rules lists them)",
                file=where,
            )
        if rule_id in ("file.unreadable", "file.check-failed"):
            raise ConfigError(
                f"{rule_id} cannot be configured: a file that could not be read or checked "
                "never passes",
                file=where,
            )
        if value not in choices:
            raise ConfigError(
                f"rule {rule_id!r} must be one of {', '.join(choices)}, got {value!r}", file=where
            )
        out[rule_id] = None if value == OFF else Severity(value)
    return out


def _limits(table: Any, where: str) -> Limits:
    if not isinstance(table, Mapping):
        raise ConfigError("limits must be a table", file=where)
    limits = Limits()
    for key, value in table.items():
        if key not in _LIMITS:
            raise ConfigError(
                f"unknown setting {key!r} in [tool.xlmodels.validate.limits]; "
                f"known: {', '.join(_LIMITS)}",
                file=where,
            )
        target = _LIMITS[key]
        kind = int if target.type in (int, "int") else float
        limits = replace(limits, **{target.name: _number(value, kind, key, where)})
    return limits


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` with a validate table."""
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _validate_table(_read_toml(candidate), nested=True) is not None:
            return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"not valid TOML: {error}", file=path) from None


def _validate_table(document: Mapping[str, Any], *, nested: bool) -> Mapping[str, Any] | None:
    table: Any = document
    for key in ("tool", "xlmodels", "validate"):
        if not isinstance(table, Mapping) or key not in table:
            return None if nested else document
        table = table[key]
    if not isinstance(table, Mapping):
        return None
    return table


def load_config(path: Path | None = None, *, start: Path | None = None) -> ValidateConfig:
    """Settings from ``path`` if given, else from the nearest pyproject.toml, else defaults.

    Raises
    ------
    ConfigError
        For a missing or malformed file, an unknown key, rule id or severity.
    """
    if path is not None:
        if not path.is_file():
            raise ConfigError("configuration file not found", file=path)
        table = _validate_table(_read_toml(path), nested=False)
        return parse_config(table or {}, str(path))
    found = find_pyproject((start or Path.cwd()).resolve())
    if found is None:
        return ValidateConfig()
    table = _validate_table(_read_toml(found), nested=True)
    return parse_config(table or {}, str(found))
