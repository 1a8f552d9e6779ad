"""The board's view of the action plan: overdue, unfunded, contradictory actions and counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scp_metrics.config.actions import Action, read_action_plan
from scp_metrics.targets.actions import (
    NO_RETURN,
    STATUSES,
    contradictory_actions,
    overdue_actions,
    review_actions,
    status_counts,
    unfunded_actions,
)

CONFIG = Path(__file__).resolve().parents[3] / "config"
AS_OF = dt.date(2010, 9, 30)


def action(action_id: str, *, kind: str = "none", due: dt.date | None = None,
           resource: str = "funded", kpis: tuple[str, ...] = ()) -> Action:
    priority, section, number = action_id.split("/")
    return Action(action_id=action_id, priority=priority, section=section, objective="",
                  number=number, action=f"action {action_id}", lead_agency="SCC",
                  responsible_group="PMG", outcome="", measure="", timing="", timing_kind=kind,
                  due=due, resource="", resource_status=resource, linked_kpis=kpis,
                  placeholder=False, note="")


REGISTER = [
    action("3/p/1", kind="by", due=dt.date(2010, 6, 30)),  # past due, on track: overdue
    action("1/g/1", kind="by", due=dt.date(2010, 6, 30)),  # past due, complete: not overdue
    action("1/g/2", kind="by", due=dt.date(2010, 9, 30)),  # due on the as-of date: not yet
    action("1/g/3", kind="ongoing", resource="tba"),  # on-going: never overdue; TBA: unfunded
    action("1/g/4", kind="start", due=dt.date(2010, 4, 30)),  # to start, not started: overdue
    action("1/g/5", kind="start", due=dt.date(2010, 4, 30)),  # to start, started: fine
    action("2a/n/1", kind="by", due=dt.date(2010, 7, 31), kpis=("NI15", "NI20")),  # no return
    action("2a/n/2", kind="none", resource="not_funded", kpis=("NI32",)),
    action("2b/c/1", resource="tba"),  # dropped: not unfunded any more
    action("2b/c/2", resource="part_funded", kpis=("cd_arson",)),
]
STATUS = {"3/p/1": "on_track", "1/g/1": "complete", "1/g/2": "at_risk", "1/g/3": "on_track",
          "1/g/4": "not_started", "1/g/5": "on_track", "2a/n/2": "on_track",
          "2b/c/1": "dropped", "2b/c/2": "on_track"}
RAG = {"NI15": "green", "NI20": "red", "NI32": "red", "cd_arson": "amber"}


def test_overdue_lists_dated_actions_past_their_date_in_plan_order():
    got = overdue_actions(REGISTER, STATUS, AS_OF)
    assert got["action_id"].tolist() == ["1/g/4", "2a/n/1", "3/p/1"]
    assert got["days_overdue"].tolist() == [153, 61, 92]
    assert got["status"].tolist() == ["not_started", NO_RETURN, "on_track"]
    assert got["reason"].tolist() == ["to start by 2010-04-30 and not started",
                                      "due by 2010-07-31 and no return",
                                      "due by 2010-06-30 and on track"]


def test_ongoing_and_undated_actions_are_never_overdue():
    late = dt.date(2030, 1, 1)
    got = overdue_actions(REGISTER, {}, late)
    assert "1/g/3" not in got["action_id"].tolist()
    assert "2a/n/2" not in got["action_id"].tolist()


def test_unfunded_lists_open_actions_still_tba_or_without_funding():
    got = unfunded_actions(REGISTER, STATUS)
    assert got["action_id"].tolist() == ["1/g/3", "2a/n/2"]
    assert got["resource_status"].tolist() == ["tba", "not_funded"]


def test_contradictions_are_on_track_actions_serving_a_red_kpi():
    got = contradictory_actions(REGISTER, STATUS, RAG)
    # 2a/n/1 serves a red KPI but made no return; 2b/c/2's KPI is amber
    assert got["action_id"].tolist() == ["2a/n/2"]
    assert got["red_kpis"].tolist() == ["NI32"]
    with_return = {**STATUS, "2a/n/1": "on_track"}
    got = contradictory_actions(REGISTER, with_return, RAG)
    assert got["action_id"].tolist() == ["2a/n/1", "2a/n/2"]
    assert got.iloc[0][["linked_kpis", "red_kpis"]].tolist() == ["NI15;NI20", "NI20"]


def test_status_counts_cover_every_priority_and_status():
    got = status_counts(REGISTER, STATUS)
    assert len(got) == 4 * (len(STATUSES) + 1)
    table = got.pivot(index="priority", columns="status", values="actions")
    assert table.loc["1"].to_dict() == {"not_started": 1, "on_track": 2, "at_risk": 1,
                                        "complete": 1, "dropped": 0, NO_RETURN: 0}
    assert table.loc["2a", NO_RETURN] == 1
    assert table.loc["2b"].sum() == 2
    assert got.groupby("priority")["actions"].sum().to_dict() == {"1": 5, "2a": 2, "2b": 2, "3": 1}


@pytest.mark.parametrize(
    ("statuses", "rags", "message"),
    [
        ({"9/x/1": "on_track"}, {}, "status for unknown action"),
        ({"1/g/1": "done"}, {}, r"unknown status 1/g/1='done'"),
        ({}, {"NI15": "Red"}, r"unknown RAG NI15='Red'"),
    ],
)
def test_unknown_actions_statuses_and_rags_are_refused(statuses, rags, message):
    with pytest.raises(ValueError, match=message):
        review_actions(REGISTER, statuses, rags, AS_OF)


def test_the_real_register_at_the_end_of_q2_2010_11():
    plan = read_action_plan(CONFIG)
    review = review_actions(plan, {}, {"NI21": "red"}, AS_OF)
    overdue = review.overdue["action_id"].tolist()
    # due by June / July / May 2010, and to start by April or June 2010
    for expected in ("1/management/1", "2a/nte/1", "2a/domestic_abuse/3", "2a/nte/6",
                     "1/management/3", "3/public_confidence/2"):
        assert expected in overdue
    # on-going, undated, due on the as-of day or later
    for not_expected in ("2a/violent_crime/3", "2a/violent_crime/4", "1/management/2",
                         "2a/domestic_abuse/7", "3/public_confidence/1"):
        assert not_expected not in overdue
    assert set(review.unfunded["resource_status"]) == {"tba", "not_funded"}
    assert "2a/nte/15" in review.unfunded["action_id"].tolist()  # "✓ TBA"
    assert review.contradictions.empty  # nothing is reported on track without a return
    assert review.status_counts.groupby("priority")["actions"].sum().to_dict() == \
        plan.count_by_priority()
