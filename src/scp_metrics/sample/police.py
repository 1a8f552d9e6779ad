"""Force record-level recorded crime extract (Southampton), one CSV per quarter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .crime_plan import SEGMENTS, CrimePlan, build_crime_plan, valid_day_range
from .geography import WARDS, beats, centre_ward_probs, lsoa_codes, non_centre_ward_probs
from .offences import HOURS, hour_profile_key
from .periods import Quarter, quarters
from .seeds import rng_for
from .story import DOMESTIC_SHARE_OF_VAP
from .writers import csv_bytes, write_bytes

__all__ = ["COLUMNS", "police_records", "write_police"]

COLUMNS = [
    "Crime Reference", "Recorded Date", "Offence Date", "Offence Time", "HO Offence Code",
    "HO Offence Description", "Ward Code", "Ward Name", "LSOA Code", "Beat",
    "Domestic Abuse Flag", "Alcohol Related Flag", "Hate Crime Flag", "City Centre Flag",
    "NTE Flag",
]  # fmt: skip

VAP = "Violence against the person"
_NIGHT_HOURS = np.array([h >= 20 or h < 6 for h in range(24)])
_RACIAL = {"8D", "8H", "8J", "105B", "58E"}
_DOMESTIC_VAP_WEIGHT = {"8L": 1.6, "3": 1.3, "8G": 1.0, "8A": 1.0, "105A": 1.0, "9A": 0.5,
                        "5": 0.8, "5A": 0.8, "8F": 0.8, "1": 0.5, "2": 0.5}  # fmt: skip
_DOMESTIC_OTHER = {"58A": 0.10, "40": 0.05, "58D": 0.03}
_LAG_P = np.array([0.70, 0.15, 0.07, 0.08])  # 0, 1, 2 days, then 3-60 days


def _draw_cells(plan: CrimePlan, quarter: Quarter, rng: np.random.Generator) -> pd.DataFrame:
    """One row per planned crime with a recorded date on which its code is valid."""
    parts = []
    for month in quarter.months:
        counts = plan.counts[plan.month_row(month)]
        cells = np.repeat(np.arange(counts.size), counts)
        lo = np.zeros(counts.size, dtype=np.int64)
        hi = np.zeros(counts.size, dtype=np.int64)
        for cell in np.flatnonzero(counts):
            lo[cell], hi[cell] = valid_day_range(plan.cell_code(int(cell)), month)
        days = rng.integers(lo[cells], hi[cells] + 1)
        stamps = np.datetime64(month.start.isoformat(), "D") + (days - 1)
        parts.append(pd.DataFrame({"cell": cells, "recorded": stamps}))
    return pd.concat(parts, ignore_index=True)


def _times(frame: pd.DataFrame, plan: CrimePlan, rng: np.random.Generator) -> np.ndarray:
    """Hour*60+minute per row, -1 when unknown; city-centre night rows always 20:00-05:59."""
    n = len(frame)
    keys = np.array([hour_profile_key(plan.cell_code(c)) for c in range(plan.counts.shape[1])])
    row_key = keys[frame["cell"].to_numpy()]
    seg = frame["cell"].to_numpy() % len(SEGMENTS)
    hours = np.zeros(n, dtype=np.int64)
    for key in sorted(set(row_key.tolist())):
        for s, name in enumerate(SEGMENTS):
            idx = np.flatnonzero((row_key == key) & (seg == s))
            if idx.size == 0:
                continue
            p = HOURS[key].copy()
            if name == "ccn":
                p = p * _NIGHT_HOURS
            elif name == "ccd":
                p = p * ~_NIGHT_HOURS
            hours[idx] = rng.choice(24, size=idx.size, p=p / p.sum())
    minute = rng.integers(0, 60, size=n)
    heap = rng.random(n)
    minute = np.where(heap < 0.35, 0, np.where(heap < 0.45, 30, minute))
    blank = (seg != 0) & (rng.random(n) < 0.032)
    return np.where(blank, -1, hours * 60 + minute)


def _flags(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """Domestic (exactly 21.5% of violence), alcohol, hate, city-centre and NTE flags."""
    n = len(frame)
    codes = frame["code"].to_numpy()
    centre = frame["centre"].to_numpy()
    groups = frame["group"].to_numpy()
    is_vap = groups == VAP
    domestic = np.zeros(n, dtype=bool)
    pool = np.flatnonzero(is_vap & ~centre)
    weights = np.array(
        [_DOMESTIC_VAP_WEIGHT.get(c, 0.15 if c != "104" else 0.0) for c in codes[pool]]
    )
    k = round(DOMESTIC_SHARE_OF_VAP * int(is_vap.sum()))
    domestic[rng.choice(pool, size=k, replace=False, p=weights / weights.sum())] = True
    p_other = np.array([_DOMESTIC_OTHER.get(c, 0.0) for c in codes])
    domestic |= ~is_vap & ~centre & (rng.random(n) < p_other)
    seg = frame["segment"].to_numpy()
    p_alcohol = np.where(
        is_vap,
        np.select([seg == "ccn", seg == "ccd"], [0.72, 0.35], 0.2) + 0.1 * domestic,
        np.where(groups == "Criminal damage", np.where(seg == "ccn", 0.35, 0.08), 0.02),
    )
    hate = np.isin(codes, list(_RACIAL)) | (rng.random(n) < np.where(is_vap, 0.008, 0.002))
    minutes = frame["minutes"].to_numpy()
    night = (minutes >= 0) & ((minutes >= 20 * 60) | (minutes < 6 * 60))
    yn = np.array(["N", "Y"])
    frame["Domestic Abuse Flag"] = yn[domestic.astype(int)]
    frame["Alcohol Related Flag"] = yn[(rng.random(n) < p_alcohol).astype(int)]
    frame["Hate Crime Flag"] = yn[hate.astype(int)]
    frame["City Centre Flag"] = yn[centre.astype(int)]
    frame["NTE Flag"] = yn[(centre & night).astype(int)]


def _places(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """Ward, LSOA and beat: city-centre rows mostly in core Bargate."""
    n = len(frame)
    centre = frame["centre"].to_numpy()
    ward = np.where(
        centre,
        rng.choice(len(WARDS), size=n, p=centre_ward_probs()),
        rng.choice(len(WARDS), size=n, p=non_centre_ward_probs()),
    )
    u = rng.random(n)
    sizes = np.array([len(lsoa_codes(w)) for w in range(len(WARDS))])
    firsts = np.array([int(lsoa_codes(w)[0][3:]) for w in range(len(WARDS))])
    core = centre & (ward == 0)  # city-centre Bargate: the three core LSOAs, beat 01
    lsoa = firsts[ward] + np.where(core, (u * 3).astype(int), (u * sizes[ward]).astype(int))
    beat = np.where(core, 0, (u * 3).astype(int))
    beat_names = np.array([beats(w) for w in range(len(WARDS))])
    frame["Ward Code"] = np.array([w.code for w in WARDS])[ward]
    frame["Ward Name"] = np.array([w.name for w in WARDS])[ward]
    frame["LSOA Code"] = np.char.add("E01", np.char.zfill(lsoa.astype(str), 6))
    frame["Beat"] = beat_names[ward, beat]


def _uk(dates: pd.Series) -> pd.Series:
    """``dd/mm/yyyy`` strings (formatted once per distinct date)."""
    unique = pd.DatetimeIndex(dates.unique())
    return dates.map(dict(zip(unique, unique.strftime("%d/%m/%Y"), strict=True)))


def police_records(plan: CrimePlan, quarter: Quarter, seed: int) -> pd.DataFrame:
    """The record-level extract for one quarter (by recorded date), columns as exported."""
    rng = rng_for(seed, "police", quarter.fy, quarter.q)
    frame = _draw_cells(plan, quarter, rng)
    cells = frame["cell"].to_numpy()
    ncells = plan.counts.shape[1]
    frame["code"] = np.array([plan.cell_code(c).code for c in range(ncells)])[cells]
    frame["group"] = np.array([plan.cell_code(c).group for c in range(ncells)])[cells]
    frame["segment"] = np.array([plan.cell_segment(c) for c in range(ncells)])[cells]
    frame["centre"] = frame["segment"].isin(["ccn", "ccd"]).to_numpy()
    frame["minutes"] = _times(frame, plan, rng)
    lag = rng.choice(4, size=len(frame), p=_LAG_P)
    lag = np.where(lag == 3, rng.integers(3, 61, size=len(frame)), lag)
    frame["offence"] = frame["recorded"] - pd.to_timedelta(lag, unit="D")
    _flags(frame, rng)
    _places(frame, rng)
    order = np.lexsort((frame["minutes"].to_numpy(), frame["recorded"].to_numpy()))
    frame = frame.iloc[order].reset_index(drop=True)
    before = _earlier_in_calendar_year(plan, quarter)
    seq = 100_000 + 3 * (before + np.arange(len(frame))) + rng.integers(1, 4, size=len(frame))
    yy = quarter.months[0].year % 100
    frame["Crime Reference"] = [f"44/{s:06d}/{yy:02d}" for s in seq]
    frame["Recorded Date"] = _uk(frame["recorded"])
    frame["Offence Date"] = _uk(frame["offence"])
    m = frame["minutes"].to_numpy()
    clock = np.array([f"{v // 60:02d}:{v % 60:02d}" for v in range(24 * 60)] + [""])
    frame["Offence Time"] = clock[np.where(m >= 0, m, 24 * 60)]
    frame["HO Offence Code"] = frame["code"]
    descriptions = np.array([plan.cell_code(c).description for c in range(ncells)])
    frame["HO Offence Description"] = descriptions[frame["cell"].to_numpy()]
    return frame[COLUMNS]


def _earlier_in_calendar_year(plan: CrimePlan, quarter: Quarter) -> int:
    first = quarter.months[0]
    rows = [i for i, m in enumerate(plan.months) if m.year == first.year and m < first]
    return int(plan.counts[rows].sum()) if rows else 0


def write_police(
    out_dir: Path, seed: int, progress: Callable[[str], None] | None, config_dir: Path
) -> list[Path]:
    """Write ``police_crime/police_recorded_crime_E06000045_<quarter>.csv`` for every quarter."""
    plan = build_crime_plan(seed, config_dir)
    paths = []
    for quarter in quarters():
        if progress:
            progress(f"police_crime {quarter.label}")
        name = f"police_recorded_crime_E06000045_{quarter.label}.csv"
        data = csv_bytes(police_records(plan, quarter, seed))
        paths.append(write_bytes(out_dir / "police_crime" / name, data))
    return paths
