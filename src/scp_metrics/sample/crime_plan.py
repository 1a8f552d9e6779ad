"""Monthly counts of Southampton's recorded crime by offence code and location segment.

The plan is drawn once (Poisson cells conditioned on each year's expected total, so the
yearly trend is smooth; April-December 2009 allocated to hit the story exactly), and both the
record-level extract and the Home Office table are built from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from .catalogue import OffenceCode, load_offence_codes
from .offences import SEASON, annual_volume, centre_profile, season_key, story_category
from .periods import Month
from .seeds import rng_for
from .story import ALL_CRIME_CHANGE, CATEGORY_CHANGES, VAP_CHANGE

__all__ = ["SEGMENTS", "CrimePlan", "build_crime_plan", "plan_months", "valid_day_range"]

SEGMENTS = ("ccn", "ccd", "non")  # city centre at night, city centre by day, elsewhere
STORY_FY = 2009


def plan_months() -> list[Month]:
    """April 2003 to March 2010 (the last quarter only shapes expectations)."""
    return [Month(2003 + (k + 3) // 12, (k + 3) % 12 + 1) for k in range(7 * 12)]


@dataclass(frozen=True)
class CrimePlan:
    """Counts and expectations by month (rows) and cell (code x segment, columns)."""

    codes: tuple[OffenceCode, ...]
    months: tuple[Month, ...]
    expected: np.ndarray  # float, months x cells, baseline without the 2009 story
    counts: np.ndarray  # int, months x cells (zero after December 2009)
    categories: tuple[str, ...]  # story category per cell

    def cell_code(self, cell: int) -> OffenceCode:
        return self.codes[cell // len(SEGMENTS)]

    def cell_segment(self, cell: int) -> str:
        return SEGMENTS[cell % len(SEGMENTS)]

    def month_row(self, month: Month) -> int:
        return self.months.index(month)


def valid_day_range(code: OffenceCode, month: Month) -> tuple[int, int]:
    """First and last day of ``month`` on which ``code`` is valid (0, -1 when none)."""
    lo, hi = month.start, month.end
    if code.valid_from > lo:
        lo = code.valid_from
    if code.valid_to is not None and code.valid_to < hi:
        hi = code.valid_to
    if lo > hi:
        return 0, -1
    return lo.day, hi.day


def _month_share(key: str, month: Month) -> float:
    weights = [SEASON[key][m - 1] * Month(2001, m).days for m in range(1, 13)]
    return weights[month.month - 1] / sum(weights)


def _expected(codes: tuple[OffenceCode, ...], months: list[Month]) -> np.ndarray:
    out = np.zeros((len(months), len(codes) * len(SEGMENTS)))
    for j, code in enumerate(codes):
        centre, night = centre_profile(code)
        seg_share = (centre * night, centre * (1 - night), 1 - centre)
        for i, month in enumerate(months):
            lo, hi = valid_day_range(code, month)
            if hi < lo:
                continue
            monthly = annual_volume(code, month.fy, month.start)
            monthly *= _month_share(season_key(code), month)
            monthly *= (hi - lo + 1) / month.days
            for s, share in enumerate(seg_share):
                out[i, j * len(SEGMENTS) + s] = monthly * share
    return out


def _categories(codes: tuple[OffenceCode, ...]) -> tuple[str, ...]:
    out = []
    for code in codes:
        base = story_category(code)
        for seg in SEGMENTS:
            out.append(f"vap_{seg}" if base == "vap" else base)
    return tuple(out)


def _story_targets(before: dict[str, int]) -> dict[str, int]:
    """April-December 2009 totals per category from the realised 2008 totals."""
    target = {k: round(before[k] * (1 + change)) for k, change in CATEGORY_CHANGES.items()}
    vap_before = before["vap_ccn"] + before["vap_ccd"] + before["vap_non"]
    target["vap_non"] = round(vap_before * (1 + VAP_CHANGE)) - target["vap_ccn"] - target["vap_ccd"]
    target["other"] = round(sum(before.values()) * (1 + ALL_CRIME_CHANGE)) - sum(target.values())
    return target


@lru_cache(maxsize=4)
def build_crime_plan(seed: int, config_dir: Path) -> CrimePlan:
    """Draw the plan for ``seed`` with the offence codes of ``config_dir`` (cached: police and
    Home Office writers share it)."""
    codes = load_offence_codes(config_dir)
    months = plan_months()
    expected = _expected(codes, months)
    counts = np.zeros(expected.shape, dtype=np.int64)
    cats = np.array(_categories(codes))
    story_rows = np.array(
        [i for i, m in enumerate(months) if m.fy == STORY_FY and m.start <= date(2009, 12, 1)]
    )
    before_rows = [i for i, m in enumerate(months) if m.fy == STORY_FY - 1 and m.month >= 4]
    fys = np.array([m.fy for m in months])
    for fy in range(months[0].fy, STORY_FY):
        # Poisson cells conditioned on the year's expected total: a smooth yearly trend.
        block = expected[fys == fy]
        drawn = rng_for(seed, "police-plan", fy).multinomial(
            round(block.sum()), block.ravel() / block.sum()
        )
        counts[fys == fy] = drawn.reshape(block.shape)
    before = {str(k): int(counts[before_rows][:, cats == k].sum()) for k in np.unique(cats)}
    rng = rng_for(seed, "police-story")
    for cat, total in sorted(_story_targets(before).items()):
        block = expected[np.ix_(story_rows, np.flatnonzero(cats == cat))]
        drawn = rng.multinomial(total, block.ravel() / block.sum()).reshape(block.shape)
        counts[np.ix_(story_rows, np.flatnonzero(cats == cat))] = drawn
    return CrimePlan(codes, tuple(months), expected, counts, tuple(cats.tolist()))
