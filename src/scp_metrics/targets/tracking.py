"""``mart_target_tracking``: every target of ``config/targets.toml`` as of a month.

For a target on a monthly indicator: the financial year judged (``assessed_period``: the year of
``as_of``, or the target year once it has passed), its milestone on the straight line from the
baseline to the target, the cumulative year-to-date actual against the year-to-date trajectory
(RAG), the year-end projection by the method the backtest chose for that indicator's family and
area (80% and 95% intervals calibrated on the backtest's earlier out-of-sample errors, and the
caveat when the method did not pass the backtest's accuracy test for the indicator:
:mod:`scp_metrics.targets.evaluation`), the probability of meeting the milestone, the
Making Data Count assurance from ``mart_spc`` when it exists, and for stretch targets the % of the
stretch achieved and the reward it implies. Counts are projected; rates are the projected count
per ``multiplier`` of the assessed year's population. Survey and MSG-rank targets are judged on
their latest reading (:mod:`scp_metrics.targets.readings`). Anything that cannot be computed
is null with a ``note`` saying why; a target whose computation raises keeps its plan's fields,
``series_status`` ``failed`` and the reason in ``note``, and the other targets are judged as
usual. The reads are in :mod:`scp_metrics.warehouse.marts.target_tracking`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import pandas as pd

from scp_metrics.stats.series_status import FAILED, OK, failure_note
from scp_metrics.stats.spc_baseline import ProcessLimits, current_assurance
from scp_metrics.targets.calibration import MIN_ERRORS
from scp_metrics.targets.evaluation import Evaluation, PoolSeries, evaluate
from scp_metrics.targets.plan import (
    Target,
    TargetCatalogue,
    rag,
    reward_implied,
    stretch_pct_achieved,
    without_stretch_value,
    worse_pct,
)
from scp_metrics.targets.projections import (
    MODELS,
    fiscal_year,
    fy_label,
    fy_months,
    project,
    project_all,
)
from scp_metrics.targets.readings import track_rank, track_survey
from scp_metrics.targets.series import IndicatorData
from scp_metrics.targets.trajectories import FLAT, seasonal_profile, yearly_milestones, ytd_share

COLUMNS = [
    "target_id", "indicator_id", "area_code", "as_of", "trajectory_value", "actual_value",
    "projected_year_end", "projection_lower_80", "projection_upper_80", "projection_lower_95",
    "projection_upper_95", "method", "target_value", "rag", "probability_met",
    "kind", "status", "basis", "unit", "assessed_period", "target_period", "baseline_period",
    "baseline_value", "baseline_source", "milestone_value", "trajectory_straight",
    "trajectory_seasonal", "worse_pct", "months_observed", "months_missing", "calibration",
    "calibration_80", "projection_caveat", "stretch", "without_stretch", "stretch_pct_achieved",
    "reward_max_gbp", "reward_implied",
    "probability_reward", "target_year_projection", "target_year_lower_95",
    "target_year_upper_95", "probability_met_target_year", "assurance", "note", "series_status",
]
NUMERIC = {
    "trajectory_value", "actual_value", "projected_year_end", "projection_lower_80",
    "projection_upper_80", "projection_lower_95", "projection_upper_95", "target_value",
    "probability_met", "baseline_value", "milestone_value", "trajectory_straight",
    "trajectory_seasonal", "worse_pct", "calibration", "calibration_80", "without_stretch",
    "stretch_pct_achieved",
    "reward_max_gbp", "reward_implied", "probability_reward", "target_year_projection",
    "target_year_lower_95", "target_year_upper_95", "probability_met_target_year",
}


def _pick_method(evaluation: Evaluation, key: tuple[str, str], fy: int,
                 projections: dict) -> tuple[str | None, str]:
    choice = evaluation.choice(key, fy)
    order = [choice.method] if choice.method else []
    order += [m for m in evaluation.fallback if m not in order]
    for m in order:
        if projections[m].available:
            if m == choice.method:
                return m, f"{m}: {choice.reason}"
            why = (f"the backtest's {choice.method} is unavailable "
                   f"({projections[choice.method].note})" if choice.method else choice.reason)
            return m, f"{m}: {why}; first available of the fallback order"
    return None, "no method can project this year: " + "; ".join(
        f"{m}: {p.note}" for m, p in projections.items())


def _calibrated(p, evaluation: Evaluation, area: str, fy: int, notes: list):
    """``p`` calibrated on its method's earlier errors in the area (or raw, and a note)."""
    errors = evaluation.errors(area, p.method, fy)
    if len(errors) < MIN_ERRORS:
        notes.append(f"{p.method} intervals not calibrated: {len(errors)} earlier out-of-sample "
                     f"errors (at least {MIN_ERRORS} needed)")
        return p
    return p.calibrated(errors)


