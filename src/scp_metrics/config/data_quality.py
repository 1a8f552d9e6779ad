"""Thresholds of the data-quality checks (``config/data_quality.toml``; the checks are in
:mod:`scp_metrics.warehouse.marts.data_quality`)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["QualityThresholds", "read_thresholds"]

FILE = "data_quality.toml"


@dataclass(frozen=True)
class QualityThresholds:
    """When a data-quality finding is a warning (see ``config/data_quality.toml``)."""

    reconciliation_threshold_pct: float = 1.0
    """``[reconciliation] threshold_pct``: the CSP table may differ from the record-level
    extract by this % of the extract's count."""
    ed_warn_above_pct: float = 10.0
    """``[ed_assault_time] warn_above_pct``: share of ED attendances without an assault time."""
    survey_tolerance_points: float = 0.1
    """``[survey] tolerance_points``: published headline against respondent level, % points."""


#: ``[section] key`` of the file → the field it sets.
_FIELDS = {("reconciliation", "threshold_pct"): "reconciliation_threshold_pct",
           ("ed_assault_time", "warn_above_pct"): "ed_warn_above_pct",
           ("survey", "tolerance_points"): "survey_tolerance_points"}


def read_thresholds(config_dir: Path) -> QualityThresholds:
    """``config/data_quality.toml`` over the defaults (a missing file means the defaults).

    Raises
    ------
    ValueError
        Naming the file and the key: an unknown section or key, or a value that is not a
        non-negative number.
    """
    path = Path(config_dir) / FILE
    if not path.is_file():
        return QualityThresholds()
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    values: dict[str, float] = {}
    for section, table in data.items():
        if not isinstance(table, dict) or section not in {s for s, _ in _FIELDS}:
            raise ValueError(f"{FILE}: unknown section [{section}] (known: "
                             f"{', '.join(sorted({s for s, _ in _FIELDS}))})")
        for key, value in table.items():
            field = _FIELDS.get((section, key))
            if field is None:
                raise ValueError(f"{FILE}: [{section}] {key}: unknown key")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{FILE}: [{section}] {key}: must be a non-negative number, "
                                 f"not {value!r}")
            values[field] = float(value)
    return QualityThresholds(**values)
