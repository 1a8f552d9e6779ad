"""SPC (XmR) chart in the NHS Making Data Count style.

Draws what :func:`scp_metrics.stats.spc.xmr` / ``mart_spc`` computed: nothing is recalculated here
except the assurance of a target given only to the chart. A missing month is a gap in the line
(never a straight line across it); a limits group with too few points for limits is drawn as a
run chart (centre line only); the baseline the limits are fixed on is shaded; suggested
recalculation points (sustained shifts nobody has confirmed) are marked, not applied.
"""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure

from scp_metrics.publish.charts.annotations import Break, as_breaks, badge, mark_breaks
from scp_metrics.publish.charts.style import (
    MDC,
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
from scp_metrics.stats.spc_baseline import ProcessLimits, current_assurance

__all__ = ["REQUIRED_COLUMNS", "plot_spc"]

#: Columns :func:`plot_spc` needs (``mart_spc`` has them all).
REQUIRED_COLUMNS = ("period_start", "value", "mean", "lpl", "upl", "point_type")

_IMPROVEMENT = {"lower": "decrease", "higher": "increase", "neutral": "neutral"}
_POINT_LABEL = {
    "common_cause": "Common cause variation",
    "special_cause_improvement": "Special cause: improvement",
    "special_cause_concern": "Special cause: concern",
    "special_cause_neutral_high": "Special cause: neither (high)",
    "special_cause_neutral_low": "Special cause: neither (low)",
}
_RULE_TEXT = {
    "outside": "outside the limits",
    "trend": "7-point trend",
    "two_of_three": "2 of 3 near a limit",
    "shift": "7-point shift",
}
_ASSURANCE = {
    "consistent_pass": ("P", MDC["special_cause_improvement"],
                        "Assurance: target consistently met"),
    "consistent_fail": ("F", MDC["special_cause_concern"],
                        "Assurance: target consistently missed"),
    "inconsistent": ("?", MDC["common_cause"],
                     "Assurance: target hit and miss"),
}
_OPTIONAL = ("near_lpl", "near_upl", "rebase_group", "chart_type", "baseline_end",
             "suggested_recalculation")


def _check(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows sorted by month, with a row (value NaN, its group's limits) for every missing
    month between two present ones, so the value line breaks there."""
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"plot_spc needs columns {', '.join(missing)}")
    if frame.empty:
        raise ValueError("plot_spc needs at least one row")
    out = frame.copy()
    out["period_start"] = pd.to_datetime(out["period_start"])
    out = out.sort_values("period_start").reset_index(drop=True)
    for col, default in (("rebase_group", 0), ("chart_type", "xmr"), ("baseline_end", None),
                         ("suggested_recalculation", None)):
        if col not in out.columns:
            out[col] = default
    for col in ("value", "mean", "lpl", "upl", "near_lpl", "near_upl"):
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    months = pd.date_range(out["period_start"].iloc[0], out["period_start"].iloc[-1], freq="MS")
    if out["period_start"].is_unique and len(months) > len(out) and \
            out["period_start"].isin(months).all():
        out = out.set_index("period_start").reindex(months).rename_axis("period_start")
        out["rebase_group"] = out["rebase_group"].ffill()
        keep = [c for c in ("mean", "lpl", "upl", *_OPTIONAL)
                if c in out.columns and c not in ("suggested_recalculation", "rebase_group")]
        # a gap inside a group keeps the group's lines (never another group's)
        out[keep] = out.groupby("rebase_group")[keep].ffill()
        out = out.reset_index()
    return out


def _variation_badge(frame: pd.DataFrame) -> tuple[str, str, str]:
    present = frame[frame["value"].notna()]
    if present.empty:
        return "–", MDC["common_cause"], "Variation: no values"
    last = present.iloc[-1]
    kind = str(last["point_type"])
    high = bool(last["value"] > last["mean"])
    side = "high" if high else "low"
    when = f"{last['period_start']:%b %Y}"
    if kind == "common_cause":
        return "~", MDC["common_cause"], f"Variation, {when}: common cause"
    colour = MDC.get(kind, MDC["common_cause"])
    words = {"special_cause_improvement": "improvement", "special_cause_concern": "concern"}.get(
        kind, "neither improvement nor concern")
    rule = _RULE_TEXT.get(str(last.get("rule", "none")), "")
    rule = f", {rule}" if rule else ""
    return ("H" if high else "L"), colour, (
        f"Variation, {when}: special cause {words}\n({side}{rule})")


def _current_process(frame: pd.DataFrame) -> ProcessLimits:
    """The latest limits group's limits and its latest suggested recalculation."""
    last = frame.iloc[-1]
    group = frame[frame["rebase_group"] == last["rebase_group"]]
    shifts = group.loc[group["suggested_recalculation"].notna(), "period_start"]
    return ProcessLimits(float(last["lpl"]), float(last["upl"]), str(last["chart_type"]),
                         shifts.iloc[-1] if len(shifts) else None)


def _assurance_badge(frame: pd.DataFrame, target: float | None,
                     polarity: str) -> tuple[str, str, str]:
    value, why = None, ""
    if target is not None and not pd.isna(target):
        value, why = current_assurance(_current_process(frame), float(target),
                                       _IMPROVEMENT.get(polarity, "neutral"))
    elif "assurance" in frame.columns:
        known = frame["assurance"].dropna()
        value = str(known.iloc[-1]) if not known.empty else None
    if value in _ASSURANCE:
        return _ASSURANCE[value]
    if target is not None and polarity == "neutral":
        return "–", MDC["common_cause"], "Assurance: not assessed (neutral indicator)"
    if why.startswith("not judged: a run chart"):
        return "–", MDC["common_cause"], "Assurance: not judged (run chart:\ntoo few points)"
    if why.startswith("not judged"):
        return "–", MDC["common_cause"], ("Assurance: not judged (the process\nhas shifted "
                                          "since its limits were set)")
    if target is not None and not pd.isna(target):
        return "–", MDC["common_cause"], "Assurance: no process limits"
    return "–", MDC["common_cause"], "Assurance: no target set"


def plot_spc(
    spc: pd.DataFrame,
    subject: ChartSubject,
    *,
    lineage: Lineage | None = None,
    breaks: Any = None,
    target: float | None = None,
    show_near_limits: bool = False,
    title: str | None = None,
    per: str = "month",
) -> Figure:
    """Making Data Count XmR chart of one indicator in one area.

    Parameters
    ----------
    spc : pandas.DataFrame
        One row per period, as ``mart_spc`` (or :func:`scp_metrics.stats.spc.xmr` with the index as
        ``period_start``): ``period_start`` (date), ``value``, ``mean``, ``lpl``, ``upl``,
        ``point_type`` (``common_cause``, ``special_cause_improvement``,
        ``special_cause_concern``, ``special_cause_neutral_high`` / ``_low``); optional
        ``near_lpl``, ``near_upl``, ``rule``, ``rebase_group`` (0-based limits group) and
        ``assurance``.
    subject : ChartSubject
        Indicator and area (title, unit, polarity, measure).
    lineage : Lineage, optional
        Source, data date and load batches for the footnote.
    breaks : DataFrame or iterable, optional
        Series breaks (``ref_series_breaks`` rows, ``SeriesBreak`` objects or
        ``(date, reason)`` pairs), drawn as dashed vertical lines with their reason; a new
        rebase group without a break is marked "limits recalculated".
    target : float, optional
        A target in the same unit as ``value``: drawn as a line and assessed for assurance
        against the latest group's limits (otherwise the ``assurance`` column is shown).
    show_near_limits : bool, default False
        Also draw the two-sigma "near" limits (needs ``near_lpl``/``near_upl``).
    title : str, optional
        Override the generated title.
    per : str, default "month"
        The period each value covers, for the axis label.

    Returns
    -------
    matplotlib.figure.Figure
        The caller saves it (:func:`scp_metrics.publish.charts.style.save_figure`).

    Notes
    -----
    Colours and icons follow Making Data Count ([1]_, NHSRplotthedots ``ptd_spc_colours``):
    grey common cause, blue improvement, orange concern, purple for a neutral indicator. The
    variation icon describes the latest point (H/L: a special cause high or low); the
    assurance icon P / F / ? says whether a target lies outside the process limits. The value
    axis starts at zero; a lower process limit below zero is not drawn (the legend says so).

    References
    ----------
    .. [1] NHS England and NHS Improvement (2019). *Making Data Count: Getting Started*.
    """
    frame = _check(spc)
    fig, ax = new_figure()
    x = frame["period_start"]
    start, end = x.iloc[0], x.iloc[-1]
    per_text = {"month": "monthly"}.get(per, per)

    ax.plot(x, frame["value"], color=MDC["value_line"], linewidth=1.4, zorder=3,
            label=f"{per_text.capitalize()} value", gid="values")
    lpl_below_zero = baseline_drawn = False
    run_groups: list[pd.Timestamp] = []
    half = pd.Timedelta(days=14)
    for g, part in frame.groupby("rebase_group", sort=True):
        x0, x1 = part["period_start"].iloc[0] - half, part["period_start"].iloc[-1] + half
        first = g == frame["rebase_group"].iloc[0]
        ax.hlines(part["mean"].iloc[-1], x0, x1, color=MDC["mean_line"], linewidth=1.3,
                  label="Mean" if first else "_nolegend_", zorder=2, gid=f"mean-{g}")
        fixed = part["baseline_end"].iloc[-1]
        if pd.notna(fixed) and pd.Timestamp(fixed) < part["period_start"].iloc[-1]:
            ax.axvspan(x0, pd.Timestamp(fixed) + half, color=MDC["common_cause"], alpha=0.10,
                       zorder=0.5, linewidth=0, gid=f"baseline-{g}",
                       label="_nolegend_" if baseline_drawn else
                       "Baseline (limits fixed on it, then extended)")
            baseline_drawn = True
        if part["upl"].isna().all():  # a run chart: too few points for process limits
            run_groups.append(part["period_start"].iloc[0])
            continue
        for col in ("upl", "lpl"):
            level = part[col].iloc[-1]
            lpl_below_zero |= col == "lpl" and level < 0
            ax.hlines(level, x0, x1, color=MDC["limits"], linewidth=1.3, linestyle=(0, (6, 3)),
                      label="Process limits (mean ± 2.66 × average moving range)"
                      if first and col == "upl" else "_nolegend_", zorder=2, gid=f"{col}-{g}")
        if show_near_limits and {"near_lpl", "near_upl"} <= set(part.columns):
            for col in ("near_upl", "near_lpl"):
                ax.hlines(part[col].iloc[-1], x0, x1, color=MDC["limits"], linewidth=0.9,
                          linestyle=(0, (1, 2)), zorder=2, gid=f"{col}-{g}",
                          label="Near limits (2 sigma)" if first and col == "near_upl"
                          else "_nolegend_")

    for kind, colour in (("common_cause", MDC["common_cause"]),
                         ("special_cause_improvement", MDC["special_cause_improvement"]),
                         ("special_cause_concern", MDC["special_cause_concern"]),
                         ("special_cause_neutral_high", MDC["special_cause_neutral_high"]),
                         ("special_cause_neutral_low", MDC["special_cause_neutral_low"])):
        pts = frame[(frame["point_type"] == kind) & frame["value"].notna()]
        if pts.empty:
            continue
        label = _POINT_LABEL[kind]
        if kind.startswith("special_cause_neutral"):
            label = "Special cause: neither improvement nor concern"
            kind_gid = "special_cause_neutral"
        else:
            kind_gid = kind
        ax.scatter(pts["period_start"], pts["value"], s=30 if kind == "common_cause" else 44,
                   color=colour, edgecolor="white", linewidth=0.6, zorder=4, label=label,
                   gid=f"points-{kind_gid}")

    if target is not None and not pd.isna(target):
        ax.axhline(float(target), color=MDC["target"], linewidth=1.4, linestyle=(0, (2, 2)),
                   label=f"Target ({format_value(float(target), subject)})", zorder=2,
                   gid="target")

    # Series breaks, and any rebase that is not at a break.
    brk = as_breaks(breaks)
    drawn = {b.date for b in mark_breaks(ax, brk, x_min=start, x_max=end)}
    group_starts = frame.groupby("rebase_group")["period_start"].min().sort_values().iloc[1:]
    extra = [Break(pd.Timestamp(d), "limits recalculated") for d in group_starts
             if not any(abs((pd.Timestamp(d) - b).days) < 32 for b in drawn)]
    mark_breaks(ax, extra, x_min=start, x_max=end, label="Rebase")
    suggested = frame.loc[frame["suggested_recalculation"].notna() & frame["value"].notna(),
                          "period_start"]
    for i, when in enumerate(suggested):
        ax.axvline(mdates.date2num(when), color=MDC["limits"], linestyle=(0, (1, 3)),
                   linewidth=1.0, zorder=1.4, gid=f"suggested-{when:%Y-%m-%d}",
                   label="_nolegend_" if i else "Suggested recalculation")

    last = frame[frame["value"].notna()].iloc[-1] if frame["value"].notna().any() else None
    if last is not None:
        ax.annotate(f"{last['period_start']:%b %Y}: {format_value(last['value'], subject)}",
                    (mdates.date2num(last["period_start"]), last["value"]),
                    xytext=(4, 11), textcoords="offset points", size=SMALL_SIZE, ha="right",
                    color="#222222", gid="latest-label", zorder=7,
                    bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.85})

    start_axis_at_zero(ax, frame["value"], frame["upl"], [] if target is None else [target],
                       headroom=0.2 if drawn or extra else 0.08)
    ax.set_xlim(mdates.date2num(start - pd.Timedelta(days=20)),
                mdates.date2num(end + pd.Timedelta(days=25)))
    locator = mdates.AutoDateLocator(minticks=5, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylabel(axis_label(subject, per))
    ax.set_xlabel(per.capitalize())
    if lpl_below_zero:
        ax.plot([], [], color="none", label="(lower limit below 0: not shown)")

    var = _variation_badge(frame)
    ass = _assurance_badge(frame, target, subject.polarity)
    badge(fig, 0.655, 0.958, var[0], var[1], var[2], gid="variation")
    badge(fig, 0.655, 0.898, ass[0], ass[1], ass[2], gid="assurance")
    rebased = "; limits recalculated at each series break" if len(group_starts) else ""
    if baseline_drawn:
        rebased += "; limits fixed on each group's first points (baseline) and extended"
    if run_groups:
        rebased += ("; run chart (no limits) from "
                    + ", ".join(f"{d:%b %Y}" for d in run_groups) + ": too few points")
    if len(suggested):
        rebased += ("; dotted lines: sustained shifts suggested as recalculation points, "
                    "not applied")
    finish_figure(
        fig, ax,
        title=title or f"{subject.title} in {subject.area_name}: {per_text} SPC chart",
        subtitle=(f"{axis_label(subject, per)}, {start:%b %Y} to {end:%b %Y} · "
                  f"{polarity_text(subject.polarity).capitalize()}"),
        lineage=lineage,
        method=("XmR chart, NHS Making Data Count rules (a point outside the limits, a 7-point "
                f"trend or shift, 2 of 3 beyond 2 sigma){rebased}"),
        title_width=0.62,
        legend_ncol=3,
    )
    return fig
