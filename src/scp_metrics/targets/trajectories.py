"""Trajectories from a baseline to a target: yearly milestones, then monthly and quarterly
cumulative year-to-date milestones, straight (equal months) or shaped by the seasonal profile.

Yearly milestones follow a straight line from the baseline year's value to the target year's
(LAA targets ran over three years with yearly milestones): for baseline 2008/09 and a 2010/11
target, 2009/10's milestone is halfway. Within a year, the year-to-date milestone after month *k*
is the year's milestone × the share of the year's total expected by month *k*: *k*/12 for the
straight profile, the indicator's average monthly shares over recent complete years for the
seasonal one. For a percentage (survey) the milestone is the level itself, interpolated by date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scp_metrics.targets.projections import fiscal_year, fy_label, fy_months, monthly

FLAT = np.full(12, 1.0 / 12.0)


def seasonal_profile(series: pd.Series, before_fy: int, years: int = 3) -> tuple[np.ndarray, str]:
    """Average share of each month (April first) in the last ``years`` complete financial years
    before ``before_fy``; the flat profile when there is none. Returns (shares, description)."""
    s = monthly(series)
    complete = []
    for fy in range(before_fy - 1, before_fy - 40, -1):
        months = fy_months(fy)
        if fy_months(fy)[0] < (s.index.min() if len(s) else months[0]):
            break
        if months.isin(s.index).all():
            values = s.reindex(months).to_numpy(dtype=float)
            if values.sum() > 0:
                complete.append(values / values.sum())
        if len(complete) == years:
            break
    if not complete:
        return FLAT.copy(), "flat (no complete earlier year)"
    first = before_fy - 1 - (len(complete) - 1)
    shares = np.mean(complete, axis=0)
    return shares / shares.sum(), f"seasonal, {fy_label(first)}..{fy_label(before_fy - 1)}"


def yearly_milestones(baseline_fy: int, baseline: float, target_fy: int,
                      target: float) -> dict[int, float]:
    """Straight line from the baseline year's value to the target year's, one value a year."""
    if target_fy <= baseline_fy:
        return {target_fy: target}
    span = target_fy - baseline_fy
    return {fy: baseline + (target - baseline) * (fy - baseline_fy) / span
            for fy in range(baseline_fy + 1, target_fy + 1)}


def ytd_share(profile: np.ndarray, fy: int, months: list[pd.Period] | tuple) -> float:
    """Share of the year's total the given months of ``fy`` are expected to hold."""
    positions = [fy_months(fy).get_loc(p) for p in months]
    return float(profile[positions].sum()) if positions else 0.0


def level_at(when: pd.Timestamp, start: pd.Timestamp, baseline: float, end: pd.Timestamp,
             target: float) -> float:
    """Straight-line level between (start, baseline) and (end, target), held after the end."""
    if when <= start:
        return baseline
    if when >= end:
        return target
    return baseline + (target - baseline) * (when - start) / (end - start)


def milestone_table(milestones: dict[int, float], profile: np.ndarray,
                    unit_scale: float = 1.0) -> pd.DataFrame:
    """Monthly and quarterly cumulative year-to-date milestones, straight and seasonal.

    ``unit_scale`` multiplies every value (e.g. to turn counts into a rate). Columns: fy,
    period_type ('month' | 'quarter'), period_end, milestone_year, trajectory_straight,
    trajectory_seasonal.
    """
    rows = []
    for fy, year_value in sorted(milestones.items()):
        months = fy_months(fy)
        cum_flat, cum_seasonal = np.cumsum(FLAT), np.cumsum(profile)
        for k, month in enumerate(months):
            types = ["month"] + (["quarter"] if (k + 1) % 3 == 0 else [])
            for period_type in types:
                rows.append({
                    "fy": fy_label(fy), "period_type": period_type,
                    "period_end": month.to_timestamp(how="end").normalize(),
                    "milestone_year": year_value * unit_scale,
                    "trajectory_straight": year_value * cum_flat[k] * unit_scale,
                    "trajectory_seasonal": year_value * cum_seasonal[k] * unit_scale,
                })
    return pd.DataFrame(rows)


def assessed_year(as_of: pd.Period, baseline_fy: int | None, target_fy: int) -> int | None:
    """The financial year judged as of ``as_of``: the current one, or the target year once past.

    None before the first year after the baseline (nothing to judge yet).
    """
    fy = min(fiscal_year(as_of), target_fy)
    if baseline_fy is not None and fy <= baseline_fy:
        return None
    return fy
