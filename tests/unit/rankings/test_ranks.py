"""Rankings within a Most Similar Group, on a hand-made group of five areas.

Expected values are worked out here by hand or with scipy directly, never with the functions
under test.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from scp_metrics.rankings.funnel import FUNNEL_LABELS, funnel_limits, funnel_significance
from scp_metrics.rankings.ranks import competition_rank, compute_rankings, group_members

# Five areas, rates per 1,000: A 5.9, B 4.0, C 6.0, D 4.6, E 6.0 (C and E tie; E has 6 events).
GROUP = pd.DataFrame({
    "area_code": ["E06000001", "E06000002", "E06000003", "E06000004", "E06000005"],
    "area_name": ["A", "B", "C", "D", "E"],
})
COUNTS = [590, 400, 1200, 230, 6]
POPULATIONS = [100_000, 100_000, 200_000, 50_000, 1_000]
RATE = pd.DataFrame([{"indicator_id": "crime", "measure": "rate", "multiplier": 1000,
                      "polarity": "lower", "unit": "rate per 1,000"}])


def rows(counts=COUNTS, populations=POPULATIONS, start=date(2009, 4, 1), end=date(2010, 3, 31),
         period_type="financial_year", codes=None):
    codes = list(GROUP["area_code"]) if codes is None else codes
    return pd.DataFrame({
        "indicator_id": "crime", "period_type": period_type, "period_start": start,
        "period_end": end, "area_code": codes, "numerator": counts[: len(codes)],
        "denominator": populations[: len(codes)], "population_year": 2008,
    })


def ranked(frame=None, indicators=RATE, members=GROUP):
    out = compute_rankings(rows() if frame is None else frame, indicators, members,
                           group_id="E06000001", focus_area="E06000001")
    return out.set_index("area_name")


def scipy_label(count: int, population: float, pooled: float) -> str:
    """PHE rule from first principles: exact (chi-square) limits below 10 events, Byars from 10;
    significant when the expected count pooled × population lies outside them."""
    expected = pooled * population

    def limits(conf: float) -> tuple[float, float]:
        if count < 10:
            lower = st.chi2.ppf((1 - conf) / 2, 2 * count) / 2 if count else 0.0
            return lower, st.chi2.ppf(1 - (1 - conf) / 2, 2 * count + 2) / 2
        z = st.norm.ppf(1 - (1 - conf) / 2)
        lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
        x1 = count + 1
        return lower, x1 * (1 - 1 / (9 * x1) + z / (3 * math.sqrt(x1))) ** 3

    (lo95, hi95), (lo998, hi998) = limits(0.95), limits(0.998)
    if expected < lo998:
        return "High (0.001)"
    if expected < lo95:
        return "High (0.025)"
    if expected > hi998:
        return "Low (0.001)"
    if expected > hi95:
        return "Low (0.025)"
    return "Not significant"


def test_rank_one_is_the_lowest_rate_and_tied_rates_share_the_better_place():
    out = ranked()
    assert out["rank"].to_dict() == {"B": 1, "D": 2, "A": 3, "C": 4, "E": 4}
    assert set(out["n_areas"]) == {5}
    assert out["missing_members"].isna().all()


def test_a_higher_is_better_indicator_ranks_the_highest_value_first():
    out = ranked(indicators=RATE.assign(polarity="higher"))
    assert out["rank"].to_dict() == {"C": 1, "E": 1, "A": 3, "D": 4, "B": 5}


def test_competition_rank_gives_ties_the_minimum_rank_and_leaves_a_gap():
    assert competition_rank([2.0, 1.0, 2.0, 3.0]).tolist() == [2.0, 1.0, 2.0, 4.0]
    assert np.isnan(competition_rank([1.0, np.nan])[1])


def test_the_group_mean_is_the_simple_mean_and_the_pooled_rate_weights_by_population():
    out = ranked()
    assert out["value"].to_dict() == pytest.approx(
        {"A": 5.9, "B": 4.0, "C": 6.0, "D": 4.6, "E": 6.0})
    assert out["group_mean"].iloc[0] == pytest.approx(26.5 / 5)  # 5.3
    assert out["group_pooled_rate"].iloc[0] == pytest.approx(2426 / 451_000 * 1000)  # 5.379


def test_the_sd_is_the_sample_sd_and_the_band_is_one_sd_either_side_of_the_mean():
    out = ranked()
    sd = math.sqrt((0.6**2 + 1.3**2 + 0.7**2 + 0.7**2 + 0.7**2) / 4)  # 0.938
    assert out["group_sd"].iloc[0] == pytest.approx(sd)
    assert out["band_lower"].iloc[0] == pytest.approx(5.3 - sd)
    assert out["band_upper"].iloc[0] == pytest.approx(5.3 + sd)
    assert out.loc["B", "sd_from_mean"] == pytest.approx(-1.3 / sd)


def test_funnel_labels_match_exact_and_byars_limits_worked_out_with_scipy():
    out = ranked()
    pooled = 2426 / 451_000
    expected = {name: scipy_label(c, n, pooled)
                for name, c, n in zip(GROUP["area_name"], COUNTS, POPULATIONS, strict=True)}
    assert expected == {"A": "High (0.025)", "B": "Low (0.001)", "C": "High (0.001)",
                        "D": "Low (0.025)", "E": "Not significant"}
    assert out["funnel_significance"].to_dict() == expected
    assert set(expected.values()) == set(FUNNEL_LABELS)


def test_the_small_count_is_judged_by_exact_poisson_tails():
    # E: 6 events where the pooled rate expects 5.38; neither tail is below 2.5%.
    expected_count = 2426 / 451_000 * 1_000
    assert st.poisson.sf(5, expected_count) > 0.025  # P(X >= 6)
    assert st.poisson.cdf(6, expected_count) > 0.025  # P(X <= 6)
    assert funnel_significance([6], [1_000], 2426 / 451_000).tolist() == ["Not significant"]
    # 9 events where 2 are expected: P(X >= 9 | 2) = 0.00024 → High (0.001);
    # 7 where 2.5 are expected: P(X >= 7 | 2.5) = 0.014 → High (0.025).
    assert st.poisson.sf(8, 2.0) < 0.001 and 0.001 < st.poisson.sf(6, 2.5) < 0.025
    assert funnel_significance([9, 7], [1_000, 1_000], [0.002, 0.0025]).tolist() == [
        "High (0.001)", "High (0.025)"]


def test_below_ten_events_the_label_is_the_exact_poisson_test_of_the_expected_count():
    counts = np.repeat(np.arange(10), 60)
    expected = np.tile(np.linspace(0.05, 25.0, 60), 10)
    labels = funnel_significance(counts, np.full(counts.shape, 1000.0), expected / 1000.0)
    upper_tail = st.poisson.sf(counts - 1, expected)  # P(X >= O | E)
    lower_tail = st.poisson.cdf(counts, expected)  # P(X <= O | E)
    want = np.select([upper_tail < 0.001, upper_tail < 0.025, lower_tail < 0.001,
                      lower_tail < 0.025],
                     ["High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)"],
                     "Not significant")
    assert labels.tolist() == want.tolist()
    assert {"High (0.001)", "Low (0.001)", "Not significant"} <= set(want)


def test_rate_funnel_limits_are_the_counts_whose_limits_touch_the_expected_count():
    lower, upper = funnel_limits([50_000.0], 0.005, "rate", 0.95)  # expected 250 events
    z = st.norm.ppf(0.975)
    u = upper[0] * 50_000
    assert u * (1 - 1 / (9 * u) - z / (3 * math.sqrt(u))) ** 3 == pytest.approx(250, rel=1e-9)
    v = lower[0] * 50_000 + 1
    assert v * (1 - 1 / (9 * v) + z / (3 * math.sqrt(v))) ** 3 == pytest.approx(250, rel=1e-9)


def test_small_expected_counts_have_exact_funnel_limits_and_no_lower_limit_below_3_69():
    lower, upper = funnel_limits([1_000.0, 1_000.0], [0.003, 0.0035], "rate", 0.95)
    assert st.chi2.ppf(0.025, 2 * upper[0] * 1_000) / 2 == pytest.approx(3.0, rel=1e-9)
    assert lower[0] == 0.0  # a count of 0 has upper limit 3.689 > 3, so nothing is "Low"
    assert lower[1] == 0.0  # likewise for 3.5 expected


def test_proportion_funnel_limits_match_the_phe_closed_form():
    def phe_sigma_adjustment(p, n, average, side):  # PHEindicatormethods sigma_adjustment
        z2 = st.norm.ppf(p) ** 2
        first = average * (n / z2 + 1)
        adj = math.sqrt((-8 * average * (n / z2 + 1)) ** 2 - 64 * (1 / z2 + 1 / n) * average
                        * (n * (average * (n / z2 + 2) - 1) + z2 * (average - 1)))
        last = 1 / z2 + 1 / n
        return ((first - adj / 8) if side == "low" else (first + adj / 8)) / last / n

    for n in (50.0, 500.0, 5_000.0):
        for conf, p in ((0.95, 0.975), (0.998, 0.999)):
            lower, upper = funnel_limits([n], 0.3, "percentage", conf)
            assert lower[0] == pytest.approx(phe_sigma_adjustment(p, n, 0.3, "low"), rel=1e-9)
            assert upper[0] == pytest.approx(phe_sigma_adjustment(p, n, 0.3, "high"), rel=1e-9)


def test_percentages_are_judged_against_wilson_limits_around_the_pooled_proportion():
    z = st.norm.ppf(0.975)
    x, n = 180, 500  # 36% against a pooled 30%
    wilson_lower = (2 * x + z**2 - z * math.sqrt(z**2 + 4 * x * (1 - x / n))) / (2 * (n + z**2))
    assert wilson_lower > 0.30
    assert funnel_significance([x], [n], 0.30, "percentage").tolist() == ["High (0.025)"]
    assert funnel_significance([150], [500], 0.30, "percentage").tolist() == ["Not significant"]


def test_a_period_missing_a_member_is_not_ranked_and_names_who_is_missing():
    frame = rows(codes=list(GROUP["area_code"][:4]))
    out = ranked(frame)
    assert len(out) == 4
    assert out["rank"].isna().all()
    assert set(out["n_areas"]) == {0}
    assert set(out["missing_members"]) == {"E06000005"}
    assert out["group_mean"].isna().all() and out["funnel_significance"].isna().all()


def test_counts_are_not_ranked():
    out = ranked(indicators=RATE.assign(measure="count"))
    assert out.empty


def test_rank_change_compares_with_the_same_period_a_year_earlier():
    this_year = rows()
    last_year = rows(counts=[300, 590, 1200, 230, 6], start=date(2008, 4, 1),
                     end=date(2009, 3, 31))  # last year A 3.0 (1st), B 5.9 (3rd)
    out = compute_rankings(pd.concat([last_year, this_year]), RATE, GROUP, group_id="g",
                           focus_area="E06000002")
    now = out[out["period_start"] == date(2009, 4, 1)].set_index("area_name")
    assert now.loc["A", "rank_same_period_last_year"] == 1
    assert now.loc["A", "rank_change"] == 1 - 3  # two places lost
    assert now.loc["B", "rank_same_period_last_year"] == 3
    assert now.loc["B", "rank_change"] == 3 - 1  # two places gained
    assert now["is_focus"].to_dict()["B"]


def test_the_group_is_the_one_named_after_the_focus_area_and_includes_it():
    membership = pd.DataFrame({
        "group_id": ["E06000045", "E06000045", "E06000044", "E06000044"],
        "area_code": ["E06000044", "E06000023", "E06000045", "E06000026"],
        "area_name": ["Portsmouth", "Bristol", "Southampton", "Plymouth"],
    })
    names = pd.DataFrame({"area_code": ["E06000045"], "area_name": ["Southampton"]})
    group = group_members(membership, "e06000045", names)
    assert group.values.tolist() == [["E06000045", "Southampton"], ["E06000044", "Portsmouth"],
                                     ["E06000023", "Bristol"]]
    assert list(group_members(membership, "E06000044")["area_code"]) == ["E06000044", "E06000045",
                                                                         "E06000026"]
    with pytest.raises(LookupError, match="no Most Similar Group has group_id E06000010"):
        group_members(membership, "E06000010")
