"""Funnel plot: each Most Similar Group member's value against its population (PHE method).

The chart draws the limits that judge the members: the plain PHE limits, or, where the mart
says the group is over-dispersed (``funnel_method`` additive random effects or multiplicative),
those limits widened as :mod:`scp_metrics.rankings.funnel_adjusted` widens them, and colours the
members by ``funnel_significance_adjusted``. The home area and every member outside those
limits are named in full, placed where they cover no other name or dot.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scp_metrics.publish.charts.style import (
    OKABE_ITO,
    SMALL_SIZE,
    ChartSubject,
    Lineage,
    axis_label,
    finish_figure,
    format_value,
    new_figure,
    period_text,
    polarity_text,
    start_axis_at_zero,
)
from scp_metrics.rankings.funnel_adjusted import adjusted_limits, group_overdispersion
from scp_metrics.rankings.ranks import funnel_limits, funnel_significance
from scp_metrics.stats.overdispersion import Overdispersion

__all__ = ["REQUIRED_COLUMNS", "plot_funnel"]

#: Columns :func:`plot_funnel` needs (``mart_msg_rankings`` has them all).
REQUIRED_COLUMNS = ("area_code", "area_name", "denominator", "value")

BETTER = OKABE_ITO["blue"]
WORSE = OKABE_ITO["orange"]
NEUTRAL = OKABE_ITO["reddish_purple"]
INSIDE = "#9A9A9A"


def _prepare(rankings: pd.DataFrame, area_code: str) -> pd.DataFrame:
    missing = [c for c in REQUIRED_COLUMNS if c not in rankings.columns]
    if missing:
        raise ValueError(f"plot_funnel needs columns {', '.join(missing)}")
    frame = rankings.copy()
    for col in ("denominator", "value", "numerator", "group_pooled_rate", "multiplier"):
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    frame = frame[frame["value"].notna() & (frame["denominator"] > 0)].reset_index(drop=True)
    if frame.empty:
        raise ValueError("plot_funnel needs members with a value and a denominator")
    if area_code not in set(frame["area_code"]):
        raise ValueError(f"area {area_code} is not among the members with a value")
    return frame


def _pooled(frame: pd.DataFrame, multiplier: float) -> float:
    """The centre line in the chart's unit: the mart's pooled value, else Σx ÷ Σn."""
    if "group_pooled_rate" in frame.columns and frame["group_pooled_rate"].notna().any():
        return float(frame["group_pooled_rate"].dropna().iloc[0])
    if "numerator" in frame.columns and frame["numerator"].notna().all():
        return float(frame["numerator"].sum() / frame["denominator"].sum() * multiplier)
    raise ValueError("plot_funnel needs group_pooled_rate or every member's numerator")


def _direction(label: object, polarity: str) -> str:
    """'better' / 'worse' / 'high' / 'low' / 'inside' for a funnel_significance label."""
    text = str(label)
    if not text.startswith(("High", "Low")):
        return "inside"
    high = text.startswith("High")
    if polarity == "lower":
        return "worse" if high else "better"
    if polarity == "higher":
        return "better" if high else "worse"
    return "high" if high else "low"


def plot_funnel(
    rankings: pd.DataFrame,
    subject: ChartSubject,
    *,
    lineage: Lineage | None = None,
    multiplier: float | None = None,
    period: str | None = None,
    x_label: str | None = None,
    title: str | None = None,
    note: str = "",
    group_name: str = "Most Similar Group",
) -> Figure:
    """Funnel plot of one indicator across a Most Similar Group, the area highlighted
    (``group_name`` names the group in the verdict: "proxy group (open data)" for the proxy
    group of ``mart_peer_group``).

    Parameters
    ----------
    rankings : pandas.DataFrame
        One row per member for one indicator and period (``mart_msg_rankings``):
        ``area_code``, ``area_name``, ``denominator`` (population for a rate; cases or
        respondents for a percentage) and ``value`` (in the indicator's unit, e.g. per 1,000
        or %); optional ``group_pooled_rate`` (the centre line; else computed from
        ``numerator``), ``multiplier`` (1,000 for per 1,000, 100 for %), ``funnel_significance``
        (else computed), and ``period_type``, ``period_start``, ``period_end``.
    subject : ChartSubject
        Indicator and area; ``subject.measure`` must be ``"rate"`` or ``"percentage"``.
    lineage : Lineage, optional
        Source, data date and load batches for the footnote.
    multiplier : float, optional
        Overrides the ``multiplier`` column (default 1,000 for rates, 100 for percentages).
    period, x_label, title : str, optional
        Override the generated texts.
    note : str, optional
        A caveat added to the method note (e.g. survey weighting).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Control limits at 95% (two-sided, 0.025 in each tail) and 99.8% (0.001) around the pooled
    value, by :func:`scp_metrics.rankings.ranks.funnel_limits`: exact Poisson limits below 10
    events and Byars above for rates, Wilson limits for percentages ([1]_). A member outside
    the 99.8% limits is very unlikely to differ from the group by chance alone. Points are
    coloured better / worse by the indicator's polarity (high / low for a neutral one).

    References
    ----------
    .. [1] Public Health England (2017). *Technical Guide: Funnel Plots*.
    """
    if subject.measure not in ("rate", "percentage"):
        raise ValueError(f"a funnel plot needs a rate or a percentage, not a {subject.measure}")
    frame = _prepare(rankings, subject.area_code)
    if multiplier is None:
        multiplier = (float(frame["multiplier"].dropna().iloc[0])
                      if "multiplier" in frame.columns and frame["multiplier"].notna().any()
                      else 100.0 if subject.measure == "percentage" else 1000.0)
    pooled = _pooled(frame, multiplier)
    od, method = _overdispersion(frame, pooled / multiplier, subject.measure)
    if od is not None and frame["funnel_significance_adjusted"].notna().all():
        labels = frame["funnel_significance_adjusted"].astype(str)
    elif "funnel_significance" in frame.columns and frame["funnel_significance"].notna().all():
        labels = frame["funnel_significance"].astype(str)
    elif "numerator" in frame.columns and frame["numerator"].notna().all():
        labels = pd.Series(funnel_significance(frame["numerator"], frame["denominator"],
                                               pooled / multiplier, subject.measure))
    else:
        labels = pd.Series(["Not significant"] * len(frame))
    frame["direction"] = [_direction(lab, subject.polarity) for lab in labels]

    fig, ax = new_figure()
    n_max = float(frame["denominator"].max())
    grid = np.linspace(max(n_max * 0.005, 1.0), n_max * 1.12, 300)
    ax.axhline(pooled, color=OKABE_ITO["black"], linewidth=1.5, zorder=3, gid="pooled",
               label=f"Group pooled value: {format_value(pooled, subject)}")
    upper_998 = np.array([])
    for conf, style, name in ((0.95, (0, (5, 3)), "95%"), (0.998, "-", "99.8%")):
        if od is None:
            lo, hi = funnel_limits(grid, pooled / multiplier, subject.measure, conf=conf)
        else:
            lo, hi = adjusted_limits(grid, pooled / multiplier, subject.measure, od, conf,
                                     method)
        upper_998 = hi
        ax.plot(grid, hi * multiplier, color="#555555", linewidth=1.2, linestyle=style,
                zorder=2, label=f"{name} limits{' (widened)' if od is not None else ''}",
                gid=f"limit-upper-{name}")
        ax.plot(grid, lo * multiplier, color="#555555", linewidth=1.2, linestyle=style,
                zorder=2, gid=f"limit-lower-{name}")

    names = {"inside": "Within the limits",
             "better": "Significantly better than the group",
             "worse": "Significantly worse than the group", "high": "Significantly high",
             "low": "Significantly low"}
    colours = {"inside": INSIDE, "better": BETTER, "worse": WORSE, "high": NEUTRAL,
               "low": NEUTRAL}
    for key in ("inside", "better", "worse", "high", "low"):
        pts = frame[frame["direction"] == key]
        if pts.empty:
            continue
        ax.scatter(pts["denominator"], pts["value"], s=42, color=colours[key],
                   edgecolor="white", linewidth=0.7, zorder=4, label=names[key],
                   gid=f"members-{key}")

    me = frame[frame["area_code"] == subject.area_code].iloc[0]
    ax.scatter([me["denominator"]], [me["value"]], s=150, facecolor="none",
               edgecolor=OKABE_ITO["black"], linewidth=2.0, zorder=5, gid="focus",
               label=f"{subject.area_name} (ringed)")
    n_min = float(frame["denominator"].min())
    # From zero when members' sizes differ widely; otherwise around them (the funnel's mouth
    # at tiny denominators would only waste the width).
    ax.set_xlim(0 if n_min < 0.5 * n_max else n_min * 0.85, n_max * 1.12)
    visible = upper_998[grid >= frame["denominator"].min() * 0.6] * multiplier
    start_axis_at_zero(ax, frame["value"], visible, headroom=0.1)
    _name_members(ax, frame, labels, subject)
    ax.xaxis.set_major_formatter(ax.yaxis.get_major_formatter())
    ax.set_xlabel(x_label or ("Resident population (ONS mid-year estimate)"
                              if subject.measure == "rate"
                              else "Denominator (cases or respondents)"))
    ax.set_ylabel(axis_label(subject, None))
    if period is None and {"period_type", "period_start", "period_end"} <= set(frame.columns):
        period = period_text(str(me["period_type"]), me["period_start"], me["period_end"])
    verdict = {"inside": f"not significantly different from its {group_name}",
               "better": f"significantly better than its {group_name}",
               "worse": f"significantly worse than its {group_name}",
               "high": f"significantly higher than its {group_name}",
               "low": f"significantly lower than its {group_name}"}[me["direction"]]
    mine = str(labels[(frame["area_code"] == subject.area_code).to_numpy()].iloc[0])
    level = " (99.8% limits)" if "0.001" in mine else " (95% limits)" if "0.025" in mine else ""
    finish_figure(
        fig, ax,
        title=title or f"{subject.title}: {subject.area_name} {verdict}{level}",
        subtitle=(f"Funnel plot · {axis_label(subject, None)}"
                  f"{', ' + period if period else ''}, against "
                  f"{'population' if subject.measure == 'rate' else 'sample size'} · "
                  f"{polarity_text(subject.polarity).capitalize()}"),
        lineage=lineage,
        method=("Funnel limits around the group's pooled value, PHE method (exact Poisson / "
                "Byars for rates, Wilson for percentages); 99.8% limits: about 3 standard "
                "errors" + _widening_note(frame, od, method)
                + (f"; {note.rstrip('.')}" if note else "")),
        legend_ncol=3,
    )
    return fig


_METHOD_TEXT = {"additive_random_effects": "additive random effects",
                "multiplicative": "multiplicative (limits × √φ)"}


def _overdispersion(frame: pd.DataFrame, pooled: float,
                    measure: str) -> tuple[Overdispersion | None, str]:
    """The group's over-dispersion and method when the mart widened its limits, else None."""
    if "funnel_method" not in frame.columns or "funnel_significance_adjusted" not in frame:
        return None, "plain"
    methods = frame["funnel_method"].dropna().unique()
    if len(methods) != 1 or methods[0] == "plain" or "numerator" not in frame.columns \
            or frame["numerator"].isna().any():
        return None, "plain"
    od = group_overdispersion(frame["numerator"], frame["denominator"], pooled, measure)
    return (od, str(methods[0])) if od.method(str(methods[0])) != "plain" else (None, "plain")


