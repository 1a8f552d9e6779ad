"""Southampton's 16 electoral wards, their LSOAs and police beats (codes are plausible)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "CITY_CENTRE_WARD_WEIGHTS",
    "WARDS",
    "Ward",
    "beats",
    "centre_ward_probs",
    "lsoa_codes",
    "non_centre_ward_probs",
    "ward_index",
]


@dataclass(frozen=True)
class Ward:
    """An electoral ward with a relative weight for crime not in the city centre."""

    name: str
    code: str
    beat_prefix: str
    crime_weight: float


_WARDS = [
    ("Bargate", "BG", 1.7),
    ("Bassett", "BS", 0.6),
    ("Bevois", "BV", 1.6),
    ("Bitterne", "BT", 0.9),
    ("Bitterne Park", "BP", 0.7),
    ("Coxford", "CX", 0.9),
    ("Freemantle", "FR", 1.1),
    ("Harefield", "HF", 0.8),
    ("Millbrook", "MB", 1.0),
    ("Peartree", "PT", 0.8),
    ("Portswood", "PW", 1.0),
    ("Redbridge", "RB", 1.1),
    ("Shirley", "SH", 1.1),
    ("Sholing", "SL", 0.7),
    ("Swaythling", "SW", 0.8),
    ("Woolston", "WO", 1.0),
]

WARDS: tuple[Ward, ...] = tuple(
    Ward(name, f"E0500{2455 + i}", prefix, weight)
    for i, (name, prefix, weight) in enumerate(_WARDS)
)

# Where city-centre crime is located: Bargate mostly, the fringes in Bevois and Freemantle.
CITY_CENTRE_WARD_WEIGHTS: dict[str, float] = {"Bargate": 0.86, "Bevois": 0.08, "Freemantle": 0.06}

_LSOA_FIRST = 17139  # E01017139 ... E01017286: 148 LSOAs
_LSOA_PER_WARD = [10, 9, 10, 9, 9, 9, 10, 9, 9, 9, 9, 9, 9, 9, 9, 10]


def ward_index(name: str) -> int:
    """Position of a ward in :data:`WARDS`."""
    return [w.name for w in WARDS].index(name)


def lsoa_codes(ward: int) -> list[str]:
    """LSOA codes (``E01017xxx``) in a ward; the first three of Bargate are the city centre."""
    start = _LSOA_FIRST + sum(_LSOA_PER_WARD[:ward])
    return [f"E01{start + k:06d}" for k in range(_LSOA_PER_WARD[ward])]


def beats(ward: int) -> list[str]:
    """Three police beats per ward, e.g. ``SBG01``."""
    return [f"S{WARDS[ward].beat_prefix}{k:02d}" for k in (1, 2, 3)]


def non_centre_ward_probs() -> np.ndarray:
    """Probability of each ward for crime outside the city centre."""
    w = np.array([ward.crime_weight for ward in WARDS], dtype=float)
    return w / w.sum()


def centre_ward_probs() -> np.ndarray:
    """Probability of each ward for city-centre crime."""
    w = np.array([CITY_CENTRE_WARD_WEIGHTS.get(ward.name, 0.0) for ward in WARDS])
    return w / w.sum()
