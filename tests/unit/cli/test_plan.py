"""scp-metrics plan init (issue 16, item 1): a skeleton the loader accepts, baselines filled from
complete years, every target unset; plan peer-features' sheet reading."""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd

from scp_metrics.cli.plan import plan_skeleton
from scp_metrics.config.targets import load_targets
from scp_metrics.settings import DEFAULT_CONFIG_DIR


def baselines() -> pd.DataFrame:
    return pd.DataFrame({
        "indicator_id": ["all_crime", "police_uk:anti-social-behaviour", "NI21", "share"],
        "title": ["All crime", "ASB (police.uk)", "Dealing with concerns", "A share"],
        "polarity": ["lower", "lower", "higher", "neutral"],
        "unit": ["rate per 1,000", "rate per 1,000", "%", "%"],
        "measure": ["rate", "rate", "percentage", "percentage"],
        "baseline_value": [95.25, None, 23.0, 50.0],
        "baseline_numerator": [21000, None, 230, 500],
        "latest_end": pd.to_datetime(["2019-03-31", "2019-02-28", "2019-03-31", "2019-03-31"]),
    })


def test_the_skeleton_loads_with_every_target_unset_and_baselines_where_complete(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config)
    text = plan_skeleton(2019, baselines(), partnership="Test CSP", area_name="Testtown",
                         written=date(2026, 12, 5))
    (config / "plans" / "2019-20.toml").write_text(text)
    catalogue = load_targets(config, year=2019)
    assert catalogue.plan.id == "2019-20" and catalogue.plan.years == (2019,)
    by_id = {t.indicator: t for t in catalogue.targets}
    assert set(by_id) == {"all_crime", "police_uk:anti-social-behaviour", "NI21"}  # not neutral
    assert all(t.status == "unset" and t.target_period == "2019/20" for t in by_id.values())
    assert by_id["all_crime"].baseline_value == 95.25
    assert by_id["all_crime"].baseline_period == "2018/19"
    assert by_id["police_uk:anti-social-behaviour"].baseline_value is None
    assert "data to Feb 2019" in by_id["police_uk:anti-social-behaviour"].assumptions
    assert by_id["NI21"].polarity == "higher"
    assert by_id["all_crime"].describe() == "unset in the plan"


def test_the_skeleton_names_its_area_and_action_register(tmp_path):
    """Issue 19: a new plan follows up its action plan in its own years and area."""
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config)
    text = plan_skeleton(2019, baselines(), partnership="Test CSP", area_name="Testtown",
                         written=date(2026, 12, 5), area_code="E06000045",
                         actions="action_plan.csv")
    (config / "plans" / "2019-20.toml").write_text(text)
    plan = load_targets(config, year=2019).plan
    assert (plan.area, plan.actions) == ("E06000045", "action_plan.csv")
    bare = plan_skeleton(2019, baselines(), partnership="Test CSP", area_name="Testtown",
                         written=date(2026, 12, 5))
    assert "area =" not in bare.split("[[target]]")[0] and "actions =" not in bare
