"""The disclosure-control policy (``config/privacy.toml``).

``[suppression]`` is the default policy and says which columns hold counts; ``[source.NAME]``
overrides it for the indicators whose ``source_table`` (``config/indicators.toml``) is NAME:
``suppress = false`` publishes every count (open data), ``threshold`` moves the small-count
band (``threshold = 8``: counts 1-7 suppressed). The rule that applies the policy, primary and
secondary, is :mod:`scp_metrics.publish.suppression`; which columns it can touch is each mart's
contract (:mod:`scp_metrics.warehouse.contracts`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = ["SourcePolicy", "SuppressionRules", "suppression_rules"]

FILE = "privacy.toml"


@dataclass(frozen=True)
class SourcePolicy:
    """One source's rule: counts from 1 to ``threshold - 1`` are suppressed; ``threshold``
    None publishes every count."""

    name: str
    threshold: int | None

    def describe(self) -> str:
        """The policy in words, for the suppression audit."""
        if self.threshold is None:
            return f"{self.name}: open, not suppressed"
        return f"{self.name}: counts 1 to {self.threshold - 1} suppressed"


@dataclass(frozen=True)
class SuppressionRules:
    threshold: int = 5
    """Default policy: counts from 1 to ``threshold - 1`` are shown as ``"<threshold"``."""
    count_columns: tuple[str, ...] = ("numerator", "denominator")
    derived_columns: tuple[str, ...] = ("value", "ci95_lower", "ci95_upper")
    count_measures: tuple[str, ...] = ("count",)
    sources: Any = field(default_factory=lambda: MappingProxyType({}), compare=False)
    """Source name → :class:`SourcePolicy` (``[source.NAME]``)."""
    indicator_sources: Any = field(default_factory=lambda: MappingProxyType({}), compare=False)
    """Indicator id → source name (``source_table`` of the catalogue)."""
    withheld: Any = field(default_factory=frozenset, compare=False)
    """Secondary suppression: ``(indicator_id, area_code, period_type)`` whose every cell is
    withheld (set by :func:`scp_metrics.publish.suppression.disclosure_rules`)."""

    @property
    def marker(self) -> str:
        """What a small count is published as under the default policy: ``"<5"``."""
        return f"<{self.threshold}"

    def policy_for(self, indicator_id: object) -> SourcePolicy:
        """The policy of ``indicator_id``'s source (the default for an unknown indicator)."""
        source = self.indicator_sources.get(indicator_id) if isinstance(indicator_id, str) else None
        if source is not None and source in self.sources:
            return self.sources[source]
        return SourcePolicy("default", self.threshold)

    def with_withheld(self, withheld: frozenset[tuple[str, str, str]]) -> SuppressionRules:
        return replace(self, withheld=frozenset(withheld))


def _indicator_sources(config_dir: Path) -> dict[str, str]:
    """Indicator id → ``source_table`` from ``indicators.toml`` (police.uk indicators are
    ``police_uk_street``); empty when the catalogue is absent."""
    path = config_dir / "indicators.toml"
    if not path.is_file():
        return {}
    out = {str(i["id"]): str(i.get("source_table", "police_crime"))
           for i in tomllib.loads(path.read_text()).get("indicator", []) if "id" in i}
    if (config_dir / "police_uk_crime_types.csv").is_file():
        from scp_metrics.config.catalogue import police_uk_indicators

        out.update({i.id: i.source_table for i in police_uk_indicators(config_dir)})
    return out


def _threshold(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{FILE}: {where} threshold: must be a whole number of at least 1, "
                         f"not {value!r}")
    return value


def _sources(data: dict[str, Any]) -> dict[str, SourcePolicy]:
    out = {}
    for name, table in data.items():
        where = f"[source.{name}]"
        if not isinstance(table, dict):
            raise ValueError(f"{FILE}: {where}: must be a table of keys")
        unknown = sorted(set(table) - {"suppress", "threshold"})
        if unknown:
            raise ValueError(f"{FILE}: {where} {', '.join(unknown)}: unknown key (use suppress "
                             "or threshold)")
        suppress = table.get("suppress", True)
        if not isinstance(suppress, bool):
            raise ValueError(f"{FILE}: {where} suppress: must be true or false")
        threshold = _threshold(table.get("threshold", 5), where) if suppress else None
        out[name] = SourcePolicy(name, threshold)
    return out


def suppression_rules(config_dir: Path) -> SuppressionRules:
    """``config/privacy.toml`` (defaults when the file is absent).

    Raises
    ------
    ValueError
        Naming the file and the key: an unknown section or key, a threshold that is not a whole
        number of at least 1, or a list that is not of column or measure names.
    """
    config_dir = Path(config_dir)
    path = config_dir / FILE
    if not path.is_file():
        return SuppressionRules()
    data = tomllib.loads(path.read_text())
    extra = sorted(set(data) - {"suppression", "source"})
    if extra:
        raise ValueError(f"{FILE}: unknown section(s) {', '.join(extra)}")
    table = data.get("suppression", {})
    known = {"threshold", "count_columns", "derived_columns", "count_measures"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"{FILE}: [suppression] {', '.join(unknown)}: unknown key")
    threshold = _threshold(table.get("threshold", SuppressionRules.threshold), "[suppression]")
    lists = {}
    for key in known - {"threshold"}:
        value = table.get(key, getattr(SuppressionRules, key))
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{FILE}: [suppression] {key}: must be a list of names, not "
                             f"{value!r}")
        lists[key] = tuple(value)
    sources = _sources(data.get("source", {}))
    return SuppressionRules(threshold=threshold, **lists, sources=MappingProxyType(sources),
                            indicator_sources=MappingProxyType(
                                _indicator_sources(config_dir) if sources else {}))

