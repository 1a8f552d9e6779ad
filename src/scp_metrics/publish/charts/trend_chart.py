"""Trend chart: monthly values and the rolling 12 months, with intervals and series breaks."""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scp_metrics.publish.charts.annotations import Break, as_breaks, keep_clear, mark_breaks
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
    polarity_text,
    start_axis_at_zero,
)

__all__ = ["REQUIRED_COLUMNS", "plot_trend"]

#: Columns :func:`plot_trend` needs (``mart_indicator_values`` has them all).
REQUIRED_COLUMNS = ("period_type", "period_start", "period_end", "value", "ci95_lower",
                    "ci95_upper")

MONTHLY = AF["dark_blue"]
ROLLING = AF["orange"]


def _prepare(values: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    missing = [c for c in REQUIRED_COLUMNS if c not in values.columns]
    if missing:
        raise ValueError(f"plot_trend needs columns {', '.join(missing)}")
    frame = values.copy()
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    for col in ("value", "ci95_lower", "ci95_upper", "value_same_period_last_year",
                "change_pct"):
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    # Every value is placed at the month it ends in: a month at its own start, the 12 months
    # to December 2009 at December 2009.
    frame["x"] = frame["period_end"].dt.to_period("M").dt.to_timestamp()
    monthly = frame[frame["period_type"] == "month"].sort_values("x").reset_index(drop=True)
    rolling = frame[frame["period_type"] == "rolling_12m"].sort_values("x").reset_index(drop=True)
    if monthly.empty and rolling.empty:
        raise ValueError("plot_trend needs rows with period_type 'month' or 'rolling_12m'")
    return _every_month(monthly), _every_month(rolling)


def _every_month(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per month from the first to the last, a missing month as an empty row, so the
    line has a gap there instead of a straight join across it."""
    if frame.empty:
        return frame
    months = pd.date_range(frame["x"].min(), frame["x"].max(), freq="MS")
    out = frame.drop_duplicates("x").set_index("x").reindex(months)
    return out.rename_axis("x").reset_index()


def _segments(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True in ``mask`` as (first, last) index pairs."""
    runs, i, n = [], 0, len(mask)
    while i < n:
        if mask[i]:
            j = i
            while j + 1 < n and mask[j + 1]:
                j += 1
            runs.append((i, j))
            i = j + 1
        else:
            i += 1
    return runs


def plot_trend(
    values: pd.DataFrame,
    subject: ChartSubject,
    *,
    lineage: Lineage | None = None,
    breaks: Any = None,
    title: str | None = None,
) -> Figure:
    """Monthly values and the rolling 12 months of one indicator in one area.

    Parameters
    ----------
    values : pandas.DataFrame
        ``mart_indicator_values`` rows of one indicator and area: ``period_type`` (``month``
        and/or ``rolling_12m``; other types are ignored), ``period_start``, ``period_end``,
        ``value``, ``ci95_lower``, ``ci95_upper``; optional ``value_same_period_last_year``,
        ``change_pct`` and ``change_verdict`` (read from the latest rolling 12 months).
    subject : ChartSubject
        Indicator and area (title, unit, polarity, measure).
    lineage : Lineage, optional
        Source, data date and load batches for the footnote.
    breaks : DataFrame or iterable, optional
        Series breaks (``ref_series_breaks`` rows, ``SeriesBreak`` objects or
        ``(date, reason)`` pairs): a dashed vertical line with the date and reason. A rolling
        12-month value whose window spans a break mixes the old and new series and is drawn
        dotted.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Rates and counts of the rolling 12 months are divided by 12 and drawn as a monthly
    average, on the monthly values' scale (one axis, no twin axes); the box at the top left
    quotes the 12-month figure itself, the same period a year earlier and the change (with
    ``change_verdict``, the exact Poisson test of :mod:`scp_metrics.indicators.values`, when present).
    Percentages are drawn as they are. Shaded bands are 95% confidence intervals. The value
    axis starts at zero.
    """
    monthly, rolling = _prepare(values)
    fig, ax = new_figure()
    scale = 1.0 if subject.measure == "percentage" or subject.unit == "%" else 12.0
    brk = as_breaks(breaks)
    xs = pd.concat([monthly["x"], rolling["x"]])
    start, end = xs.min(), xs.max()

    if not monthly.empty:
        ax.fill_between(monthly["x"], monthly["ci95_lower"], monthly["ci95_upper"],
                        color=MONTHLY, alpha=0.15, linewidth=0, zorder=1,
                        label="Monthly value: 95% confidence interval", gid="monthly-ci")
        ax.plot(monthly["x"], monthly["value"], color=MONTHLY, linewidth=1.0, marker="o",
                markersize=3.2, zorder=3, label="Monthly value", gid="monthly")

    rolling_label = ("Rolling 12 months" if scale == 1.0
                     else "Rolling 12 months (monthly average = 12-month value ÷ 12)")
    if not rolling.empty:
        r_val = rolling["value"] / scale
        spans = np.array([any(ps < b.date <= pe for b in brk) for ps, pe in
                          zip(rolling["period_start"], rolling["period_end"], strict=True)])
        ax.fill_between(rolling["x"], rolling["ci95_lower"] / scale,
                        rolling["ci95_upper"] / scale, color=ROLLING, alpha=0.22, linewidth=0,
                        zorder=2, gid="rolling-ci")
        clean = np.where(spans, np.nan, r_val)
        ax.plot(rolling["x"], clean, color=ROLLING, linewidth=2.4, zorder=4,
                label=rolling_label, gid="rolling")
        if spans.any():
            # Draw the spanning windows dotted, joined to their clean neighbours.
            for i, j in _segments(spans):
                lo, hi = max(i - 1, 0), min(j + 1, len(rolling) - 1)
                ax.plot(rolling["x"].iloc[lo:hi + 1], r_val.iloc[lo:hi + 1], color=ROLLING,
                        linewidth=1.6, linestyle=(0, (1, 1.5)), zorder=4, gid="rolling-spans",
                        label="Rolling 12 months spanning a series break" if i == _segments(
                            spans)[0][0] else None)
        _same_period_box(ax, rolling, subject, scale, brk)

    mark_breaks(ax, brk, x_min=start, x_max=end)
    start_axis_at_zero(
        ax, monthly["value"] if not monthly.empty else [],
        monthly["ci95_upper"] if not monthly.empty else [],
        (rolling["ci95_upper"] / scale) if not rolling.empty else [],
        headroom=0.32)
    ax.set_xlim(mdates.date2num(start - pd.Timedelta(days=20)),
                mdates.date2num(end + pd.Timedelta(days=20)))
    locator = mdates.AutoDateLocator(minticks=5, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("Month (rolling 12 months plotted at the month they end)")
    ax.set_ylabel(axis_label(subject, None if scale == 1.0 else "month"))

    finish_figure(
        fig, ax,
        title=title or (f"{subject.title} in {subject.area_name}: " + (
            "monthly and rolling 12-month trend" if monthly["value"].notna().any()
            and rolling["value"].notna().any() else "rolling 12-month trend"
            if rolling["value"].notna().any() else "monthly trend")),
        subtitle=(f"{axis_label(subject, None if scale == 1.0 else 'month')}, "
                  f"{start:%b %Y} to {end:%b %Y} · "
                  f"{polarity_text(subject.polarity).capitalize()}"),
        lineage=lineage,
        method=("Shaded bands: 95% confidence intervals (rates and counts: exact Poisson below "
                "10 events, Byars above; percentages: Wilson)"),
        legend_ncol=2,
    )
    boxes = [t for t in ax.texts if t.get_gid() == "same-period-box"]
    labels = [t for t in ax.texts if str(t.get_gid()).startswith("break-label")]
    if boxes:
        keep_clear(fig, boxes[0], labels)
    return fig


def _same_period_box(ax: Any, rolling: pd.DataFrame, subject: ChartSubject,
                     scale: float, breaks: list[Break]) -> None:
    """Latest 12 months against the same period last year: a marker and a text box.

    When a series break falls inside the two years compared, the box says the comparison is
    not like for like.
    """
    last = rolling[rolling["value"].notna()]
    if last.empty:
        return
    row = last.iloc[-1]
    lines = [f"12 months to {row['x']:%b %Y}: {format_value(row['value'], subject, True)}"
             f" (95% CI {format_value(row['ci95_lower'], subject)} to "
             f"{format_value(row['ci95_upper'], subject)})"]
    prev = row.get("value_same_period_last_year", np.nan)
    if prev is not None and not pd.isna(prev):
        year_ago = row["x"] - pd.DateOffset(years=1)
        ax.plot([year_ago], [prev / scale], marker="D", markersize=7, markerfacecolor="white",
                markeredgecolor=OKABE_ITO["black"], markeredgewidth=1.5, linestyle="none",
                zorder=6, label="Same period last year", gid="same-period-last-year")
        ax.plot([row["x"]], [row["value"] / scale], marker="D", markersize=7,
                color=OKABE_ITO["black"], linestyle="none", zorder=6, gid="latest-rolling")
        change = row.get("change_pct", np.nan)
        verdict = row.get("change_verdict", None)
        text = f"Same period last year: {format_value(prev, subject, True)}"
        if subject.measure == "percentage" or subject.unit == "%":
            # a change in a percentage is in percentage points, not a relative %
            text += f", change {row['value'] - prev:+.1f} percentage points"
        elif change is not None and not pd.isna(change):
            text += f", change {change:+.1f}%"
        if verdict is not None and not pd.isna(verdict):
            text += f" ({verdict})"
        lines.append(text)
        first = pd.Timestamp(row["period_start"]) - pd.DateOffset(years=1)
        crossed = [b for b in breaks if first < b.date <= pd.Timestamp(row["period_end"])]
        if crossed:
            lines.append(f"Caution: the two years compared straddle the {crossed[-1].date:%b %Y}"
                         "\nseries break, so the change is not like for like")
    ax.text(0.01, 0.975, "\n".join(lines), transform=ax.transAxes, ha="left", va="top",
            size=SMALL_SIZE, gid="same-period-box", zorder=7,
            bbox={"boxstyle": "round,pad=0.35", "fc": "white", "ec": "#BBBBBB", "alpha": 0.95})
