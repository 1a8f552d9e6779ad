"""Home Office CSP-level recorded crime table: Southampton from the extract, 14 peers modelled."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .catalogue import Area, load_areas
from .crime_plan import CrimePlan, build_crime_plan
from .periods import Quarter, quarters
from .population import population
from .seeds import rng_for
from .story import HO_RECONCILIATION, NI15_CODES, PEERS, PeerProfile
from .writers import csv_bytes, write_bytes

__all__ = ["BUCKETS", "ho_csp_table", "southampton_quarter_counts", "write_ho_csp"]

SOUTHAMPTON = "E06000045"
BUCKETS = ("msv", "vap_rest", "damage", "rest")


def _bucket(code: str, group: str) -> str:
    if code in NI15_CODES:
        return "msv"
    if group == "Violence against the person":
        return "vap_rest"
    return "damage" if group == "Criminal damage" else "rest"


def southampton_quarter_counts(plan: CrimePlan, quarter: Quarter) -> np.ndarray:
    """Counts by offence code (config order) in a quarter: the extract aggregated."""
    rows = [plan.month_row(m) for m in quarter.months]
    by_cell = plan.counts[rows].sum(axis=0)
    return by_cell.reshape(len(plan.codes), -1).sum(axis=1)


class _PeerModel:
    """Expected quarterly counts for a peer, anchored on Southampton's realised 2009/10."""

    def __init__(self, plan: CrimePlan) -> None:
        self.plan = plan
        n_codes = len(plan.codes)
        self.bucket = np.array([_bucket(c.code, c.group) for c in plan.codes])
        exp_code = plan.expected.reshape(len(plan.months), n_codes, -1).sum(axis=2)
        self.exp_code = exp_code  # months x codes, Southampton baseline
        self.fy = np.array([m.fy for m in plan.months])
        story = np.array([m.fy == 2009 and m.month >= 4 for m in plan.months])
        realised = plan.counts[story].reshape(story.sum(), n_codes, -1).sum(axis=(0, 2))
        self.anchor: dict[str, float] = {}  # Southampton's annualised 2009/10 count per bucket
        for b in BUCKETS:
            share = exp_code[story][:, self.bucket == b].sum() / self._annual(b, 2009)
            self.anchor[b] = realised[self.bucket == b].sum() / share
        msv_jump = self._annual("msv", 2007) / self._annual("msv", 2008)
        vap_jump = self._annual("vap_rest", 2007) / self._annual("vap_rest", 2008)
        self.msv_before_2008 = msv_jump / vap_jump

    def _annual(self, bucket: str, fy: int) -> float:
        return float(self.exp_code[self.fy == fy][:, self.bucket == bucket].sum())

    def multipliers(self, peer: PeerProfile) -> dict[str, float]:
        """Bucket multipliers that give the peer its all-crime, VAP, NI 15 and damage ratios."""
        a = self.anchor
        vap = a["msv"] + a["vap_rest"]
        total = sum(a.values())
        vap_rest = (peer.vap * vap - peer.msv * a["msv"]) / a["vap_rest"]
        rest = (peer.all_crime * total - peer.vap * vap - peer.damage * a["damage"]) / a["rest"]
        return {"msv": peer.msv, "vap_rest": vap_rest, "damage": peer.damage, "rest": rest}

    def expected(self, area_code: str, quarter: Quarter) -> np.ndarray:
        """Expected count by offence code for a peer in a quarter."""
        peer = PEERS[area_code]
        mult = self.multipliers(peer)
        pop_ratio = population(area_code, min(quarter.fy, 2008)) / population(SOUTHAMPTON, 2008)
        rows = [self.plan.month_row(m) for m in quarter.months]
        out = np.zeros(len(self.plan.codes))
        for b in BUCKETS:
            mask = self.bucket == b
            annual = mult[b] * self.anchor[b] * pop_ratio
            annual *= (1 + peer.annual_fall) ** (2009 - quarter.fy)
            if b == "msv" and quarter.fy < 2008:
                annual *= self.msv_before_2008
            shape = self.exp_code[rows][:, mask].sum(axis=0) / self._annual(b, quarter.fy)
            out[mask] = annual * shape
        return out


def ho_csp_table(plan: CrimePlan, model: _PeerModel, quarter: Quarter, seed: int,
                 areas: tuple[Area, ...]) -> pd.DataFrame:
    """One quarter's table for all 15 areas, rows with zero offences omitted."""
    new_edition = quarter.fy >= 2009
    frames = []
    for index, area in enumerate(areas):
        if area.code == SOUTHAMPTON:
            counts = southampton_quarter_counts(plan, quarter).copy()
            if (quarter.fy, quarter.q) == (HO_RECONCILIATION.fy, HO_RECONCILIATION.q):
                pos = [c.code for c in plan.codes].index(HO_RECONCILIATION.code)
                counts[pos] += HO_RECONCILIATION.extra
        else:
            rng = rng_for(seed, "ho-csp", index, quarter.fy, quarter.q)
            counts = rng.poisson(model.expected(area.code, quarter))
        keep = np.flatnonzero(counts > 0)
        frames.append(
            pd.DataFrame(
                {
                    "Financial Year": quarter.fy_label,
                    "Financial Quarter": str(quarter.q),
                    "Force Name": area.police_force,
                    "CSP Name": PEERS[area.code].hcsp_name,
                    "Offence Description": [plan.codes[i].description for i in keep],
                    "Offence Group": [
                        plan.codes[i].group.upper() if new_edition else plan.codes[i].group
                        for i in keep
                    ],
                    "Offence Subgroup": [plan.codes[i].subgroup for i in keep],
                    "Offence Code": [plan.codes[i].code for i in keep],
                    "Number of Offences": [str(int(counts[i])) for i in keep],
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table = table.sort_values(["Force Name", "CSP Name"], kind="stable").reset_index(drop=True)
    if new_edition:
        table = table.rename(
            columns={"Force Name": "Police Force", "Number of Offences": "Offence Count"}
        )
    return table


def write_ho_csp(
    out_dir: Path, seed: int, progress: Callable[[str], None] | None, config_dir: Path
) -> list[Path]:
    """Write ``ho_csp_crime/ho_csp_recorded_crime_<quarter>.csv`` for every quarter."""
    plan = build_crime_plan(seed, config_dir)
    areas = load_areas(config_dir)
    model = _PeerModel(plan)
    paths = []
    for quarter in quarters():
        if progress:
            progress(f"ho_csp_crime {quarter.label}")
        data = csv_bytes(ho_csp_table(plan, model, quarter, seed, areas))
        path = out_dir / "ho_csp_crime" / f"ho_csp_recorded_crime_{quarter.label}.csv"
        paths.append(write_bytes(path, data))
    return paths
