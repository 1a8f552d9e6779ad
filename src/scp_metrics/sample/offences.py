"""Southampton's offence mix: yearly volumes, trends, seasonality, time of day, location."""

from __future__ import annotations

from datetime import date

import numpy as np

from .catalogue import OffenceCode
from .story import CITY_CENTRE_NIGHT_FRACTION, CITY_CENTRE_SHARE_OF_VAP

__all__ = [
    "HOURS",
    "SEASON",
    "annual_volume",
    "centre_profile",
    "hour_profile_key",
    "season_key",
    "story_category",
]

# Annual volume in 2008/09 terms (codes that ended in March 2008 carry the volume their
# successors would have had before the April 2008 GBH counting-rule clarification).
BASE_2008: dict[str, float] = {
    "1": 3, "2": 6, "3": 90, "4.1": 1, "4.2": 0.1, "4.4": 2, "4.8": 1.5,
    "5": 130, "5A": 150, "5B": 10, "5C": 6, "8A": 2680, "8D": 46,
    "8F": 110, "8G": 2600, "8H": 3, "8J": 45, "8L": 1100, "9A": 400, "11": 45, "37.1": 0.3,
    "104": 180, "105A": 2600, "105B": 120,
    "17": 10, "19C": 75, "19E": 5, "20": 160, "22B": 40, "88A": 40,
    "34A": 40, "34B": 380,
    "28": 1250, "29": 12, "30": 1350, "31": 5,
    "37.2": 50, "45": 1700, "48": 620, "126": 160,
    "39": 400, "40": 180, "44": 800, "46": 2300, "49": 3150,
    "51": 2, "53": 700,
    "56A": 25, "56B": 230, "58A": 1300, "58B": 600, "58C": 1600, "58D": 900, "58E": 20, "59": 120,
    "92A": 250, "92D": 650, "92E": 280,
    "10A": 8, "81": 60, "66": 450,
}  # fmt: skip

_CANNABIS_CODE_FROM = date(2004, 1, 29)

# Yearly fall back from 2008/09 (volume in year y = base * (1 + fall) ** (2008 - y)).
_FALL_BY_GROUP: dict[str, float] = {
    "Violence against the person": 0.03,
    "Sexual offences": 0.03,
    "Robbery": 0.04,
    "Burglary": 0.065,
    "Offences against vehicles": 0.10,
    "Other theft offences": 0.06,
    "Fraud and forgery": 0.03,
    "Criminal damage": 0.08,
    "Drug offences": -0.04,
    "Other offences": 0.02,
}


def annual_volume(code: OffenceCode, fy: int, month_start: date | None = None) -> float:
    """Expected yearly count of ``code`` in financial year ``fy`` (validity not applied).

    Before code ``92D`` existed (29 January 2004) cannabis possession is recorded as ``92E``.
    """
    base = BASE_2008[code.code] * (1 + _FALL_BY_GROUP[code.group]) ** (2008 - fy)
    if code.code == "92E" and month_start is not None and month_start < _CANNABIS_CODE_FROM:
        base += BASE_2008["92D"] * (1 + _FALL_BY_GROUP[code.group]) ** (2008 - fy)
    return base


def story_category(code: OffenceCode) -> str:
    """Disjoint story category of an offence code (VAP is split further by location/time)."""
    if code.group == "Violence against the person":
        return "vap"
    if code.group == "Sexual offences":
        return "sexual"
    if code.group == "Robbery":
        return "robbery"
    if code.code in ("28", "29"):
        return "dwelling_burglary"
    if code.code in ("48", "37.2"):
        return "tmv"
    if code.code == "45":
        return "tfv"
    if code.group == "Criminal damage":
        return "damage"
    return "other"


