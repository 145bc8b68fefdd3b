"""Validation settings: which rules run at which severity, thresholds and limits.

Settings live in the ``[tool.xlmodels.validate]`` table of the nearest
``pyproject.toml`` that has one, searched from the working directory upward,
or in a TOML file given with ``--config`` (either with that table, or with the
settings at its top level)::

    [tool.xlmodels.validate]
    stale-price-days = 7           # a price older than this before the report date
    max-history-gap-days = 10      # calendar days between two History dates
    display-tolerance = 0.5        # in units of the last digit a cell displays
    implied-price-tolerance = 0.005
    roll-after-months = 4          # a report date this long after FY1's year-end: roll

    [tool.xlmodels.validate.rules]
    "integrity.macros" = "off"     # or "error", "warning", "info"

    [tool.xlmodels.validate.limits]
    max-file-mb = 200

An unknown key, rule id or severity is a usage error naming it
(:mod:`xlmodels.validate.config_file` reads and checks the files).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from xlmodels.errors import InputError
from xlmodels.excel.ooxml.limits import Limits
from xlmodels.validate.findings import Severity

__all__ = ["OFF", "ConfigError", "Limits", "ValidateConfig"]

#: The severity that turns a rule off in a settings file.
OFF = "off"


class ConfigError(InputError):
    """A mistake in the validation settings (exit code 2)."""


@dataclass(frozen=True)
class ValidateConfig:
    """Everything that changes what validation reports.

    ``severities`` maps a rule id to its configured severity, or to None
    when the rule is turned off; rules not listed keep their defaults.
    ``source`` names where the settings came from, for messages.
    """

    severities: Mapping[str, Severity | None] = field(default_factory=dict)
    stale_price_days: int = 7
    max_history_gap_days: int = 10
    display_tolerance: float = 0.5
    implied_price_tolerance: float = 0.005
    roll_after_months: int = 4
    limits: Limits = field(default_factory=Limits)
    source: str | None = None

    def severity(self, rule_id: str, default: Severity) -> Severity | None:
        """The severity ``rule_id`` reports at, or None when it is off."""
        return self.severities.get(rule_id, default)
