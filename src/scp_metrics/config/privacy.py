"""The disclosure-control policy (``config/privacy.toml``).

``[suppression]`` is the default policy and says which columns hold counts; ``[source.NAME]``
overrides it for the indicators whose ``source_table`` (``config/indicators.toml``) is NAME:
``suppress = false`` publishes every count (open data), ``threshold`` moves the small-count
band (``threshold = 8``: counts 1-7 suppressed), ``marts`` names marts whose every row is the
source's (the police.uk hot-spot marts). A KPI of ``config/kpi_register.toml`` that is not an
indicator of the catalogue takes the source its ``delivered_by`` names (``partner_return``).
The rule that applies the policy, primary and secondary, is
:mod:`scp_metrics.publish.suppression`; which columns it can touch is each mart's contract
(:mod:`scp_metrics.warehouse.contracts`).
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
    round_to: int | None = None
    """Other counts are published rounded to the nearest multiple of this (None: as counted)."""

    @property
    def marker(self) -> str:
        """What a small count is published as (``"<8"``); "" for an open source."""
        return "" if self.threshold is None else f"<{self.threshold}"

    def describe(self) -> str:
        """The policy in words, for the suppression audit."""
        rounded = f", others rounded to {self.round_to}" if self.round_to else ""
        if self.threshold is None:
            return f"{self.name}: open, not suppressed{rounded}"
        return f"{self.name}: counts 1 to {self.threshold - 1} suppressed{rounded}"


@dataclass(frozen=True)
class SuppressionRules:
    threshold: int = 5
    """Default policy: counts from 1 to ``threshold - 1`` are shown as ``"<threshold"``."""
    count_columns: tuple[str, ...] = ("numerator", "denominator")
    derived_columns: tuple[str, ...] = ("value", "ci95_lower", "ci95_upper")
    count_measures: tuple[str, ...] = ("count",)
    rescaled: Any = field(default_factory=lambda: MappingProxyType(
        {"value": ("numerator", "denominator")}), compare=False)
    """Derived column → (numerator, denominator) it is proportional to: in a row whose counts
    are rounded it is recomputed from them (``[suppression] rescaled``)."""
    sources: Any = field(default_factory=lambda: MappingProxyType({}), compare=False)
    """Source name → :class:`SourcePolicy` (``[source.NAME]``)."""
    indicator_sources: Any = field(default_factory=lambda: MappingProxyType({}), compare=False)
    """Indicator id → source name (``source_table`` of the catalogue)."""
    mart_sources: Any = field(default_factory=lambda: MappingProxyType({}), compare=False)
    """Mart name → source name, for marts whose every row is one source's (``marts``)."""
    withheld: Any = field(default_factory=frozenset, compare=False)
    """Secondary suppression: ``(indicator_id, area_code, period_type)`` whose every cell is
    withheld (set by :func:`scp_metrics.publish.disclosure.disclosure_rules`)."""
    withheld_groups: Any = field(default_factory=frozenset, compare=False)
    """Secondary suppression of group figures: ``(indicator_id, group_id, period_type,
    period_end as YYYY-MM-DD)`` of a Most Similar Group ranking with a member whose count is
    withheld, whose group mean, pooled rate, SD, band and funnel limits would give it back."""

    @property
    def marker(self) -> str:
        """What a small count is published as under the default policy: ``"<5"``."""
        return f"<{self.threshold}"

    def policy_for(self, indicator_id: object, mart: str | None = None) -> SourcePolicy:
        """The policy of ``indicator_id``'s source (an indicator's or a KPI's id), or of the
        source ``mart`` belongs to; the default for an unknown one."""
        source = self.indicator_sources.get(indicator_id) if isinstance(indicator_id, str) else None
        if mart is not None and mart in self.mart_sources:
            source = self.mart_sources[mart]
        if source is not None and source in self.sources:
            return self.sources[source]
        return SourcePolicy("default", self.threshold)

    def with_withheld(self, withheld: frozenset[tuple[str, str, str]],
                      groups: frozenset[tuple[str, str, str, str]] = frozenset()
                      ) -> SuppressionRules:
        return replace(self, withheld=frozenset(withheld), withheld_groups=frozenset(groups))


