"""Report section "Police.uk indicators (open data)" (issue 16, item 5).

For an area whose figures come from police.uk (the real data, ``../shared/realdata``): every
police.uk indicator's latest quarter (count, rate per 1,000, 95% interval, position in the peer
group and the funnel verdict) and latest month, with the change on the same period last year or
the reason there is none; the peer group and where it comes from (``mart_peer_group``: a
delivered Most Similar Group, else the proxy group (open data)); the recording breaks of the
area's series, the rows police.uk gives that no area could count, and police.uk against the ONS
police force area tables. The facts are read here (``publish/sql/police_uk_*.sql``); the wording
is the template's, ``templates/police_uk.html.j2``.
"""

from __future__ import annotations

import base64
from typing import Any

import pandas as pd

from scp_metrics.publish.report.build import describe_chart

__all__ = ["police_uk", "change_reason"]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) \
        or (hasattr(value, "__class__") and value.__class__.__name__ == "NaTType")


def _month_text(value: Any) -> str:
    return "" if _missing(value) else f"{pd.Timestamp(value):%b %Y}"


def _quarter_text(start: Any, end: Any) -> str:
    if _missing(start):
        return ""
    return f"{pd.Timestamp(start):%b}–{pd.Timestamp(end):%b %Y}"


def change_reason(kind: str, start: Any, end: Any = None) -> str:
    """Why a change cannot be given: the same period a year earlier is not in the data."""
    if _missing(start):
        return f"no {kind} with data"
    before_start = pd.Timestamp(start) - pd.DateOffset(years=1)
    if kind == "quarter":
        before_end = pd.Timestamp(end) - pd.DateOffset(years=1)
        when = f"{before_start:%b}–{before_end:%b %Y}"
    else:
        when = f"{before_start:%b %Y}"
    return f"no police.uk data for {when}, the same {kind} last year"


def _change(row: pd.Series, prefix: str, kind: str, start: Any, end: Any = None) -> dict:
    pct = row[f"{prefix}_change_pct"]
    if _missing(pct):
        return {"pct": None, "verdict": None, "reason": change_reason(kind, start, end)}
    return {"pct": float(pct), "verdict": row[f"{prefix}_change_verdict"], "reason": None}


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for _, r in frame.iterrows():
        rows.append({
            "indicator_id": r["indicator_id"], "title": r["title"], "unit": r["unit"],
            "quarter": _quarter_text(r["quarter_start"], r["quarter_end"]),
            "quarter_count": None if _missing(r["quarter_count"]) else float(r["quarter_count"]),
            "quarter_rate": None if _missing(r["quarter_rate"]) else float(r["quarter_rate"]),
            "quarter_lower": None if _missing(r["quarter_lower"]) else float(r["quarter_lower"]),
            "quarter_upper": None if _missing(r["quarter_upper"]) else float(r["quarter_upper"]),
            "population_year": None if _missing(r["population_year"])
            else int(r["population_year"]),
            "quarter_change": _change(r, "quarter", "quarter", r["quarter_start"],
                                      r["quarter_end"]),
            "month": _month_text(r["month_start"]),
            "month_count": None if _missing(r["month_count"]) else float(r["month_count"]),
            "month_change": _change(r, "month", "month", r["month_start"]),
            "rank": None if _missing(r["rank"]) else int(r["rank"]),
            "n_areas": None if _missing(r["n_areas"]) else int(r["n_areas"]),
            "funnel": None if _missing(r["funnel_significance"]) else str(r["funnel_significance"]),
        })
    return rows


def police_uk(ctx: Any) -> dict[str, Any] | None:
    """The section's facts for ``ctx.area``; ``None`` when the area has no police.uk values."""
    reader = ctx.reader
    if not reader.has("mart_indicator_values") or not reader.has("ref_indicators"):
        return None
    area = ctx.area
    headline = reader.frame("police_uk_headline", area_code=area)
    if headline.empty:
        return None
    group = reader.table("mart_peer_group") if reader.has("mart_peer_group") else pd.DataFrame()
    group_label = str(group["group_label"].iloc[0]) if not group.empty else None
    members = [] if group.empty else [
        {"area_code": r.area_code, "area_name": r.area_name,
         "rank": None if _missing(r.rank) else int(r.rank),
         "distance": None if _missing(r.distance) else float(r.distance),
         "population": None if _missing(r.population) else float(r.population)}
        for r in group.sort_values(["is_focus", "rank", "area_name"],
                                   ascending=[False, True, True]).itertuples(index=False)]
    force = reader.frame("police_uk_force_of_area", area_code=area)
    force_row = force.iloc[0] if not force.empty else None
    unplaced = reader.frame("police_uk_unplaced_by_reason") if reader.has(
        "mart_unplaced_rows") else pd.DataFrame()
    own_force = None if force_row is None else force_row["police_uk_name"]
    own_unplaced = unplaced[unplaced["police_force"] == own_force] if own_force else unplaced[:0]
    breaks = reader.frame("police_uk_breaks_of_area", area_code=area)
    versus = (reader.frame("police_uk_vs_ons_of_force", pfa_code=force_row["pfa_code"])
              if force_row is not None and reader.has("mart_police_uk_vs_ons") else pd.DataFrame())
    charts = [p for p in getattr(ctx, "charts", [])
              if p.suffix == ".png" and "police_uk" in p.stem
              and p.stem.split("_")[0] in ("ranking", "funnel")
              and ("all-crime" in p.stem or "violence" in p.stem)]
    return {
        "area": area,
        "area_name": reader.area_name(area) or area,
        "rows": _rows(headline),
        "group_label": group_label,
        "group_note": None if group.empty else str(group["note"].iloc[0]),
        "members": members,
        "force": None if force_row is None else force_row["pfa_name"],
        "unplaced_total": float(unplaced["rows"].sum()) if not unplaced.empty else 0.0,
        "unplaced": [{"force": r.police_force, "reason": r.reason, "rows": float(r.rows),
                      "months": int(r.months)} for r in unplaced.itertuples(index=False)],
        "own_unplaced": [{"reason": r.reason, "rows": float(r.rows), "months": int(r.months),
                          "example": r.example} for r in own_unplaced.itertuples(index=False)],
        "breaks": [{"kind": r.kind, "indicator_id": r.indicator_id,
                    "from": _month_text(r.new_series_from),
                    "change_pct": None if _missing(r.change_pct) else float(r.change_pct),
                    "message": r.message} for r in breaks.itertuples(index=False)],
        "versus": [{"year_ending": _month_text(r.year_ending), "months": int(r.police_uk_months),
                    "police_uk_per_month": float(r.police_uk_per_month),
                    "ons_per_month": None if _missing(r.ons_per_month) else float(r.ons_per_month),
                    "difference_pct": None if _missing(r.difference_pct)
                    else float(r.difference_pct),
                    "whole_year": bool(r.whole_year)} for r in versus.itertuples(index=False)],
        "charts": [{"name": p.stem, **describe_chart(ctx.facts, p.stem),
                    "src": "data:image/png;base64,"
                    + base64.b64encode(p.read_bytes()).decode("ascii")} for p in charts],
    }
