"""What a board should see about the action plan at a quarter's end (issue 19, item 4).

Pure functions of the register (:mod:`scp_metrics.config.actions`), the quarter's status return
(``action_id → status``) and the KPIs' RAG (``kpi id → green / amber / red``):

* **overdue**: the timing is a date or a quarter (``timing_kind`` ``by`` or ``start``) before the
  as-of date, and the action is not complete or dropped (``by``) or not yet started (``start``).
  "On-going" and undated timings ("TBA", blank) are never overdue.
* **unfunded**: the resource is still TBA or no funding is identified, and the action is not
  complete or dropped.
* **contradictions**: the action is reported "on track" while a KPI it serves is red.
* **status counts** per priority.

An action with no status in the return is ``no_return``: it counts as not complete (so a dated
action past its date is overdue) and as not started.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from scp_metrics.config.actions import FILE_NAME, PRIORITIES, Action
from scp_metrics.config.plans import Plan, fy_label

STATUSES = ("not_started", "on_track", "at_risk", "complete", "dropped")
NO_RETURN = "no_return"
RAGS = ("green", "amber", "red")
CLOSED = ("complete", "dropped")
UNFUNDED = ("tba", "not_funded")

_BASE = ["priority", "action_id", "number", "action", "lead_agency", "responsible_group",
         "timing", "due", "status"]
OVERDUE_COLUMNS = [*_BASE, "days_overdue", "reason"]
UNFUNDED_COLUMNS = [*_BASE, "resource", "resource_status"]
CONTRADICTION_COLUMNS = [*_BASE, "linked_kpis", "red_kpis"]
COUNT_COLUMNS = ["priority", "status", "actions"]


@dataclass(frozen=True)
class ActionReview:
    """The four views of :func:`review_actions`, rows in register order within priority."""

    overdue: pd.DataFrame
    unfunded: pd.DataFrame
    contradictions: pd.DataFrame
    status_counts: pd.DataFrame


def _check_statuses(actions: list[Action], statuses: Mapping[str, str]) -> None:
    known = {a.action_id for a in actions}
    unknown_ids = sorted(set(statuses) - known)
    if unknown_ids:
        raise ValueError(f"status for unknown action(s): {', '.join(unknown_ids)}")
    bad = sorted(f"{k}={v!r}" for k, v in statuses.items() if v not in STATUSES)
    if bad:
        raise ValueError(f"unknown status {', '.join(bad)} (known: {', '.join(STATUSES)})")


def _check_rags(kpi_rag: Mapping[str, str]) -> None:
    bad = sorted(f"{k}={v!r}" for k, v in kpi_rag.items() if v not in RAGS)
    if bad:
        raise ValueError(f"unknown RAG {', '.join(bad)} (known: {', '.join(RAGS)})")


def _row(action: Action, status: str) -> dict[str, object]:
    return {"priority": action.priority, "action_id": action.action_id, "number": action.number,
            "action": action.action, "lead_agency": action.lead_agency,
            "responsible_group": action.responsible_group, "timing": action.timing,
            "due": action.due, "status": status}


def _frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def _ordered(actions: Iterable[Action]) -> list[Action]:
    """Register order within the plan's priority order (1, 2a, 2b, 3)."""
    rank = {p: i for i, p in enumerate(PRIORITIES)}
    indexed = list(enumerate(actions))
    return [a for _, a in sorted(indexed, key=lambda item: (rank[item[1].priority], item[0]))]


def overdue_actions(actions: Iterable[Action], statuses: Mapping[str, str],
                    as_of: dt.date) -> pd.DataFrame:
    """Actions past their date: ``by`` and not complete or dropped, ``start`` and not started.

    Columns :data:`OVERDUE_COLUMNS`; ``days_overdue`` counts from the due date to ``as_of``.
    """
    ordered = _ordered(actions)
    _check_statuses(ordered, statuses)
    rows = []
    for action in ordered:
        if action.due is None or action.due >= as_of:
            continue
        status = statuses.get(action.action_id, NO_RETURN)
        if action.timing_kind == "by" and status not in CLOSED:
            reason = f"due by {action.due.isoformat()} and {status.replace('_', ' ')}"
        elif action.timing_kind == "start" and status in ("not_started", NO_RETURN):
            reason = f"to start by {action.due.isoformat()} and {status.replace('_', ' ')}"
        else:
            continue
        rows.append({**_row(action, status), "days_overdue": (as_of - action.due).days,
                     "reason": reason})
    return _frame(rows, OVERDUE_COLUMNS)


