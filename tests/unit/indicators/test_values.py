"""indicators.values: the significance of the change on the same period last year, per measure."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from scp_metrics.config.catalogue import Indicator
from scp_metrics.indicators.values import MART_COLUMNS, compute_indicator_values
from scp_metrics.stats.change import two_proportion_change_test

RATE = Indicator("crime", "Crime", "rate per 1,000", 1000, "lower", "", "", "")
COUNT = Indicator("night", "Night", "count", 1, "lower", "", "", "", family="ed_night",
                  measure="count")
SHARE = Indicator("share", "Share", "%", 100, "neutral", "", "", "", family="crime_share",
                  measure="percentage")
NAMES = pd.DataFrame({"area_code": ["A"], "area_name": ["Area A"]})


def counts(rows):
    """int_indicator_counts rows: (indicator, start, end, numerator, denominator, population)."""
    return pd.DataFrame([
        {"indicator_id": i, "area_code": "A", "period_type": "fytd", "period_start": s,
         "period_end": e, "numerator": n, "denominator_count": d, "population": pop,
         "population_year": 2008 if pop else None, "source": "record_level"}
        for i, s, e, n, d, pop in rows])


def values(rows):
    frame = compute_indicator_values(counts(rows), [RATE, COUNT, SHARE], NAMES)
    return frame.set_index(["indicator_id", "period_end"])


def test_the_change_columns_are_appended_after_the_existing_ones():
    assert MART_COLUMNS[-4:] == ["value_same_period_last_year", "change_pct", "change_p_value",
                                 "change_verdict"]


def test_a_rate_is_tested_exactly_with_the_populations_as_exposures():
    # East Hampshire, all crime, March 2018 against March 2017 (police.uk, ONS mid-2017 and
    # mid-2016): labelled a significant rise (p = 0.020) by the old square-root test
    frame = values([("crime", "2017-03-01", "2017-03-31", 413, None, 118_705),
                    ("crime", "2018-03-01", "2018-03-31", 464, None, 119_392)])
    row = frame.loc[("crime", pd.Timestamp("2018-03-31").date())]
    want = stats.binomtest(464, 877, 119_392 / (119_392 + 118_705)).pvalue
    assert row["change_p_value"] == pytest.approx(want, rel=1e-12)
    assert round(row["change_p_value"], 3) == 0.105
    assert row["change_verdict"] == "no significant change"


def test_a_large_fall_in_a_rate_is_significant():
    frame = values([("crime", "2008-04-01", "2008-12-31", 20910, None, 234100),
                    ("crime", "2009-04-01", "2009-12-31", 18401, None, 234100)])
    row = frame.loc[("crime", pd.Timestamp("2009-12-31").date())]
    assert row["change_p_value"] == pytest.approx(
        stats.binomtest(18401, 39311, 0.5).pvalue, rel=1e-9)
    assert row["change_verdict"] == "significant fall"
    assert row["change_pct"] == pytest.approx(100 * (18401 / 20910 - 1), rel=1e-12)


def test_a_rate_on_a_larger_population_is_no_change_when_the_rate_is_the_same():
    # 1,000 → 1,050 crimes while the population grows 5%: the same rate
    frame = values([("crime", "2008-04-01", "2008-12-31", 1000, None, 200000),
                    ("crime", "2009-04-01", "2009-12-31", 1050, None, 210000)])
    row = frame.loc[("crime", pd.Timestamp("2009-12-31").date())]
    assert row["change_p_value"] == pytest.approx(1.0)
    assert row["change_verdict"] == "no significant change"


def test_a_count_is_tested_exactly_on_the_two_counts():
    # the robbery example: 263 against 299 (p = 0.14), once "statistically significant"
    frame = values([("night", "2008-04-01", "2008-12-31", 299, None, None),
                    ("night", "2009-04-01", "2009-12-31", 263, None, None)])
    row = frame.loc[("night", pd.Timestamp("2009-12-31").date())]
    assert row["change_p_value"] == pytest.approx(stats.binomtest(263, 562).pvalue, rel=1e-12)
    assert row["change_verdict"] == "no significant change"


def test_a_percentage_uses_the_pooled_two_proportion_z_test():
    frame = values([("share", "2008-04-01", "2008-12-31", 45, 100, None),
                    ("share", "2009-04-01", "2009-12-31", 30, 100, None)])
    row = frame.loc[("share", pd.Timestamp("2009-12-31").date())]
    # pooled p = 75/200 = 0.375; se = √(0.375 × 0.625 × (1/100 + 1/100)) = 0.0684653...
    z = (0.30 - 0.45) / math.sqrt(0.375 * 0.625 * 0.02)  # −2.1909
    assert row["change_p_value"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-12)
    assert row["change_verdict"] == "significant fall"


def test_a_small_change_in_a_percentage_is_not_significant():
    frame = values([("share", "2008-04-01", "2008-12-31", 40, 100, None),
                    ("share", "2009-04-01", "2009-12-31", 45, 100, None)])
    row = frame.loc[("share", pd.Timestamp("2009-12-31").date())]
    assert row["change_verdict"] == "no significant change"
    assert 0.05 < row["change_p_value"] < 1


def test_there_is_no_verdict_without_a_same_period_last_year():
    frame = values([("crime", "2009-04-01", "2009-12-31", 18401, None, 234100)])
    row = frame.iloc[0]
    assert math.isnan(row["change_p_value"])
    assert row["change_verdict"] is None


def test_the_two_proportion_test_matches_statsmodels():
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    cases = [(30, 100, 45, 100), (5, 50, 5, 40), (1178, 5478, 1266, 5890), (0, 10, 3, 12)]
    got = two_proportion_change_test(*map(list, zip(*cases, strict=True)))
    for (x1, n1, x0, n0), z, p in zip(cases, got["z"], got["p_value"], strict=True):
        want_z, want_p = proportion.proportions_ztest([x1, x0], [n1, n0])
        assert (z, p) == pytest.approx((want_z, want_p), rel=1e-9)


def test_equal_proportions_at_zero_are_no_change_and_missing_inputs_no_verdict():
    got = two_proportion_change_test([0, 1], [10, float("nan")], [0, 1], [12, 10])
    assert got["z"].tolist()[0] == 0.0
    assert got["label"][0] == "no significant change"
    assert pd.isna(got["label"][1]) and pd.isna(got["z"][1])
