"""Facts of the verdict page's Making Data Count icons and its overview (the "tartan rug").

Making Data Count (NHS England) reads a measure by two icons: its *variation* (the latest SPC
point: common cause, or special cause improving or concerning, high or low) and its
*assurance* (whether the process will reliably meet the target: consistently passes,
consistently fails, or hit and miss). Here each is a letter in a ring plus its words, so colour
never carries the meaning alone. The overview is every indicator of the home area against its
Most Similar Group, as Fingertips' spine chart or tartan rug shows it. Facts only: the
wording is the templates' (``verdict.html.j2``, ``mdc.j2``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from scp_metrics.publish.report.facts import Facts
from scp_metrics.publish.suppression import is_group_withheld, is_withheld

__all__ = ["assurance_icon", "overview_rows", "variation_icon"]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def variation_icon(facts: Facts, indicator_id: str) -> dict[str, str] | None:
    """The latest SPC point of an indicator up to its own month: ``kind`` (improvement, concern,
    neutral or common) and ``side`` (high or low for special cause); None without SPC."""
    if not indicator_id or not facts.has("mart_spc"):
        return None
    month = pd.Timestamp(facts.as_of_of(indicator_id)).replace(day=1).date()
    rows = facts.reader.rows("report_spc_latest", indicator_id=indicator_id, area_code=facts.area,
                             month=month)
    if not rows or rows[0][0] is None:
        return None
    point_type, improvement, value, mean = rows[0]
    high = not _missing(value) and not _missing(mean) and float(value) > float(mean)
    if point_type == "common_cause":
        return {"kind": "common", "side": ""}
    if point_type == "special_cause_improvement":
        side = "low" if improvement == "decrease" else "high"
        return {"kind": "improvement", "side": side}
    if point_type == "special_cause_concern":
        side = "high" if improvement == "decrease" else "low"
        return {"kind": "concern", "side": side}
    return {"kind": "neutral", "side": "high" if high else "low"}


def assurance_icon(assurance: Any) -> str | None:
    """The mart's assurance (consistent_pass, consistent_fail, inconsistent) as pass, fail or
    hit_and_miss; None when the target is not assessed that way."""
    return {"consistent_pass": "pass", "consistent_fail": "fail",
            "inconsistent": "hit_and_miss"}.get(str(assurance)) if not _missing(assurance) else None


def _compared(significance: Any, polarity: str) -> str:
    """better, worse, similar, higher, lower or not_compared against the group."""
    if _missing(significance):
        return "not_compared"
    text = str(significance).lower()
    if text.startswith("not"):
        return "similar"
    high = text.startswith("high")
    if polarity == "lower":
        return "worse" if high else "better"
    if polarity == "higher":
        return "better" if high else "worse"
    return "higher" if high else "lower"


def overview_rows(facts: Facts) -> list[dict[str, Any]]:
    """Every indicator of the home area ranked in its Most Similar Group, in the catalogue's
    order: value, interval, the group's pooled rate, position, how it compares with the group
    (``compared``) and its change on a year earlier (``direction`` up, down or None)."""
    if not facts.has("mart_msg_rankings"):
        return []
    frame = facts.reader.frame("report_overview", area_code=facts.area,
                               period_end=facts.as_of_end)
    order = {ind_id: i for i, ind_id in enumerate(facts.indicators)}
    rows = []
    for _, r in frame.iterrows():
        if is_withheld(facts.rules, str(r["indicator_id"]), facts.area, str(r["period_type"])):
            continue  # disclosure control withholds the series' figures of that period type
        ind = facts.indicators.get(str(r["indicator_id"]))
        change = None if _missing(r["change_pct"]) else float(r["change_pct"])
        point = None
        if r["measure"] == "percentage" and not _missing(r["value_same_period_last_year"]):
            point = float(r["value"]) - float(r["value_same_period_last_year"])
        rows.append({
            "indicator_id": r["indicator_id"], "title": ind.title if ind else r["indicator_id"],
            "unit": r["unit"], "period_type": r["period_type"], "period_end": r["period_end"],
            "value": None if _missing(r["value"]) else float(r["value"]),
            "lower": None if _missing(r["ci95_lower"]) else float(r["ci95_lower"]),
            "upper": None if _missing(r["ci95_upper"]) else float(r["ci95_upper"]),
            "group": None if _missing(r["group_pooled_rate"]) or is_group_withheld(
                facts.rules, str(r["indicator_id"]), str(r["group_id"]), str(r["period_type"]),
                r["period_end"]) else float(r["group_pooled_rate"]),
            "rank": int(r["rank"]), "n_areas": int(r["n_areas"]),
            "compared": _compared(r["significance"], str(r["polarity"])),
            "change_pct": change, "point_change": point,
            "direction": None if change is None else ("up" if change > 0 else "down"),
            "significant": str(r["change_verdict"] or "").startswith("significant")
            if not _missing(r["change_verdict"]) else None,
            "polarity": r["polarity"],
        })
    return sorted(rows, key=lambda row: order.get(row["indicator_id"], len(order)))
