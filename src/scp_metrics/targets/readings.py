"""Targets judged on readings rather than projected: Place Survey percentages and Most Similar
Group positions (rows of ``mart_target_tracking``; see :mod:`scp_metrics.targets.tracking`).

A survey target compares the latest survey with the straight line between the baseline survey
and the target date; its "projection" is the latest reading carried forward (``method`` =
``latest_survey``) with its sampling interval only, and the probability of meeting the target is
that of the true value being on the right side of it given the survey's sampling error. An MSG
rank target compares the latest year-to-date rank in ``mart_msg_rankings`` with the straight
line from the baseline year's rank to the target rank; ranks are not projected.
"""

from __future__ import annotations

import math

import pandas as pd

from scp_metrics.targets.plan import Target, TargetCatalogue, rag, worse_pct
from scp_metrics.targets.projections import fy_months
from scp_metrics.targets.series import IndicatorData
from scp_metrics.targets.trajectories import level_at

__all__ = ["track_rank", "track_survey"]

Z80 = 1.2815515655446004
Z95 = 1.959963984540054


def track_survey(t: Target, d: IndicatorData, as_of: pd.Period, cat: TargetCatalogue,
                  row: dict) -> dict:
    end_of_month = as_of.to_timestamp(how="end").normalize()
    s = d.survey[pd.to_datetime(d.survey["period_end"]) <= end_of_month]
    if s.empty:
        return {**row, "note": f"no {t.indicator} survey values up to {as_of} (no data)"}
    last = s.iloc[-1]
    last_end = pd.Timestamp(last["period_end"])
    base_rows = s[pd.to_datetime(s["period_end"]).dt.year == t.baseline_fy]
    baseline = t.baseline_value if t.baseline_value is not None else (
        float(base_rows["value"].iloc[-1]) if len(base_rows) else None)
    goal = t.target_for(baseline)
    sd = (float(last["ci95_upper"]) - float(last["ci95_lower"])) / (2 * Z95)
    value = float(last["value"])
    row.update(unit="%", actual_value=value, projected_year_end=value, method="latest_survey",
               projection_lower_80=value - Z80 * sd, projection_upper_80=value + Z80 * sd,
               projection_lower_95=float(last["ci95_lower"]),
               projection_upper_95=float(last["ci95_upper"]), baseline_value=baseline,
               baseline_source="plan" if t.baseline_value is not None else "data",
               target_value=goal, assessed_period=f"survey ending {last_end.date()}")
    notes = [f"latest survey {last_end.date()}: {value:.1f}%; projected as unchanged (interval is "
             "sampling error only)"]
    if len(base_rows):
        notes.append(f"baseline survey in the data: {float(base_rows['value'].iloc[-1]):.1f}%")
    if goal is None or baseline is None or t.target_fy is None:
        why = "target unset in the plan" if not t.is_set else \
            "no target year" if t.target_fy is None else "no baseline"
        return {**row, "note": "; ".join([f'{why} ("{t.plan_quote}")', *notes])}
    start = pd.Timestamp(base_rows["period_end"].iloc[-1]) if len(base_rows) else \
        pd.Timestamp(f"{t.baseline_fy}-12-31")
    deadline = fy_months(t.target_fy)[-1].to_timestamp(how="end").normalize()
    trajectory = level_at(end_of_month, start, baseline, deadline, goal)
    z = (goal - value) / sd if sd > 0 else math.copysign(math.inf, goal - value)
    prob = float(0.5 * math.erfc(-z / math.sqrt(2)))  # P(true value <= goal)
    row.update(trajectory_value=trajectory, milestone_value=goal,
               rag=rag(value, trajectory, t.polarity, cat.rag),
               worse_pct=worse_pct(value, trajectory, t.polarity),
               probability_met=prob if t.polarity == "lower" else 1.0 - prob)
    if last_end.year == t.baseline_fy:
        notes.append("no survey since the baseline: RAG compares the baseline reading with the "
                     f"trajectory as of {as_of}")
    return {**row, "note": "; ".join(notes)}


def track_rank(t: Target, ranks: pd.DataFrame | None, as_of: pd.Period, cat: TargetCatalogue,
               row: dict) -> dict:
    """Position in the Most Similar Group (1 = best) from ``mart_msg_rankings``; not projected.

    ``ranks``: the focus area's ranked ``fytd`` and ``financial_year`` rows of the indicator
    ending by ``row["as_of"]`` (``period_type, period_start, period_end, rank, n_areas``), in
    period-end order with a March ``fytd`` after its ``financial_year``; None when the mart
    does not exist.
    """
    if ranks is None:
        return {**row, "note": "no data: mart_msg_rankings is absent"}
    if ranks.empty:
        return {**row, "note": f"no MSG rank for {t.indicator} up to {as_of}"}
    last = ranks.iloc[-1]
    base = ranks[(ranks["period_type"] == "financial_year")
                 & (pd.to_datetime(ranks["period_start"]).dt.year == t.baseline_fy)]
    baseline = float(base["rank"].iloc[-1]) if len(base) else None
    if t.target_value is None or t.target_fy is None:
        return {**row, "note": f"rank target has no value or year (\"{t.plan_quote}\")"}
    goal = float(t.target_value)
    deadline = fy_months(t.target_fy)[-1].to_timestamp(how="end").normalize()
    period = f"{last['period_type']} to {pd.Timestamp(last['period_end']).date()}"
    row.update(unit="rank (1 = best)", actual_value=float(last["rank"]), target_value=goal,
               milestone_value=goal, baseline_value=baseline, baseline_source="data",
               assessed_period=period)
    note = (f"rank {int(last['rank'])} of {int(last['n_areas'])} ({period}); "
            "ranks are not projected")
    if baseline is not None:
        start = pd.Timestamp(base["period_end"].iloc[-1])
        end = pd.Timestamp(last["period_end"])
        trajectory = level_at(end, start, baseline, deadline, goal)
        row.update(trajectory_value=trajectory, rag=rag(row["actual_value"], trajectory,
                                                         "lower", cat.rag))
        note += f"; {t.baseline_period} rank {int(baseline)}, straight line to {goal:g}"
    return {**row, "note": note}
