"""ONS mid-year population estimates (MYE2 - Persons), one workbook per mid-year 2001-2008."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .catalogue import load_areas
from .seeds import rng_for
from .story import PEERS
from .writers import write_bytes, xlsx_bytes

__all__ = ["MID_YEARS", "age_counts", "population", "write_population"]

MID_YEARS = tuple(range(2001, 2009))
ENGLAND = {2001: 49_449_700, 2002: 49_652_300, 2003: 49_866_200, 2004: 50_110_700,
           2005: 50_465_600, 2006: 50_763_900, 2007: 51_106_200, 2008: 51_464_600}  # fmt: skip
# Strength of the student bulge at ages 18-23 (Southampton has two universities).
_STUDENTS = {"E06000045": 1.0, "E06000018": 1.1, "E06000016": 0.8, "E08000026": 0.6,
             "E06000043": 0.7, "E06000023": 0.6, "E06000044": 0.7, "E06000038": 0.4,
             "E06000026": 0.5, "E06000032": 0.3, "E06000010": 0.5, "E06000015": 0.3,
             "E06000028": 0.4, "E06000042": 0.05, "E06000021": 0.2}  # fmt: skip
_KNOTS = ([0, 10, 18, 25, 40, 50, 60, 65, 75, 85, 89],
          [1.20, 1.18, 1.25, 1.30, 1.50, 1.32, 1.30, 1.05, 0.80, 0.40, 0.22])  # fmt: skip


def population(area_code: str, mid_year: int) -> int:
    """All-ages resident population of an area (or ``E92000001``) at mid-``mid_year``."""
    if area_code == "E92000001":
        return ENGLAND[mid_year]
    peer = PEERS[area_code]
    return round(peer.population_2008 * (1 + peer.growth) ** (mid_year - 2008))


def _profile(area_code: str, mid_year: int, seed: int) -> np.ndarray:
    base = np.interp(np.arange(90), *_KNOTS)
    base = np.append(base, 0.75)  # 90 and over
    students = _STUDENTS.get(area_code, 0.0)
    bulge = np.zeros(91)
    bulge[18:24] = [0.4, 1.2, 1.3, 1.2, 0.7, 0.3]
    shaped = base * (1 + students * bulge)
    if area_code != "E92000001":
        shaped[65:] *= 1 - 0.15 * students  # student cities are younger
    noise = rng_for(seed, "population", area_code, mid_year).normal(1.0, 0.015, size=91)
    return shaped * noise


def age_counts(area_code: str, mid_year: int, seed: int) -> np.ndarray:
    """Persons by single year of age 0..89 and 90+, integers summing to :func:`population`."""
    total = population(area_code, mid_year)
    share = _profile(area_code, mid_year, seed)
    raw = share / share.sum() * total
    counts = np.floor(raw).astype(np.int64)
    remainder = total - int(counts.sum())
    order = np.lexsort((np.arange(91), -(raw - counts)))  # largest remainders, ties by age
    counts[order[:remainder]] += 1
    return counts


def write_population(
    out_dir: Path, seed: int, progress: Callable[[str], None] | None, config_dir: Path
) -> list[Path]:
    """Write ``population/ons_mye2_persons_mid-YYYY.xlsx`` for 2001-2008."""
    header = ["Code", "Name", "Geography", "All ages", *[str(a) for a in range(91)]]
    paths = []
    for year in MID_YEARS:
        if progress:
            progress(f"population mid-{year}")
        entries = [("E92000001", "ENGLAND", "Country")]
        for area in load_areas(config_dir):
            kind = "Metropolitan District" if area.code.startswith("E08") else "Unitary Authority"
            entries.append((area.code, area.name, kind))
        rows = []
        for code, name, kind in entries:
            ages = age_counts(code, year, seed)
            rows.append([code, name, kind, int(ages.sum()), *[int(v) for v in ages]])
        titles = [
            [f"Mid-{year} Population Estimates: Persons; estimated resident population "
             "by single year of age"],
            [],
            ["Synthetic sample for scp-metrics \u2014 not ONS data"],
            [],
        ]  # fmt: skip
        data = xlsx_bytes("MYE2 - Persons", titles, header, rows)
        path = out_dir / "population" / f"ons_mye2_persons_mid-{year}.xlsx"
        paths.append(write_bytes(path, data))
    return paths