def _track_monthly(t: Target, d: IndicatorData, as_of: pd.Period, cat: TargetCatalogue,
                   spc: Mapping[tuple[str, str], ProcessLimits], row: dict,
                   evaluation: Evaluation) -> dict:
    notes = []
    goal_fy = t.target_fy if t.target_fy is not None else fiscal_year(as_of)
    first = t.baseline_fy + 1 if t.baseline_fy is not None else goal_fy
    fy = min(fiscal_year(as_of), goal_fy)
    if fy < first:
        return {**row, "note": f"as of {as_of} the target period has not started "
                               f"(first judged year {fy_label(first)})"}
    month = min(as_of, fy_months(fy)[-1])
    rate = d.measure == "rate" and t.basis == "value"
    in_year = d.months[(d.months["period"] >= fy_months(fy)[0]) & (d.months["period"] <= month)]
    pop_rows = in_year if len(in_year) else d.months[d.months["period"] <= month]
    has_pop = d.measure == "rate" and len(pop_rows)
    pop = float(pop_rows["denominator"].iloc[-1]) if has_pop else float("nan")
    scale = d.multiplier / pop if rate else 1.0
    column = "value" if rate else "numerator"
    yearly = {int(y): float(v) for y, v in zip(d.years["fy"], d.years[column], strict=True)}
    baseline = t.baseline_value if t.baseline_value is not None \
        else (yearly.get(t.baseline_fy) if t.baseline_fy is not None else None)
    source = "plan" if t.baseline_value is not None else "data"
    if t.kind == "year_on_year":
        baseline, source = yearly.get(fy - 1), f"data ({fy_label(fy - 1)} outturn)"
        goal = milestone = baseline
    else:
        goal = t.target_for(baseline)
        milestone = None
        if goal is not None and baseline is not None and t.baseline_fy is not None:
            milestone = yearly_milestones(t.baseline_fy, baseline, goal_fy, goal).get(fy)
        if t.is_set and baseline is None:
            notes.append(f"no {t.baseline_period} outturn in the data for the baseline")
    counts = d.counts
    projections = project_all(counts, month, breaks=d.breaks)
    key = (t.indicator, row["area_code"])
    method, why = _pick_method(evaluation, key, fy, projections)
    notes.append(why)
    profile, profile_note = seasonal_profile(counts, fy, cat.rag.profile_years)
    row.update(assessed_period=fy_label(fy), baseline_value=baseline, baseline_source=source,
               target_value=goal, milestone_value=milestone, unit=d.unit if rate else "count")
    if method is None:
        return {**row, "note": "; ".join(notes)}
    p = _calibrated(projections[method], evaluation, row["area_code"], fy, notes)
    assert p.point is not None and p.ytd is not None  # the method was picked as available
    if p.note:
        notes.append(p.note)
    verdict = evaluation.verdict(key, method, fy)
    notes.append(verdict.text)
    lo80, hi80 = p.interval(0.80)
    lo95, hi95 = p.interval(0.95)
    row.update(method=method, calibration=p.calibration, calibration_80=p.calibration_80,
               projection_caveat=verdict.caveat, actual_value=p.ytd * scale,
               projected_year_end=p.point * scale, projection_lower_80=lo80 * scale,
               projection_upper_80=hi80 * scale, projection_lower_95=lo95 * scale,
               projection_upper_95=hi95 * scale, months_observed=len(p.observed_months),
               months_missing=", ".join(str(m) for m in p.missing_months) or None)
    if milestone is not None:
        straight = milestone * ytd_share(FLAT, fy, p.observed_months)
        seasonal = milestone * ytd_share(profile, fy, p.observed_months)
        trajectory = seasonal if cat.rag.trajectory_profile == "seasonal" else straight
        need = milestone / scale
        met = (p.probability_at_most(need) if t.polarity == "lower"
               else p.probability_at_least(need))
        row.update(trajectory_value=trajectory, trajectory_straight=straight,
                   trajectory_seasonal=seasonal, probability_met=met,
                   rag=rag(row["actual_value"], trajectory, t.polarity, cat.rag),
                   worse_pct=worse_pct(row["actual_value"], trajectory, t.polarity))
        notes.append(f"trajectory profile {cat.rag.trajectory_profile} ({profile_note})")
        per_month = need * (d.multiplier / pop if d.measure == "rate" else 1.0) / 12.0
        limits = spc.get((t.indicator, row["area_code"]))
        improvement = "decrease" if t.polarity == "lower" else "increase"
        row["assurance"], why = current_assurance(limits, per_month, improvement)
        notes.append(f"assurance: {fy_label(fy)} milestone as a monthly average ({per_month:.4g}) "
                     f"{why}" if limits else why)
    if goal is not None and goal_fy > fy and t.kind != "year_on_year":
        _target_year(t, d, month, fy, goal_fy, goal, method, evaluation, scale, row, notes)
    if t.stretch and goal is not None and fy == goal_fy:
        _stretch(t, cat, p, scale, yearly, goal, row, notes)
    if rate:
        year = pop_rows["population_year"].iloc[-1]
        notes.append(f"rate on population {pop:,.0f} (mid-{year})")
    return {**row, "note": "; ".join(notes)}


