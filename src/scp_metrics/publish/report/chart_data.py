"""The data behind each chart the report embeds: its alt text's facts and its data table.

Each chart gets alt text written from its data (what it shows, the latest value, the finding;
the words are ``charts.html.j2``'s) and the table of what it plots, shown beside it in a
collapsed ``<details>``. The data are read by the chart pack's own loaders, so the table is
what the chart draws.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from scp_metrics.publish.report.facts import Facts
from scp_metrics.publish.report.priorities import target_rows
from scp_metrics.stats.intervals import optional_float as _num

__all__ = ["chart_data"]

log = logging.getLogger(__name__)



def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return [{c: (None if c not in frame else (_num(r[c]) if c not in ("month", "area", "point")
                                                 and not isinstance(r[c], str) else r[c]))
             for c in columns} for _, r in frame.iterrows()]


def _trend(facts: Facts, ind: str, as_of: str) -> dict[str, Any]:
    from scp_metrics.publish.charts.loaders import load_trend

    values = load_trend(facts.reader, ind, facts.area, as_of, config_dir=facts.settings.config_dir)
    months = values[values["period_type"] == "month"].sort_values("period_start").copy()
    months["month"] = pd.to_datetime(months["period_start"])
    rolling = values[values["period_type"] == "rolling_12m"].sort_values("period_end")
    last = months.iloc[-1] if len(months) else None
    year = rolling.iloc[-1] if len(rolling) else None
    return {
        "unit": str(values["unit"].iloc[0]),
        "latest": None if last is None else {"month": last["month"], "value": _num(last["value"])},
        "year": None if year is None else {
            "end": year["period_end"], "value": _num(year["value"]),
            "change_pct": _num(year["change_pct"]), "verdict": year["change_verdict"]
            if isinstance(year["change_verdict"], str) else None},
        "rows": _records(months.rename(columns={"ci95_lower": "lower", "ci95_upper": "upper"}),
                         ["month", "value", "lower", "upper"]),
    }


def _spc(facts: Facts, ind: str, as_of: str) -> dict[str, Any]:
    from scp_metrics.publish.charts.loaders import load_spc

    spc = load_spc(facts.reader, ind, facts.area, as_of, config_dir=facts.settings.config_dir)
    spc = spc.sort_values("period_start").copy()
    spc["month"] = pd.to_datetime(spc["period_start"])
    spc["point"] = spc["point_type"].astype(str)
    last = spc.iloc[-1]
    ref = facts.indicators.get(ind)
    return {
        "unit": ref.unit if ref else "",
        "latest": {"month": last["month"], "value": _num(last["value"]), "mean": _num(last["mean"]),
                   "lower": _num(last["lpl"]), "upper": _num(last["upl"]),
                   "point": str(last["point_type"])},
        "rows": _records(spc.rename(columns={"lpl": "lower", "upl": "upper"}),
                         ["month", "value", "mean", "lower", "upper", "point"]),
    }


def _group(facts: Facts, ind: str, as_of: str) -> dict[str, Any]:
    from scp_metrics.publish.charts.loaders import load_rankings

    members = load_rankings(facts.reader, ind, facts.area, as_of,
                            config_dir=facts.settings.config_dir)
    members = members.sort_values(["rank", "area_name"]).copy()
    members["area"] = members["area_name"].astype(str)
    home = members[members["area_code"] == facts.area]
    row = home.iloc[0] if len(home) else None
    significance = None
    if row is not None:
        sig = row.get("funnel_significance_adjusted")
        sig = sig if isinstance(sig, str) else row.get("funnel_significance")
        significance = sig if isinstance(sig, str) else None
    return {
        "unit": str(members["unit"].iloc[0]), "period_type": str(members["period_type"].iloc[0]),
        "period_end": members["period_end"].max(),
        "home": None if row is None else {
            "area": row["area"], "rank": int(row["rank"]) if _num(row["rank"]) else None,
            "n_areas": int(row["n_areas"]), "value": _num(row["value"]),
            "group": _num(row["group_pooled_rate"]), "significance": significance},
        "rows": _records(members.rename(columns={"ci95_lower": "lower", "ci95_upper": "upper"}),
                         ["area", "value", "lower", "upper", "rank"]),
    }


def _trajectory(facts: Facts, target_id: str) -> dict[str, Any]:
    from scp_metrics.publish.charts.loaders import load_trajectory

    path, row = load_trajectory(facts.reader, target_id, facts.area,
                                config_dir=facts.settings.config_dir)
    path = path.sort_values("period_end").copy()
    path["month"] = pd.to_datetime(path["period_end"])
    seen = path[path["actual_ytd"].notna()]
    target = next((t for t in target_rows(facts) if t.get("target_id") == target_id), {})
    last = seen.iloc[-1] if len(seen) else None
    return {
        "unit": str(row.get("unit") or ""),
        "latest": None if last is None else {
            "month": last["month"], "actual": _num(last["actual_ytd"]),
            "trajectory": _num(last["trajectory_ytd"])},
        "rag": target.get("rag"), "projected": target.get("projected_year_end"),
        "target": target.get("milestone_value") if target.get("has_milestone")
        else target.get("target_value"),
        "rows": _records(path.rename(columns={"actual_ytd": "actual",
                                              "trajectory_ytd": "trajectory"}),
                         ["month", "actual", "trajectory"]),
    }


def chart_data(facts: Facts, kind: str, indicator_id: str, subject_id: str) -> dict[str, Any] | None:
    """The facts and table of one chart (``subject_id``: the target of a trajectory, else the
    indicator); None when its data cannot be read (the chart is then shown with its title)."""
    from scp_metrics.publish.charts.loaders import ChartDataMissing

    as_of = f"{facts.as_of_end:%Y-%m}"
    try:
        if kind == "trend":
            return _trend(facts, indicator_id, as_of)
        if kind == "spc":
            return _spc(facts, indicator_id, as_of)
        if kind in ("ranking", "funnel"):
            return _group(facts, indicator_id, as_of)
        if kind == "trajectory":
            return _trajectory(facts, subject_id)
    except ChartDataMissing as exc:  # no data: the pack draws no such chart either
        log.debug("no data table for the %s chart of %s: %s", kind, subject_id, exc)
    except Exception as exc:  # noqa: BLE001 - a chart without its table is still shown
        log.warning("no data table for the %s chart of %s: %s", kind, subject_id, exc)
    return None
