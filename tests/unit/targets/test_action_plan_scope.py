"""Issue 19: the action plan is followed up only for the plan it belongs to, in that plan's
area and years (a Plymouth 2018/19 report printed the 2010-11 plan's Southampton actions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scp_metrics.config.plans import Plan, PlanError, load_plans
from scp_metrics.settings import DEFAULT_CONFIG_DIR
from scp_metrics.targets.actions import outside_plan

SOUTHAMPTON, PLYMOUTH = "E06000045", "E06000026"


def plan(actions: str = "action_plan.csv", area: str = SOUTHAMPTON) -> Plan:
    return Plan(id="p", title="Safe City Partnership Plan 2010-11", partnership="",
                years=(2009, 2010, 2011), file="plans/p.toml", area=area, actions=actions)


def test_the_register_is_followed_up_only_in_its_plans_years_and_area():
    assert outside_plan(plan(), 2010, SOUTHAMPTON) is None
    assert outside_plan(plan(area=""), 2010, PLYMOUTH) is None  # a plan naming no area
    assert outside_plan(None, 2018, PLYMOUTH) == \
        "No plan covers 2018/19, so there is no action plan to follow up."
    assert outside_plan(plan(actions=""), 2010, SOUTHAMPTON) == (
        "The plan covering 2010/11 (Safe City Partnership Plan 2010-11) has no action plan in "
        "the configuration, so none is followed up.")
    assert outside_plan(plan(), 2010, PLYMOUTH) == \
        "The plan covering 2010/11 is another area's, so its action plan is not followed up here."


def test_the_shipped_plan_owns_the_shipped_register():
    (shipped,) = load_plans(DEFAULT_CONFIG_DIR)
    assert (shipped.actions, shipped.area) == ("action_plan.csv", SOUTHAMPTON)
    assert (Path(DEFAULT_CONFIG_DIR) / shipped.actions).is_file()


def test_a_plan_naming_a_missing_register_is_refused(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "x.toml").write_text(
        '[plan]\nid = "x"\ntitle = "X"\nyears = ["2018/19"]\nactions = "nowhere.csv"\n')
    with pytest.raises(PlanError, match=r"plans/x.toml \[plan\]: actions 'nowhere.csv'"):
        load_plans(tmp_path)
