"""The action plan register (``config/action_plan.csv``): the plan's Part 3 actions as data.

One row per action: ``action_id`` (``priority/section/number``), priority (``1``, ``2a``, ``2b``,
``3``), section, objective, number, the action text, lead agency, responsible group, outcome,
measure, the plan's timing as written plus our reading of it (``timing_kind``: ``by`` a date,
``start`` by a date, ``ongoing``, ``none``; ``due``: the ISO date), the resource as written plus
its status (``funded`` ✓, ``part_funded``, ``tba``, ``not_funded``, ``not_stated``), the KPIs it
serves (``;``-separated ids of ``config/kpi_register.toml`` or ``config/indicators.toml``), a
placeholder flag for the draft's unfinished rows, and a note on how an ambiguous row was read.
``docs/action-plan-register.md`` explains the readings.

:func:`read_action_plan` refuses a malformed file naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from scp_metrics.config.catalogue import read_indicators
from scp_metrics.config.kpis import read_kpi_register

FILE_NAME = "action_plan.csv"
COLUMNS = ("action_id", "priority", "section", "objective", "number", "action", "lead_agency",
           "responsible_group", "outcome", "measure", "timing", "timing_kind", "due", "resource",
           "resource_status", "linked_kpis", "placeholder", "note")
PRIORITIES = {
    "1": "Reducing all crime",
    "2a": "Reducing violent crime",
    "2b": "Reducing criminal damage, arson and anti-social behaviour",
    "3": "Increasing the public perception of safety",
}
TIMING_KINDS = ("by", "start", "ongoing", "none")
"""``by``: due by ``due``; ``start``: to start by ``due``; ``ongoing`` and ``none`` (no timing,
or "TBA"): never overdue."""
RESOURCE_STATUSES = ("funded", "part_funded", "tba", "not_funded", "not_stated")


class ActionPlanError(ValueError):
    """The action plan register is malformed; the message names the file, line and column."""


@dataclass(frozen=True)
class Action:
    action_id: str
    priority: str
    section: str
    objective: str
    number: str
    action: str
    lead_agency: str
    responsible_group: str
    outcome: str
    measure: str
    timing: str
    timing_kind: str
    due: dt.date | None
    resource: str
    resource_status: str
    linked_kpis: tuple[str, ...]
    placeholder: bool
    note: str

    @property
    def priority_title(self) -> str:
        return PRIORITIES[self.priority]


@dataclass(frozen=True)
class ActionPlan:
    actions: tuple[Action, ...]

    def __iter__(self) -> Iterator[Action]:
        return iter(self.actions)

    def __len__(self) -> int:
        return len(self.actions)

    def get(self, action_id: str) -> Action:
        for action in self.actions:
            if action.action_id == action_id:
                return action
        raise KeyError(f"no action {action_id!r} in config/{FILE_NAME}")

    def count_by_priority(self) -> dict[str, int]:
        return {p: sum(1 for a in self.actions if a.priority == p) for p in PRIORITIES}


def _choice(value: str, allowed: Collection[str], where: str, column: str) -> str:
    if value not in allowed:
        raise ActionPlanError(f"{where}, column {column}: unknown value {value!r} "
                              f"(known: {', '.join(allowed)})")
    return value


def _due(record: dict[str, str], kind: str, where: str) -> dt.date | None:
    text = record["due"].strip()
    if kind in ("by", "start"):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ActionPlanError(f"{where}, column due: timing_kind {kind!r} needs an ISO date "
                                  f"(YYYY-MM-DD); got {text!r}") from None
    if text:
        raise ActionPlanError(f"{where}, column due: must be empty when timing_kind is {kind!r}")
    return None


def _action(record: dict[str, str], where: str, known_kpis: Collection[str]) -> Action:
    values = {c: (record[c] or "").strip() for c in COLUMNS}
    priority = _choice(values["priority"], PRIORITIES, where, "priority")
    for column in ("section", "number", "action"):
        if not values[column]:
            raise ActionPlanError(f"{where}, column {column}: empty")
    expected_id = f"{priority}/{values['section']}/{values['number']}"
    if values["action_id"] != expected_id:
        raise ActionPlanError(f"{where}, column action_id: {values['action_id']!r} should be "
                              f"{expected_id!r} (priority/section/number)")
    kind = _choice(values["timing_kind"], TIMING_KINDS, where, "timing_kind")
    linked = tuple(k.strip() for k in values["linked_kpis"].split(";") if k.strip())
    unknown = [k for k in linked if k not in known_kpis]
    if unknown:
        raise ActionPlanError(f"{where}, column linked_kpis: unknown KPI {', '.join(unknown)} "
                              "(not in kpi_register.toml or indicators.toml)")
    return Action(
        action_id=expected_id, priority=priority, section=values["section"],
        objective=values["objective"], number=values["number"], action=values["action"],
        lead_agency=values["lead_agency"], responsible_group=values["responsible_group"],
        outcome=values["outcome"], measure=values["measure"], timing=values["timing"],
        timing_kind=kind, due=_due(values, kind, where), resource=values["resource"],
        resource_status=_choice(values["resource_status"], RESOURCE_STATUSES, where,
                                "resource_status"),
        linked_kpis=linked,
        placeholder=_choice(values["placeholder"], ("true", "false"), where,
                            "placeholder") == "true",
        note=values["note"],
    )


def read_action_plan(config_dir: Path, known_kpis: Collection[str] | None = None) -> ActionPlan:
    """Load and validate ``config/action_plan.csv``.

    Parameters
    ----------
    config_dir : pathlib.Path
        The config folder.
    known_kpis : collection of str, optional
        Ids a ``linked_kpis`` entry may name. Default: the ids of ``kpi_register.toml`` and
        ``indicators.toml`` in ``config_dir``.

    Raises
    ------
    ActionPlanError
        When the header differs from :data:`COLUMNS`, a value is outside its vocabulary, a date
        is not ISO, an id does not match priority/section/number or is used twice, or a linked
        KPI is unknown. The message names the file, the line and the column.
    """
    path = Path(config_dir) / FILE_NAME
    if known_kpis is None:
        known_kpis = (set(read_kpi_register(config_dir).ids)
                      | {i.id for i in read_indicators(config_dir)})
    actions: list[Action] = []
    seen: dict[str, int] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = tuple(reader.fieldnames or ())
        if header != COLUMNS:
            raise ActionPlanError(f"{path.name}: the header must be {','.join(COLUMNS)}; got "
                                  f"{','.join(header)}")
        for line, record in enumerate(reader, start=2):
            where = f"{path.name}, line {line}"
            if None in record:
                raise ActionPlanError(f"{where}: more cells than the header has columns")
            action = _action(record, where, known_kpis)
            if action.action_id in seen:
                raise ActionPlanError(f"{where}, column action_id: {action.action_id!r} is "
                                      f"already on line {seen[action.action_id]}")
            seen[action.action_id] = line
            actions.append(action)
    if not actions:
        raise ActionPlanError(f"{path.name}: no actions")
    return ActionPlan(tuple(actions))
