"""Marks shared by the charts: series breaks, MDC-style icons, text boxes."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from scp_metrics.publish.charts.style import OKABE_ITO, SMALL_SIZE

__all__ = ["Break", "as_breaks", "badge", "keep_clear", "mark_breaks", "short_reason"]


@dataclass(frozen=True)
class Break:
    """A series break as a chart needs it: when, and why (one sentence)."""

    date: pd.Timestamp
    reason: str


def as_breaks(breaks: Any) -> list[Break]:
    """Series breaks from any of the forms the warehouse and config give them.

    Parameters
    ----------
    breaks : DataFrame, iterable or None
        ``ref_series_breaks`` rows (columns ``break_date`` or ``date``, and ``reason``);
        :class:`scp_metrics.warehouse.series_breaks.SeriesBreak` objects (``.date``, ``.reason``);
        or ``(date, reason)`` pairs. None gives no breaks.

    Returns
    -------
    list of Break
        Oldest first, one per date (the first reason given for a date is kept).
    """
    if breaks is None:
        return []
    out: dict[pd.Timestamp, str] = {}
    if isinstance(breaks, pd.DataFrame):
        if breaks.empty:
            return []
        col = "break_date" if "break_date" in breaks.columns else "date"
        reasons = breaks["reason"] if "reason" in breaks.columns else [""] * len(breaks)
        items: Iterable[Any] = zip(breaks[col], reasons, strict=True)
    else:
        items = breaks
    for item in items:
        if hasattr(item, "date") and hasattr(item, "reason"):
            when, why = item.date, item.reason
        else:
            when, why = item
        if when is None or pd.isna(when):
            continue
        out.setdefault(pd.Timestamp(when).normalize(), "" if why is None else str(why))
    return [Break(d, r) for d, r in sorted(out.items())]


def short_reason(reason: str, width: int = 46) -> str:
    """The first clause of a break's reason, short enough for a label.

    Examples
    --------
    >>> short_reason("Home Office offence codes changed (5 to 5A/5B/5C), with a rule change")
    'Home Office offence codes changed'
    """
    first = re.split(r"\s*[(:;,]\s*|\s+with\s+", reason.strip(), maxsplit=1)[0]
    return textwrap.shorten(first, width=width, placeholder="…")


def mark_breaks(ax: Axes, breaks: list[Break], *, x_min: Any = None, x_max: Any = None,
                label: str = "Series break") -> list[Break]:
    """Draw each break inside the x range as a dashed vertical line with a dated label.

    The line's ``gid`` is ``"break-YYYY-MM-DD"`` (tests and SVG readers can find it).
    Returns the breaks drawn.
    """
    drawn = []
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    lo = pd.Timestamp(x_min) if x_min is not None else None
    hi = pd.Timestamp(x_max) if x_max is not None else None
    for b in breaks:
        if (lo is not None and b.date <= lo) or (hi is not None and b.date > hi):
            continue
        x = mdates.date2num(b.date)
        ax.axvline(x, color=OKABE_ITO["black"], linestyle=(0, (5, 3)), linewidth=1.2,
                   zorder=1.5, gid=f"break-{b.date:%Y-%m-%d}")
        text = f"{label} {b.date:%b %Y}"
        if b.reason:
            text += ":\n" + short_reason(b.reason)
        # Label right of the line, or left of it when the line is near the right edge.
        right_side = lo is None or hi is None or (b.date - lo) <= 0.68 * (hi - lo)
        ax.text(x + 8 if right_side else x - 8, 0.985, text, transform=trans,
                ha="left" if right_side else "right", va="top",
                size=SMALL_SIZE - 0.5, color=OKABE_ITO["black"],
                gid=f"break-label-{b.date:%Y-%m-%d}",
                bbox={"boxstyle": "square,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.85},
                zorder=6)
        drawn.append(b)
    return drawn


def badge(fig: Figure, x: float, y: float, letter: str, colour: str, label: str,
          gid: str) -> None:
    """An MDC-style icon (a letter in a coloured ring) and its label, in figure coordinates.

    The Making Data Count icons are rings with a letter: H / L for a special-cause high or
    low, P / F / ? for assurance pass, fail, hit-and-miss. The label always says it in
    words, so colour is never the only carrier of meaning.
    """
    fig.text(x, y, letter, ha="center", va="center", size=10, weight="bold", color=colour,
             bbox={"boxstyle": "circle,pad=0.28", "fc": "white", "ec": colour, "lw": 2.4},
             gid=f"{gid}-icon")
    fig.text(x + 0.022, y, label, ha="left", va="center", size=SMALL_SIZE + 0.5,
             color=OKABE_ITO["black"], gid=gid)


def keep_clear(fig: Figure, artist: Any, others: Iterable[Any], step: float = 0.03,
               max_steps: int = 12) -> None:
    """Move a text box (axes coordinates) down until it overlaps none of ``others``.

    Call after the layout is final (:func:`~scp_metrics.publish.charts.style.finish_figure`): it
    measures the drawn extents with the figure's own renderer.
    """
    others = [o for o in others if o is not artist]
    if not others:
        return
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for _ in range(max_steps):
        box = artist.get_window_extent(renderer).expanded(1.04, 1.3)
        if not any(box.overlaps(o.get_window_extent(renderer)) for o in others):
            return
        x, y = artist.get_position()
        artist.set_position((x, y - step))
