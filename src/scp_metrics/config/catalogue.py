"""The domain catalogues in ``config/``: areas, name lookups, offence codes, indicators."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd

from scp_metrics.config.units import INDICATOR_UNITS


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


#: How an indicator is counted (``family``; the SQL models count each family their way).
FAMILIES = ("offence_codes", "crime_share", "crime_flagged_count", "fire_deliberate", "ed_night",
            "marac_repeat", "survey", "police_uk")
MEASURES = ("rate", "count", "percentage")
POLARITIES = ("lower", "higher", "neutral")
_REQUIRED = ("id", "title", "unit", "polarity")
_KEYS = {f.name for f in fields(Indicator)} | {
    # Place Survey scoring (scp_metrics.config.survey)
    "survey_columns", "hit_answers", "scores", "high_threshold", "dont_know", "fieldwork_start",
    "fieldwork_end", "national_pct", "headline_indicator"}


def _check_indicator(item: dict[str, Any], n: int) -> None:
    """Refuse an ``[[indicator]]`` entry with a missing or unknown key or value, naming the file,
    the indicator and the key."""
    where = f"indicators.toml: indicator {item.get('id', f'number {n}')!r}"
    missing = [k for k in _REQUIRED if k not in item]
    if missing:
        raise ValueError(f"{where}: {', '.join(missing)} missing")
    extra = sorted(set(item) - _KEYS)
    if extra:
        raise ValueError(f"{where}: unknown key(s) {', '.join(extra)}")
    for key, allowed, default in (("family", FAMILIES, "offence_codes"),
                                  ("measure", MEASURES, "rate"),
                                  ("polarity", POLARITIES, None),
                                  ("unit", INDICATOR_UNITS, None)):
        value = item.get(key, default)
        if value not in allowed:
            raise ValueError(f"{where}: {key}: unknown {key} {value!r} "
                             f"(known: {', '.join(allowed)})")
    measure, unit = item.get("measure", "rate"), item["unit"]
    multiplier = int(item.get("multiplier", 1))
    expected = {"rate": f"rate per {multiplier:,}", "percentage": "%", "count": "count"}[measure]
    if unit != expected:
        raise ValueError(f"{where}: unit: a {measure} with multiplier {multiplier:,} is in "
                         f"{expected!r}, not {unit!r}")


def read_indicators(config_dir: Path) -> list[Indicator]:
    """The indicator catalogue (``config/indicators.toml``) and the police.uk indicators.

    Raises
    ------
    ValueError
        Naming the file, the indicator and the key: a missing ``id``, ``title``, ``unit`` or
        ``polarity``, an unknown key, family, measure, polarity or unit, or a unit that is not
        its measure's (a rate per ``multiplier``, a %, a count).
    """
    with open(config_dir / "indicators.toml", "rb") as fh:
        data = tomllib.load(fh)
    out = []
    for n, item in enumerate(data.get("indicator", []), 1):
        _check_indicator(item, n)
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
    ids = [i.id for i in out]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValueError(f"indicators.toml: indicator ids must be unique ({', '.join(twice)} "
                         "repeated)")
    out.extend(police_uk_indicators(config_dir))
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


# ---- data.police.uk street-level data (config/police_uk_crime_types.csv and lookups) ----

POLICE_UK_PREFIX = "police_uk:"
POLICE_UK_ALL_CRIME = "police_uk:all-crime"


def _text() -> pd.Series:
    return pd.Series(dtype=object)


def read_police_uk_crime_types(config_dir: Path) -> pd.DataFrame:
    """police.uk crime categories: ``crime_type, slug, in_all_crime, valid_from, valid_to,
    note`` (empty when the file is absent)."""
    path = config_dir / "police_uk_crime_types.csv"
    cols = ["crime_type", "slug", "in_all_crime", "valid_from", "valid_to", "note"]
    if not path.is_file():
        return pd.DataFrame({"crime_type": _text(), "slug": _text(),
                             "in_all_crime": pd.Series(dtype=bool),
                             "valid_from": pd.Series(dtype="datetime64[us]"),
                             "valid_to": pd.Series(dtype="datetime64[us]"), "note": _text()})
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["in_all_crime"] = frame["in_all_crime"].str.strip().str.lower() == "true"
    for col in ("valid_from", "valid_to"):
        frame[col] = pd.to_datetime(frame[col].replace("", None)).dt.date
    return frame[cols]


def read_lsoa_prefix_lookup(config_dir: Path) -> pd.DataFrame:
    """LSOA-name prefixes (local authority names as police.uk spells them) whose ONS area
    differs from an exact name match: ``lsoa_prefix, area_code, area_name, reason``."""
    path = config_dir / "lsoa_prefix_lookup.csv"
    if not path.is_file():
        return pd.DataFrame({c: _text() for c in ("lsoa_prefix", "area_code", "area_name",
                                                  "reason")})
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_police_forces(config_dir: Path) -> pd.DataFrame:
    """Police force areas: ``pfa_code, pfa_name, police_uk_name, checked_against_real_data``."""
    path = config_dir / "police_forces.csv"
    if not path.is_file():
        return pd.DataFrame({"pfa_code": _text(), "pfa_name": _text(), "police_uk_name": _text(),
                             "checked_against_real_data": pd.Series(dtype=bool)})
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["checked_against_real_data"] = frame["checked_against_real_data"].str.lower() == "true"
    return frame


def read_police_force_areas(config_dir: Path) -> pd.DataFrame:
    """Local authority (April 2020 codes) → police force area: ``area_code, area_name,
    pfa_code``. An area-month has police.uk values only when its force's file is loaded."""
    path = config_dir / "police_force_areas.csv"
    if not path.is_file():
        return pd.DataFrame({c: _text() for c in ("area_code", "area_name", "pfa_code")})
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def police_uk_slug(crime_type: str) -> str:
    """``'Violence and sexual offences'`` → ``'violence-and-sexual-offences'``."""
    import re

    return re.sub(r"[^a-z0-9]+", "-", crime_type.lower()).strip("-")


def police_uk_indicators(config_dir: Path) -> list[Indicator]:
    """The police.uk indicators: all crime (every category counted in all crime, i.e. not
    anti-social behaviour) and one per crime category, rates per 1,000 residents."""
    types = read_police_uk_crime_types(config_dir)
    if types.empty:
        return []
    common: dict[str, Any] = dict(unit="rate per 1,000", multiplier=1000, polarity="lower",
                  denominator="Resident population (ONS mid-year estimate)",
                  source="data.police.uk street-level crime (rows placed by LSOA name)",
                  family="police_uk", measure="rate", source_table="police_uk_street")
    included = types.loc[types["in_all_crime"], "crime_type"].tolist()
    out = [Indicator(id=POLICE_UK_ALL_CRIME, title="All crime (police.uk, excluding ASB)",
                     numerator="police.uk rows in the categories: " + ", ".join(included),
                     **common)]
    for row in types.itertuples(index=False):
        out.append(Indicator(id=POLICE_UK_PREFIX + row.slug, title=f"{row.crime_type} (police.uk)",
                             numerator=f"police.uk rows with crime type '{row.crime_type}'",
                             **common))
    return out
