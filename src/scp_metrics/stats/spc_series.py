"""Making Data Count XmR charts of many monthly series at once (``mart_spc``).

One row per (indicator, area, month) from ``mart_indicator_values`` (period type ``month``,
column ``value``: the rate, count or percentage as published), with the centre line, process
and near limits, special-cause flag, point type and rule of :func:`scp_metrics.stats.spc.xmr`.

* Improvement direction comes from the indicator's polarity: lower → ``"decrease"``,
  higher → ``"increase"``, neutral → ``"neutral"``.
* Limits come from a fixed baseline (``config/spc.toml``, :class:`~scp_metrics.config.spc.SpcBaseline`:
  the first 12 values of each limits group, as the Making Data Count tool does) and are extended
  over the rest of the group; ``baseline_end`` is the baseline's last month. A group with fewer
  values than ``minimum_points`` is a run chart (``chart_type`` ``run_chart``): centre line, no
  limits, so only the trend and shift rules can flag a point.
* Sustained shifts (7 or more points on one side of the centre line in force) are *suggested*
  recalculation points (:func:`scp_metrics.stats.spc_baseline.suggest_recalculations`), never
  applied: ``suggested_recalculation`` says so, in words, on the month the shift starts; a person
  confirms one by adding a break to ``config/series_breaks.toml``.
* Limits are rebased at every series break that applies to the indicator and area
  (``ref_series_breaks``; :func:`scp_metrics.stats.breaks.break_starts` maps a break to the
  first month starting on or after it). ``rebase_group`` numbers the groups from 0.
* Missing months inside a series are put back as gaps before the chart is computed, so a run
  never spans a missing month (see :mod:`scp_metrics.stats.spc` on missing values); the gap rows
  are not written.
* ``assurance`` needs a target and stays null here (targets are separate work).
* A series whose chart cannot be computed keeps its rows (month and value) with no limits,
  ``series_status`` ``failed`` and a ``note`` saying why; the other series are charted as usual
  (:mod:`scp_metrics.stats.series_status`).

Scale: one :func:`~scp_metrics.stats.spc.xmr` call per series (~1-2 ms each; the series are cut
from one sorted frame, the breaks looked up per indicator): a full computation at 300 areas ×
15 years (~5,900 series) takes several seconds.
The mart's adapter (:mod:`scp_metrics.warehouse.marts.spc`) recomputes only the series whose
input changed: a series' rows depend only on its own monthly values, so those whose values are
unchanged keep the previous build's rows, and a new quarter recomputes the few series it
touches (the home area's record-level ones) instead of all of them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from scp_metrics.config.spc import SpcBaseline
from scp_metrics.stats.breaks import break_starts
from scp_metrics.stats.series_status import FAILED, OK, failure_note
from scp_metrics.stats.spc import xmr
from scp_metrics.stats.spc_baseline import suggestion_rows

__all__ = ["IMPROVEMENT_BY_POLARITY", "SPC_COLUMNS", "conform_spc_table", "spc_table"]

IMPROVEMENT_BY_POLARITY = {"lower": "decrease", "higher": "increase", "neutral": "neutral"}

SPC_COLUMNS = [
    "indicator_id", "area_code", "period_start", "value", "mean", "lpl", "upl", "near_lpl",
    "near_upl", "special_cause_flag", "point_type", "rule", "rebase_group", "improvement",
    "assurance", "series_status", "note", "chart_type", "baseline_end", "suggested_recalculation",
]
#: ``chart_type`` values: limits from a baseline, or too few points for limits.
XMR, RUN_CHART = "xmr", "run_chart"
_TEXT = ("assurance", "series_status", "note", "chart_type", "suggested_recalculation")


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in SPC_COLUMNS})
    for col in ("value", "mean", "lpl", "upl", "near_lpl", "near_upl"):
        frame[col] = frame[col].astype(float)
    frame["special_cause_flag"] = frame["special_cause_flag"].astype(bool)
    frame["rebase_group"] = frame["rebase_group"].astype("int64")
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    frame["baseline_end"] = _dates(frame["baseline_end"])
    for col in _TEXT:
        frame[col] = frame[col].astype("string")
    return frame


def spc_table(
    monthly: pd.DataFrame, polarity: Mapping[str, str], breaks: pd.DataFrame | None = None,
    baseline: SpcBaseline | None = None,
) -> pd.DataFrame:
    """XmR chart rows for every (indicator, area) monthly series.

    Parameters
    ----------
    monthly : DataFrame
        Columns ``indicator_id, area_code, period_start, value``; one row per month.
    polarity : mapping
        Indicator id → ``"lower"``, ``"higher"`` or ``"neutral"`` (which way is better).
    breaks : DataFrame, optional
        ``ref_series_breaks`` rows (``indicator_id, area_code, break_date``); ``area_code``
        null applies to every area.
    baseline : SpcBaseline, optional
        Baseline and minimum points (``config/spc.toml``); default the MDC 12 and 12.

    Returns
    -------
    DataFrame
        Columns :data:`SPC_COLUMNS`, ordered by indicator, area and month.

    Raises
    ------
    ValueError
        If an indicator has no known polarity or a series repeats a month.
    """
    if monthly.empty:
        return _empty()
    frame = monthly[["indicator_id", "area_code", "period_start", "value"]].copy()
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    frame = frame.sort_values(["indicator_id", "area_code", "period_start"])
    if frame.duplicated(["indicator_id", "area_code", "period_start"]).any():
        raise ValueError("a monthly series repeats a month (one row per indicator, area, month)")
    unknown = sorted(set(frame["indicator_id"]) - set(polarity))
    if unknown:
        raise ValueError(f"no polarity for indicator(s) {', '.join(unknown)}")
    bad = sorted({p for p in polarity.values() if p not in IMPROVEMENT_BY_POLARITY})
    if bad:
        raise ValueError(f"unknown polarity {', '.join(bad)} (expected lower, higher or neutral)")

    frame = frame.dropna(subset=["indicator_id", "area_code"]).reset_index(drop=True)
    if frame.empty:
        return _empty()
    stamps = pd.DatetimeIndex(frame["period_start"])
    month_no = np.asarray(stamps.year * 12 + stamps.month)
    month_start = np.asarray(stamps.is_month_start & (stamps == stamps.normalize()))
    values = frame["value"].to_numpy()
    indicators = frame["indicator_id"].to_numpy()
    areas = frame["area_code"].to_numpy()
    gid = frame.groupby(["indicator_id", "area_code"], sort=False).ngroup().to_numpy()
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    ends = np.r_[starts[1:], len(frame)]
    breaks_of = ({} if breaks is None or breaks.empty
                 else {ind: grp for ind, grp in breaks.groupby("indicator_id", sort=False)})
    parts = []
    for start, end in zip(starts, ends, strict=True):
        ind, area = indicators[start], areas[start]
        observed = stamps[start:end]
        y = pd.Series(values[start:end], index=observed)
        complete = (month_no[end - 1] - month_no[start] == end - start - 1
                    and month_start[start:end].all())
        if not complete:  # gaps as NaN: runs never span them
            full = pd.date_range(observed[0], observed[-1], freq="MS")
            y = y.reindex(full.union(observed))
        applies = breaks_of.get(ind)
        dates = [] if applies is None else applies.loc[
            applies["area_code"].isna() | (applies["area_code"] == area), "break_date"]
        try:
            chart = chart_series(ind, area, y, IMPROVEMENT_BY_POLARITY[polarity[ind]], dates,
                                 baseline)
            chart = chart if complete else chart.loc[observed]
            chart["series_status"], chart["note"] = OK, None
        except Exception as exc:  # noqa: BLE001 - one series never stops the mart
            chart = _failed_rows(values[start:end], failure_note("SPC chart", exc))
        parts.append(chart)
    out = pd.concat(parts, ignore_index=True).rename(columns={"group": "rebase_group"})
    out["indicator_id"] = pd.Series(indicators, dtype="str")
    out["area_code"] = pd.Series(areas, dtype="str")
    out["period_start"] = stamps.date  # the rows are the input's, in the same order
    out["improvement"] = pd.Series(indicators).map(
        {ind: IMPROVEMENT_BY_POLARITY[p] for ind, p in polarity.items()}).astype("str")
    out["assurance"] = pd.array([None] * len(out), dtype="string")
    return conform_spc_table(out)


def chart_series(indicator: str, area: str, y: pd.Series, improvement: str,
                 break_dates: object, baseline: SpcBaseline | None = None) -> pd.DataFrame:
    """The XmR chart of one series (``y``: its months, gaps as NaN), limits fixed on each
    group's baseline and rebased at its breaks: :func:`~scp_metrics.stats.spc.xmr` rows
    (``group`` for ``rebase_group``) with ``chart_type``, ``baseline_end`` and
    ``suggested_recalculation``."""
    rule = baseline or SpcBaseline()
    rebase = break_starts(pd.DatetimeIndex(y.index), break_dates)
    chart = xmr(y, improvement=improvement, rebase_at=rebase, fix_after_n=rule.baseline_points,
                minimum_points=rule.minimum_points)
    run = (chart["lpl"].isna() & chart["mean"].notna()).to_numpy()
    chart["chart_type"] = np.where(run, RUN_CHART, XMR)
    groups = chart["group"].to_numpy()
    present = chart["value"].notna().to_numpy()
    ends = np.full(len(chart), None, dtype=object)
    for g in np.unique(groups):  # the baseline's last month: its n-th value present
        at = np.flatnonzero((groups == g) & present)
        if at.size and not run[at[0]]:
            ends[groups == g] = chart.index[at[min(rule.baseline_points or at.size, at.size) - 1]]
    chart["baseline_end"] = ends
    text = np.full(len(chart), None, dtype=object)
    for s in suggestion_rows(y.to_numpy(dtype=float), y.index, rebase, rule):
        text[y.index.get_loc(s["suggested_start"])] = (
            f"suggested recalculation: {s['run_points']} points in a row {s['direction']} the "
            f"centre line ({s['mean_before']:.4g}) start this month; limits recalculated from "
            f"this month would centre on {s['mean_after']:.4g}. If the cause is understood, "
            "confirm it as a [[break]] in config/series_breaks.toml")
    chart["suggested_recalculation"] = text
    return chart


def _failed_rows(values: np.ndarray, note: str) -> pd.DataFrame:
    """The rows of a series whose chart could not be computed: its values, no limits."""
    n = len(values)
    nan = np.full(n, np.nan)
    return pd.DataFrame({"value": values, "mean": nan, "lpl": nan, "upl": nan, "near_lpl": nan,
                         "near_upl": nan, "special_cause_flag": np.zeros(n, dtype=bool),
                         "point_type": None, "rule": None, "group": np.zeros(n, dtype="int64"),
                         "series_status": FAILED, "note": note, "chart_type": None,
                         "baseline_end": None, "suggested_recalculation": None})


def _dates(column: pd.Series) -> pd.Series:
    """Python dates (None where missing) as an object column, whatever came in."""
    stamps = pd.to_datetime(column)
    return pd.Series([None if pd.isna(d) else d.date() for d in stamps], index=column.index,
                     dtype=object)


def conform_spc_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The mart's columns and dtypes (also for rows read back from the previous build)."""
    out = frame[SPC_COLUMNS].copy()
    out["period_start"] = pd.to_datetime(out["period_start"]).dt.date
    out["baseline_end"] = _dates(out["baseline_end"])
    for col in ("value", "mean", "lpl", "upl", "near_lpl", "near_upl"):
        out[col] = out[col].astype(float)
    for col in _TEXT:
        out[col] = out[col].astype("string")
    out["rebase_group"] = out["rebase_group"].astype("int64")
    out["special_cause_flag"] = out["special_cause_flag"].astype(bool)
    return out
