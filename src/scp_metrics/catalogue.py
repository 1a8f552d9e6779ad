"""The domain catalogues in ``config/``: areas, name lookups, offence codes, indicators."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    unit: str
    multiplier: int
    polarity: str
    numerator: str
    denominator: str
    source: str
    offence_codes: tuple[str, ...] = ()
    offence_groups: tuple[str, ...] = ()


def read_areas(config_dir: Path) -> pd.DataFrame:
    return pd.read_csv(config_dir / "areas.csv", dtype=str)


def read_area_name_lookup(config_dir: Path) -> pd.DataFrame:
    return pd.read_csv(config_dir / "area_name_lookup.csv", dtype=str)


def read_offence_codes(config_dir: Path) -> pd.DataFrame:
    codes = pd.read_csv(config_dir / "offence_codes.csv", dtype=str, keep_default_na=False)
    codes["offence_code"] = codes["offence_code"].str.strip().str.upper()
    for col in ("valid_from", "valid_to"):
        codes[col] = pd.to_datetime(codes[col].replace("", None)).dt.date
    return codes


def read_indicators(config_dir: Path) -> list[Indicator]:
    with open(config_dir / "indicators.toml", "rb") as fh:
        data = tomllib.load(fh)
    out = []
    for item in data.get("indicator", []):
        out.append(Indicator(
            id=item["id"], title=item["title"], unit=item["unit"],
            multiplier=int(item.get("multiplier", 1)), polarity=item["polarity"],
            numerator=item.get("numerator", ""), denominator=item.get("denominator", ""),
            source=item.get("source", ""),
            offence_codes=tuple(str(c).upper() for c in item.get("offence_codes", [])),
            offence_groups=tuple(item.get("offence_groups", [])),
        ))
    return out


def indicator_offence_codes(indicators: list[Indicator], codes: pd.DataFrame) -> pd.DataFrame:
    """One row per (indicator, offence code) with the dates the code counts towards it."""
    rows = []
    for ind in indicators:
        groups = {g.lower() for g in ind.offence_groups}
        for code in codes.itertuples(index=False):
            if ("*" in groups or code.offence_group.lower() in groups
                    or code.offence_code in ind.offence_codes):
                rows.append((ind.id, code.offence_code, code.valid_from, code.valid_to))
    return pd.DataFrame(rows, columns=["indicator_id", "offence_code", "valid_from", "valid_to"])
