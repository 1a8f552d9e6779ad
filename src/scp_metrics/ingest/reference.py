"""The catalogues validation checks values against, read from the config folder it is given."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from scp_metrics.config import actions, catalogue, kpis


@dataclass(frozen=True)
class Reference:
    offence_codes: frozenset[str]
    """``config/offence_codes.csv``: known Home Office offence codes."""
    area_names: frozenset[str]
    """``config/area_name_lookup.csv``: CSP names as published (lower case, stripped)."""
    police_uk_crime_types: frozenset[str]
    """``config/police_uk_crime_types.csv``: police.uk crime categories."""
    area_codes: frozenset[str]
    """Every area code the catalogues know (areas, police force areas, name lookup)."""
    kpi_ids: frozenset[str] = frozenset()
    """``config/kpi_register.toml``: the KPI ids a partner return may name (empty: no register)."""
    action_ids: frozenset[str] = frozenset()
    """``config/action_plan.csv``: the action ids a status return may name (empty: no register)."""
    offence_code_validity: pd.DataFrame = field(default_factory=pd.DataFrame, hash=False,
                                                compare=False)
    """``offence_code, valid_from, valid_to`` (dates; null: open) of the codes with either."""


@functools.lru_cache(maxsize=4)
def reference(config_dir: Path) -> Reference:
    """The catalogues of ``config_dir`` (read once per folder)."""
    codes: set[str] = set()
    for name in ("areas.csv", "police_force_areas.csv", "area_name_lookup.csv"):
        path = config_dir / name
        if path.is_file():
            codes |= set(pd.read_csv(path, dtype=str)["area_code"].dropna().str.strip())
    offences = catalogue.read_offence_codes(config_dir)
    validity = offences[["offence_code", "valid_from", "valid_to"]].copy()
    if "valid_from" in offences.columns:
        validity = validity[validity["valid_from"].notna() | validity["valid_to"].notna()]
        for column in ("valid_from", "valid_to"):
            validity[column] = pd.to_datetime(validity[column]).astype("datetime64[us]")
    return Reference(
        offence_codes=frozenset(offences["offence_code"]),
        area_names=frozenset(catalogue.read_area_name_lookup(config_dir)["name"]
                             .str.strip().str.lower()),
        police_uk_crime_types=frozenset(
            catalogue.read_police_uk_crime_types(config_dir)["crime_type"]),
        area_codes=frozenset(codes),
        kpi_ids=_kpi_ids(config_dir), action_ids=_action_ids(config_dir),
        offence_code_validity=validity.reset_index(drop=True))


def _kpi_ids(config_dir: Path) -> frozenset[str]:
    if not (config_dir / kpis.FILE_NAME).is_file():
        return frozenset()
    return frozenset(kpis.read_kpi_register(config_dir).ids)


def _action_ids(config_dir: Path) -> frozenset[str]:
    if not (config_dir / actions.FILE_NAME).is_file():
        return frozenset()
    return frozenset(a.action_id for a in actions.read_action_plan(config_dir))
