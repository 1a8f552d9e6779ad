"""The action plan with each action's latest status (``mart_action_status``).

Pure. Every action of ``config/action_plan.csv`` (register order within the plan's priorities),
with its latest status from the action status returns (``raw_action_status``: the latest quarter
that names it) and the board's flags from :mod:`scp_metrics.targets.actions`, judged at the end of
the latest quarter any status return covers (``as_of``):

* ``overdue``: dated and not complete (``by``) or not started (``start``) by ``as_of``;
* ``unfunded``: resource still TBA or not funded, and the action open;
* ``contradiction``: reported on track while a KPI it serves is red (``kpi_rag``).

With no status return at all, every action is ``no_return``, nothing is judged overdue
(``as_of`` is empty) and the section says no return was received.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from scp_metrics.config.actions import PRIORITIES, Action
from scp_metrics.periods import Quarter
from scp_metrics.targets.actions import NO_RETURN, review_actions

__all__ = ["ACTION_COLUMNS", "action_status", "latest_statuses", "status_key"]

ACTION_COLUMNS = ["action_id", "priority", "priority_title", "section", "objective", "number",
                  "action", "lead_agency", "responsible_group", "outcome", "measure", "timing",
                  "timing_kind", "due", "resource", "resource_status", "linked_kpis",
                  "placeholder", "status", "status_period", "status_date", "status_rag",
                  "status_note", "as_of", "overdue", "days_overdue", "overdue_reason",
                  "unfunded", "contradiction", "red_kpis", "register_order"]


def status_key(text: str) -> str:
    """``'On track'`` -> ``'on_track'`` (the return's words as :data:`STATUSES` spell them)."""
    return "_".join(str(text).strip().lower().split())


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return str(value).strip() or None


def latest_statuses(rows: pd.DataFrame) -> tuple[pd.DataFrame, dt.date | None]:
    """Each action's latest row of the status returns, and the end of the latest quarter any
    return covers (None when there are none)."""
    if rows.empty:
        return rows, None
    ordered = rows.sort_values(["action_id", "period_start"], kind="stable")
    latest = ordered.groupby("action_id", sort=True).tail(1).set_index("action_id")
    as_of = Quarter.containing(pd.Timestamp(rows["period_start"].max()).date()).end
    return latest, as_of


def action_status(actions: Iterable[Action], rows: pd.DataFrame,
                  kpi_rag: Mapping[str, str]) -> pd.DataFrame:
    """``mart_action_status``: :data:`ACTION_COLUMNS`, one row per action.

    Parameters
    ----------
    actions : iterable of Action
        The register (``config/action_plan.csv``).
    rows : pandas.DataFrame
        ``raw_action_status`` rows (``action_id``, ``period_start``, ``status``, ``rag``,
        ``status_date``, ``note``); ids not in the register are left out (ingest refuses them).
    kpi_rag : mapping
        KPI or indicator id -> ``green`` / ``amber`` / ``red``.
    """
    listed = list(actions)
    known = {a.action_id for a in listed}
    rows = rows.assign(action_id=rows["action_id"].astype(str).str.strip())
    latest, as_of = latest_statuses(rows[rows["action_id"].isin(known)])
    statuses = {a: status_key(s) for a, s in latest["status"].items()} if as_of else {}
    review = review_actions(listed, statuses, kpi_rag, as_of or dt.date.min)
    overdue = review.overdue.set_index("action_id") if as_of else review.overdue.iloc[0:0]
    unfunded = set(review.unfunded["action_id"])
    contradictions = review.contradictions.set_index("action_id")
    out = []
    rank = {p: i for i, p in enumerate(PRIORITIES)}
    ordered = [a for _, a in sorted(enumerate(listed), key=lambda t: (rank[t[1].priority], t[0]))]
    for position, action in enumerate(ordered, start=1):
        got = latest.loc[action.action_id] if as_of and action.action_id in latest.index \
            else None
        late = overdue.loc[action.action_id] if action.action_id in overdue.index else None
        out.append({
            "action_id": action.action_id, "priority": action.priority,
            "priority_title": action.priority_title, "section": action.section,
            "objective": action.objective or None, "number": action.number,
            "action": action.action, "lead_agency": action.lead_agency or None,
            "responsible_group": action.responsible_group or None,
            "outcome": action.outcome or None, "measure": action.measure or None,
            "timing": action.timing or None, "timing_kind": action.timing_kind,
            "due": action.due, "resource": action.resource or None,
            "resource_status": action.resource_status,
            "linked_kpis": ";".join(action.linked_kpis) or None,
            "placeholder": action.placeholder,
            "status": statuses.get(action.action_id, NO_RETURN),
            "status_period": None if got is None else
            Quarter.containing(pd.Timestamp(got["period_start"]).date()).label,
            "status_date": None if got is None or pd.isna(got["status_date"]) else
            pd.Timestamp(got["status_date"]).date(),
            "status_rag": None if got is None or _text(got["rag"]) is None else
            str(_text(got["rag"])).lower(),
            "status_note": None if got is None else _text(got["note"]),
            "as_of": as_of, "overdue": late is not None,
            "days_overdue": None if late is None else int(late["days_overdue"]),
            "overdue_reason": None if late is None else str(late["reason"]),
            "unfunded": action.action_id in unfunded,
            "contradiction": action.action_id in contradictions.index,
            "red_kpis": str(contradictions.loc[action.action_id, "red_kpis"])
            if action.action_id in contradictions.index else None,
            "register_order": position,
        })
    frame = pd.DataFrame(out, columns=ACTION_COLUMNS)
    frame["days_overdue"] = frame["days_overdue"].astype("Int64")
    return frame

