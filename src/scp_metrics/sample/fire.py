"""Hampshire Fire and Rescue Service incidents in Southampton (IRS-like), one XLSX a quarter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from .geography import WARDS, non_centre_ward_probs
from .periods import Month, Quarter, months, quarters
from .seeds import rng_for
from .story import FIRE_DELIBERATE_STEP
from .writers import write_bytes, xlsx_bytes

__all__ = ["HEADER", "fire_incidents", "fire_workbook", "write_fire"]

HEADER = ["Incident Number", "Incident Date", "Incident Time", "Incident Type", "Motive",
          "Property Type", "Ward Name"]  # fmt: skip

# (incident type, motive): yearly count in 2008/09, yearly fall back to 2003/04, season key.
# False alarms and special services carry no motive (blank).
KINDS: dict[tuple[str, str], tuple[float, float, str]] = {
    ("Primary Fire", "Deliberate"): (250, 0.045, "primary"),
    ("Primary Fire", "Accidental"): (130, 0.02, "flat"),
    ("Primary Fire", "Not known"): (20, 0.0, "flat"),
    ("Secondary Fire", "Deliberate"): (650, 0.045, "secondary"),
    ("Secondary Fire", "Accidental"): (120, 0.02, "secondary"),
    ("Secondary Fire", "Not known"): (30, 0.0, "secondary"),
    ("Chimney Fire", "Accidental"): (15, 0.03, "chimney"),
    ("False Alarm", ""): (900, 0.01, "flat"),
    ("Special Service", ""): (420, -0.02, "flat"),
}
_SEASON = {
    "primary": [0.95, 0.85, 1.0, 1.05, 1.05, 1.0, 1.0, 1.0, 0.95, 1.05, 1.2, 0.95],
    "secondary": [0.7, 0.8, 1.3, 1.5, 1.3, 1.1, 1.1, 1.1, 0.8, 0.9, 1.3, 0.8],
    "chimney": [2.2, 2.0, 1.4, 0.6, 0.3, 0.1, 0.1, 0.1, 0.4, 1.2, 1.8, 2.3],
    "flat": [1.0] * 12,
}
_PROPERTY = {
    "Primary Fire": (["Dwelling", "Road vehicle", "Non-residential building",
                      "Other outdoor structure"], [0.35, 0.35, 0.2, 0.1]),
    "Secondary Fire": (["Refuse/wheelie bin", "Grassland/heath", "Derelict building",
                        "Derelict vehicle", "Other outdoor"], [0.45, 0.25, 0.05, 0.05, 0.2]),
    "Chimney Fire": (["Dwelling"], [1.0]),
    "False Alarm": (["Dwelling", "Non-residential building", "Other residential"], [0.5, 0.4, 0.1]),
    "Special Service": (["Road vehicle", "Dwelling", "Non-residential building", "Other outdoor"],
                        [0.4, 0.35, 0.1, 0.15]),
}  # fmt: skip
_HOURS_EVENING = np.array([2, 1.5, 1, .6, .4, .3, .3, .4, .5, .6, .7, .8,
                           .9, 1, 1.2, 1.5, 2, 2.5, 2.8, 3, 3, 2.8, 2.5, 2.2])  # fmt: skip
_HOURS_DAY = np.array([.5, .4, .3, .3, .3, .4, .6, .9, 1.2, 1.3, 1.3, 1.3,
                       1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.2, 1.1, 1, .8, .6])  # fmt: skip


def _expected(kind: tuple[str, str], month: Month) -> float:
    annual, fall, season = KINDS[kind]
    weights = [_SEASON[season][m - 1] * Month(2001, m).days for m in range(1, 13)]
    return annual * (1 + fall) ** (2008 - month.fy) * weights[month.month - 1] / sum(weights)


@lru_cache(maxsize=4)
def _monthly_counts(seed: int) -> dict[Month, np.ndarray]:
    """Incidents per month and kind; deliberate fires step up 15% from April 2009 (exactly)."""
    kinds = list(KINDS)
    out: dict[Month, np.ndarray] = {}
    all_months = months()
    for month in all_months:
        if month.fy < 2009:
            lam = np.array([_expected(k, month) for k in kinds])
            out[month] = rng_for(seed, "fire-plan", month.index).poisson(lam)
    story = [m for m in all_months if m.fy == 2009]
    rng = rng_for(seed, "fire-story")
    for j, kind in enumerate(kinds):
        before = sum(int(out[Month(m.year - 1, m.month)][j]) for m in story)
        factor = FIRE_DELIBERATE_STEP if kind[1] == "Deliberate" else 1.0
        p = np.array([_expected(kind, m) for m in story])
        drawn = rng.multinomial(round(before * factor), p / p.sum())
        for m, n in zip(story, drawn, strict=True):
            out.setdefault(m, np.zeros(len(kinds), dtype=np.int64))[j] = n
    return out


def fire_incidents(quarter: Quarter, seed: int) -> list[list[object]]:
    """Rows for one quarter, ordered by date and time, with real dates and HH:MM text times."""
    counts = _monthly_counts(seed)
    kinds = list(KINDS)
    rng = rng_for(seed, "fire", quarter.fy, quarter.q)
    records = []
    for month in quarter.months:
        for j, (itype, motive) in enumerate(kinds):
            n = int(counts[month][j])
            days = rng.integers(1, month.days + 1, size=n)
            hours_p = _HOURS_EVENING if motive == "Deliberate" else _HOURS_DAY
            hours = rng.choice(24, size=n, p=hours_p / hours_p.sum())
            minutes = rng.integers(0, 60, size=n)
            names, probs = _PROPERTY[itype]
            props = rng.choice(names, size=n, p=probs)
            wards = rng.choice(len(WARDS), size=n, p=non_centre_ward_probs())
            for d, h, mi, pr, w in zip(days, hours, minutes, props, wards, strict=True):
                when = (date(month.year, month.month, int(d)), f"{h:02d}:{mi:02d}")
                records.append([when[0], when[1], itype, motive, str(pr), WARDS[w].name])
    records.sort(key=lambda r: (r[0], r[1]))
    year = quarter.months[0].year
    before = sum(
        int(c.sum()) for m, c in counts.items() if m.year == year and m < quarter.months[0]
    )
    gaps = rng.integers(1, 9, size=len(records))
    seq = 8 * (before + np.arange(len(records))) + gaps
    return [[f"HF{year % 100:02d}{s:06d}", *r] for s, r in zip(seq.tolist(), records, strict=True)]


def fire_workbook(quarter: Quarter, seed: int) -> bytes:
    """The quarter's XLSX: title row, blank row, header, then incidents."""
    label = f"{quarter.fy_label} Q{quarter.q}"
    title = f"Hampshire Fire and Rescue Service - Incidents in Southampton, {label}"
    rows = fire_incidents(quarter, seed)
    return xlsx_bytes("Incidents", [[title], []], HEADER, rows, number_formats={1: "dd/mm/yyyy"})


def write_fire(
    out_dir: Path, seed: int, progress: Callable[[str], None] | None = None
) -> list[Path]:
    """Write ``fire/hfrs_incidents_southampton_<quarter>.xlsx`` for every quarter."""
    paths = []
    for quarter in quarters():
        if progress:
            progress(f"fire {quarter.label}")
        path = out_dir / "fire" / f"hfrs_incidents_southampton_{quarter.label}.xlsx"
        paths.append(write_bytes(path, fire_workbook(quarter, seed)))
    return paths