def _target_year(t: Target, d: IndicatorData, month: pd.Period, fy: int, goal_fy: int,
                 goal: float, method: str, evaluation: Evaluation, scale: float, row: dict,
                 notes: list) -> None:
    """The target year itself forecast by a model (the chosen one if it is a model)."""
    model = method if method in MODELS else "poisson_glm"
    p = project(d.counts, month, model, year=goal_fy, breaks=d.breaks)
    if not p.available:
        notes.append(f"no forecast of {fy_label(goal_fy)}: {p.note}")
        return
    p = _calibrated(p, evaluation, row["area_code"], fy, notes)
    assert p.point is not None  # only available projections reach here
    lo, hi = p.interval(0.95)
    need = goal / scale
    met = p.probability_at_most(need) if t.polarity == "lower" else p.probability_at_least(need)
    row.update(target_year_projection=p.point * scale, target_year_lower_95=lo * scale,
               target_year_upper_95=hi * scale, probability_met_target_year=met)
    notes.append(f"{fy_label(goal_fy)} itself forecast by {model} from data to {month} "
                 "(population held at the latest; interval calibrated on errors within a year)")


def _stretch(t: Target, cat: TargetCatalogue, p, scale: float, yearly: dict, goal: float,
             row: dict, notes: list) -> None:
    without, how = without_stretch_value(t, yearly)
    notes.append(f"projection without stretch: {how}")
    if without is None:
        return
    row["without_stretch"] = without
    if (goal - without) * (1 if t.polarity == "higher" else -1) <= 0:
        notes.append("the stretch target is not beyond the projection without stretch: "
                     "% achieved is undefined")
        return
    pct = stretch_pct_achieved(row["projected_year_end"], without, goal)
    threshold = (without + cat.reward_rule.min_pct / 100.0 * (goal - without)) / scale
    row.update(stretch_pct_achieved=pct,
               reward_implied=reward_implied(pct, t.reward_max_gbp, cat.reward_rule),
               probability_reward=p.probability_at_most(threshold) if t.polarity == "lower"
               else p.probability_at_least(threshold))


def track_target(t: Target, series: IndicatorData | None, ranks: pd.DataFrame | None,
                 month: pd.Period, catalogue: TargetCatalogue,
                 spc_limits: Mapping[tuple[str, str], ProcessLimits], row: dict,
                 evaluation: Evaluation | None) -> dict:
    """One target's row as of ``month`` (``row`` holds its plan's fields); ``evaluation`` is
    None only when the backtest failed, and then only survey and rank targets get here (the
    caller records monthly ones as failed)."""
    area = row["area_code"]
    if t.kind == "rank":
        return track_rank(t, ranks, month, catalogue, row)
    if series is None:
        return {**row, "note": f"no data: {t.indicator} has no values for {area} in the warehouse"}
    if t.kind == "survey":
        return track_survey(t, series, month, catalogue, row)
    if series.months.empty:
        return {**row, "note": f"no data: {t.indicator} has no monthly values for {area}"}
    assert evaluation is not None, "monthly targets are failed by the caller without a backtest"
    return _track_monthly(t, series, month, catalogue, spc_limits, row, evaluation)


class _BacktestFailed(Exception):
    """The projection backtest a monthly target is judged with could not be computed."""


