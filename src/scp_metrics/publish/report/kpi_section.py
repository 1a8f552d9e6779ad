"""Report sections "Key performance indicators and owners" and "Action plan" (issue 19).

:func:`kpis`: every KPI of the register (``mart_kpi_status``) with its owner beside the figure:
the latest figure and its 95% interval (formatted by the contract's unit), where it came from,
the target and the RAG, "no return received" where a partner sent nothing; a figure that
disclosure control withholds (as in every other output) is said to be withheld.

:func:`actions`: the action plan (``mart_action_status``) by priority: counts by status, then
the actions overdue against their timing, those still TBA or unfunded, and those reported on
track while a KPI they serve is red. Wording is in ``templates/kpis.html.j2`` and
``templates/actions.html.j2``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from scp_metrics.config.kpis import read_kpi_register
from scp_metrics.publish.formats import format_figure
from scp_metrics.publish.suppression import suppress_frame
from scp_metrics.warehouse.contracts import contract_for

__all__ = ["actions", "kpis"]

SOURCE_WORDS = {"police_crime": "police recorded crime", "marac": "MARAC cases",
                "place_survey": "the Place Survey"}
STATUS_WORDS = {"not_started": "not started", "on_track": "on track", "at_risk": "at risk",
                "complete": "complete", "dropped": "dropped", "no_return": "no return"}


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _plan_of_the_year(ctx: Any) -> tuple[Any, str]:
    """The plan covering the report's financial year (None: no plan does) and its label."""
    from scp_metrics.config.plans import plan_of_month

    return plan_of_month(ctx.settings.config_dir, ctx.as_of)


def kpis(ctx: Any) -> dict[str, Any] | None:
    """The KPI table's facts; None when the warehouse has no mart_kpi_status. The register is
    the plan's (its Appendix 3 and local measures): where no plan covers the report's year, or
    the plan is another area's, the section says so instead of listing that plan's owners."""
    reader = ctx.reader
    if not reader.has("mart_kpi_status"):
        return None
    plan, year_label = _plan_of_the_year(ctx)
    if plan is None or (plan.area and plan.area != ctx.area):
        return {"outside": {"year": year_label, "plan": None if plan is None else plan.title},
                "rows": []}
    contract = contract_for("mart_kpi_status")
    # as every output publishes it: a figure resting on a small count, or on a series' period
    # type that secondary suppression withholds, is not shown (nor its interval and outturn)
    frame, _ = suppress_frame(reader.frame("kpi_status"), ctx.facts.rules, contract, numbers=True)
    rows = []
    for record in frame.to_dict("records"):
        # a withheld count is published as its marker ("<8", "[c]"), its figures as blanks
        withheld = isinstance(record["numerator"], str)
        def fig(name: str, record: dict = record) -> str:
            return format_figure(contract, name, record)
        interval = None if _text(record["ci95_lower"]) is None else \
            f"{fig('ci95_lower')} to {fig('ci95_upper')}"
        method = _text(record["ci_method"])
        if method and "_" in method:  # e.g. "Wilson (Kish n_eff)": the method's name only
            method = method.split(" (")[0]
        partner = record["delivered_by"] == "partner_return"
        returned_by = _text(record["returned_by"]) if partner else \
            f"computed here from {SOURCE_WORDS.get(str(record['delivered_by']), 'our data')}"
        note = _text(record["rag_note"]) if partner or not _text(record["target_id"]) else \
            "judged as in the verdict table"
        rows.append({
            "ni": None if pd.isna(record["ni"]) else int(record["ni"]),
            "title": record["title"], "owner": record["owner"],
            "designated": not pd.isna(record["designated"]) and bool(record["designated"]),
            "kpi_unit": _text(record["kpi_unit"]) or record["unit"],
            "received": record["return_status"] == "received",
            "return_status": record["return_status"],
            "period": _text(record["period_label"]), "value": fig("value"),
            "withheld": withheld,
            "interval": interval, "ci_method": method, "returned_by": returned_by,
            "target": _text(record["target"]), "target_period": _text(record["target_period"]),
            "expected": None if _text(record["expected_value"]) is None else fig("expected_value"),
            "actual": None if _text(record["actual_judged"]) is None else fig("actual_judged"),
            "rag": _text(record["rag"]), "rag_note": note,
        })
    missing = [r["title"] for r in rows if not r["received"]]
    return {"outside": None, "rows": rows, "missing": missing,
            "partner_count": int((frame["delivered_by"] == "partner_return").sum()),
            "designated_count": sum(r["designated"] for r in rows),
            "local_count": sum(r["ni"] is None for r in rows)}


