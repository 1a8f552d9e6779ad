"""Most Similar Group "ski-slope" ranking chart (iQuanta style)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from scp_metrics.publish.charts.style import (
    AF,
    OKABE_ITO,
    SMALL_SIZE,
    ChartSubject,
    Lineage,
    axis_label,
    finish_figure,
    format_value,
    new_figure,
    ordinal,
    period_text,
    polarity_text,
)

__all__ = ["REQUIRED_COLUMNS", "plot_ranking"]

#: Columns :func:`plot_ranking` needs (``mart_msg_rankings`` has them all).
REQUIRED_COLUMNS = ("area_code", "area_name", "value", "rank", "group_mean")

FOCUS = AF["dark_blue"]
OTHERS = AF["focus_grey"]
BAND = AF["light_blue"]


def _prepare(rankings: pd.DataFrame, area_code: str) -> pd.DataFrame:
    missing = [c for c in REQUIRED_COLUMNS if c not in rankings.columns]
    if missing:
        raise ValueError(f"plot_ranking needs columns {', '.join(missing)}")
    frame = rankings[rankings["value"].notna()].copy()
    if frame.empty:
        raise ValueError("plot_ranking needs at least one member with a value")
    if area_code not in set(frame["area_code"]):
        raise ValueError(f"area {area_code} is not among the ranked members")
    for col in ("value", "ci95_lower", "ci95_upper", "group_mean", "group_sd", "band_lower",
                "band_upper", "group_pooled_rate"):
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    frame["rank"] = pd.to_numeric(frame["rank"], errors="coerce")
    return frame.sort_values(["rank", "area_name"], na_position="last").reset_index(drop=True)


def _band(frame: pd.DataFrame) -> tuple[float, float] | None:
    if {"band_lower", "band_upper"} <= set(frame.columns) and frame["band_lower"].notna().any():
        return float(frame["band_lower"].dropna().iloc[0]), float(frame["band_upper"].dropna()
                                                                  .iloc[0])
    if "group_sd" in frame.columns and frame["group_sd"].notna().any():
        mean, sd = float(frame["group_mean"].iloc[0]), float(frame["group_sd"].dropna().iloc[0])
        return mean - sd, mean + sd
    return None


def plot_ranking(
    rankings: pd.DataFrame,
    subject: ChartSubject,
    *,
    lineage: Lineage | None = None,
    period: str | None = None,
    title: str | None = None,
    group_name: str = "Most Similar Group",
) -> Figure:
    """Members of a Most Similar Group sorted by rank, the area highlighted (``group_name``
    names the group in the title and method note: "proxy group (open data)" for the proxy
    group of ``mart_peer_group``).

    Parameters
    ----------
    rankings : pandas.DataFrame
        One row per member for one indicator and period (``mart_msg_rankings``):
        ``area_code``, ``area_name``, ``value``, ``rank`` (1 = best by the indicator's
        polarity), ``group_mean`` (simple mean of member values); optional ``ci95_lower``,
        ``ci95_upper`` (drawn as error bars), ``band_lower``/``band_upper`` or ``group_sd``
        (the ±1 SD band), ``n_areas``, ``group_pooled_rate`` (drawn dotted), and
        ``period_type``, ``period_start``, ``period_end`` (for the period's name).
    subject : ChartSubject
        Indicator and area; ``subject.area_code`` is the member highlighted.
    lineage : Lineage, optional
        Source, data date and load batches for the footnote.
    period : str, optional
        The period in words; by default from the ``period_*`` columns.
    title : str, optional
        Override the generated title (which states the rank).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    As iQuanta showed it, turned on its side so every member's full name reads horizontally:
    bars from best (rank 1, top) to worst, the MSG average (the simple
    mean of member values, the area included, as HMIC's comparator) with a band of ±1 sample
    standard deviation of member values. The pooled rate (Σ numerators ÷ Σ denominators, as
    HMICFRS dashboards use) is drawn dotted when given. Error bars are 95% confidence
    intervals. A ±1 SD band is a description of spread, not a significance test: the funnel
    plot is the test.
    """
    frame = _prepare(rankings, subject.area_code)
    fig, ax = new_figure((10.0, max(5.6, 2.9 + 0.3 * len(frame))))
    focus = frame["area_code"] == subject.area_code
    me = frame[focus].iloc[0]
    n_areas = int(frame["n_areas"].dropna().iloc[0]) if "n_areas" in frame.columns and frame[
        "n_areas"].notna().any() else len(frame)
    if period is None and {"period_type", "period_start", "period_end"} <= set(frame.columns):
        period = period_text(str(me["period_type"]), me["period_start"], me["period_end"])
    period = period or ""

    # Horizontal bars, best at the top, every member's full name on the value axis's left.
    y = np.arange(len(frame))
    colours = [FOCUS if f else OTHERS for f in focus]
    ax.barh(y, frame["value"], color=colours, height=0.72, zorder=3, gid="bars",
            edgecolor=["#092135" if f else "#9A9A9A" for f in focus], linewidth=0.8)
    for colour, label in ((FOCUS, subject.area_name), (OTHERS, "Other members")):
        ax.add_patch(Rectangle((0, 0), 0, 0, facecolor=colour, label=label))  # legend key
    if {"ci95_lower", "ci95_upper"} <= set(frame.columns) and frame["ci95_lower"].notna().any():
        lo = (frame["value"] - frame["ci95_lower"]).clip(lower=0)
        hi = (frame["ci95_upper"] - frame["value"]).clip(lower=0)
        ax.errorbar(frame["value"], y, xerr=[lo.fillna(0), hi.fillna(0)], fmt="none",
                    ecolor="#333333", elinewidth=1.0, capsize=2.5, zorder=4,
                    label="95% confidence interval", gid="ci")

    mean = float(frame["group_mean"].dropna().iloc[0])
    band = _band(frame)
    if band is not None:
        ax.axvspan(band[0], band[1], color=BAND, alpha=0.22, zorder=1, linewidth=0,
                   label="±1 standard deviation of member values", gid="sd-band")
    ax.axvline(mean, color=OKABE_ITO["black"], linewidth=1.6, zorder=5, gid="group-mean",
               label=(f"{'MSG' if group_name == 'Most Similar Group' else 'Group'} average "
                      f"(simple mean of members): {format_value(mean, subject)}"))
    if "group_pooled_rate" in frame.columns and frame["group_pooled_rate"].notna().any():
        pooled = float(frame["group_pooled_rate"].dropna().iloc[0])
        ax.axvline(pooled, color=OKABE_ITO["black"], linewidth=1.2, linestyle=(0, (1, 2)),
                   zorder=5, gid="group-pooled",
                   label=f"Pooled value (all members together): {format_value(pooled, subject)}")

    me_upper = me.get("ci95_upper", me["value"])
    ax.annotate(format_value(me["value"], subject),
                (me_upper if pd.notna(me_upper) else me["value"], y[focus.to_numpy()][0]),
                xytext=(5, 0), textcoords="offset points", ha="left", va="center",
                size=SMALL_SIZE + 0.5, weight="bold", color=FOCUS, gid="focus-label", zorder=6)
    ax.xaxis.set_major_formatter(ax.yaxis.get_major_formatter())  # the house's thousands
    ax.set_yticks(y, [str(n) for n in frame["area_name"]], size=SMALL_SIZE + 0.5)
    for tick, f in zip(ax.get_yticklabels(), focus, strict=True):
        if f:
            tick.set_fontweight("bold")
            tick.set_color(FOCUS)
    ax.set_ylim(len(frame) - 0.4, -0.6)  # rank 1 at the top
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)
    ax.set_xlabel(axis_label(subject, None))
    values = pd.concat([frame["value"], frame.get("ci95_upper", pd.Series(dtype=float)),
                        pd.Series([] if band is None else [band[1]], dtype=float)])
    values = values[np.isfinite(values)]
    top = float(values.max()) if len(values) else 1.0
    ax.set_xlim(0.0, top * 1.14 if top > 0 else 1.0)

    best = "highest" if subject.polarity == "higher" else "lowest"
    rank = me["rank"]
    position = (f"ranked {ordinal(int(rank))} of {n_areas}" if pd.notna(rank)
                else "not ranked")
    neutral = " (an ordering only: neither is better)" if subject.polarity == "neutral" else ""
    finish_figure(
        fig, ax,
        title=title or (f"{subject.title}: {subject.area_name} {position} in its {group_name}"
                        f"{', ' + period if period else ''}"),
        subtitle=(f"{axis_label(subject, None)}{', ' + period if period else ''} · "
                  f"Rank 1 = {best} value{neutral} · "
                  f"{polarity_text(subject.polarity).capitalize()}"),
        lineage=lineage,
        method=(f"{group_name[:1].upper()}{group_name[1:]} ranking: members sorted best to worst; the ±1 SD band "
                "describes spread and is not a significance test (see the funnel plot)"),
        legend_ncol=2,
    )
    return fig
