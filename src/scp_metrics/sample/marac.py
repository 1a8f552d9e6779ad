"""MARAC cases heard in Southampton from April 2007, one CSV a quarter.

Cases are drawn meeting by meeting from a pool of pseudonymised victims, so the Repeat Flag is
``Y`` exactly when the same victim was heard in the previous 365 days, across file boundaries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .periods import quarters
from .seeds import rng_for
from .story import MARAC_REPEAT_PROBABILITY
from .writers import csv_bytes, write_bytes

__all__ = ["COLUMNS", "FIRST_MEETING", "marac_cases", "write_marac"]

COLUMNS = ["Case Heard Date", "Victim Reference", "Risk Level", "Referring Agency", "Repeat Flag"]
FIRST_MEETING = date(2007, 4, 12)  # fortnightly on Thursdays
LAST_DAY = date(2009, 12, 31)
CASES_PER_YEAR = 350
_AGENCIES = ["Police", "IDVA service", "Health", "Children's Services", "Housing",
             "Probation", "Voluntary sector"]  # fmt: skip
_AGENCY_P = [0.62, 0.12, 0.08, 0.07, 0.04, 0.03, 0.04]
_OLD_VICTIM_P = 0.02  # a victim last heard more than a year ago returns (not a repeat)


@lru_cache(maxsize=4)
def marac_cases(seed: int) -> pd.DataFrame:
    """Every case heard April 2007 - December 2009, with ``heard`` as a date column."""
    rng = rng_for(seed, "marac")
    pool = rng.choice(900_000, size=4_000, replace=False) + 100_000
    fresh = iter(pool.tolist())
    last_heard: dict[int, date] = {}
    rows = []
    meeting = FIRST_MEETING
    while meeting <= LAST_DAY:
        window = meeting - timedelta(days=365)
        recent = sorted(v for v, d in last_heard.items() if d >= window)
        older = sorted(v for v, d in last_heard.items() if d < window)
        # A new MARAC has no history: the repeat chance builds up over its first six months.
        p_repeat = MARAC_REPEAT_PROBABILITY * min(1.0, (meeting - FIRST_MEETING).days / 180)
        for _ in range(int(rng.poisson(CASES_PER_YEAR / 26))):
            u = rng.random()
            if recent and u < p_repeat:
                victim = recent.pop(int(rng.integers(len(recent))))
            elif older and u > 1 - _OLD_VICTIM_P:
                victim = older.pop(int(rng.integers(len(older))))
            else:
                victim = next(fresh)
            previous = last_heard.get(victim)
            repeat = previous is not None and (meeting - previous).days <= 365
            rows.append(
                {
                    "heard": meeting,
                    "Victim Reference": f"V{victim:06d}",
                    "Risk Level": "High" if rng.random() < 0.88 else "Medium",
                    "Referring Agency": _AGENCIES[int(rng.choice(len(_AGENCIES), p=_AGENCY_P))],
                    "Repeat Flag": "Y" if repeat else "N",
                }
            )
            last_heard[victim] = meeting
        meeting += timedelta(days=14)
    frame = pd.DataFrame(rows)
    frame["Case Heard Date"] = [d.strftime("%d/%m/%Y") for d in frame["heard"]]
    return frame


def write_marac(
    out_dir: Path, seed: int, progress: Callable[[str], None] | None = None
) -> list[Path]:
    """Write ``marac/marac_cases_southampton_<quarter>.csv`` from 2007/08 Q1."""
    frame = marac_cases(seed)
    paths = []
    for quarter in quarters(first_fy=2007):
        if progress:
            progress(f"marac {quarter.label}")
        part = frame[(frame["heard"] >= quarter.start) & (frame["heard"] <= quarter.end)]
        path = out_dir / "marac" / f"marac_cases_southampton_{quarter.label}.csv"
        paths.append(write_bytes(path, csv_bytes(part[COLUMNS])))
    return paths