def _due_text(row: dict[str, Any]) -> str | None:
    if pd.isna(row["due"]):
        return None
    due = pd.Timestamp(row["due"])
    verb = "to start by" if row["timing_kind"] == "start" else "due by"
    status = STATUS_WORDS.get(str(row["status"]), str(row["status"]))
    return f"{verb} {due.day} {due:%B %Y}, {status}"


def _names(config_dir: Path) -> dict[str, str]:
    """KPI or indicator id -> how the report names it (NI 21, Criminal damage and arson)."""
    from scp_metrics.config.catalogue import read_indicators

    names = {i.id: i.title for i in read_indicators(config_dir)}
    names.update({k.id: f"NI {k.ni}" if k.ni else k.title for k in read_kpi_register(config_dir)})
    return names


def _listed(frame: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    return [{"number": f"{str(r['section']).replace('_', ' ').capitalize()} {r['number']}",
             "action_id": r["action_id"],
             "action": r["action"], "lead": _text(r["lead_agency"]) or "—",
             "group": _text(r["responsible_group"]) or "—", "timing": _text(r["timing"]) or "—",
             "status": STATUS_WORDS.get(str(r["status"]), str(r["status"])),
             "reason": _due_text(r), "days": None if pd.isna(r["days_overdue"])
             else int(r["days_overdue"]), "resource": _text(r["resource"]) or "—",
             "red_kpis": ", ".join(names.get(k, k.replace("_", " ")) for k in
                                   str(_text(r["red_kpis"]) or "").split(";") if k)}
            for r in frame.to_dict("records")]


def actions(ctx: Any) -> dict[str, Any] | None:
    """The action plan's facts by priority; ``why`` (one sentence) instead when the register is
    not the plan's covering the report's year in the home area (or none is loaded); None when
    there is no mart_action_status."""
    from scp_metrics.publish.report.how_we_did import report_year
    from scp_metrics.targets.actions import outside_plan

    plan, _ = _plan_of_the_year(ctx)
    why = outside_plan(plan, report_year(ctx.as_of), ctx.area)
    if why is not None:
        return {"why": why}
    reader = ctx.reader
    if not reader.has("mart_action_status"):
        return None
    frame = reader.frame("kpi_actions")
    if frame.empty:
        return {"why": "No action of the plan is in the warehouse yet: a refresh loads the "
                       "action register."}
    as_of = frame["as_of"].dropna()
    periods = sorted({p for p in frame["status_period"].dropna()})
    names = _names(ctx.settings.config_dir)
    priorities = []
    for priority, group in frame.groupby("priority", sort=False):
        counts = group["status"].value_counts()
        priorities.append({
            "priority": priority, "title": group["priority_title"].iloc[0],
            "actions": len(group),
            "counts": [{"status": STATUS_WORDS[s], "actions": int(counts.get(s, 0)),
                        "verb": "has" if s == "no_return" else "is"}
                       for s in STATUS_WORDS if int(counts.get(s, 0))],
            "overdue": _listed(group[group["overdue"]], names),
            "unfunded": _listed(group[group["unfunded"]], names),
            "contradictions": _listed(group[group["contradiction"]], names),
        })
    return {"why": None, "priorities": priorities,
            "as_of": None if as_of.empty else as_of.max(),
            "latest_period": periods[-1] if periods else None,
            "overdue_total": int(frame["overdue"].sum()),
            "unfunded_total": int(frame["unfunded"].sum()),
            "contradiction_total": int(frame["contradiction"].sum()),
            "total": len(frame)}
