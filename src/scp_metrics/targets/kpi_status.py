"""Every KPI of the register in one table (``mart_kpi_status``): its latest figure, owner and RAG.

Pure. For each KPI of ``config/kpi_register.toml``, in register order:

* the latest figure: from the partner returns (``mart_kpi_values``) for a KPI the register says
  a partner delivers, else from the pipeline's own indicators (``mart_indicator_values``, the
  home area); "no return received" / "no data" when there is none. The figure keeps the
  counts it rests on (numerator, denominator), its period type and area, so that publishing
  withholds it exactly where the figure's own mart is withheld (disclosure control, primary and
  secondary: :mod:`scp_metrics.publish.suppression`);
* its target and RAG, from ``mart_target_tracking`` (the first target judged, else the first
  listed), for every KPI. The tracking judges a partner-return KPI's targets with
  :func:`partner_tracking` (called by its builder), against the plan's level targets for it
  (``config/plans/*.toml``) in the financial year of its latest return:

  - hours (Community Payback) add up over the year: the year-to-date sum of the quarters against
    the target pro rata (a target of 10,000 hours a year expects 7,500 by the end of Q3);
  - any other unit is a level: the latest quarter's value against the straight line from the
    baseline (the plan's, else the last return of the baseline year) to the target at the end
    of the target year (a +15% target expects +11.25% at the end of Q3 of its year).

  RAG: :func:`scp_metrics.targets.plan.rag` with the thresholds of ``config/targets.toml``.
  A target whose year has not started, or whose baseline is not in the returns, is listed
  without a RAG and the note says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from scp_metrics.config.kpis import CONTRACT_UNITS, Kpi, KpiRegister
from scp_metrics.config.targets import RagThresholds, Target
from scp_metrics.periods import Quarter, financial_year_label, financial_year_start
from scp_metrics.stats.intervals import optional_float as _num
from scp_metrics.targets.kpi_projection import ADDITIVE, projection_fields
from scp_metrics.targets.plan import rag, worse_pct

__all__ = ["NO_DATA", "NO_RETURN", "STATUS_COLUMNS", "ADDITIVE_UNITS", "kpi_status",
           "judge_partner_target", "partner_tracking"]

NO_RETURN = "no return received"
NO_DATA = "no data"
RECEIVED = "received"
#: KPI units whose quarters add up to the year (a flow), rather than a level at the period's end.
ADDITIVE_UNITS = ADDITIVE

STATUS_COLUMNS = ["kpi_id", "ni", "title", "unit", "kpi_unit", "polarity", "lead_agency",
                  "lead_officer", "owner", "designated", "delivered_by", "return_status",
                  "area_code", "period_type", "period_label", "period_start", "period_end",
                  "numerator", "denominator", "value", "ci95_lower",
                  "ci95_upper", "ci_method", "returned_by", "target_id", "target",
                  "target_period", "judged_period", "target_value", "expected_value",
                  "actual_judged", "worse_pct", "rag", "rag_note", "plan_ref", "register_order"]

#: Period types of ``mart_indicator_values`` taken as a pipeline KPI's latest figure, best first.
PIPELINE_PERIOD_TYPES = ("rolling_12m", "survey", "quarter", "financial_year")


@dataclass(frozen=True)
class Judgement:
    target_value: float | None
    expected_value: float | None
    actual: float | None
    worse: float | None
    rag: str | None
    note: str
    milestone: float | None = None  # the judged year's end point on the way to the target
    baseline: float | None = None
    baseline_source: str | None = None
    year: int | None = None  # the financial year judged (start year)
    period_end: Any = None  # the last day of the latest return's quarter



def judge_partner_target(kpi: Kpi, target: Target, values: pd.DataFrame,
                         thresholds: RagThresholds) -> Judgement:
    """RAG of ``target`` on the KPI's returned figures ``values`` (``mart_kpi_values`` rows of
    one KPI and agency, any order), in the financial year of the latest of them."""
    rows = values.dropna(subset=["value"]).sort_values("period_start")
    if rows.empty:
        return Judgement(None, None, None, None, None, NO_RETURN)
    latest = Quarter.containing(pd.Timestamp(rows["period_start"].iloc[-1]).date())
    year = latest.fy_start
    end = pd.Timestamp(rows["period_end"].iloc[-1]).date() if "period_end" in rows else None
    target_fy = target.target_fy
    if target_fy is None:
        return Judgement(None, None, None, None, None, "the target names no year", period_end=end)
    if year > target_fy:
        return Judgement(None, None, None, None, None,
                         f"the latest return ({latest.label}) is after the target's year "
                         f"{target.target_period}", period_end=end)
    fy = rows["period_start"].map(lambda d: financial_year_start(pd.Timestamp(d).date()))
    if kpi.unit in ADDITIVE_UNITS:
        goal = _num(target.target_value)
        if year != target_fy or goal is None:
            return Judgement(goal, None, None, None, None,
                             f"judged in {target.target_period} only (latest return "
                             f"{latest.label})", period_end=end)
        this_year = rows[fy == year]
        actual = float(this_year["value"].sum())
        expected = goal * latest.number / 4
        got = sorted(Quarter.containing(pd.Timestamp(d).date()).number
                     for d in this_year["period_start"])
        gaps = [q for q in range(1, latest.number + 1) if q not in got]
        note = (f"{financial_year_label(year)} Q1-Q{latest.number} total against "
                f"{goal:,.0f} a year pro rata")
        if gaps:
            note += f"; no return for Q{', Q'.join(map(str, gaps))} (counted as nothing)"
        worse = worse_pct(actual, expected, kpi.polarity)
        return Judgement(goal, expected, actual, worse,
                         rag(actual, expected, kpi.polarity, thresholds), note, milestone=goal,
                         year=year, period_end=end)
    baseline_fy = target.baseline_fy
    baseline = _num(target.baseline_value)
    source, base_source = "the plan's baseline", "plan"
    if baseline is None and baseline_fy is not None:
        base_rows = rows[fy == baseline_fy]
        if not base_rows.empty:
            baseline = float(base_rows["value"].iloc[-1])
            last = Quarter.containing(pd.Timestamp(base_rows["period_start"].iloc[-1]).date())
            source = f"baseline {baseline:,.4g} ({last.label} return)"
            base_source = f"data ({last.label} return)"
    goal = target.target_for(baseline)
    if goal is None:
        return Judgement(None, None, None, None, None,
                         f"no baseline: no return for {target.baseline_period}", period_end=end)
    bsrc = base_source if baseline is not None else None
    if baseline_fy is None or baseline is None:
        expected = milestone = goal
        source = "the target itself"
    else:
        elapsed = (year - baseline_fy - 1) * 4 + latest.number
        total = (target_fy - baseline_fy) * 4
        if elapsed <= 0:
            return Judgement(goal, None, None, None, None,
                             f"judged from {financial_year_label(baseline_fy + 1)} on (latest "
                             f"return {latest.label}); the target {goal:,.4g} is from {source}",
                             baseline=baseline, baseline_source=bsrc, period_end=end)
        expected = baseline + (goal - baseline) * elapsed / total
        milestone = baseline + (goal - baseline) * (year - baseline_fy) * 4 / total
    actual = float(rows["value"].iloc[-1])
    worse = worse_pct(actual, expected, kpi.polarity)
    note = (f"{latest.label} against the straight line from {source} to {goal:,.4g} at the end "
            f"of {target.target_period}")
    return Judgement(goal, expected, actual, worse,
                     rag(actual, expected, kpi.polarity, thresholds), note, milestone=milestone,
                     year=year, baseline=baseline, baseline_source=bsrc, period_end=end)


def _one_agency(values: pd.DataFrame, kpi_id: str) -> pd.DataFrame:
    """One agency's series of a KPI's returns: the first agency by name (the lead's, as the
    register has one agency returning each)."""
    rows = values[values["kpi_id"] == kpi_id]
    if rows.empty:
        return rows
    return rows[rows["agency"] == sorted(rows["agency"].astype(str).unique())[0]]


def partner_tracking(tracking: pd.DataFrame, register: KpiRegister, values: pd.DataFrame,
                     targets: Iterable[Target], thresholds: RagThresholds,
                     as_of: Any = None) -> pd.DataFrame:
    """``mart_target_tracking`` (``tracking``) with the rows of the partner-return KPIs' set
    targets judged on the returns (``values``: ``mart_kpi_values``, only quarters ending by
    ``as_of`` when it is given) by :func:`judge_partner_target`: RAG, the actual (year to date
    for hours, else the latest quarter), the trajectory (where the actual should be now), the
    judged year's milestone, the target, the baseline, the period judged, the as-of (the last
    day of the latest return's quarter) and the note; the year-end projection with its
    intervals and probability of meeting the target, or the target year's forecast when that
    year is still to come (:func:`scp_metrics.targets.kpi_projection.projection_fields`). Every
    other row is returned unchanged."""
    partner = {k.id: k for k in register if k.delivered_by == "partner_return"}
    by_id = {t.id: t for t in targets}
    if as_of is not None and not values.empty:
        values = values[pd.to_datetime(values["period_end"]) <= pd.Timestamp(as_of)]
    out = tracking.copy()
    for i, row in out.iterrows():
        kpi, target = partner.get(str(row["indicator_id"])), by_id.get(str(row["target_id"]))
        if kpi is None or target is None or not target.is_set or target.kind != "level":
            continue
        j = judge_partner_target(kpi, target, _one_agency(values, kpi.id), thresholds)
        fields: dict[str, Any] = {"target_value": j.target_value, "actual_value": j.actual,
                  "trajectory_value": j.expected_value, "trajectory_straight": j.expected_value,
                  "milestone_value": j.milestone, "rag": j.rag, "worse_pct": j.worse,
                  "baseline_value": j.baseline, "baseline_source": j.baseline_source,
                  "assessed_period": None if j.year is None else financial_year_label(j.year),
                  "unit": CONTRACT_UNITS[kpi.unit], "note": f"partner returns: {j.note}"}
        if j.period_end is not None:
            fields["as_of"] = j.period_end
        projection = projection_fields(kpi, target, _one_agency(values, kpi.id), j.target_value)
        how = projection.pop("projection_note", None)
        fields.update(projection, note=f"{fields['note']}; {how}" if how else fields["note"])
        for column, value in fields.items():
            out.at[i, column] = value
    return out


def _base(kpi: Kpi) -> dict[str, Any]:
    return {"kpi_id": kpi.id, "ni": kpi.ni, "title": kpi.title, "unit": CONTRACT_UNITS[kpi.unit],
            "kpi_unit": kpi.unit_spec.label, "polarity": kpi.polarity,
            "lead_agency": kpi.lead_agency, "lead_officer": kpi.lead_officer or None,
            "owner": kpi.owner, "designated": kpi.designated, "delivered_by": kpi.delivered_by,
            "plan_ref": kpi.plan_ref}


def _latest_return(kpi: Kpi, values: pd.DataFrame) -> dict[str, Any]:
    mine = values[values["kpi_id"] == kpi.id]
    if mine.empty:
        return {"return_status": NO_RETURN}
    latest = mine[mine["period_start"] == mine["period_start"].max()].sort_values("agency")
    row = latest.iloc[0]
    by = ", ".join(latest["agency"].astype(str))
    return {"return_status": RECEIVED, "period_type": "quarter",
            "period_label": row["period_label"],
            "period_start": pd.Timestamp(row["period_start"]).date(),
            "period_end": pd.Timestamp(row["period_end"]).date(),
            "numerator": _num(row.get("numerator")),
            "denominator": _num(row.get("denominator")),
            "value": _num(row["value"]), "ci95_lower": _num(row["ci95_lower"]),
            "ci95_upper": _num(row["ci95_upper"]), "ci_method": row["ci_method"],
            "returned_by": by}


def _latest_pipeline(kpi: Kpi, pipeline: pd.DataFrame) -> dict[str, Any]:
    mine = pipeline[pipeline["indicator_id"] == kpi.id]
    for period_type in PIPELINE_PERIOD_TYPES:
        of_type = mine[mine["period_type"] == period_type]
        if of_type.empty:
            continue
        row = of_type.sort_values("period_end").iloc[-1]
        start, end = pd.Timestamp(row["period_start"]), pd.Timestamp(row["period_end"])
        label = (f"{start:%b %Y}-{end:%b %Y}" if period_type != "survey"
                 else f"Place Survey {start:%Y}")
        return {"return_status": RECEIVED, "area_code": row.get("area_code"),
                "period_type": period_type, "period_label": label,
                "period_start": start.date(), "period_end": end.date(),
                "numerator": _num(row.get("numerator")),
                "denominator": _num(row.get("denominator")), "value": _num(row["value"]),
                "ci95_lower": _num(row["ci95_lower"]),
                "ci95_upper": _num(row["ci95_upper"]), "ci_method": row["ci_method"],
                "returned_by": f"scp-metrics ({kpi.delivered_by})"}
    return {"return_status": NO_DATA}


def _tracked(kpi: Kpi, tracking: pd.DataFrame, targets: dict[str, Target]) -> dict[str, Any]:
    mine = tracking[tracking["indicator_id"] == kpi.id]
    if mine.empty:
        return {"rag_note": "no target in the plan"}
    judged = mine[mine["rag"].notna()]
    row = (judged if not judged.empty else mine).iloc[0]
    target = targets.get(str(row["target_id"]))
    expected = _num(row.get("trajectory_value"))
    rag_ = row["rag"] if isinstance(row["rag"], str) else None
    note = f"as mart_target_tracking judges target {row['target_id']}"
    if kpi.delivered_by == "partner_return" and isinstance(row.get("note"), str):
        note = str(row["note"]).removeprefix("partner returns: ")
    return {"target_id": row["target_id"], "target": target.describe() if target else None,
            "target_period": row["target_period"],
            "judged_period": row["assessed_period"],
            "target_value": _num(row["target_value"]),
            "expected_value": expected if expected is not None
            else _num(row.get("milestone_value")),
            "actual_judged": _num(row.get("actual_value")), "worse_pct": _num(row.get("worse_pct")),
            "rag": rag_, "rag_note": note}


def kpi_status(register: KpiRegister, values: pd.DataFrame, pipeline: pd.DataFrame,
               tracking: pd.DataFrame, targets: Iterable[Target]) -> pd.DataFrame:
    """``mart_kpi_status``: one row per KPI of ``register``, in its order.

    Parameters
    ----------
    register : KpiRegister
    values : pandas.DataFrame
        ``mart_kpi_values`` (partner returns' figures).
    pipeline : pandas.DataFrame
        The home area's ``mart_indicator_values`` rows of the register's KPIs (``indicator_id``,
        ``period_type``, ``period_start``, ``period_end``, ``value``, ``ci95_lower``,
        ``ci95_upper``, ``ci_method``).
    tracking : pandas.DataFrame
        The home area's ``mart_target_tracking`` rows (``target_id``, ``indicator_id``,
        ``rag``, ``target_value``, ``milestone_value``, ``trajectory_value``, ``actual_value``,
        ``worse_pct``, ``target_period``, ``assessed_period``, ``note``): every KPI's target and
        RAG, partner-return KPIs' too (:func:`partner_tracking` judged them there).
    targets : iterable of Target
        The plans' targets (for the target in words).
    """
    listed = list(targets)
    out = []
    for position, kpi in enumerate(register, start=1):
        row = {**_base(kpi), "register_order": position}
        if kpi.delivered_by == "partner_return":
            row.update(_latest_return(kpi, values))
        else:
            row.update(_latest_pipeline(kpi, pipeline))
        row.update(_tracked(kpi, tracking, {t.id: t for t in listed}))
        out.append(row)
    return pd.DataFrame(out, columns=STATUS_COLUMNS)
