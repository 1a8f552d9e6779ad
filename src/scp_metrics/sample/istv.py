"""ISTV (Cardiff Model) ED assault attendances at Southampton General (RHM01), one CSV a quarter.

Assaults are drawn by *night*: a night runs 20:00-03:59 and after-midnight assaults belong to
the night that began the evening before. April-December 2009 night assaults are set to the
story's -12% on the realised 2008 nights. Files are split by arrival date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from .offences import SEASON
from .periods import Month, months, quarters
from .seeds import rng_for
from .story import ED_NIGHT_CHANGE, ED_OTHER_CHANGE
from .writers import csv_bytes, write_bytes

__all__ = ["COLUMNS", "istv_attendances", "write_istv"]

COLUMNS = [
    "REPORTING PERIOD START DATE", "REPORTING PERIOD END DATE", "SITE CODE (OF TREATMENT)",
    "ARRIVAL DATE AND TIME AT ACCIDENT AND EMERGENCY DEPARTMENT", "ASSAULT DATE AND TIME",
    "ASSAULT METHOD", "ASSAULT METHOD OTHER DESCRIPTION", "ASSAULT LOCATION TYPE",
    "ASSAULT LOCATION DESCRIPTION",
]  # fmt: skip
KINDS = ("night", "day", "blank")
_ANNUAL_2008 = {"night": 1150.0, "day": 780.0, "blank": 80.0}
_FALL = 0.02  # yearly fall back from 2008/09
_NIGHT_HOURS = np.array([20, 21, 22, 23, 0, 1, 2, 3])
_NIGHT_W = np.array([0.6, 0.8, 1.0, 1.3, 1.6, 1.6, 1.3, 0.8])
_DAY_HOURS = np.arange(4, 20)
_DAY_W = np.array([0.3, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.6])
METHODS = ["Body part (fist/foot/head)", "Blunt object", "Sharp object", "Glass/bottle", "Other"]
_METHOD_P = {"night": [0.62, 0.08, 0.06, 0.13, 0.11], "day": [0.58, 0.12, 0.08, 0.05, 0.17]}
_METHOD_OTHER = [
    "Bitten",
    "Pushed to ground",
    "Stamped on",
    "Head struck against wall",
    "Kicked by group",
    "Chair thrown",
    "Dog set on victim",
    "Hot drink thrown",
]
LOCATIONS = ["Street", "Licensed premises", "Home", "Public transport", "Other"]
_LOCATION_P = {"night": [0.48, 0.32, 0.08, 0.05, 0.07], "day": [0.35, 0.08, 0.35, 0.07, 0.15]}
_LOCATION_TEXT = {
    "Street": ["Above Bar Street", "Bedford Place", "London Road", "Oxford Street",
               "Portswood Road", "Shirley High Street", "Bevois Valley Road", "East Street"],
    "Licensed premises": ["Nightclub, Above Bar Street", "Pub, Bedford Place", "Bar, Oxford Street",
                          "Pub, Portswood Road", "Club, London Road", "Bar, Carlton Place",
                          "Pub, Shirley High Street", "Pub, Bevois Valley Road"],
    "Home": ["Own home", "Friend's home", "Partner's home", "Family home"],
    "Public transport": ["Bus", "Central Station", "Taxi rank, Above Bar Street", "Train"],
    "Other": ["Park", "Workplace", "Shop", "School grounds", "Car park", "Hospital"],
}  # fmt: skip


def _expected(month: Month, kind: str) -> float:
    weights = [SEASON["violence"][m - 1] * Month(2001, m).days for m in range(1, 13)]
    share = weights[month.month - 1] / sum(weights)
    return _ANNUAL_2008[kind] * (1 + _FALL) ** (2008 - month.fy) * share


def _monthly_counts(seed: int) -> dict[Month, dict[str, int]]:
    """Assaults per month (by night for night assaults) with the 2009 story applied exactly."""
    all_months = months()
    out: dict[Month, dict[str, int]] = {}
    for month in all_months:
        if month.fy < 2009:
            rng = rng_for(seed, "istv-plan", month.index)
            out[month] = {k: int(rng.poisson(_expected(month, k))) for k in KINDS}
    story = [m for m in all_months if m.fy == 2009]
    rng = rng_for(seed, "istv-story")
    change = {"night": ED_NIGHT_CHANGE, "day": ED_OTHER_CHANGE, "blank": ED_OTHER_CHANGE}
    for kind in KINDS:
        before = sum(out[Month(m.year - 1, m.month)][kind] for m in story)
        p = np.array([_expected(m, kind) for m in story])
        drawn = rng.multinomial(round(before * (1 + change[kind])), p / p.sum())
        for m, n in zip(story, drawn, strict=True):
            out.setdefault(m, {})[kind] = int(n)
    return out


def _month_rows(month: Month, counts: dict[str, int], seed: int) -> pd.DataFrame:
    rng = rng_for(seed, "istv", month.index)
    start = datetime(month.year, month.month, 1)
    rows: dict[str, list] = {"arrival": [], "assault": [], "kind": []}
    for kind in KINDS:
        n = counts[kind]
        day = rng.integers(0, month.days, size=n)
        if kind == "night":
            hour = rng.choice(_NIGHT_HOURS, size=n, p=_NIGHT_W / _NIGHT_W.sum())
            day = day + (hour < 20)  # after midnight: the calendar day after the night
        elif kind == "day":
            hour = rng.choice(_DAY_HOURS, size=n, p=_DAY_W / _DAY_W.sum())
        else:
            hour = rng.integers(0, 24, size=n)
        minute = day * 1440 + hour * 60 + rng.integers(0, 60, size=n)
        delay = np.minimum(10 + rng.gamma(1.6, 40.0, size=n), 360).astype(int)
        for m, d in zip(minute.tolist(), delay.tolist(), strict=True):
            assault = start + timedelta(minutes=m)
            rows["assault"].append(None if kind == "blank" else assault)
            rows["arrival"].append(assault + timedelta(minutes=d))
            rows["kind"].append(kind)
    frame = pd.DataFrame(rows)
    n = len(frame)
    style = np.where(frame["kind"] == "night", "night", "day")
    method = np.empty(n, dtype=object)
    location = np.empty(n, dtype=object)
    for key in ("night", "day"):
        idx = np.flatnonzero(style == key)
        method[idx] = rng.choice(METHODS, size=idx.size, p=_METHOD_P[key])
        location[idx] = rng.choice(LOCATIONS, size=idx.size, p=_LOCATION_P[key])
    other_text = rng.choice(_METHOD_OTHER, size=n)
    pick = rng.random(n)
    frame["ASSAULT METHOD"] = method
    frame["ASSAULT METHOD OTHER DESCRIPTION"] = np.where(method == "Other", other_text, "")
    frame["ASSAULT LOCATION TYPE"] = location
    frame["ASSAULT LOCATION DESCRIPTION"] = [
        _LOCATION_TEXT[loc][int(u * len(_LOCATION_TEXT[loc]))]
        for loc, u in zip(location, pick, strict=True)
    ]
    return frame


def istv_attendances(seed: int) -> pd.DataFrame:
    """Every attendance April 2003 - December 2009 (by arrival), with internal columns."""
    parts = [_month_rows(m, c, seed) for m, c in sorted(_monthly_counts(seed).items())]
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["arrival"] < datetime(2010, 1, 1)]
    return frame.sort_values("arrival", kind="stable").reset_index(drop=True)


def _stamp(values: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M") for v in values]


def write_istv(
    out_dir: Path, seed: int, progress: Callable[[str], None] | None = None
) -> list[Path]:
    """Write ``istv/istv_ed_assaults_RHM01_<quarter>.csv`` for every quarter (by arrival)."""
    frame = istv_attendances(seed)
    arrival_day = frame["arrival"].map(lambda v: v.date())
    paths = []
    for quarter in quarters():
        if progress:
            progress(f"istv {quarter.label}")
        part = frame[(arrival_day >= quarter.start) & (arrival_day <= quarter.end)].copy()
        part["REPORTING PERIOD START DATE"] = quarter.start.isoformat()
        part["REPORTING PERIOD END DATE"] = quarter.end.isoformat()
        part["SITE CODE (OF TREATMENT)"] = "RHM01"
        part["ARRIVAL DATE AND TIME AT ACCIDENT AND EMERGENCY DEPARTMENT"] = _stamp(part["arrival"])
        part["ASSAULT DATE AND TIME"] = _stamp(part["assault"])
        path = out_dir / "istv" / f"istv_ed_assaults_RHM01_{quarter.label}.csv"
        paths.append(write_bytes(path, csv_bytes(part[COLUMNS])))
    return paths
