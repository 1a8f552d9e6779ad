"""One refresh of the whole embedded sample (the session's local-engine refresh, shared by the
end-to-end tests): every file loads, and the marts hold the plan's headline figures."""

from __future__ import annotations

import pytest

from tests.conftest import query

pytestmark = pytest.mark.e2e


def test_every_sample_file_loads_and_none_is_refused(sample_refresh):
    _, summary = sample_refresh
    assert summary.quarantined == []
    # 27 quarters x 4 quarterly sources + 11 MARAC quarters + 2 Place Survey + 8 mid-years + MSG
    # (130), + partner returns 2008/09 Q1 to 2009/10 Q3 (7) + action status 2010/11 Q1, Q2 (2)
    assert len(summary.loaded) == len(summary.files) == 130 + 7 + 2
    assert summary.mart_rows["mart_indicator_values"] > 15000
    assert summary.outputs_dir is not None and summary.outputs_dir.endswith("2009-12")


def test_all_crime_is_published_for_all_15_areas_and_every_period_type(sample_refresh):
    settings, _ = sample_refresh
    got = query(settings.warehouse, "select period_type, count(distinct area_code) as areas "
                          "from mart_indicator_values where indicator_id = 'all_crime' "
                          "group by 1 order by 1")
    assert dict(zip(got["period_type"], got["areas"], strict=True)) == {
        "financial_year": 15, "fytd": 15, "month": 1, "quarter": 15, "rolling_12m": 15}


def test_southampton_2008_09_rate_and_the_april_to_december_change_match_the_plan(sample_refresh):
    settings, _ = sample_refresh
    fy = query(settings.warehouse, "select * from mart_indicator_values where indicator_id = 'all_crime' "
                         "and area_code = 'E06000045' and period_type = 'financial_year' and "
                         "period_start = date '2008-04-01'").iloc[0]
    assert fy["population_year"] == 2008
    assert fy["value"] == pytest.approx(fy["numerator"] / fy["denominator"] * 1000, rel=1e-12)
    assert 100 < fy["value"] < 135
    ytd = query(settings.warehouse, "select * from mart_indicator_values where indicator_id = 'all_crime' "
                          "and area_code = 'E06000045' and period_type = 'fytd' and "
                          "period_end = date '2009-12-31'").iloc[0]
    assert -14.0 <= ytd["change_pct"] <= -10.0  # the plan: "reduce the All Crime rate (to Dec 09) by 12%"
    assert ytd["ci95_lower"] < ytd["value"] < ytd["ci95_upper"]
