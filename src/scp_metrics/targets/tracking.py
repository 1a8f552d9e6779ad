"""``mart_target_tracking``: every target of ``config/targets.toml`` as of a month.

For a target on a monthly indicator: the financial year judged (``assessed_period``: the year of
``as_of``, or the target year once it has passed), its milestone on the straight line from the
baseline to the target, the cumulative year-to-date actual against the year-to-date trajectory
(RAG), the year-end projection by the method the backtest chose for that indicator and area
(intervals widened by the backtest's calibration), the probability of meeting the milestone, the
Making Data Count assurance from ``mart_spc`` when it exists, and for stretch targets the % of the
stretch achieved and the reward it implies. Counts are projected; rates are the projected count
per ``multiplier`` of the assessed year's population. Survey and MSG-rank targets are judged on
their latest reading (:mod:`scp_metrics.targets.tracking_readings`). Anything that cannot be computed
is null with a ``note`` saying why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import duckdb
import pandas as pd

from scp_metrics.settings import Settings
from scp_metrics.stats.spc import assurance
from scp_metrics.targets.backtest import choice_for, dispersion_factor
from scp_metrics.targets.plan import (
    Target,
    TargetCatalogue,
    load_targets,
    rag,
    reward_implied,
    stretch_pct_achieved,
    without_stretch_value,
    worse_pct,
)
from scp_metrics.targets.projections import (
    METHODS,
    MODELS,
    as_month,
    fiscal_year,
    fy_label,
    fy_months,
    project,
    project_all,
)
from scp_metrics.targets.tracking_readings import table_exists, track_rank, track_survey
from scp_metrics.targets.trajectories import FLAT, seasonal_profile, yearly_milestones, ytd_share

COLUMNS = [
    "target_id", "indicator_id", "area_code", "as_of", "trajectory_value", "actual_value",
    "projected_year_end", "projection_lower_80", "projection_upper_80", "projection_lower_95",
    "projection_upper_95", "method", "target_value", "rag", "probability_met",
    "kind", "status", "basis", "unit", "assessed_period", "target_period", "baseline_period",
    "baseline_value", "baseline_source", "milestone_value", "trajectory_straight",
    "trajectory_seasonal", "worse_pct", "months_observed", "months_missing", "calibration",
    "stretch", "without_stretch", "stretch_pct_achieved", "reward_max_gbp", "reward_implied",
    "probability_reward", "target_year_projection", "target_year_lower_95",
    "target_year_upper_95", "probability_met_target_year", "assurance", "note",
]
NUMERIC = {
    "trajectory_value", "actual_value", "projected_year_end", "projection_lower_80",
    "projection_upper_80", "projection_lower_95", "projection_upper_95", "target_value",
    "probability_met", "baseline_value", "milestone_value", "trajectory_straight",
    "trajectory_seasonal", "worse_pct", "calibration", "without_stretch", "stretch_pct_achieved",
    "reward_max_gbp", "reward_implied", "probability_reward", "target_year_projection",
    "target_year_lower_95", "target_year_upper_95", "probability_met_target_year",
}


@dataclass
class IndicatorData:
    measure: str
    multiplier: float
    unit: str
    months: pd.DataFrame  # period (Period), numerator, denominator, population_year
    years: pd.DataFrame   # fy, numerator, value
    survey: pd.DataFrame  # period_end, value, ci95_lower, ci95_upper
    breaks: tuple = ()    # series-break dates (ref_series_breaks)

    @property
    def counts(self) -> pd.Series:
        return pd.Series(self.months["numerator"].to_numpy(dtype=float),
                         index=pd.PeriodIndex(self.months["period"], freq="M"))


def load_indicator(con: duckdb.DuckDBPyConnection, indicator: str,
                   area: str) -> IndicatorData | None:
    ref = con.execute("select measure, multiplier, unit from ref_indicators where indicator_id = ?",
                      [indicator]).fetchall()
    rows = con.execute(
        "select period_type, period_start, period_end, numerator, denominator, value, ci95_lower, "
        "ci95_upper, population_year from mart_indicator_values where indicator_id = ? and "
        "area_code = ? and period_type in ('month', 'financial_year', 'survey') order by all",
        [indicator, area]).df()
    if rows.empty:
        return None
    measure, multiplier, unit = ref[0] if ref else ("count", 1, "count")
    months = rows[rows["period_type"] == "month"].copy()
    months["period"] = pd.to_datetime(months["period_start"]).dt.to_period("M")
    years = rows[rows["period_type"] == "financial_year"].copy()
    years["fy"] = [fiscal_year(pd.Timestamp(d).to_period("M")) for d in years["period_start"]]
    survey = rows[rows["period_type"] == "survey"].copy()
    return IndicatorData(measure, float(multiplier or 1), unit, months.reset_index(drop=True),
                         years.reset_index(drop=True), survey.reset_index(drop=True),
                         series_breaks(con, indicator, area))


def series_breaks(con: duckdb.DuckDBPyConnection, indicator: str, area: str) -> tuple:
    """Break dates of one indicator in one area from ``ref_series_breaks`` (none if absent)."""
    if not table_exists(con, "ref_series_breaks"):
        return ()
    rows = con.execute("select distinct break_date from ref_series_breaks where indicator_id = ? "
                       "and (area_code is null or area_code = ?) order by 1",
                       [indicator, area]).fetchall()
    return tuple(r[0] for r in rows)


def _spc_limits(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[float, float]]:
    if not table_exists(con, "mart_spc"):
        return {}
    rows = con.execute("select indicator_id, area_code, lpl, upl from mart_spc where value is "
                       "not null qualify row_number() over (partition by indicator_id, area_code "
                       "order by period_start desc) = 1").fetchall()
    # a series without limits (too few points, all zero) has none to assure against
    return {(i, a): (lo, hi) for i, a, lo, hi in rows if lo is not None and hi is not None}


def latest_month(con: duckdb.DuckDBPyConnection, area: str) -> pd.Period:
    rows = con.execute("select max(period_start) from mart_indicator_values where period_type = "
                       "'month' and area_code = ?", [area]).fetchall()
    if not rows or rows[0][0] is None:
        raise ValueError(f"no monthly indicator values for {area} in the warehouse")
    return as_month(rows[0][0])


def _pick_method(choice, projections: dict, fallback: tuple[str, ...]) -> tuple[str | None, str]:
    order = [choice.chosen] if choice.chosen else []
    order += [m for m in (*fallback, *METHODS) if m not in order]
    for m in order:
        if projections[m].available:
            if m == choice.chosen:
                years = ", ".join(fy_label(y) for y in choice.selection_years)
                return m, f"{m}: chosen by the backtest (lowest MAPE on {years})"
            why = (f"the backtest's {choice.chosen} is unavailable "
                   f"({projections[choice.chosen].note})" if choice.chosen
                   else "the backtest could not choose (too few complete years)")
            return m, f"{m}: {why}; first available of the fallback order"
    return None, "no method can project this year: " + "; ".join(
        f"{m}: {p.note}" for m, p in projections.items())


def _track_monthly(t: Target, d: IndicatorData, as_of: pd.Period, cat: TargetCatalogue,
                   spc: dict, row: dict, warehouse: str | os.PathLike | None = None) -> dict:
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
    choice, raw = choice_for(counts, before_fy=fy, breaks=d.breaks, warehouse=warehouse)
    method, why = _pick_method(choice, projections, cat.fallback_order)
    notes.append(why)
    profile, profile_note = seasonal_profile(counts, fy, cat.rag.profile_years)
    row.update(assessed_period=fy_label(fy), baseline_value=baseline, baseline_source=source,
               target_value=goal, milestone_value=milestone, unit=d.unit if rate else "count")
    if method is None:
        return {**row, "note": "; ".join(notes)}
    factor = dispersion_factor(raw, method, fy)
    p = projections[method].calibrated(factor)
    assert p.point is not None and p.ytd is not None  # the method was picked as available
    if p.note:
        notes.append(p.note)
    lo80, hi80 = p.interval(0.80)
    lo95, hi95 = p.interval(0.95)
    row.update(method=method, calibration=factor, actual_value=p.ytd * scale,
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
        row["assurance"] = assurance(limits, per_month, improvement) if limits else None
        notes.append(f"assurance: {fy_label(fy)} milestone as a monthly average ({per_month:.4g}) "
                     f"against the latest mart_spc limits {limits[0]:.4g}..{limits[1]:.4g}"
                     if limits else "no SPC limits (mart_spc absent or no series): no assurance")
    if goal is not None and goal_fy > fy and t.kind != "year_on_year":
        _target_year(t, d, month, fy, goal_fy, goal, method, raw, scale, row, notes)
    if t.stretch and goal is not None and fy == goal_fy:
        _stretch(t, cat, p, scale, yearly, goal, row, notes)
    if rate:
        year = pop_rows["population_year"].iloc[-1]
        notes.append(f"rate on population {pop:,.0f} (mid-{year})")
    return {**row, "note": "; ".join(notes)}


def _target_year(t: Target, d: IndicatorData, month: pd.Period, fy: int, goal_fy: int,
                 goal: float, method: str, raw: pd.DataFrame, scale: float, row: dict,
                 notes: list) -> None:
    """The target year itself forecast by a model (the chosen one if it is a model)."""
    model = method if method in MODELS else "poisson_glm"
    p = project(d.counts, month, model, year=goal_fy, breaks=d.breaks)
    if not p.available:
        notes.append(f"no forecast of {fy_label(goal_fy)}: {p.note}")
        return
    p = p.calibrated(dispersion_factor(raw, model, fy))
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


def track_targets(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: object = None,
                  catalogue: TargetCatalogue | None = None) -> pd.DataFrame:
    """One row per target as of ``as_of`` (default: the latest month of the home area).

    The back-tests' projections are memoised beside ``settings.warehouse`` (the warehouse being
    built, not the environment's default; not at all for ``":memory:"``).
    """
    cat = catalogue or load_targets(settings.config_dir)
    month = as_month(as_of) if as_of is not None else latest_month(con, settings.home_area)
    spc, cache, rows = _spc_limits(con), {}, []
    for t in cat.targets:
        area = t.area_code(settings.home_area)
        row = dict.fromkeys(COLUMNS)
        row.update(target_id=t.id, indicator_id=t.indicator, area_code=area,
                   as_of=month.to_timestamp(how="end").date(), kind=t.kind, status=t.status,
                   basis=t.basis, target_period=t.target_period, baseline_period=t.baseline_period,
                   stretch=t.stretch, reward_max_gbp=t.reward_max_gbp)
        key = (t.indicator, area)
        if key not in cache:
            cache[key] = load_indicator(con, t.indicator, area)
        data = cache[key]
        if t.kind == "rank":
            row = track_rank(con, t, month, cat, row)
        elif data is None:
            row["note"] = f"no data: {t.indicator} has no values for {area} in the warehouse"
        elif t.kind == "survey":
            row = track_survey(t, data, month, cat, row)
        elif data.months.empty:
            row["note"] = f"no data: {t.indicator} has no monthly values for {area}"
        else:
            row = _track_monthly(t, data, month, cat, spc, row, settings.warehouse)
        if not t.is_set and not str(row["note"] or "").startswith("target unset"):
            row["note"] = f"target unset in the plan (\"{t.plan_quote}\"); {row['note'] or ''}"
        rows.append(row)
    return _typed(pd.DataFrame(rows, columns=COLUMNS))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
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


def build_target_tracking(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """Mart builder for ``mart_target_tracking``: every target as of the latest month of the
    home area (empty, with its columns, when the warehouse has no monthly values for it)."""
    try:
        month = latest_month(con, settings.home_area)
    except ValueError:
        return _typed(pd.DataFrame(columns=COLUMNS))
    return track_targets(con, settings, month)
