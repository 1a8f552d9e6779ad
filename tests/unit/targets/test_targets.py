"""The target catalogue, RAG status, trajectories and the stretch-target reward rule."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from scp_metrics.settings import PROJECT_ROOT
from scp_metrics.targets.plan import (
    RagThresholds,
    RewardRule,
    Target,
    load_targets,
    rag,
    reward_implied,
    stretch_pct_achieved,
    without_stretch_value,
)
from scp_metrics.targets.trajectories import (
    level_at,
    milestone_table,
    seasonal_profile,
    yearly_milestones,
    ytd_share,
)
from tests.conftest import shared_or_skip

CONFIG = PROJECT_ROOT / "config"


@pytest.fixture(scope="module")
def catalogue():
    return load_targets(CONFIG)


def test_every_numeric_target_of_the_plan_is_in_the_catalogue(catalogue):
    got = {t.id: t for t in catalogue.targets}
    expect = {  # id: (indicator, baseline, change_pct, target_value, target period, polarity)
        "all_crime_2010_11": ("all_crime", "2008/09", -18.0, None, "2010/11", "lower"),
        "all_crime_2009_10": ("all_crime", "2008/09", -6.0, None, "2009/10", "lower"),
        "violent_crime_2009_10": ("vap", "2008/09", -5.0, None, "2009/10", "lower"),
        "NI15_2010_11": ("NI15", "2008/09", -5.0, None, "2010/11", "lower"),
        "criminal_damage_2010_11": ("cd_arson", "2008/09", -20.0, None, "2010/11", "lower"),
        "criminal_damage_stretch": ("cd_arson", "2008/09", -26.0, None, "2009/10", "lower"),
        "NI21_2010_11": ("NI21", "2008", None, 30.0, "2010/11", "higher"),
        "NI41_2010_11": ("NI41", "2008", None, 35.0, "2010/11", "lower"),
        "neighbourhood_watch_2010_11": ("neighbourhood_watch_schemes", "2009/10", 25.0, None,
                                        "2010/11", "higher"),
        "community_payback_hours": ("community_payback_hours", None, None, 10000, "2010/11",
                                    "higher"),
        "msg_rank_all_crime": ("all_crime", "2008/09", None, 3, "2010/11", "lower"),
        "msg_rank_violence": ("vap", "2008/09", None, 3, "2010/11", "lower"),
        "msg_rank_criminal_damage": ("cd_arson", "2008/09", None, 3, "2010/11", "lower"),
    }
    for target_id, (ind, base, pct, value, period, polarity) in expect.items():
        t = got[target_id]
        assert (t.indicator, t.baseline_period, t.change_pct, t.target_value, t.target_period,
                t.polarity) == (ind, base, pct, value, period, polarity), target_id
        assert t.is_set and t.plan_quote, target_id
    assert got["NI21_2010_11"].baseline_value == 23.0
    assert got["NI41_2010_11"].baseline_value == 45.0
    assert got["all_crime_year_on_year"].kind == "year_on_year"


def test_the_criminal_damage_stretch_target_carries_its_reward_and_a_stated_counterfactual(
        catalogue):
    t = catalogue.get("criminal_damage_stretch")
    assert t.stretch and t.reward_max_gbp == 550000 and t.reward_deadline == "2010-07-31"
    assert t.without_stretch == {"method": "trend", "years": 3}
    assert t.basis == "count" and "baseline" in t.assumptions.lower()
    assert catalogue.reward_rule == RewardRule(min_pct=60.0, max_pct=100.0)


def test_targets_the_plan_leaves_blank_are_stored_unset_without_numbers(catalogue):
    for target_id in ("NI17_2010_11", "ed_assaults_night_stretch"):
        t = catalogue.get(target_id)
        assert t.status == "unset" and not t.is_set
        assert t.change_pct is None and t.target_value is None and t.baseline_value is None
        assert t.target_for(100.0) is None and t.describe() == "unset in the plan"
    assert "x% to y%" in catalogue.get("NI17_2010_11").plan_quote
    ed = catalogue.get("ed_assaults_night_stretch")
    assert ed.stretch and ed.reward_max_gbp == 550000


def test_every_plan_quote_is_found_in_the_plan():
    text = shared_or_skip("seed", "000_14d0c6c6e874d5a5.txt").read_text().replace("**", "")
    plan = " ".join(text.split())
    for t in load_targets(CONFIG).targets:
        for fragment in t.plan_quote.split(" ... "):
            clean = " ".join(fragment.replace("Our targets for improvement on the 2008/9 baseline "
                                              "figures are: ", "").split())
            assert clean in plan, (t.id, clean)


def test_a_target_with_an_unknown_key_is_refused(tmp_path):
    (tmp_path / "targets.toml").write_text(
        '[[target]]\nid = "x"\ntitle = "x"\nindicator = "all_crime"\npolarity = "lower"\n'
        'change_pct = -5.0\nbaseline = "2008/09"\n')
    with pytest.raises(ValueError, match=re.escape("targets.toml: target 'x': unknown key(s) baseline")):
        load_targets(tmp_path)


def test_target_value_is_the_baseline_moved_by_the_change():
    t = Target(id="t", title="t", indicator="all_crime", polarity="lower", change_pct=-18.0,
               baseline_period="2008/09", target_period="2010/11")
    assert t.target_for(117.0) == pytest.approx(95.94)
    assert t.baseline_fy == 2008 and t.target_fy == 2010


@pytest.mark.parametrize(("actual", "expected"), [
    (90.0, "green"), (100.0, "green"), (104.9, "amber"), (105.0, "amber"), (105.1, "red"),
])
def test_rag_is_green_on_or_better_amber_up_to_5_percent_worse_and_red_beyond(actual, expected):
    assert rag(actual, 100.0, "lower") == expected


def test_rag_for_a_higher_is_better_target_mirrors_it_and_thresholds_are_configurable():
    assert rag(96.0, 100.0, "higher") == "amber"
    assert rag(94.0, 100.0, "higher") == "red"
    assert rag(101.0, 100.0, "higher") == "green"
    loose = RagThresholds(green_max_worse_pct=1.0, amber_max_worse_pct=10.0)
    assert rag(100.5, 100.0, "lower", loose) == "green"
    assert rag(109.0, 100.0, "lower", loose) == "amber"
    assert rag(None, 100.0, "lower") is None


def test_stretch_achieved_is_measured_from_the_projection_without_stretch():
    # Without stretch 100, stretch target 74 (26% lower): 84.4 is 60% of the way.
    assert stretch_pct_achieved(84.4, 100.0, 74.0) == pytest.approx(60.0)
    assert stretch_pct_achieved(74.0, 100.0, 74.0) == pytest.approx(100.0)
    assert stretch_pct_achieved(100.0, 100.0, 74.0) == pytest.approx(0.0)


@pytest.mark.parametrize(("pct", "reward"), [
    (0.0, 0.0), (59.9, 0.0), (60.0, 330000.0), (80.0, 440000.0), (100.0, 550000.0),
    (130.0, 550000.0),
])
def test_reward_is_nothing_below_60_percent_then_pro_rata_to_100(pct, reward):
    assert reward_implied(pct, 550000) == pytest.approx(reward)


def test_projection_without_stretch_is_a_stated_figure_or_a_trend():
    yearly = {2006: 1000.0, 2007: 950.0, 2008: 902.5}
    t = Target(id="s", title="s", indicator="cd_arson", polarity="lower", change_pct=-26.0,
               baseline_period="2008/09", target_period="2009/10", stretch=True,
               without_stretch={"method": "trend", "years": 3})
    value, how = without_stretch_value(t, yearly)
    assert value == pytest.approx(902.5 * 0.95)
    assert "2006/07..2008/09" in how and "-5.0% a year" in how
    stated = Target(**{**t.__dict__, "without_stretch": {"method": "value", "value": 880.0}})
    assert without_stretch_value(stated, yearly) == (880.0, "stated figure")
    flat = Target(**{**t.__dict__, "without_stretch": {"method": "baseline"}})
    assert without_stretch_value(flat, yearly)[0] == 902.5


def test_yearly_milestones_run_in_a_straight_line_from_baseline_to_target():
    assert yearly_milestones(2008, 100.0, 2010, 82.0) == {2009: 91.0, 2010: 82.0}
    assert yearly_milestones(2008, 100.0, 2009, 94.0) == {2009: 94.0}


def test_seasonal_profile_is_the_average_monthly_share_of_recent_complete_years():
    shape = np.array([2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], dtype=float)  # April is double
    index = pd.date_range("2005-04-01", periods=36, freq="MS")
    s = pd.Series(np.tile(shape * 10, 3), index=index)
    profile, how = seasonal_profile(s, 2008)
    assert profile == pytest.approx(shape / 13)
    assert how == "seasonal, 2005/06..2007/08"
    flat, how = seasonal_profile(s, 2005)
    assert flat == pytest.approx(np.full(12, 1 / 12)) and how.startswith("flat")


def test_milestone_table_gives_monthly_and_quarterly_cumulative_trajectories():
    profile = np.array([2] + [1] * 11, dtype=float) / 13
    table = milestone_table({2009: 91.0, 2010: 82.0}, profile)
    q = table[(table["period_type"] == "quarter") & (table["fy"] == "2009/10")]
    assert list(q["period_end"].dt.strftime("%Y-%m-%d")) == [
        "2009-06-30", "2009-09-30", "2009-12-31", "2010-03-31"]
    assert list(q["trajectory_straight"]) == pytest.approx([22.75, 45.5, 68.25, 91.0])
    assert q["trajectory_seasonal"].iloc[0] == pytest.approx(91.0 * 4 / 13)
    assert q["trajectory_seasonal"].iloc[-1] == pytest.approx(91.0)
    assert (table["period_type"] == "month").sum() == 24


def test_year_to_date_share_counts_only_the_months_observed():
    months = [pd.Period("2009-04", "M"), pd.Period("2009-06", "M")]  # May missing
    assert ytd_share(np.full(12, 1 / 12), 2009, months) == pytest.approx(2 / 12)


def test_a_survey_level_moves_in_a_straight_line_between_dates():
    start, end = pd.Timestamp("2008-12-31"), pd.Timestamp("2011-03-31")
    mid = start + (end - start) / 2
    assert level_at(mid, start, 23.0, end, 30.0) == pytest.approx(26.5)
    assert level_at(pd.Timestamp("2012-01-01"), start, 23.0, end, 30.0) == 30.0
