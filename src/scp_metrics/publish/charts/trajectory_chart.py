"""Target trajectory chart: cumulative year to date against the trajectory, with the projection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scp_metrics.publish.charts.style import (
    AF,
    MDC,
    OKABE_ITO,
    SMALL_SIZE,
    ChartSubject,
    Lineage,
    axis_label,
    finish_figure,
    format_value,
    new_figure,
    polarity_text,
    start_axis_at_zero,
)
from scp_metrics.targets.wording import probability_text

__all__ = ["PATH_COLUMNS", "plot_trajectory"]

#: Columns of the monthly path :func:`plot_trajectory` needs.
PATH_COLUMNS = ("period_end", "actual_ytd", "trajectory_ytd")

ACTUAL = OKABE_ITO["black"]
TRAJECTORY = MDC["trajectory"]
PROJECTION = AF["dark_blue"]
TARGET = AF["orange"]


def _num(row: Mapping[str, Any], key: str) -> float:
    value = row.get(key)
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return out


def plot_trajectory(
    path: pd.DataFrame,
    tracking: Mapping[str, Any] | pd.Series,
    subject: ChartSubject,
    *,
    lineage: Lineage | None = None,
    title: str | None = None,
) -> Figure:
    """Cumulative year-to-date actual against the target trajectory, with the year-end projection.

    Parameters
    ----------
    path : pandas.DataFrame
        One row per month of the financial year judged: ``period_end`` (month end),
        ``actual_ytd`` (cumulative year to date; NaN after the latest month) and
        ``trajectory_ytd`` (the cumulative trajectory to the year's milestone), in the unit of
        ``tracking["unit"]``.
    tracking : mapping or pandas.Series
        One ``mart_target_tracking`` row: ``projected_year_end``, ``projection_lower_80``,
        ``projection_upper_80``, ``projection_lower_95``, ``projection_upper_95``,
        ``milestone_value`` (the year's target; else ``target_value``), and optionally
        ``target_value``, ``target_period``, ``assessed_period``, ``as_of``, ``rag``,
        ``probability_met``, ``method``, ``target_id``, ``unit``.
    subject : ChartSubject
        Indicator and area (the unit is taken from ``tracking["unit"]`` when given: a count
        target on a rate indicator is drawn as a count).
    lineage : Lineage, optional
        Source, data date and load batches for the footnote.
    title : str, optional
        Override the generated title.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The fan joins the latest actual to the year-end 80% and 95% prediction intervals in
    straight lines: only its year-end edge is an interval the projection computed (drawn as
    error bars too); in between it is a guide for the eye. The value axis starts at zero.
    """
    missing = [c for c in PATH_COLUMNS if c not in path.columns]
    if missing:
        raise ValueError(f"plot_trajectory needs path columns {', '.join(missing)}")
    row = dict(tracking)
    unit = str(row.get("unit") or subject.unit)
    if unit != subject.unit:
        measure = "count" if unit == "count" else subject.measure
        subject = ChartSubject(subject.indicator_id, subject.title, unit, subject.polarity,
                               measure, subject.area_code, subject.area_name)
    frame = path.copy()
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    frame = frame.sort_values("period_end").reset_index(drop=True)
    for col in ("actual_ytd", "trajectory_ytd"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    x = frame["period_end"].dt.to_period("M").dt.to_timestamp()  # plotted at month start
    fig, ax = new_figure()

    if frame["trajectory_ytd"].notna().any():
        ax.plot(x, frame["trajectory_ytd"], color=TRAJECTORY, linewidth=1.8,
                linestyle=(0, (6, 3)), marker="o", markersize=3, zorder=3, gid="trajectory",
                label="Trajectory (cumulative, to the year's target)")
    seen = frame["actual_ytd"].notna()
    # up to the last month with data, a missing month is a gap in the line, not a straight join
    upto = int(np.flatnonzero(seen.to_numpy())[-1]) + 1 if seen.any() else 0
    ax.plot(x[:upto], frame["actual_ytd"].iloc[:upto], color=ACTUAL, linewidth=2.4, marker="o",
            markersize=5, zorder=5, gid="actual", label="Actual, financial year to date")

    goal = _num(row, "milestone_value")
    if np.isnan(goal):
        goal = _num(row, "target_value")
    year_end = x.iloc[-1]
    point = _num(row, "projected_year_end")
    if seen.any() and not np.isnan(point):
        x0, y0 = x[seen].iloc[-1], frame.loc[seen, "actual_ytd"].iloc[-1]
        xs = [mdates.date2num(x0), mdates.date2num(year_end)]
        for level, alpha in (("95", 0.16), ("80", 0.30)):
            lo, hi = _num(row, f"projection_lower_{level}"), _num(row, f"projection_upper_{level}")
            if np.isnan(lo) or np.isnan(hi):
                continue
            ax.fill_between(xs, [y0, lo], [y0, hi], color=PROJECTION, alpha=alpha, linewidth=0,
                            zorder=2, gid=f"fan-{level}",
                            label=f"{level}% prediction interval for the year end")
        lo95, hi95 = _num(row, "projection_lower_95"), _num(row, "projection_upper_95")
        ax.plot(xs, [y0, point], color=PROJECTION, linewidth=1.8, linestyle=(0, (2, 2)),
                zorder=4, gid="projection", label="Projection")
        ax.errorbar([xs[1]], [point], yerr=[[max(point - lo95, 0)], [max(hi95 - point, 0)]]
                    if not (np.isnan(lo95) or np.isnan(hi95)) else None, fmt="o",
                    color=PROJECTION, markersize=7, capsize=4, elinewidth=1.4, zorder=6,
                    gid="projected-year-end")
        ax.annotate(format_value(point, subject), (xs[1], point), xytext=(9, 0),
                    textcoords="offset points", ha="left", va="center", size=SMALL_SIZE + 0.5,
                    color=PROJECTION, weight="bold", gid="projection-label")
    if not np.isnan(goal):
        period = row.get("assessed_period") or ""
        final = _num(row, "target_value")
        milestone = not np.isnan(final) and abs(final - goal) > 1e-9 * max(abs(goal), 1.0)
        ax.axhline(goal, color=TARGET, linewidth=1.6, zorder=3, gid="target",
                   label=f"{'Milestone' if milestone else 'Target'}"
                         f"{' for ' + str(period) if period else ''}: "
                         f"{format_value(goal, subject, unit=True)}")

    if seen.any():
        xl, yl = x[seen].iloc[-1], frame.loc[seen, "actual_ytd"].iloc[-1]
        ax.annotate(f"{xl:%b %Y}: {format_value(yl, subject)}", (mdates.date2num(xl), yl),
                    xytext=(-6, 8), textcoords="offset points", ha="right",
                    size=SMALL_SIZE + 0.5, gid="actual-label", zorder=7,
                    bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.85})

    status = _status_text(row, subject)
    if status:
        # Bottom right: a cumulative chart leaves that corner empty.
        ax.text(0.985, 0.03, status, transform=ax.transAxes, ha="right", va="bottom",
                multialignment="left",
                size=SMALL_SIZE + 0.5, gid="status-box", zorder=7,
                bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": "#BBBBBB"})

    start_axis_at_zero(ax, frame["actual_ytd"], frame["trajectory_ytd"], [goal],
                       [_num(row, "projection_upper_95"), point], headroom=0.12)
    ax.set_xlim(mdates.date2num(x.iloc[0] - pd.Timedelta(days=20)),
                mdates.date2num(year_end + pd.Timedelta(days=55)))
    ax.set_xticks([mdates.date2num(v) for v in x], [f"{v:%b}\n{v:%Y}" for v in x])
    ax.set_xlabel("Month of the financial year")
    ax.set_ylabel(f"{axis_label(subject, None)}, cumulative year to date")
    fy = row.get("assessed_period") or f"{x.iloc[0]:%Y}/{(x.iloc[0].year + 1) % 100:02d}"
    target_name = str(row.get("target_title") or row.get("target_id") or "target")
    against = "against the target trajectory" if not np.isnan(goal) else (
        "and year-end projection (no target value set)")
    finish_figure(
        fig, ax,
        title=title or f"{target_name}: {subject.area_name}'s {fy} year to date {against}",
        subtitle=(f"{subject.title} · {axis_label(subject, None)}, cumulative from April"
                  f" · {polarity_text(subject.polarity).capitalize()}"),
        lineage=lineage,
        method=(f"Projection method: {row.get('method') or 'n/a'}; intervals calibrated on the "
                "backtest's earlier out-of-sample errors; fan between now and the year end is "
                "drawn straight"),
        legend_ncol=3,
    )
    return fig


def _status_text(row: Mapping[str, Any], subject: ChartSubject) -> str:
    lines = []
    rag = row.get("rag")
    if rag is not None and not pd.isna(rag):
        actual, traj = _num(row, "actual_value"), _num(row, "trajectory_value")
        versus = ""
        if not (np.isnan(actual) or np.isnan(traj)) and traj:
            versus = f" (year to date {100 * (actual / traj - 1):+.1f}% against the trajectory)"
        lines.append(f"RAG: {str(rag).capitalize()}{versus}")
    prob = _num(row, "probability_met")
    if not np.isnan(prob):
        text = probability_text(prob)
        goal, final = _num(row, "milestone_value"), _num(row, "target_value")
        what = ("the year's milestone" if not np.isnan(final) and not np.isnan(goal)
                and abs(final - goal) > 1e-9 * max(abs(goal), 1.0) else "the target")
        lines.append(f"Probability the year end meets {what}: {text}")
    point = _num(row, "projected_year_end")
    if not np.isnan(point):
        text = f"Projected year end: {format_value(point, subject, unit=True)}"
        lo, hi = _num(row, "projection_lower_95"), _num(row, "projection_upper_95")
        if not (np.isnan(lo) or np.isnan(hi)):
            text += f" (95% interval {format_value(lo, subject)} to {format_value(hi, subject)})"
        lines.append(text)
    return "\n".join(lines)
