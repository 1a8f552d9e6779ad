"""The 2010-11 plan's "How did we do" figures out of the mart, on the embedded sample.

The local engine (no Prefect): the sample's sources that these figures need are generated once
into a temporary folder (a subset of sources is byte-identical to the same files of a full
run), then ``run_refresh`` loads them and builds every mart. April–December 2009 against
April–December 2008 is the ``fytd`` row ending 2009-12-31.
"""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from tests.conftest import query

pytestmark = pytest.mark.e2e

HOME = "E06000045"


@pytest.fixture(scope="module")
def warehouse(sample_refresh):
    settings, summary = sample_refresh  # the shared session refresh (tests/e2e/conftest.py)
    assert not summary.quarantined, [f.file for f in summary.quarantined]
    assert settings.home_area == HOME
    return settings.warehouse


@pytest.fixture(scope="module")
def april_to_december(warehouse):
    frame = query(warehouse, """
        select * from mart_indicator_values
        where area_code = ? and period_type = 'fytd'
          and period_start = date '2009-04-01' and period_end = date '2009-12-31'
    """, [HOME])
    return frame.set_index("indicator_id")


@pytest.mark.parametrize(("indicator", "plan_change", "verdict"), [
    ("all_crime", -12, "significant fall"),
    ("vap", -7, "significant fall"),
    ("robbery", -12, "no significant change"),  # 263 against 299: exact p = 0.14
    ("theft_of_motor_vehicle", -26, "significant fall"),
    ("theft_from_motor_vehicle", -36, "significant fall"),
    ("cd_arson", -16, "significant fall"),
    ("dwelling_burglary", 17, "significant rise"),
])
def test_each_crime_figure_matches_the_plan_with_an_interval_and_a_verdict(
        april_to_december, indicator, plan_change, verdict):
    row = april_to_december.loc[indicator]
    assert row["change_pct"] == pytest.approx(plan_change, abs=0.5)
    assert row["ci95_lower"] < row["value"] < row["ci95_upper"]
    assert row["change_verdict"] == verdict
    assert (row["change_p_value"] < 0.05) == verdict.startswith("significant")
    assert row["source"] == "record_level"


def test_vehicle_crime_as_a_whole_falls_significantly(april_to_december):
    row = april_to_december.loc["vehicle_crime"]
    assert row["change_pct"] < -25
    assert row["ci95_lower"] < row["value"] < row["ci95_upper"]
    assert row["change_verdict"] == "significant fall"


def test_all_crime_is_the_sample_count_with_the_exact_change_test(april_to_december):
    row = april_to_december.loc["all_crime"]
    assert row["numerator"] == 18401
    assert row["value_same_period_last_year"] * row["denominator"] / 1000 == pytest.approx(20910)
    # C given C + P is binomial with p = N_C / (N_C + N_P): both years use the same mid-year here
    assert row["change_p_value"] == pytest.approx(stats.binomtest(18401, 39311).pvalue, rel=1e-9)


@pytest.mark.parametrize(("indicator", "plan_value"), [("NI21", 23.0), ("NI41", 45.0)])
def test_the_place_survey_figures_match_the_plan_with_kish_intervals(
        warehouse, indicator, plan_value):
    frame = query(warehouse, "select * from mart_indicator_values where indicator_id = ? "
                             "and period_type = 'survey' order by area_code", [indicator])
    assert len(frame) == 15 and frame["area_code"].is_unique  # every area once
    own = frame.set_index("area_code").loc[HOME]
    assert own["value"] == pytest.approx(plan_value, abs=0.1)
    assert own["ci95_lower"] < own["value"] < own["ci95_upper"]
    assert own["ci95_upper"] - own["ci95_lower"] == pytest.approx(2 * 3.0, abs=1.0)
    assert own["ci_method"] == "Wilson (Kish n_eff)"
    assert own["source"] == "respondent level"
    # one survey wave (2008; then discontinued): no earlier period, so the verdict compares with
    # the national figure the plan quotes (NI 21: 26%, NI 41: 29%)
    assert pd.isna(own["change_pct"])
    assert own["change_verdict"] == {"NI21": "significantly lower than national (26%)",
                                     "NI41": "significantly higher than national (29%)",
                                     "NI17": None}.get(indicator, own["change_verdict"])
    assert set(frame.loc[frame["area_code"] != HOME, "source"]) == {"published headline"}


def test_the_deliberate_2008_09_q2_reconciliation_difference_is_flagged(warehouse):
    findings = query(warehouse, "select * from mart_data_quality where severity = 'warning'")
    reconcile = findings[findings["check_id"] == "reconcile_record_level_vs_csp"]
    assert reconcile[["indicator_id", "area_code"]].values.tolist() == [["all_crime", HOME]]
    row = reconcile.iloc[0]
    assert str(row["period_start"].date()) == "2008-07-01"
    assert row["published_value"] - row["record_level_value"] == 110
    assert row["difference_pct"] > 1.0
    assert "largest code difference: 49 (+110)" in row["message"]
