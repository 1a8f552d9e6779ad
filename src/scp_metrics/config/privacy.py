"""The small-number suppression policy (``[suppression]`` of ``config/privacy.toml``).

The rule that applies it is :mod:`scp_metrics.publish.suppression`; which columns it can touch
is each mart's contract (:mod:`scp_metrics.warehouse.contracts`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

__all__ = ["SuppressionRules", "suppression_rules"]

FILE = "privacy.toml"


@dataclass(frozen=True)
class SuppressionRules:
    threshold: int = 5
    """Counts from 1 to ``threshold - 1`` are shown as ``"<threshold"``; zero is shown."""
    count_columns: tuple[str, ...] = ("numerator", "denominator")
    derived_columns: tuple[str, ...] = ("value", "ci95_lower", "ci95_upper")
    count_measures: tuple[str, ...] = ("count",)

    @property
    def marker(self) -> str:
        """What a small count is published as: ``"<5"``."""
        return f"<{self.threshold}"


def suppression_rules(config_dir: Path) -> SuppressionRules:
    """``[suppression]`` of ``config/privacy.toml`` (defaults when the file is absent).

    Raises
    ------
    ValueError
        Naming the file and the key: an unknown section or key, a threshold that is not a whole
        number of at least 1, or a list that is not of column or measure names.
    """
    path = Path(config_dir) / FILE
    if not path.is_file():
        return SuppressionRules()
    data = tomllib.loads(path.read_text())
    extra = sorted(set(data) - {"suppression"})
    if extra:
        raise ValueError(f"{FILE}: unknown section(s) {', '.join(extra)}")
    table = data.get("suppression", {})
    known = {f.name for f in fields(SuppressionRules)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"{FILE}: [suppression] {', '.join(unknown)}: unknown key")
    threshold = table.get("threshold", SuppressionRules.threshold)
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"{FILE}: [suppression] threshold: must be a whole number of at least 1, "
                         f"not {threshold!r}")
    lists = {}
    for key in known - {"threshold"}:
        value = table.get(key, getattr(SuppressionRules, key))
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{FILE}: [suppression] {key}: must be a list of names, not "
                             f"{value!r}")
        lists[key] = tuple(value)
    return SuppressionRules(threshold=threshold, **lists)
