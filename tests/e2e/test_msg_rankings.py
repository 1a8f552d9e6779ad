"""Southampton's Most Similar Group positions on the full sample (local engine, no Prefect).

The sample is built so that, on rates per 1,000 with the mid-2008 populations, Southampton has
the 2010-11 plan's 2009/10 positions (data/raw/README.md): all crime 13th of 15, violence
against the person 15th, most serious violence (NI 15) 3rd, criminal damage and arson 13th,
in both the rolling year to December 2009 and April-December 2009 (fytd), and 14th on all
crime in 2008/09. Both periods are checked.
"""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import query

pytestmark = pytest.mark.e2e

PLAN = {"all_crime": 13, "vap": 15, "NI15": 3, "cd_arson": 13}
SOUTHAMPTON = "E06000045"


@pytest.fixture(scope="module")
def warehouse(sample_refresh):
    settings, summary = sample_refresh  # the shared session refresh (tests/e2e/conftest.py)
    assert not summary.quarantined
    assert settings.home_area == SOUTHAMPTON
    return str(settings.warehouse)


def rank_csv(capsys, warehouse, *args):
    from scp_metrics.cli import main

    assert main(["rank", *args, "--warehouse", warehouse, "--format", "csv"]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


@pytest.mark.parametrize("period_type", ["rolling_12m", "fytd"])
def test_southampton_has_the_plans_2009_10_positions_in_its_group_of_15(warehouse, period_type):
    ranks = query(warehouse, """
        select indicator_id, rank, n_areas from mart_msg_rankings
        where is_focus and period_type = ? and period_end = date '2009-12-31'
          and indicator_id in ('all_crime', 'vap', 'NI15', 'cd_arson')""", [period_type])
    got = {r.indicator_id: (int(r.rank), int(r.n_areas)) for r in ranks.itertuples()}
    assert got == {k: (v, 15) for k, v in PLAN.items()}


def test_in_2008_09_southampton_was_14th_on_all_crime_and_gained_a_place_since(warehouse):
    rows = query(warehouse, """
        select period_type, rank, rank_same_period_last_year, rank_change from mart_msg_rankings
        where is_focus and indicator_id = 'all_crime' and (
            (period_type = 'financial_year' and period_start = date '2008-04-01')
            or (period_type = 'rolling_12m' and period_end = date '2009-12-31'))
        order by period_type""")
    assert rows.values.tolist() == [["financial_year", 14, 14, 0], ["rolling_12m", 13, 14, 1]]


def test_every_member_is_ranked_and_the_group_statistics_agree_with_the_member_rows(warehouse):
    group = query(warehouse, """
        select * from mart_msg_rankings where indicator_id = 'all_crime'
          and period_type = 'rolling_12m' and period_end = date '2009-12-31' order by rank""")
    assert len(group) == 15 and sorted(group["rank"]) == list(range(1, 16))
    assert group["group_mean"].iloc[0] == pytest.approx(group["value"].mean())
    assert group["group_sd"].iloc[0] == pytest.approx(group["value"].std(ddof=1))
    assert group["group_pooled_rate"].iloc[0] == pytest.approx(
        group["numerator"].sum() / group["denominator"].sum() * 1000)
    assert set(group["population_year"]) == {2008}
    assert group["value"].is_monotonic_increasing
    focus = group[group["is_focus"]].iloc[0]
    assert focus["funnel_significance"] == "High (0.001)"
    assert focus["value"] > focus["band_upper"]  # more than 1 SD above the MSG mean


def test_place_survey_percentages_are_ranked_for_all_15_areas(warehouse):
    survey = query(warehouse, """
        select indicator_id, count(*) as members, min(n_areas) as ranked
        from mart_msg_rankings where period_type = 'survey' group by 1 order by 1""")
    assert survey.values.tolist() == [["NI17", 15, 15], ["NI21", 15, 15], ["NI41", 15, 15]]


def test_rank_over_a_calendar_year_matches_the_rolling_12_month_mart(warehouse, capsys):
    rows = rank_csv(capsys, warehouse, "--indicator", "all_crime", "--period-start", "2009-01",
                    "--period-end", "2009-12")
    assert list(rows[0]) == [
        "area_code", "area_name", "numerator", "population", "population_year", "rate_per_1000",
        "ci95_lower", "ci95_upper", "rank", "n_areas", "group_mean", "group_pooled_rate",
        "group_sd", "sd_from_mean", "funnel_significance", "overdispersion_phi", "funnel_method",
        "funnel_significance_adjusted"]
    mart = query(warehouse, """
        select area_code, numerator, denominator, value, rank, funnel_significance
        from mart_msg_rankings where indicator_id = 'all_crime' and period_type = 'rolling_12m'
          and period_end = date '2009-12-31' order by rank, area_name""")
    assert [r["area_code"] for r in rows] == list(mart["area_code"])
    assert [int(r["numerator"]) for r in rows] == list(mart["numerator"])
    assert [float(r["rate_per_1000"]) for r in rows] == pytest.approx(list(mart["value"]))
    assert [r["funnel_significance"] for r in rows] == list(mart["funnel_significance"])
    southampton = next(r for r in rows if r["area_code"] == SOUTHAMPTON)
    assert (southampton["rank"], southampton["n_areas"]) == ("13", "15")


def test_rank_over_two_quarters_works_and_a_split_quarter_names_the_quarterly_members(
        warehouse, capsys):
    from scp_metrics.cli import main

    rows = rank_csv(capsys, warehouse, "--indicator", "vap", "--period-start", "2009-07",
                    "--period-end", "2009-12")
    assert next(r for r in rows if r["area_code"] == SOUTHAMPTON)["rank"] == "15"
    assert main(["rank", "--indicator", "vap", "--period-start", "2009-08", "--period-end",
                 "2009-12", "--warehouse", warehouse]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "Portsmouth (E06000044) lacks 2009-08 … 2009-09" in err
    assert "financial quarter boundaries" in err


def test_mid_2007_populations_move_the_rates_but_say_which_year_they_used(warehouse, capsys):
    rows = rank_csv(capsys, warehouse, "--indicator", "NI15", "--period-start", "2009-04",
                    "--period-end", "2009-12", "--population-year", "2007")
    assert {r["population_year"] for r in rows} == {"2007"}
    population = query(warehouse, "select population from stg_population where area_code = ? "
                                  "and mid_year = 2007", [SOUTHAMPTON])["population"].iloc[0]
    southampton = next(r for r in rows if r["area_code"] == SOUTHAMPTON)
    assert int(southampton["population"]) == population
    assert float(southampton["rate_per_1000"]) == pytest.approx(
        int(southampton["numerator"]) / population * 1000)
