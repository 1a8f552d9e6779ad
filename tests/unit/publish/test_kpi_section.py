"""Issue 19: the verdict table's rows for the partner KPIs' targets (never 'unset in the plan')."""

from __future__ import annotations

import pandas as pd

from scp_metrics.publish.report.kpi_section import partner_targets, with_partner_rags
from scp_metrics.settings import DEFAULT_CONFIG_DIR


def test_partner_targets_are_judged_from_the_kpi_mart_and_keep_the_plans_words():
    tracking = pd.DataFrame({
        "target_id": ["community_payback_hours_2009_10", "neighbourhood_watch_2010_11", "x"],
        "rag": [None, None, "red"], "actual_value": [None, None, 3.0],
        "milestone_value": [None, None, 2.0], "target_value": [None, None, 1.0],
        "assessed_period": [None, None, "2009/10"], "as_of": [None, None, None],
        "unit": [None, None, "count"]})
    judged = pd.DataFrame({"target_id": ["community_payback_hours_2009_10"], "rag": ["green"],
                           "target_value": [10_000.0], "expected_value": [7_500.0],
                           "actual_judged": [15_000.0], "judged_period": ["2009/10 Q3"],
                           "period_end": [pd.Timestamp("2009-12-31")], "unit": ["count"]})
    words = partner_targets(DEFAULT_CONFIG_DIR)
    assert words["neighbourhood_watch_2010_11"] == "+25% on 2009/10 by 2010/11"
    out = with_partner_rags(tracking, judged, words).set_index("target_id")
    cp = out.loc["community_payback_hours_2009_10"]
    assert (cp["rag"], cp["actual_value"], cp["milestone_value"], cp["target_value"]) == \
        ("green", 15_000.0, 7_500.0, 10_000.0)
    assert out.loc["neighbourhood_watch_2010_11", "target_value"] == "+25% on 2009/10 by 2010/11"
    assert out.loc["x", "rag"] == "red" and out.loc["x", "actual_value"] == 3.0  # untouched
