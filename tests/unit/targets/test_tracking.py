"""mart_target_tracking on a small hand-made warehouse (in-memory DuckDB)."""

from __future__ import annotations

from statistics import NormalDist

import duckdb
import pandas as pd
import pytest

from scp_metrics.settings import get_settings
from scp_metrics.targets.tracking import COLUMNS
from scp_metrics.warehouse.marts.target_tracking import track_targets

AREA = "E06000045"
POP = 200_000

TARGETS = """
[rag]
trajectory_profile = "seasonal"

[projection]
fallback_order = ["pro_rata"]

[[target]]
id = "count_down_10"
title = "Events 10% lower than 2008/09 in 2009/10"
indicator = "events"
kind = "level"
basis = "count"
baseline_period = "2008/09"
change_pct = -10.0
target_period = "2009/10"
polarity = "lower"
plan_quote = "q"

[[target]]
id = "rate_down_10"
title = "Rate 10% lower"
indicator = "crimes"
basis = "value"
baseline_period = "2008/09"
change_pct = -10.0
target_period = "2009/10"
polarity = "lower"
plan_quote = "q"

[[target]]
id = "stretch_26"
title = "Stretch: 26% lower"
indicator = "events"
basis = "count"
baseline_period = "2008/09"
change_pct = -26.0
target_period = "2009/10"
polarity = "lower"
stretch = true
reward_max_gbp = 550000
without_stretch = { method = "value", value = 1100.0 }
plan_quote = "q"

[[target]]
id = "blank"
title = "from x% to y%"
indicator = "events"
status = "unset"
target_period = "2009/10"
polarity = "lower"
plan_quote = "from x% to y%"

[[target]]
id = "survey_up"
title = "Survey 23% to 30%"
indicator = "survey_pct"
kind = "survey"
baseline_period = "2008"
baseline_value = 23.0
target_value = 30.0
target_period = "2010/11"
polarity = "higher"
plan_quote = "q"

[[target]]
id = "nothing"
title = "No data"
indicator = "not_ingested"
change_pct = 25.0
baseline_period = "2009/10"
target_period = "2010/11"
polarity = "higher"
plan_quote = "q"
"""


def mart_rows(indicator: str, measure: str) -> list[dict]:
    """100 a month to March 2009, then 80 a month from April 2009 to December 2009."""
    rows = []
    months = pd.period_range("2005-04", "2009-12", freq="M")
    for m in months:
        n = 100 if m < pd.Period("2009-04", "M") else 80
        den = POP if measure == "rate" else None
        value = n * 1000 / POP if measure == "rate" else n
        rows.append(dict(indicator_id=indicator, area_code=AREA, period_type="month",
                         period_start=m.start_time.date(), period_end=m.end_time.date(),
                         numerator=n, denominator=den, value=value, ci95_lower=None,
                         ci95_upper=None, population_year=2008))
    for fy in range(2005, 2009):
        den = POP if measure == "rate" else None
        rows.append(dict(indicator_id=indicator, area_code=AREA, period_type="financial_year",
                         period_start=pd.Timestamp(f"{fy}-04-01").date(),
                         period_end=pd.Timestamp(f"{fy + 1}-03-31").date(), numerator=1200,
                         denominator=den, value=1200 * 1000 / POP if measure == "rate" else 1200,
                         ci95_lower=None, ci95_upper=None, population_year=2008))
    return rows


@pytest.fixture
def warehouse(tmp_path):
    (tmp_path / "targets.toml").write_text(TARGETS)
    con = duckdb.connect()
    rows = mart_rows("events", "count") + mart_rows("crimes", "rate")
    rows.append(dict(indicator_id="survey_pct", area_code=AREA, period_type="survey",
                     period_start=pd.Timestamp("2008-09-01").date(),
                     period_end=pd.Timestamp("2008-12-31").date(), numerator=None,
                     denominator=None, value=23.0, ci95_lower=21.04, ci95_upper=24.96,
                     population_year=None))
    mart = pd.DataFrame(rows)
    con.register("m", mart)
    con.execute("create table mart_indicator_values as select * from m")
    ref = pd.DataFrame({"indicator_id": ["events", "crimes", "survey_pct"],
                        "measure": ["count", "rate", "percentage"],
                        "multiplier": [1, 1000, 100], "unit": ["count", "rate per 1,000", "%"],
                        "family": ["events", "events", "survey"]})
    con.register("r", ref)
    con.execute("create table ref_indicators as select * from r")
    settings = get_settings(config_dir=tmp_path, home_area=AREA)
    yield con, settings
    con.close()


def by_id(frame: pd.DataFrame) -> dict:
    return {r["target_id"]: r for r in frame.to_dict("records")}


