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

from datetime import date

import numpy as np
import pandas as pd

from scp_metrics.config.targets import RagThresholds
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


#: Columns of :func:`target_trajectory` (``mart_target_trajectory`` adds the target's keys).
PATH_COLUMNS = ["period_end", "actual_ytd", "trajectory_ytd", "trajectory_straight",
                "trajectory_seasonal", "profile"]


def target_trajectory(fy: int, as_of: date, milestone: float | None, unit: str,
                      values: pd.DataFrame, rag: RagThresholds) -> pd.DataFrame:
    """A target's year month by month: the cumulative year-to-date actual against the
    year-to-date trajectory (what the trajectory chart draws; ``mart_target_trajectory``).

    Parameters
    ----------
    fy : int
        The financial year judged (its start year).
    as_of : date
        The last day of the month judged at: later months have no actual.
    milestone : float or None
        The year's milestone in the target's unit (None: no trajectory).
    unit : str
        The target's unit: ``"count"`` reads the numerators, anything else the values.
    values : DataFrame
        The indicator's ``month`` and ``fytd`` rows in the area (``period_type, period_start,
        period_end, numerator, value``), in period order.
    rag : RagThresholds
        ``trajectory_profile`` (seasonal or straight) and ``profile_years``.

    Returns
    -------
    DataFrame
        :data:`PATH_COLUMNS`, one row per month of the year: ``actual_ytd`` (NaN after
        ``as_of`` or where the year to date has no value), ``trajectory_straight`` (the milestone
        × k/12), ``trajectory_seasonal`` (× the cumulative seasonal profile of
        :func:`seasonal_profile`), ``trajectory_ytd`` (the one the RAG uses) and ``profile`` (the
        profile's description).
    """
    months = fy_months(fy)
    start = months[0].to_timestamp()
    fytd = values[(values["period_type"] == "fytd")
                  & (pd.to_datetime(values["period_start"]) == start)
                  & (pd.to_datetime(values["period_end"]) <= pd.Timestamp(as_of))]
    column = "numerator" if unit == "count" else "value"
    actual = {pd.Timestamp(e).to_period("M"): float(v)
              for e, v in zip(fytd["period_end"], fytd[column], strict=True)}
    monthly_rows = values[values["period_type"] == "month"]
    counts = pd.Series(monthly_rows["numerator"].to_numpy(dtype=float),
                       index=pd.PeriodIndex(pd.to_datetime(monthly_rows["period_start"]), freq="M"))
    profile, note = seasonal_profile(counts, fy, rag.profile_years)
    scale = float("nan") if milestone is None else float(milestone)
    straight = scale * pd.Series(FLAT).cumsum().to_numpy()
    seasonal = scale * pd.Series(profile).cumsum().to_numpy()
    use_seasonal = rag.trajectory_profile == "seasonal"
    return pd.DataFrame({
        "period_end": [m.to_timestamp(how="end").normalize().date() for m in months],
        "actual_ytd": [actual.get(m, float("nan")) for m in months],
        "trajectory_ytd": seasonal if use_seasonal else straight,
        "trajectory_straight": straight,
        "trajectory_seasonal": seasonal,
        "profile": note if use_seasonal else "straight (equal months)",
    }, columns=PATH_COLUMNS)