def _indicator_sources(config_dir: Path) -> dict[str, str]:
    """Indicator id → ``source_table`` from ``indicators.toml`` (police.uk indicators are
    ``police_uk_street``), and a KPI of ``kpi_register.toml`` that is no indicator → its
    ``delivered_by``; empty when neither file is present."""
    out: dict[str, str] = {}
    register = config_dir / "kpi_register.toml"
    if register.is_file():
        out.update({str(k["id"]): str(k["delivered_by"])
                    for k in tomllib.loads(register.read_text()).get("kpi", [])
                    if "id" in k and "delivered_by" in k})
    path = config_dir / "indicators.toml"
    if not path.is_file():
        return out
    out.update({str(i["id"]): str(i.get("source_table", "police_crime"))
                for i in tomllib.loads(path.read_text()).get("indicator", []) if "id" in i})
    if (config_dir / "police_uk_crime_types.csv").is_file():
        from scp_metrics.config.catalogue import police_uk_indicators

        out.update({i.id: i.source_table for i in police_uk_indicators(config_dir)})
    return out


def _threshold(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{FILE}: {where} threshold: must be a whole number of at least 1, "
                         f"not {value!r}")
    return value


def _mart_sources(data: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, table in data.items():
        marts = table.get("marts", []) if isinstance(table, dict) else []
        if not isinstance(marts, list) or not all(isinstance(m, str) for m in marts):
            raise ValueError(f"{FILE}: [source.{name}] marts: must be a list of mart names, not "
                             f"{marts!r}")
        for mart in marts:
            if mart in out:
                raise ValueError(f"{FILE}: [source.{name}] marts: {mart} is already "
                                 f"[source.{out[mart]}]'s (a mart belongs to one source)")
            out[mart] = name
    return out


def _sources(data: dict[str, Any]) -> dict[str, SourcePolicy]:
    out = {}
    for name, table in data.items():
        where = f"[source.{name}]"
        if not isinstance(table, dict):
            raise ValueError(f"{FILE}: {where}: must be a table of keys")
        unknown = sorted(set(table) - {"suppress", "threshold", "marts", "round_to"})
        if unknown:
            raise ValueError(f"{FILE}: {where} {', '.join(unknown)}: unknown key (use suppress, "
                             "threshold, round_to or marts)")
        suppress = table.get("suppress", True)
        if not isinstance(suppress, bool):
            raise ValueError(f"{FILE}: {where} suppress: must be true or false")
        threshold = _threshold(table.get("threshold", 5), where) if suppress else None
        round_to = table.get("round_to")
        if round_to is not None and (isinstance(round_to, bool) or not isinstance(round_to, int)
                                     or round_to < 2):
            raise ValueError(f"{FILE}: {where} round_to: must be a whole number of at least 2, "
                             f"not {round_to!r} (leave it out to publish counts as counted)")
        out[name] = SourcePolicy(name, threshold, round_to)
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
    known = {"threshold", "count_columns", "derived_columns", "count_measures", "rescaled"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"{FILE}: [suppression] {', '.join(unknown)}: unknown key")
    threshold = _threshold(table.get("threshold", SuppressionRules.threshold), "[suppression]")
    rescaled = table.get("rescaled", {"value": ["numerator", "denominator"]})
    if not isinstance(rescaled, dict) or not all(
            isinstance(v, list) and len(v) == 2 and all(isinstance(c, str) for c in v)
            for v in rescaled.values()):
        raise ValueError(f"{FILE}: [suppression] rescaled: must map a column to [numerator, "
                         f"denominator], not {rescaled!r}")
    lists: dict[str, Any] = {"rescaled": MappingProxyType(
        {str(k): (v[0], v[1]) for k, v in rescaled.items()})}
    for key in known - {"threshold", "rescaled"}:
        value = table.get(key, getattr(SuppressionRules, key))
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{FILE}: [suppression] {key}: must be a list of names, not "
                             f"{value!r}")
        lists[key] = tuple(value)
    sources = _sources(data.get("source", {}))
    marts = _mart_sources(data.get("source", {}))
    return SuppressionRules(threshold=threshold, **lists, sources=MappingProxyType(sources),
                            mart_sources=MappingProxyType(marts),
                            indicator_sources=MappingProxyType(
                                _indicator_sources(config_dir) if sources else {}))