def unfunded_actions(actions: Iterable[Action], statuses: Mapping[str, str]) -> pd.DataFrame:
    """Open actions whose resource is still TBA or has no funding identified.

    Columns :data:`UNFUNDED_COLUMNS`. Complete and dropped actions are left out.
    """
    ordered = _ordered(actions)
    _check_statuses(ordered, statuses)
    rows = []
    for action in ordered:
        status = statuses.get(action.action_id, NO_RETURN)
        if action.resource_status in UNFUNDED and status not in CLOSED:
            rows.append({**_row(action, status), "resource": action.resource,
                         "resource_status": action.resource_status})
    return _frame(rows, UNFUNDED_COLUMNS)


def contradictory_actions(actions: Iterable[Action], statuses: Mapping[str, str],
                          kpi_rag: Mapping[str, str]) -> pd.DataFrame:
    """Actions reported on track while a KPI they serve is red.

    Columns :data:`CONTRADICTION_COLUMNS`; ``linked_kpis`` and ``red_kpis`` are ``;``-joined.
    A KPI with no RAG (no target, no data) is not red.
    """
    ordered = _ordered(actions)
    _check_statuses(ordered, statuses)
    _check_rags(kpi_rag)
    rows = []
    for action in ordered:
        if statuses.get(action.action_id) != "on_track":
            continue
        red = [k for k in action.linked_kpis if kpi_rag.get(k) == "red"]
        if red:
            rows.append({**_row(action, "on_track"), "linked_kpis": ";".join(action.linked_kpis),
                         "red_kpis": ";".join(red)})
    return _frame(rows, CONTRADICTION_COLUMNS)


def status_counts(actions: Iterable[Action], statuses: Mapping[str, str]) -> pd.DataFrame:
    """Number of actions per priority and status (every status listed, zeros included).

    Columns :data:`COUNT_COLUMNS`, priorities in plan order, statuses in :data:`STATUSES`
    order then ``no_return``.
    """
    ordered = _ordered(actions)
    _check_statuses(ordered, statuses)
    rows = []
    for priority in PRIORITIES:
        got = [statuses.get(a.action_id, NO_RETURN) for a in ordered if a.priority == priority]
        for status in (*STATUSES, NO_RETURN):
            rows.append({"priority": priority, "status": status, "actions": got.count(status)})
    return _frame(rows, COUNT_COLUMNS)


def review_actions(actions: Iterable[Action], statuses: Mapping[str, str],
                   kpi_rag: Mapping[str, str], as_of: dt.date) -> ActionReview:
    """All four views at once (see the module docstring)."""
    listed = list(actions)
    return ActionReview(
        overdue=overdue_actions(listed, statuses, as_of),
        unfunded=unfunded_actions(listed, statuses),
        contradictions=contradictory_actions(listed, statuses, kpi_rag),
        status_counts=status_counts(listed, statuses),
    )


def outside_plan(plan: Plan | None, year: int, home_area: str,
                 register: str = FILE_NAME) -> str | None:
    """Why the action register is not followed up for ``home_area`` in the financial year
    starting in ``year`` (one plain sentence), or None when it is: the plan covering that year
    (``plan``) names the register as its ``actions`` and its ``area``, when it names one, is the
    home area."""
    label = fy_label(year)
    if plan is None:
        return f"No plan covers {label}, so there is no action plan to follow up."
    if plan.actions != register:
        return (f"The plan covering {label} ({plan.title}) has no action plan in the "
                "configuration, so none is followed up.")
    if plan.area and plan.area != home_area:
        return (f"The plan covering {label} is another area's, so its action plan is not "
                "followed up here.")
    return None