def test_a_count_target_gets_trajectory_rag_projection_and_probability(warehouse):
    con, settings = warehouse
    frame = track_targets(con, settings, "2009-12")
    assert list(frame.columns) == COLUMNS
    row = by_id(frame)["count_down_10"]
    assert row["as_of"] == pd.Timestamp("2009-12-31").date()
    assert row["baseline_value"] == 1200 and row["baseline_source"] == "data"
    assert row["target_value"] == pytest.approx(1080.0)
    assert row["actual_value"] == 720.0  # nine months of 80
    assert row["trajectory_value"] == pytest.approx(1080 * 9 / 12)  # flat history: flat profile
    assert row["rag"] == "green"
    # Four complete years, two scoreable (ETS needs 24 months before), one of them scored
    # (2008/09, calibrated on 2007/08): too few for the backtest to choose, so the fallback.
    assert row["method"] == "pro_rata" and "could not choose" in row["note"]
    assert row["projected_year_end"] == pytest.approx(960.0)
    # pro_rata was exact on the flat history (every |z| = 0): the raw interval, never narrower
    sd = (3 * 80 * 12 / 9) ** 0.5
    assert row["projection_upper_95"] == pytest.approx(960 + NormalDist().inv_cdf(0.975) * sd)
    assert row["calibration"] == 1.0 and row["calibration_80"] == 1.0
    # 1,080 is 6.7 sd above: none of the 44 earlier errors (2 series x 11 origins x 2007/08,
    # 2008/09) is as large, so P(miss) = (0 + 1/2) / 45 / 2, not 0
    assert row["probability_met"] == pytest.approx(1 - 0.5 / 45 / 2)
    # exact on 2008/09 (the one year scored), so it passed the accuracy test: no caveat
    assert pd.isna(row["projection_caveat"])
    assert "pro_rata met the backtest's accuracy test (2008/09: MAPE 0.00%" in row["note"]
    assert row["assurance"] is None or pd.isna(row["assurance"])
    assert "no SPC limits" in row["note"]


def test_a_rate_target_is_projected_as_counts_per_thousand_residents(warehouse):
    con, settings = warehouse
    row = by_id(track_targets(con, settings, "2009-12"))["rate_down_10"]
    assert row["target_value"] == pytest.approx(6.0 * 0.9)
    assert row["projected_year_end"] == pytest.approx(960 * 1000 / POP)
    assert row["unit"] == "rate per 1,000" and "population 200,000" in row["note"]


def test_the_stretch_target_shows_percent_achieved_and_the_reward_it_implies(warehouse):
    con, settings = warehouse
    row = by_id(track_targets(con, settings, "2009-12"))["stretch_26"]
    # (960 - 1100) / (888 - 1100) = 66.04% of the stretch: pro rata reward.
    assert row["target_value"] == pytest.approx(888.0)
    assert row["without_stretch"] == 1100.0
    assert row["stretch_pct_achieved"] == pytest.approx(100 * 140 / 212)
    assert row["reward_implied"] == pytest.approx(550000 * 140 / 212)
    # Reward needs 60%: at most 1100 - 0.6 × 212 = 972.8; pro-rata sd √(3·80·12/9) = √320.
    assert row["probability_reward"] == pytest.approx(NormalDist().cdf(12.8 / 320**0.5))


def test_unset_survey_and_missing_targets_are_reported_not_invented(warehouse):
    con, settings = warehouse
    rows = by_id(track_targets(con, settings, "2009-12"))
    blank = rows["blank"]
    assert blank["target_value"] is None or pd.isna(blank["target_value"])
    assert blank["note"].startswith('target unset in the plan ("from x% to y%")')
    assert blank["projected_year_end"] == pytest.approx(960.0)  # the projection is still shown
    survey = rows["survey_up"]
    assert survey["method"] == "latest_survey" and survey["actual_value"] == 23.0
    assert survey["rag"] == "red"  # still at the baseline a year on, trajectory rising to 30
    assert survey["probability_met"] < 1e-6
    assert "no survey since the baseline" in survey["note"]
    assert rows["nothing"]["note"].startswith("no data: not_ingested")


def test_assurance_uses_the_latest_spc_limits_when_mart_spc_exists(warehouse):
    con, settings = warehouse
    con.execute("create table mart_spc as select 'events' as indicator_id, '"
                + AREA + "' as area_code, date '2009-12-01' as period_start, 80.0 as value, "
                "60.0 as lpl, 85.0 as upl, 0 as rebase_group, 'xmr' as chart_type, "
                "null::varchar as suggested_recalculation")
    row = by_id(track_targets(con, settings, "2009-12"))["count_down_10"]
    # 1080 a year is 90 a month, above the upper limit: the process will consistently pass.
    assert row["assurance"] == "consistent_pass"
    assert "monthly average (90) against the current process limits 60..85" in row["note"]


def test_assurance_is_not_judged_against_limits_the_process_has_left(warehouse):
    """A process that shifted after its baseline: the old limits (120 ± 2.66 × 4) would call
    the 90-a-month milestone a consistent failure; the verdict is withheld and the note gives
    what the suggested recalculation's limits (82 ± 2.66 × 4 = 71.36..92.64) would say."""
    con, settings = warehouse
    months = pd.date_range("2008-01-01", periods=24, freq="MS")
    values = [118.0, 122.0] * 6 + [80.0, 84.0] * 6
    frame = pd.DataFrame({"indicator_id": "events", "area_code": AREA,
                          "period_start": months.date, "value": values,
                          "lpl": 120 - 2.66 * 4, "upl": 120 + 2.66 * 4, "rebase_group": 0,
                          "chart_type": "xmr", "suggested_recalculation": None})
    frame.loc[12, "suggested_recalculation"] = "suggested recalculation: 12 points below"
    con.register("spc", frame)
    con.execute("create table mart_spc as select * from spc")
    row = by_id(track_targets(con, settings, "2009-12"))["count_down_10"]
    assert row["assurance"] is None or pd.isna(row["assurance"])
    assert "not judged: the process has shifted since its limits were set" in row["note"]
    assert "from 2009-01" in row["note"]
    assert "(71.36..92.64) it would read inconsistent" in row["note"]