def tracking_table(catalogue: TargetCatalogue, month: pd.Period, home_area: str,
                   data: Mapping[tuple[str, str], IndicatorData | None],
                   ranks: Mapping[tuple[str, str], pd.DataFrame | None],
                   spc_limits: Mapping[tuple[str, str], ProcessLimits],
                   warehouse: str | os.PathLike | None = None,
                   pool: Mapping[tuple[str, str], PoolSeries] | None = None,
                   months: Mapping[tuple[str, str], pd.Period] | None = None) -> pd.DataFrame:
    """One row per target of ``catalogue`` as of ``month``, or a monthly target as of its
    indicator's own month in ``months``.

    Parameters
    ----------
    catalogue : TargetCatalogue
    month : pandas.Period
        The month judged at.
    home_area : str
        The area of targets whose area is "home".
    data : mapping
        ``(indicator, area)`` → its series (:class:`~scp_metrics.targets.series.IndicatorData`,
        None: no values), for every target's indicator and area.
    ranks : mapping
        ``(indicator, area)`` → the ranks a rank target is judged on
        (:func:`~scp_metrics.targets.readings.track_rank`), for the rank targets.
    spc_limits : mapping
        ``(indicator, area)`` → the current process of its ``mart_spc`` series (for the
        assurance, judged against the current process only:
        :func:`~scp_metrics.stats.spc_baseline.current_assurance`).
    warehouse : path, optional
        The warehouse being built: the back-tests' projections are memoised beside it (not for
        None or ``":memory:"``).
    pool : mapping, optional
        Every monthly count or rate series of the areas tracked, with its family and breaks:
        the backtest calibrates on the area's series and chooses per family
        (:func:`~scp_metrics.targets.evaluation.evaluate`). Default: the tracked series only.
    months : mapping, optional
        ``(indicator, area)`` → the month a target on a monthly indicator is judged at (its
        indicator's own latest complete month; sources arrive out of step); survey and rank
        targets, and those not in it, are judged at ``month``.
    """
    if pool is None:
        pool = {key: PoolSeries(d.counts, d.breaks) for key, d in data.items()
                if d is not None and not d.months.empty}
    try:
        evaluation, backtest_failed = evaluate(pool, fallback=catalogue.fallback_order,
                                               warehouse=warehouse), None
    except Exception as exc:  # noqa: BLE001 - the backtest never stops the build
        evaluation, backtest_failed = None, failure_note("projection backtest", exc)
    rows = []
    for t in catalogue.targets:
        area = t.area_code(home_area)
        judged = month if t.kind in ("survey", "rank") else (months or {}).get(
            (t.indicator, area), month)
        row = dict.fromkeys(COLUMNS)
        row.update(target_id=t.id, indicator_id=t.indicator, area_code=area,
                   as_of=judged.to_timestamp(how="end").date(), kind=t.kind, status=t.status,
                   basis=t.basis, target_period=t.target_period, baseline_period=t.baseline_period,
                   stretch=t.stretch, reward_max_gbp=t.reward_max_gbp)
        monthly = t.kind not in ("survey", "rank")
        why = backtest_failed if evaluation is None else evaluation.failed.get(
            (t.indicator, area))
        try:
            if monthly and why:
                raise _BacktestFailed(why)
            row = track_target(t, data.get((t.indicator, area)), ranks.get((t.indicator, area)),
                               judged, catalogue, spc_limits, dict(row), evaluation)
            row["series_status"] = OK
        except _BacktestFailed as exc:
            row.update(series_status=FAILED, note=f"target tracking not computed: {exc}")
        except Exception as exc:  # noqa: BLE001 - one target never stops the mart
            row.update(series_status=FAILED, note=failure_note("target tracking", exc))
        if not t.is_set and not str(row["note"] or "").startswith("target unset"):
            row["note"] = f"target unset in the plan (\"{t.plan_quote}\"); {row['note'] or ''}"
        rows.append(row)
    return typed_tracking(pd.DataFrame(rows, columns=COLUMNS))


def typed_tracking(frame: pd.DataFrame) -> pd.DataFrame:
    """The mart's dtypes (also for a mart with no rows)."""
    for col in COLUMNS:
        if col in NUMERIC:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
        elif col == "months_observed":
            frame[col] = pd.array(frame[col], dtype="Int64")
        elif col == "stretch":
            frame[col] = frame[col].astype(bool)
        elif col == "as_of":
            frame[col] = pd.to_datetime(frame[col]).dt.date
        else:
            frame[col] = frame[col].astype("string")
    return frame
