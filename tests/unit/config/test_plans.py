"""Plans per year (issue 16, item 1): one file per plan, the plan covering a year chosen, and a
year no plan covers said as such (not as a blank target)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scp_metrics.config.plans import PlanError, load_plans, plan_for_year
from scp_metrics.config.targets import load_targets
from scp_metrics.settings import DEFAULT_CONFIG_DIR

CONFIG = DEFAULT_CONFIG_DIR


def test_the_2010_11_plan_is_one_file_with_its_targets_quotes_and_comparators():
    (plan,) = load_plans(CONFIG)
    assert plan.id == "2010-11" and plan.years == (2009, 2010, 2011)
    assert plan.years_label == "2009/10 to 2011/12"
    assert len(plan.targets) == 18  # 16 + the two 2009/10 local-measure targets (issue 19)
    assert [p.key for p in plan.priorities] == ["all_crime", "violent_crime", "criminal_damage",
                                                "perceptions"]
    assert plan.priority("all_crime").we_said.startswith("in the 2009-2012 Plan")
    assert plan.comparator("NI21").value == 26.0 and plan.comparator("NI41").value == 29.0
    # issue 19 item 6: the partner KPIs whose figures the plan's "we did" quotes
    assert plan.priority("criminal_damage").returns == (
        "NI111", "acceptable_behaviour_contracts", "acceptable_behaviour_contract_breaches")
    assert plan.priority("perceptions").returns == ("neighbourhood_watch_schemes",
                                                    "community_payback_hours")
    # nothing left in targets.toml but the method settings
    assert "[[target]]" not in (CONFIG / "targets.toml").read_text()


def test_a_year_picks_the_plan_that_covers_it():
    covered = load_targets(CONFIG, year=2009)
    assert covered.plan is not None and covered.plan.id == "2010-11"
    assert len(covered.targets) == 18 and covered.no_target_sentence is None
    assert {t.plan_id for t in covered.targets} == {"2010-11"}
    uncovered = load_targets(CONFIG, year=2018)
    assert uncovered.targets == [] and uncovered.plan is None
    assert uncovered.no_target_sentence == "no target set for 2018/19"
    assert len(load_targets(CONFIG).targets) == 18  # no year: every plan's


def copy_config(tmp_path: Path) -> Path:
    shutil.copytree(CONFIG, tmp_path / "config")
    return tmp_path / "config"


def test_two_plans_each_cover_their_own_years(tmp_path):
    config = copy_config(tmp_path)
    (config / "plans" / "2019-20.toml").write_text(
        '[plan]\nid = "2019-20"\ntitle = "Plan 2019-20"\nyears = ["2019/20"]\n\n'
        '[[target]]\nid = "asb_2019_20"\ntitle = "ASB down 5%"\nindicator = "police_uk:anti-social-behaviour"\n'
        'polarity = "lower"\nchange_pct = -5.0\nbaseline_period = "2018/19"\ntarget_period = "2019/20"\n')
    plans = load_plans(config)
    assert [p.id for p in plans] == ["2010-11", "2019-20"]
    assert plan_for_year(plans, 2019).id == "2019-20" and plan_for_year(plans, 2012) is None
    assert [t.id for t in load_targets(config, year=2019).targets] == ["asb_2019_20"]
    assert load_targets(config, year=2012).no_target_sentence == "no target set for 2012/13"


@pytest.mark.parametrize(("text", "message"), [
    ('[plan]\nid = "x"\ntitle = "x"\nyears = ["2019/21"]\n',
     "plans/x.toml [plan] years: '2019/21' is not a financial year written like 2010/11"),
    ('[plan]\nid = "x"\ntitle = "x"\nyears = ["2010/11"]\n',
     "plans/x.toml: 2010/11 is also covered by plans/2010-11.toml; a year belongs to one plan"),
    ('[plan]\nid = "x"\ntitle = "x"\nyears = ["2030/31"]\nowner = "me"\n',
     "plans/x.toml [plan]: unknown key(s) owner"),
    ('[plan]\nid = "x"\nyears = ["2030/31"]\n', "plans/x.toml [plan]: missing key(s) title"),
    ('[plan]\nid = "x"\ntitle = "x"\nyears = ["2030/31"]\n[[comparator]]\nindicator = "NI21"\n'
     'value = "high"\nunit = "%"\n', "plans/x.toml [[comparator]] 1: value must be a number"),
    ('[plan]\nid = "x"\ntitle = "x"\nyears = ["2030/31"]\n[[target]]\nid = "t"\ntitle = "t"\n'
     'indicator = "all_crime"\npolarity = "down"\n',
     "plans/x.toml: target 't': polarity must be one of lower, higher, not 'down'"),
    ('[plan]\nid = "x"\ntitle = "x"\nyears = ["2030/31"]\n[[priority]]\nkey = "p"\ntitle = "p"\n'
     'returns = ["NI15"]\n',  # NI 15 is computed here, not a partner's return
     "plans/x.toml [[priority]] 1: returns 'NI15' is not a partner-return KPI of "
     "config/kpi_register.toml"),
    ('[plan]\nid = "x"\ntitle = "x"\nyears = ["2030/31"]\n[[priority]]\nkey = "p"\ntitle = "p"\n'
     'returns = "NI111"\n', "plans/x.toml [[priority]] 1: returns must be a list of indicator ids"),
])
def test_bad_plans_are_refused_naming_file_and_key(tmp_path, text, message):
    config = copy_config(tmp_path)
    (config / "plans" / "x.toml").write_text(text)
    with pytest.raises((PlanError, ValueError), match=re.escape(message)):
        load_targets(config, year=2030)
