"""The facts of the report's verdict and methods sections, and the charts it embeds.

Facts only: the wording of every section is its template's (``publish/report/templates/``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from scp_metrics.publish.report.facts import Facts
from scp_metrics.publish.report.overview import assurance_icon, variation_icon
from scp_metrics.publish.report.priorities import target_rows
from scp_metrics.publish.suppression import assess
from scp_metrics.warehouse.contracts import contract_for

TRACKING = contract_for("mart_target_tracking")
"""Units and precision of the target figures the report quotes."""
_ATTENTION = {"red": 0, "amber": 1, "green": 2}


def verdict_rows(facts: Facts) -> list[dict[str, Any]]:
    """One row per target, what needs attention first (Red, Amber, Green, not judged; then the
    lowest probability of meeting it): the mart's columns plus ``position`` (the MSG rank, or
    None), ``ytd_suppressed`` (a small year-to-date count the report must not print) and the
    Making Data Count icons ``variation`` and ``assurance_icon``."""
    rows = target_rows(facts)
    for t in rows:
        t["position"] = facts.rank(str(t.get("indicator_id")))
        found = assess(pd.DataFrame([t]), facts.rules, TRACKING)
        small = found.cells.get("actual_value")
        t["ytd_suppressed"] = small is not None and bool(small.iloc[0])
        t["marker"] = found.markers["actual_value"].iloc[0] if t["ytd_suppressed"] \
            else facts.rules.marker
        t["unit"] = t.get("unit") if isinstance(t.get("unit"), str) else None
        t["variation"] = variation_icon(facts, str(t.get("indicator_id") or ""))
        t["assurance_icon"] = assurance_icon(t.get("assurance"))
    return sorted(rows, key=lambda t: (
        _ATTENTION.get(str(t.get("rag")).lower(), 3),
        2.0 if t.get("probability_met") is None else float(t["probability_met"])))


def method_facts(facts: Facts) -> dict[str, Any]:
    """The disclosure policy of ``config/privacy.toml`` (the default and each source's), the
    SPC baseline of ``config/spc.toml``, and each projected target's method and whether it
    passed the backtest (the template says them in plain words)."""
    from scp_metrics.config.spc import read_spc_baseline

    projected = [t for t in target_rows(facts) if t.get("method")]
    sources = [{"name": name, "threshold": p.threshold, "round_to": p.round_to}
               for name, p in sorted(facts.rules.sources.items())]
    spc = read_spc_baseline(facts.settings.config_dir)
    return {"threshold": facts.rules.threshold, "marker": facts.rules.marker,
            "sources": sources, "baseline_points": spc.baseline_points,
            "minimum_points": spc.minimum_points, "targets": projected}


CHART_KINDS = ("trajectory", "trend", "spc", "ranking", "funnel")


def describe_chart(facts: Facts, stem: str) -> dict[str, str]:
    """A chart's kind and what it is of (an indicator's or a target's title), from its file
    name ``<kind>_<indicator or target id>_<area>`` (``:`` of an id written as ``-``)."""
    kind = next((k for k in CHART_KINDS if stem.startswith(k + "_")), "chart")
    subject = stem[len(kind) + 1:] if kind != "chart" else stem
    subject = subject.removesuffix("_" + facts.area)
    by_name = {i.replace(":", "-"): ind for i, ind in facts.indicators.items()}
    ind = facts.indicators.get(subject) or by_name.get(subject)
    title = ind.title if ind else None
    if title is None and kind == "trajectory":
        titles = {t.get("target_id"): t.get("title") for t in target_rows(facts)}
        title = titles.get(subject)
    return {"kind": kind, "subject": str(title or subject.replace("_", " ").replace("-", " "))}
