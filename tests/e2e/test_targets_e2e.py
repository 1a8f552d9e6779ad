"""Targets, projections and the backtest on the full embedded sample (local engine, no Prefect)."""

from __future__ import annotations

import io
import re
import time

import pandas as pd
import pytest

pytestmark = pytest.mark.e2e

#: Every numeric target of the plan that the sample has data for (NI 17 and Stretch Target 5 are
#: unset in the plan; Neighbourhood Watch and Community Payback are judged on partner returns).
PROJECTED = ["all_crime_2010_11", "all_crime_year_on_year", "all_crime_2009_10",
             "violent_crime_2009_10", "NI15_2010_11", "criminal_damage_2010_11",
             "criminal_damage_stretch", "NI21_2010_11", "NI41_2010_11"]


@pytest.fixture(scope="module")
def warehouse(sample_refresh):
    settings, summary = sample_refresh  # the shared session refresh (tests/e2e/conftest.py)
    assert summary.quarantined == []
    return settings


def run_cli(capsys, *argv: str) -> str:
    from scp_metrics.cli import main

    capsys.readouterr()
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_the_refresh_tracks_every_target_as_of_the_latest_month(warehouse):
    from scp_metrics.warehouse import connect

    con = connect(warehouse.warehouse, read_only=True)
    try:
        mart = con.execute("select * from mart_target_tracking").df()
    finally:
        con.close()
    assert set(mart["as_of"].astype(str)) == {"2009-12-31"}
    assert len(mart) == len(set(mart["target_id"])) >= len(PROJECTED)


def test_as_of_december_2009_every_numeric_target_has_projection_interval_rag_probability(
        warehouse, capsys):
    out = run_cli(capsys, "project", "--as-of", "2009-12", "--format", "csv",
                  "--warehouse", str(warehouse.warehouse))
    frame = pd.read_csv(io.StringIO(out)).set_index("target_id")
    for target_id in PROJECTED:
        row = frame.loc[target_id]
        for column in ("projected_year_end", "projection_lower_80", "projection_upper_80",
                       "projection_lower_95", "projection_upper_95", "target_value",
                       "trajectory_value", "actual_value", "probability_met"):
            assert pd.notna(row[column]), (target_id, column)
        assert row["rag"] in {"green", "amber", "red"}, target_id
        assert isinstance(row["method"], str) and row["method"], target_id
        assert (row["projection_lower_95"] <= row["projection_lower_80"]
                <= row["projected_year_end"] <= row["projection_upper_80"]
                <= row["projection_upper_95"]), target_id
        assert 0.0 <= row["probability_met"] <= 1.0, target_id
    for target_id in ("all_crime_2010_11", "NI15_2010_11", "criminal_damage_2010_11"):
        row = frame.loc[target_id]  # a 2010/11 target: the year itself forecast by a model
        assert row["assessed_period"] == "2009/10"
        assert (row["target_year_lower_95"] < row["target_year_projection"]
                < row["target_year_upper_95"]), target_id
        assert 0.0 <= row["probability_met_target_year"] <= 1.0, target_id
    # The plan's 2009/10 story: all crime about 12% down on 2008/09 by the year end.
    all_crime = frame.loc["all_crime_2009_10"]
    assert all_crime["projected_year_end"] / all_crime["baseline_value"] == pytest.approx(
        0.88, abs=0.03)
    assert all_crime["probability_met"] > 0.95  # the 6% target


def test_the_criminal_damage_stretch_target_shows_percent_achieved_and_reward(warehouse,
                                                                               capsys):
    out = run_cli(capsys, "project", "--as-of", "2009-12", "--format", "csv",
                  "--target", "criminal_damage_stretch", "--warehouse",
                  str(warehouse.warehouse))
    row = pd.read_csv(io.StringIO(out)).iloc[0]
    assert row["stretch"] and row["reward_max_gbp"] == 550000
    assert pd.notna(row["without_stretch"]) and pd.notna(row["stretch_pct_achieved"])
    assert pd.notna(row["reward_implied"]) and 0 <= row["reward_implied"] <= 550000
    assert pd.notna(row["probability_reward"])
    assert "projection without stretch: log-linear trend" in row["note"]


def test_unset_and_untracked_targets_say_why(warehouse, capsys):
    out = run_cli(capsys, "project", "--as-of", "2009-12", "--format", "csv",
                  "--warehouse", str(warehouse.warehouse))
    frame = pd.read_csv(io.StringIO(out)).set_index("target_id")
    for target_id in ("NI17_2010_11", "ed_assaults_night_stretch"):
        assert frame.loc[target_id, "note"].startswith("target unset in the plan")
        assert pd.isna(frame.loc[target_id, "target_value"])
    # 2010/11's 10,000 hours: the returns (issue 19) reach 2009/10 Q3 only
    # (no RAG yet); the year itself is forecast from the latest four quarters (3,400, 4,800,
    # 5,100, 5,100 hours: mean 4,600, so 18,400 for four quarters)
    assert frame.loc["community_payback_hours", "note"].startswith(
        "partner returns: judged in 2010/11 only (latest return 2009/10 Q3); 2010/11 forecast "
        "from the year to date (0) plus 4 quarters at the mean of the latest 4 quarters")
    assert pd.isna(frame.loc["community_payback_hours", "rag"])
    assert frame.loc["community_payback_hours", "target_year_projection"] == 18_400


def test_the_backtest_csv_has_the_agreed_columns_and_runs_within_a_minute(warehouse, capsys):
    started = time.monotonic()
    out = run_cli(capsys, "backtest", "--format", "csv", "--warehouse", str(warehouse.warehouse))
    seconds = time.monotonic() - started
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["indicator_id", "area_code", "method", "n", "mape",
                                   "bias_pct", "coverage_80", "coverage_95", "chosen",
                                   "interval_score"]
    scored = table[table["n"] > 0]
    assert {"all_crime", "vap", "cd_arson", "ed_assaults_night"} <= set(scored["indicator_id"])
    assert set(scored["method"]) == {"pro_rata", "seasonal_share", "carry_forward",
                                     "poisson_glm", "ets"}
    assert (scored.groupby(["indicator_id", "area_code"])["chosen"].sum() == 1).all()
    assert seconds < 90, seconds
    # the issue's acceptance: the chosen methods' out-of-sample coverage and MAPE
    out = run_cli(capsys, "backtest", "--warehouse", str(warehouse.warehouse))
    # 462 projections: 81.8% is 378 inside the 80% interval, 82.0% 379 (one projection lies on
    # its interval's edge, and which side depends on the CPU's LAPACK path); 97.0% is 448
    found = re.search(r"coverage ([0-9.]+)% at 80% \(acceptance 75-88%\), ([0-9.]+)% at 95% "
                      r"\(90-99%\)", " ".join(out.split()))
    assert found, out
    assert 81.8 <= float(found[1]) <= 82.0 and float(found[2]) == 97.0
    assert "-> meets the acceptance" in " ".join(out.split())