def _widening_note(frame: pd.DataFrame, od: Overdispersion | None, method: str) -> str:
    if od is None:
        plain = "funnel_method" in frame.columns and (frame["funnel_method"] == "plain").all()
        phi = (frame["overdispersion_phi"].dropna() if "overdispersion_phi" in frame.columns
               else pd.Series(dtype=float))
        return (f"; over-dispersion φ = {phi.iloc[0]:.2f}, within chance: plain limits"
                if plain and len(phi) else "")
    return (f"; the group is over-dispersed (φ = {od.phi:.2f}, Spiegelhalter 2005), so the "
            f"limits are widened by {_METHOD_TEXT.get(method, method)} and judge the members")


#: Where a name may go, in points from its member's dot: beside it, then above or below.
_OFFSETS = tuple((dx, dy) for dy in (0, 12, -12, 24, -24, 36, -36, 48, -48) for dx in (10, -10))


def _name_members(ax: Any, frame: pd.DataFrame, labels: pd.Series,
                  subject: ChartSubject) -> None:
    """Name the home area (bold, with its value and unit) and every other member outside the
    limits that judge (the coloured dots), in full: each name goes at the first offset of :data:`_OFFSETS` where it
    covers no other name and no member's dot, joined to its dot by a thin line."""
    renderer = ax.figure.canvas.get_renderer()
    xy = np.column_stack([frame["denominator"].to_numpy(float), frame["value"].to_numpy(float)])
    dots = ax.transData.transform(xy)
    inside = ax.get_window_extent(renderer)
    taken: list[Any] = []

    def clear(box: Any, own: int) -> bool:
        if box.x0 < inside.x0 or box.x1 > inside.x1 or box.y0 < inside.y0 or \
                box.y1 > inside.y1 or any(box.overlaps(t) for t in taken):
            return False
        return not any(i != own and box.x0 - 5 <= px <= box.x1 + 5 and box.y0 - 5 <= py
                       <= box.y1 + 5 for i, (px, py) in enumerate(dots))

    def place(i: int, text: str, gid: str, **style: Any) -> None:
        chosen = _OFFSETS[0]
        for offset in _OFFSETS:
            trial = ax.annotate(text, tuple(xy[i]), xytext=offset, textcoords="offset points",
                                ha="left" if offset[0] > 0 else "right", va="center", **style)
            box = trial.get_window_extent(renderer)
            trial.remove()
            if clear(box, i):
                chosen = offset
                taken.append(box)
                break
        ax.annotate(text, tuple(xy[i]), xytext=chosen, textcoords="offset points",
                    ha="left" if chosen[0] > 0 else "right", va="center", gid=gid, zorder=6,
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none",
                          "alpha": 0.8},
                    arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.6},
                    **style)

    me = int(np.flatnonzero((frame["area_code"] == subject.area_code).to_numpy())[0])
    place(me, f"{subject.area_name}\n{format_value(frame['value'].iloc[me], subject, unit=True)}",
          "focus-label", size=SMALL_SIZE + 0.5, weight="bold")
    beyond = np.flatnonzero((labels != "Not significant").to_numpy()
                            & (frame["area_code"] != subject.area_code).to_numpy())
    centre = float(np.nanmedian(xy[:, 1]))
    for i in sorted(beyond, key=lambda k: -abs(xy[k, 1] - centre)):  # the most extreme first
        row = frame.iloc[i]
        place(int(i), f"{row['area_name']}: {format_value(row['value'], subject)}",
              f"outlier-label-{row['area_code']}", size=SMALL_SIZE - 0.5)
