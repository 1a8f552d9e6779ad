"""Read the configuration catalogues the generator needs from the ``config/`` folder it is given."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

__all__ = [
    "Area",
    "OffenceCode",
    "load_areas",
    "load_name_lookup",
    "load_offence_codes",
]


@dataclass(frozen=True)
class Area:
    """One Community Safety Partnership area (ONS code and name, police force)."""

    code: str
    name: str
    police_force: str
    region: str


@dataclass(frozen=True)
class OffenceCode:
    """A Home Office offence code with its validity window."""

    code: str
    description: str
    group: str
    subgroup: str
    valid_from: date
    valid_to: date | None

    def valid_on(self, day: date) -> bool:
        """True when the code could be recorded on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _rows(config_dir: Path, name: str) -> list[dict[str, str]]:
    path = Path(config_dir) / name
    if not path.is_file():
        raise FileNotFoundError(f"{config_dir} has no {name}: not a config folder")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=4)
def load_areas(config_dir: Path) -> tuple[Area, ...]:
    """Areas in ``config/areas.csv`` order (Southampton first)."""
    return tuple(
        Area(r["area_code"], r["area_name"], r["police_force"], r["region"])
        for r in _rows(config_dir, "areas.csv")
    )


@lru_cache(maxsize=4)
def load_offence_codes(config_dir: Path) -> tuple[OffenceCode, ...]:
    """Offence codes in ``config/offence_codes.csv`` order."""
    return tuple(
        OffenceCode(
            code=r["offence_code"],
            description=r["offence_description"],
            group=r["offence_group"],
            subgroup=r["offence_subgroup"],
            valid_from=date.fromisoformat(r["valid_from"]),
            valid_to=date.fromisoformat(r["valid_to"]) if r["valid_to"] else None,
        )
        for r in _rows(config_dir, "offence_codes.csv")
    )


@lru_cache(maxsize=4)
def load_name_lookup(config_dir: Path) -> dict[str, str]:
    """Map every known spelling of an area name to its ONS code."""
    return {r["name"]: r["area_code"] for r in _rows(config_dir, "area_name_lookup.csv")}