# Monthly seasonal multipliers, January ... December.
SEASON: dict[str, list[float]] = {
    "violence": [0.92, 0.86, 0.96, 0.98, 1.04, 1.07, 1.10, 1.06, 0.97, 0.98, 0.94, 1.12],
    "burglary": [1.12, 1.00, 0.97, 0.92, 0.90, 0.86, 0.88, 0.90, 0.95, 1.08, 1.18, 1.24],
    "vehicle": [1.05, 0.96, 1.00, 0.96, 0.95, 0.93, 0.98, 1.00, 1.00, 1.05, 1.08, 1.04],
    "damage": [0.92, 0.90, 1.05, 1.03, 1.05, 1.00, 1.00, 1.00, 0.97, 1.08, 1.05, 0.95],
    "flat": [0.98, 0.97, 1.00, 1.00, 1.01, 1.00, 1.01, 1.00, 1.00, 1.01, 1.00, 1.02],
}


def season_key(code: OffenceCode) -> str:
    """Which seasonal profile an offence follows."""
    if code.group in ("Violence against the person", "Sexual offences"):
        return "violence"
    if code.group in ("Burglary", "Robbery"):
        return "burglary"
    if code.group == "Offences against vehicles":
        return "vehicle"
    if code.group == "Criminal damage":
        return "damage"
    return "flat"


def _hours(*pairs: tuple[int, float]) -> np.ndarray:
    w = np.full(24, 1.0)
    for hour, weight in pairs:
        w[hour] = weight
    return w / w.sum()


# Hour-of-day weights (00 ... 23) for the offence time.
HOURS: dict[str, np.ndarray] = {
    "violence": _hours(
        (0, 5.5),
        (1, 5.5),
        (2, 5.0),
        (3, 3.2),
        (4, 1.6),
        (5, 0.8),
        (6, 0.5),
        (7, 0.6),
        (8, 0.8),
        (9, 1.0),
        (10, 1.1),
        (11, 1.2),
        (12, 1.4),
        (13, 1.5),
        (14, 1.6),
        (15, 1.9),
        (16, 2.0),
        (17, 2.1),
        (18, 2.2),
        (19, 2.4),
        (20, 2.7),
        (21, 3.2),
        (22, 3.8),
        (23, 4.8),
    ),
    "burglary": _hours(*((h, 0.5) for h in range(1, 7)), *((h, 1.6) for h in range(8, 19))),
    "vehicle": _hours(*((h, 2.0) for h in (22, 23, 0, 1, 2, 3, 4)), *((h, 0.7) for h in (9, 10))),
    "shop": _hours(*((h, 0.05) for h in range(0, 8)), *((h, 2.5) for h in range(10, 18))),
    "damage": _hours(*((h, 2.0) for h in (19, 20, 21, 22, 23, 0, 1)), *((h, 0.4) for h in (4, 5))),
    "day": _hours(*((h, 0.3) for h in range(0, 7)), *((h, 1.8) for h in range(10, 18))),
}


def hour_profile_key(code: OffenceCode) -> str:
    """Which hour-of-day profile an offence follows."""
    if code.group in ("Violence against the person", "Sexual offences", "Robbery"):
        return "violence"
    if code.group == "Burglary":
        return "burglary"
    if code.group == "Offences against vehicles":
        return "vehicle"
    if code.code == "46":
        return "shop"
    if code.group in ("Criminal damage", "Drug offences", "Other offences"):
        return "damage"
    return "day"


def centre_profile(code: OffenceCode) -> tuple[float, float]:
    """(share in the city centre, share of city-centre offences at night 20:00-05:59)."""
    if code.group == "Violence against the person":
        return CITY_CENTRE_SHARE_OF_VAP, CITY_CENTRE_NIGHT_FRACTION
    special = {"39": (0.55, 0.35), "46": (0.45, 0.03), "49": (0.22, 0.25), "44": (0.25, 0.3)}
    if code.code in special:
        return special[code.code]
    by_group = {
        "Sexual offences": (0.15, 0.5),
        "Robbery": (0.30, 0.55),
        "Burglary": (0.05, 0.3),
        "Offences against vehicles": (0.12, 0.5),
        "Other theft offences": (0.15, 0.2),
        "Fraud and forgery": (0.20, 0.1),
        "Criminal damage": (0.12, 0.5),
        "Drug offences": (0.25, 0.5),
        "Other offences": (0.25, 0.5),
    }
    return by_group[code.group]
