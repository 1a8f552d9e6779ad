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
    family: str = "offence_codes"
    """How it is counted: offence_codes, crime_share, crime_flagged_count, fire_deliberate,
    ed_night, marac_repeat, survey."""
    measure: str = "rate"
    """rate (per ``multiplier`` residents), count, or percentage."""
    source_table: str = "police_crime"
    flag: str | None = None
    night_start_hour: int | None = None
    night_end_hour: int | None = None


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
            family=item.get("family", "offence_codes"),
            measure=item.get("measure", "rate"),
            source_table=item.get("source_table", "police_crime"),
            flag=item.get("flag"),
            night_start_hour=item.get("night_start_hour"),
            night_end_hour=item.get("night_end_hour"),
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


def indicator_table(indicators: list[Indicator]) -> pd.DataFrame:
    """The catalogue as a table (``ref_indicators``)."""
    cols = ["id", "title", "family", "measure", "multiplier", "unit", "polarity", "source_table",
            "flag", "night_start_hour", "night_end_hour"]
    frame = pd.DataFrame([{c: getattr(i, c) for c in cols} for i in indicators], columns=cols)
    frame = frame.rename(columns={"id": "indicator_id"})
    for col in ("night_start_hour", "night_end_hour"):
        frame[col] = frame[col].astype("Int64")
    frame["flag"] = frame["flag"].astype("string")
    return frame


SERIES_BREAK_COLUMNS = ["indicator_id", "area_code", "break_date", "reason", "source"]


def read_series_breaks(config_dir: Path, indicators: list[Indicator] | None = None) -> pd.DataFrame:
    """``config/series_breaks.toml`` as one row per (indicator, break) (``ref_series_breaks``).

    ``indicator_ids = "*"`` expands to every indicator counted from police offence codes
    (``source_table == "police_crime"``); ``area_code`` is null for a break in every area.
    An unknown indicator id raises ``ValueError``. No file means no breaks.
    """
    path = config_dir / "series_breaks.toml"
    if indicators is None:
        indicators = read_indicators(config_dir)
    known = {i.id for i in indicators}
    police = [i.id for i in indicators if i.source_table == "police_crime"]
    rows = []
    if path.is_file():
        with open(path, "rb") as fh:
            entries = tomllib.load(fh).get("break", [])
        for item in entries:
            ids = item["indicator_ids"]
            ids = police if ids == "*" else [str(i) for i in ids]
            unknown = sorted(set(ids) - known)
            if unknown:
                raise ValueError(f"{path.name}: unknown indicator id(s) {', '.join(unknown)}")
            for ind in ids:
                rows.append((ind, item.get("area_code"), pd.Timestamp(item["date"]).date(),
                             item["reason"], item.get("source", "")))
    frame = pd.DataFrame(rows, columns=SERIES_BREAK_COLUMNS)
    frame["area_code"] = frame["area_code"].astype("string")
    frame["break_date"] = pd.to_datetime(frame["break_date"]).dt.date
    return frame.sort_values(["indicator_id", "break_date"]).reset_index(drop=True)
