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

__all__ = ["police_uk", "police_uk_quality", "headline_rows", "change_reason", "REPORT_CHARTS"]

#: The police.uk charts the section embeds, in order (kind, indicator slug); the full pack
#: stays in charts/. Trend, SPC, ranking and funnel for all crime and violence; the SPC chart
#: that shows the ASB recording break; criminal damage and burglary.
REPORT_CHARTS = (
    ("trend", "all-crime"), ("spc", "all-crime"), ("ranking", "all-crime"),
    ("funnel", "all-crime"),
    ("trend", "violence-and-sexual-offences"), ("spc", "violence-and-sexual-offences"),
    ("ranking", "violence-and-sexual-offences"), ("funnel", "violence-and-sexual-offences"),
    ("spc", "anti-social-behaviour"), ("ranking", "anti-social-behaviour"),
    ("spc", "criminal-damage-and-arson"), ("ranking", "criminal-damage-and-arson"),
    ("ranking", "burglary"), ("spc", "burglary"),
)

_VARIATION = {"common_cause": "common cause variation",
              "special_cause_improvement": "special cause variation (improvement)",
              "special_cause_concern": "special cause variation (concern)",
              "special_cause_neither": "special cause variation"}


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
            "funnel_widened": not _missing(r["funnel_widened"]) and bool(r["funnel_widened"]),
            "trend": _trend(r),
            "spc": _spc(r),
        })
    return rows


def _trend(r: pd.Series) -> dict[str, Any]:
    """The trend's verdict (``mart_trends``): its annual change, or why it was not fitted."""
    if _missing(r.get("trend_verdict")):
        return {"verdict": None, "pct": None, "method": None, "months": None}
    pct = r.get("trend_annual_change_pct")
    return {"verdict": str(r["trend_verdict"]), "pct": None if _missing(pct) else float(pct),
            "method": None if _missing(r.get("trend_method")) else str(r["trend_method"]),
            "months": None if _missing(r.get("trend_months")) else int(r["trend_months"])}


def _spc(r: pd.Series) -> dict[str, Any]:
    """The SPC chart's latest month (``mart_spc``): its variation, the rule that fired, and the
    points in its limits group (a run chart, without limits, below the minimum)."""
    if _missing(r.get("spc_month")):
        return {"month": None, "variation": None, "rule": None, "points": None,
                "limits": False}
    rule = r.get("spc_rule")
    return {"month": _month_text(r["spc_month"]),
            "variation": _VARIATION.get(str(r["spc_point_type"]),
                                        str(r["spc_point_type"]).replace("_", " ")),
            "rule": None if _missing(rule) or str(rule) == "none"
            else _RULES.get(str(rule), str(rule).replace("_", " ")),
            "points": None if _missing(r.get("spc_group_points")) else int(r["spc_group_points"]),
            "limits": bool(r.get("spc_has_limits"))}


_RULES = {"outside": "a point outside the limits", "two_of_three": "2 of 3 points near a limit",
          "shift": "a run of 7 on one side of the mean", "trend": "7 points rising or falling"}


def headline_rows(ctx: Any) -> list[dict[str, Any]]:
    """Every police.uk indicator of ``ctx.area`` with a value: latest quarter (count, rate,
    interval, change or its reason), latest month, group position, funnel, trend and SPC."""
    reader = ctx.reader
    if not reader.has("mart_indicator_values") or not reader.has("ref_indicators"):
        return []
    return _rows(reader.frame("police_uk_headline", area_code=ctx.area))


def _chart_list(ctx: Any) -> list[dict[str, Any]]:
    """The section's charts with their alt-text facts and data tables (as the report's own,
    issue 15 item 5; ``id`` is the chart's id on the workbook's Chart_data sheet)."""
    from scp_metrics.publish.report.chart_data import chart_data

    by_stem = {p.stem: p for p in getattr(ctx, "charts", []) if p.suffix == ".png"}
    chosen = [(kind, slug, by_stem[stem]) for kind, slug in REPORT_CHARTS
              if (stem := f"{kind}_police_uk-{slug}_{ctx.area}") in by_stem]
    return [{"name": p.stem, "id": p.stem, **describe_chart(ctx.facts, p.stem),
             "data": chart_data(ctx.facts, kind, f"police_uk:{slug}", f"police_uk-{slug}"),
             "src": "data:image/png;base64," + base64.b64encode(p.read_bytes()).decode("ascii")}
            for kind, slug, p in chosen]


def police_uk_quality(ctx: Any) -> dict[str, Any]:
    """The police.uk part of the Data quality section: the recording breaks of the area's
    series and the rows police.uk gives that no area could count (``police_uk_quality.html.j2``,
    included by ``quality.html.j2``). Empty when the area has no police.uk values."""
    reader = ctx.reader
    if not headline_rows(ctx):
        return {"police_uk_quality": None}
    area = ctx.area
    force = reader.frame("police_uk_force_of_area", area_code=area)
    force_row = force.iloc[0] if not force.empty else None
    unplaced = reader.frame("police_uk_unplaced_by_reason") if reader.has(
        "mart_unplaced_rows") else pd.DataFrame()
    own_force = None if force_row is None else force_row["police_uk_name"]
    own_unplaced = unplaced[unplaced["police_force"] == own_force] if own_force else unplaced[:0]
    breaks = (reader.frame("police_uk_breaks_of_area", area_code=area)
              if reader.has("mart_recording_breaks") else pd.DataFrame())
    return {"police_uk_quality": {
        "area_name": reader.area_name(area) or area,
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
    }}


def police_uk(ctx: Any) -> dict[str, Any] | None:
    """The section's facts for ``ctx.area``; ``None`` when the area has no police.uk values."""
    rows = headline_rows(ctx)
    if not rows:
        return None
    reader = ctx.reader
    area = ctx.area
    group = reader.table("mart_peer_group") if reader.has("mart_peer_group") else pd.DataFrame()
    if not group.empty:  # the group of the warehouse's home area only
        group = group[group["group_id"] == area]
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
    versus = (reader.frame("police_uk_vs_ons_of_force", pfa_code=force_row["pfa_code"])
              if force_row is not None and reader.has("mart_police_uk_vs_ons") else pd.DataFrame())
    return {
        "area": area,
        "area_name": reader.area_name(area) or area,
        "rows": rows,
        "group_label": group_label,
        "group_note": None if group.empty else str(group["note"].iloc[0]),
        "members": members,
        "force": None if force_row is None else force_row["pfa_name"],
        "versus": [{"year_ending": _month_text(r.year_ending), "months": int(r.police_uk_months),
                    "police_uk_per_month": float(r.police_uk_per_month),
                    "ons_per_month": None if _missing(r.ons_per_month) else float(r.ons_per_month),
                    "difference_pct": None if _missing(r.difference_pct)
                    else float(r.difference_pct),
                    "whole_year": bool(r.whole_year)} for r in versus.itertuples(index=False)],
        "charts": _chart_list(ctx),
    }
