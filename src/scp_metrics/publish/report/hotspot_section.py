"""Report section "Hot spots" for the Strategic Assessment (issue 16, item 6).

From ``mart_hotspot_summary`` and ``mart_hotspot_lsoas`` (police.uk rows of the home area placed
by their LSOA): how concentrated crime is (the share in the top 5% and 10% of the area's LSOAs),
how persistent the hot spots are month on month, the top LSOAs for all crime, the top LSOA of
each crime type, and a hexbin map of where crime happened, drawn with matplotlib from
police.uk's coordinates (no downloaded tiles). The map is saved in the chart pack
(``charts/hotspot_map_<area>.png`` and ``.svg``). Small counts follow ``config/privacy.toml``:
a count under the threshold is published as its marker, and a hexagon with fewer crimes than the
threshold is not drawn.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scp_metrics.publish.suppression import is_small, suppression_rules

__all__ = ["TOP", "draw_hotspot_map", "hotspots"]

#: LSOAs listed for all crime.
TOP = 10


def _count(value: Any, rules: Any) -> str:
    n = int(value)
    small = is_small(n, rules, mart="mart_hotspot_summary")  # police.uk: open unless configured
    return rules.policy_for(None, "mart_hotspot_summary").marker if small else f"{n:,}"


def draw_hotspot_map(points: pd.DataFrame, title: str, subtitle: str, note: str,
                     threshold: int, stem: Path) -> list[Path]:
    """A hexbin map of ``points`` (longitude, latitude) saved as ``<stem>.png`` and ``.svg``;
    hexagons with fewer than ``threshold`` points are not drawn (disclosure control)."""
    from scp_metrics.publish.charts.style import finish_figure, new_figure, save_figure

    fig, ax = new_figure((8.0, 8.0))
    lat0 = float(np.mean(points["latitude"]))
    # equirectangular: a degree of longitude is cos(latitude) of a degree of latitude
    hexes = ax.hexbin(points["longitude"], points["latitude"], gridsize=28, mincnt=threshold,
                      cmap="viridis_r", linewidths=0.2, edgecolors="white")
    ax.set_aspect(1.0 / np.cos(np.radians(lat0)))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    finish_figure(fig, ax, title=title, subtitle=subtitle, lineage=None, method=note)
    bar = fig.colorbar(hexes, ax=ax, shrink=0.8, pad=0.02)
    bar.set_label("crimes in the hexagon")
    return list(save_figure(fig, stem))


def _map(ctx: Any, summary: pd.Series, rules: Any, area_name: str) -> dict[str, str] | None:
    if ctx.out_dir is None:
        return None
    points = ctx.reader.frame("hotspot_points", area_code=ctx.area)
    if len(points) < rules.threshold:
        return None
    window = (f"{pd.Timestamp(summary['window_start']):%b %Y} to "
              f"{pd.Timestamp(summary['window_end']):%b %Y}")
    stem = Path(ctx.out_dir) / "charts" / f"hotspot_map_{ctx.area}"
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = draw_hotspot_map(
        points, f"Where crime happened in {area_name}: all crime (police.uk, excluding ASB)",
        f"Crimes per hexagon, {window} ({int(summary['months'])} months with data)",
        f"Source: data.police.uk street-level crime; each crime at the anonymised map point "
        f"police.uk gives it. Hexagons with fewer than {rules.threshold} crimes are not drawn "
        f"(disclosure control). No base map.", rules.threshold, stem)
    png = next(p for p in paths if p.suffix == ".png")
    alt = (f"The map shows where all crime (police.uk, excluding ASB) happened in {area_name} "
           f"from {window}, as hexagons shaded by their number of crimes; the darkest hexagon "
           "holds the most.")
    return {"name": png.stem, "alt": alt, "src": "data:image/png;base64,"
            + base64.b64encode(png.read_bytes()).decode("ascii")}


def hotspots(ctx: Any) -> dict[str, Any] | None:
    """The section's facts; ``None`` without hot-spot rows (no police.uk data for the area)."""
    reader = ctx.reader
    if not reader.has("mart_hotspot_summary"):
        return None
    summary = reader.frame("hotspot_summary", area_code=ctx.area)
    if summary.empty:
        return None
    rules = suppression_rules(ctx.settings.config_dir)
    area_name = reader.area_name(ctx.area) or ctx.area
    first = summary.iloc[0]
    top = reader.frame("hotspot_top", area_code=ctx.area, crime_group=str(first["crime_group"]),
                       top=TOP)
    return {
        "area_name": area_name,
        "window_start": pd.Timestamp(first["window_start"]),
        "window_end": pd.Timestamp(first["window_end"]),
        "months": int(first["months"]),
        "lsoas": int(first["lsoas"]),
        "threshold": rules.threshold,
        "groups": [{
            "crime_type": r.crime_type, "total": _count(r.total, rules),
            "top_5pct_lsoas": int(r.top_5pct_lsoas), "top_5pct_share": float(r.top_5pct_share),
            "top_10pct_lsoas": int(r.top_10pct_lsoas),
            "top_10pct_share": float(r.top_10pct_share),
            "persistence": None if pd.isna(r.persistence_pct) else float(r.persistence_pct),
            "month_pairs": int(r.month_pairs),
            "top_lsoa": f"{r.top_lsoa_name} ({r.top_lsoa_code})",
            "top_lsoa_count": _count(r.top_lsoa_count, rules),
        } for r in summary.itertuples(index=False)],
        "top": [{"rank": int(r.rank), "lsoa": f"{r.lsoa_name} ({r.lsoa_code})",
                 "count": _count(r.count, rules), "share": float(r.share_pct),
                 "months_in_top": int(r.months_in_top_10pct)}
                for r in top.itertuples(index=False)],
        "map": _map(ctx, first, rules, area_name),
    }