def test_assurance_is_not_judged_on_a_run_chart(warehouse):
    con, settings = warehouse
    con.execute("create table mart_spc as select 'events' as indicator_id, '"
                + AREA + "' as area_code, date '2009-12-01' as period_start, 80.0 as value, "
                "null::double as lpl, null::double as upl, 0 as rebase_group, "
                "'run_chart' as chart_type, null::varchar as suggested_recalculation")
    row = by_id(track_targets(con, settings, "2009-12"))["count_down_10"]
    assert row["assurance"] is None or pd.isna(row["assurance"])
    assert "not judged: a run chart" in row["note"]


def test_missing_months_are_stated_in_the_tracking_note(warehouse):
    con, settings = warehouse
    con.execute("delete from mart_indicator_values where indicator_id = 'events' and "
                "period_type = 'month' and period_start = date '2009-07-01'")
    row = by_id(track_targets(con, settings, "2009-12"))["count_down_10"]
    assert row["months_observed"] == 8 and row["months_missing"] == "2009-07"
    assert row["actual_value"] == 640.0
    assert row["trajectory_value"] == pytest.approx(1080 * 8 / 12)  # like for like
    assert "2009-07" in row["note"] and "not filled" in row["note"]


def test_the_mart_is_empty_but_well_formed_when_the_home_area_has_no_months(warehouse):
    from scp_metrics.warehouse.marts.target_tracking import build_target_tracking

    con, settings = warehouse
    con.execute("delete from mart_indicator_values")
    mart = build_target_tracking(con, settings)
    assert mart.empty and list(mart.columns) == COLUMNS
    con.register("mart", mart)
    con.execute("create table t as select * from mart")  # DuckDB accepts the typed columns
    assert con.execute("select count(*) from t").fetchall() == [(0,)]


def test_a_stretch_target_easier_than_the_counterfactual_has_no_percent_achieved(warehouse,
                                                                                 tmp_path):
    con, settings = warehouse
    text = (tmp_path / "targets.toml").read_text().replace("value = 1100.0", "value = 850.0")
    (tmp_path / "targets.toml").write_text(text)
    row = by_id(track_targets(con, settings, "2009-12"))["stretch_26"]
    assert row["without_stretch"] == 850.0
    assert pd.isna(row["stretch_pct_achieved"]) and pd.isna(row["reward_implied"])
    assert "% achieved is undefined" in row["note"]


def test_a_series_whose_backtest_raises_fails_alone(warehouse, monkeypatch):
    # issue 13 item 2 / issue 18: the backtest inside the tracking table never stops the build
    import scp_metrics.targets.evaluation as evaluation

    real = evaluation._raw

    def flaky(counts, *args, **kwargs):
        if float(pd.Series(counts).dropna().iloc[0]) == 100.0 and len(flaky.seen) == 0:
            flaky.seen.append(1)
            raise FloatingPointError("injected")
        return real(counts, *args, **kwargs)

    flaky.seen = []
    monkeypatch.setattr(evaluation, "_raw", flaky)
    con, settings = warehouse
    rows = by_id(track_targets(con, settings, "2009-12"))
    # the pool is sorted: ("crimes", area) is backtested first, and it is the one that raised
    assert rows["rate_down_10"]["series_status"] == "failed"
    assert "projection backtest not computed: FloatingPointError: injected" in \
        rows["rate_down_10"]["note"]
    assert rows["count_down_10"]["series_status"] == "ok"
    assert rows["count_down_10"]["projected_year_end"] == pytest.approx(960.0)
    assert rows["survey_up"]["series_status"] == "ok"


def test_a_backtest_that_raises_as_a_whole_fails_only_the_monthly_targets(warehouse,
                                                                          monkeypatch):
    import scp_metrics.targets.evaluation as evaluation

    def broken(rows):
        raise MemoryError("injected")

    monkeypatch.setattr(evaluation, "score_rows", broken)
    con, settings = warehouse
    frame = track_targets(con, settings, "2009-12")
    assert list(frame.columns) == COLUMNS
    rows = by_id(frame)
    for target in ("count_down_10", "rate_down_10", "stretch_26"):
        assert rows[target]["series_status"] == "failed"
        assert "projection backtest not computed: MemoryError: injected" in rows[target]["note"]
        assert pd.isna(rows[target]["projected_year_end"])
    assert rows["survey_up"]["series_status"] == "ok"
    assert rows["survey_up"]["actual_value"] == pytest.approx(23.0)
