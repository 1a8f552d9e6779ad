"""Directly standardised rates against PHEindicatormethods' own test data.

The inputs and expected results are verbatim copies of sheets of
``tests/testthat/testdata_DSR_ISR.xlsx`` in ukhsa-collaboration/PHEindicatormethods @
093fd288d8f8949dbcfbed70049dbbf385b6141d (see ``tests/fixtures/peer_vectors/README.md``), the
figures its ``testDSRs.R`` checks ``calculate_dsr`` against.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scp_metrics.config.standard_populations import (
    StandardPopulationError,
    read_standard_populations,
)
from scp_metrics.stats.dsr import (
    band_totals,
    compare_dsrs,
    dsr,
    dsr_nonindependent,
    dsr_table,
    dsr_variance,
)
from scp_metrics.stats.intervals import rate_ci

REPO = Path(__file__).resolve().parents[3]
PHE = REPO / "tests" / "fixtures" / "peer_vectors" / "PHEindicatormethods"
CONFIG = REPO / "config"
FULL_PRECISION = 1e-12  # the results sheet holds full doubles for the independent-events rows
EIGHT_DECIMALS = 5e-9  # the non-independent rows are published to 8 decimal places
LIMIT_COLUMNS = {0.95: ("lower95_0cl", "upper95_0cl"), 0.998: ("lower99_8cl", "upper99_8cl")}


def phe(name: str) -> pd.DataFrame:
    return pd.read_csv(PHE / f"testdata_DSR_ISR__{name}.csv")


@pytest.fixture(scope="module")
def esp2013() -> np.ndarray:
    return pd.read_csv(PHE / "esp2013.csv")["esp2013"].to_numpy(dtype=float)


@pytest.fixture(scope="module")
def results() -> pd.DataFrame:
    frame = phe("testresults_DSR")
    frame["multiplier"] = frame["statistic"].str.extract(r"per (\d+)", expand=False).astype(float)
    # the rows whose DSR is suppressed say "NA" instead of the multiplier: the sheet lists
    # 10,000 rows first, then 100,000 ones (rows 1-4 and 5-8, as testDSRs.R slices them)
    frame.loc[[2], "multiplier"] = 10_000
    frame.loc[[6, 11], "multiplier"] = 100_000
    return frame


def expected_row(results: pd.DataFrame, area: str, multiplier: float) -> pd.Series:
    rows = results[(results["area"] == area) & (results["multiplier"] == multiplier)]
    assert len(rows) == 1, (area, multiplier)
    return rows.iloc[0]


@pytest.mark.parametrize("multiplier", [10_000, 100_000])
@pytest.mark.parametrize("conf", [0.95, 0.998])
@pytest.mark.parametrize("area", ["testdata_big", "testdata_small"])
def test_dsr_and_dobson_limits_equal_phe_test_results(results, esp2013, area, multiplier, conf):
    data = phe("testdata_multiarea").query("area == @area")
    got = dsr(data["count"], data["pop"], esp2013, multiplier=multiplier, conf=conf)
    want = expected_row(results, area, multiplier)
    lower_col, upper_col = LIMIT_COLUMNS[conf]
    assert got.total_count == want["total_count"]
    assert got.total_pop == want["total_pop"]
    assert got.value == pytest.approx(want["value"], rel=FULL_PRECISION)
    assert got.lower == pytest.approx(want[lower_col], rel=FULL_PRECISION)
    assert got.upper == pytest.approx(want[upper_col], rel=FULL_PRECISION)
    assert (got.statistic, got.method) == (want["statistic"], want["method"])


@pytest.mark.parametrize("multiplier", [10_000, 100_000])
def test_fewer_than_ten_events_give_no_dsr_and_say_why(results, esp2013, multiplier):
    data = phe("testdata_multiarea").query("area == 'testdata_tiny'")
    assert data["count"].isna().sum() == 1  # one band's count is missing and counts as zero
    got = dsr(data["count"], data["pop"], esp2013, multiplier=multiplier)
    want = expected_row(results, "testdata_tiny", multiplier)
    assert (got.total_count, got.total_pop) == (want["total_count"], want["total_pop"]) == (9, 8970)
    assert math.isnan(got.value) and math.isnan(got.lower) and math.isnan(got.upper)
    assert got.statistic == want["statistic"] == "dsr NA for total count < 10"


@pytest.mark.parametrize("multiplier", [10_000, 100_000])
def test_dsr_on_the_1976_european_standard_equals_phe(results, multiplier):
    data = phe("testdata_1976")
    got = dsr(data["count"], data["pop"], data["esp1976"], multiplier=multiplier)
    want = expected_row(results, "testdata_1976", multiplier)
    # Only the 95% limits: the sheet's 99.8% cells for this row are ten times the rest of the
    # row (its per-10,000 cell holds the per-100,000 figure) and testDSRs.R never reads them.
    assert got.total_count == want["total_count"] == 804
    assert got.value == pytest.approx(want["value"], rel=FULL_PRECISION)
    assert got.lower == pytest.approx(want["lower95_0cl"], rel=FULL_PRECISION)
    assert got.upper == pytest.approx(want["upper95_0cl"], rel=FULL_PRECISION)


@pytest.mark.parametrize("conf", [0.95, 0.998])
@pytest.mark.parametrize(
    "area", ["testdata_nonind_big", "testdata_nonind_dummy", "testdata_nonind_small",
             "testdata_nonind_tiny"])
def test_nonindependent_events_widen_the_limits_as_phe_does(results, esp2013, area, conf):
    data = phe("testdata_nonindepe").query("area == @area")
    persons = data[["f1", "f2", "f3", "f4"]].to_numpy(dtype=float).T
    got = dsr_nonindependent(persons, [1, 2, 3, 4], data["pop"], esp2013, conf=conf)
    want = expected_row(results, area, 100_000)
    assert got.total_count == want["total_count"]
    assert got.method == want["method"]
    lower_col, upper_col = LIMIT_COLUMNS[conf]
    if math.isnan(want["value"]):
        assert math.isnan(got.value) and got.statistic == want["statistic"]
        return
    assert got.value == pytest.approx(want["value"], abs=EIGHT_DECIMALS)
    assert got.lower == pytest.approx(want[lower_col], abs=EIGHT_DECIMALS)
    assert got.upper == pytest.approx(want[upper_col], abs=EIGHT_DECIMALS)
    events = (np.nan_to_num(persons) * np.array([[1], [2], [3], [4]])).sum(axis=0)
    independent = dsr(events, data["pop"], esp2013, conf=conf)
    assert got.value == independent.value
    assert got.lower < independent.lower and got.upper > independent.upper


def test_dsr_table_gives_one_row_per_group_in_order(esp2013):
    data = phe("testdata_multiarea")
    data["standard"] = np.tile(esp2013, 3)
    table = dsr_table(data.sample(frac=1.0, random_state=3), ["area"], count="count",
                      population="pop", standard="standard")
    assert table["area"].tolist() == ["testdata_big", "testdata_small", "testdata_tiny"]
    for row in table.itertuples(index=False):
        part = data[data["area"] == row.area]
        one = dsr(part["count"], part["pop"], part["standard"])
        assert row.total_count == one.total_count
        assert row.value == pytest.approx(one.value, rel=1e-14, nan_ok=True)


def test_dsr_table_names_the_group_of_a_bad_row(esp2013):
    data = phe("testdata_multiarea")
    data["standard"] = np.tile(esp2013, 3)
    data.loc[20, "pop"] = 0
    with pytest.raises(ValueError, match=r"'area': 'testdata_small'.*populations\[1\]"):
        dsr_table(data, ["area"], population="pop", standard="standard")


def test_uniform_age_specific_rate_gives_that_rate_and_the_crude_limits(esp2013):
    # every band has 3 events per 1,000 people and its population proportional to the
    # standard: the DSR is the crude rate and Dobson's limits reduce to the crude rate's
    pop = esp2013 * 2
    counts = pop * 0.003
    got = dsr(counts, pop, esp2013, multiplier=1000)
    value, lower, upper, method = rate_ci(counts.sum(), pop.sum(), multiplier=1000)
    assert method == "Byars"
    assert got.value == pytest.approx(3.0, rel=1e-12) == pytest.approx(value, rel=1e-12)
    assert got.lower == pytest.approx(lower, rel=1e-12)
    assert got.upper == pytest.approx(upper, rel=1e-12)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(counts={5: -26}), r"counts\[5\] must be greater than or equal to zero"),
        (dict(pop={1: 0}), r"populations\[1\] must be greater than zero"),
        (dict(pop={1: -558}), r"populations\[1\] must be greater than zero"),
        (dict(pop={2: np.nan}), r"populations\[2\] is missing"),
        (dict(std={5: -6000}), r"standard\[5\] must be greater than or equal to zero"),
    ],
)
def test_bad_bands_are_refused_naming_the_argument_and_band(esp2013, change, message):
    data = phe("testdata_multiarea").query("area == 'testdata_big'")
    counts = data["count"].to_numpy(dtype=float, copy=True)
    pop = data["pop"].to_numpy(dtype=float, copy=True)
    std = esp2013.copy()
    for name, arr in (("counts", counts), ("pop", pop), ("std", std)):
        for i, v in change.get(name, {}).items():
            arr[i] = v
    with pytest.raises(ValueError, match=message):
        dsr(counts, pop, std)


def test_band_count_mismatch_and_bad_options_are_refused(esp2013):
    with pytest.raises(ValueError, match="standard has 19 bands but the counts have 2"):
        dsr([10, 20], [100, 200], esp2013)
    with pytest.raises(ValueError, match="conf must be in the open interval"):
        dsr([10, 20], [100, 200], [1, 1], conf=95)
    with pytest.raises(ValueError, match="multiplier must be greater than zero"):
        dsr([10, 20], [100, 200], [1, 1], multiplier=0)
    with pytest.raises(ValueError, match="frequencies must be distinct"):
        dsr_nonindependent([[1, 2], [3, 4]], [1, 1], [100, 200], [1, 1])


def test_config_standard_populations_are_the_published_ones(esp2013):
    standards = read_standard_populations(CONFIG)
    assert standards["esp2013"].population == tuple(esp2013)
    assert standards["esp1976"].population == tuple(phe("testdata_1976")["esp1976"].astype(float))
    assert standards["esp2013"].bands[-1] == (90, None)
    assert standards["esp1976"].bands[-1] == (85, None)
    assert standards["esp1976"].total == standards["esp2013"].total == 100_000


def test_a_gap_in_a_standards_bands_is_refused_naming_file_line_and_column(tmp_path):
    text = (CONFIG / "standard_populations.csv").read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace(",10,14,", ",11,14,")  # line 4 of the file: esp1976 10-14
    (tmp_path / "standard_populations.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(StandardPopulationError,
                       match=r"standard_populations.csv, line 4, column age_from"):
        read_standard_populations(tmp_path)


def test_band_totals_sums_single_years_into_the_standards_bands():
    ages = pd.Series(np.arange(91, dtype=float) + 1.0, index=np.arange(91))  # age a holds a + 1
    esp2013 = read_standard_populations(CONFIG)["esp2013"]
    totals = band_totals(ages, esp2013.bands)
    assert totals[0] == 1 + 2 + 3 + 4 + 5
    assert totals[-2] == sum(a + 1 for a in range(85, 90))
    assert totals[-1] == 91  # "90+" read as age 90
    assert totals.sum() == sum(range(1, 92))


def test_band_totals_refuses_ages_that_no_band_holds():
    with pytest.raises(ValueError, match="age 5 lies in no band"):
        band_totals(pd.Series([1.0, 1.0], index=[0, 5]), [(0, 4)])


# ------------------------------------------------------------ comparing two DSRs (NI 39's change)
#
# Worked by hand (exact fractions), two bands, standard weights 60 and 40 (0.6 and 0.4 once
# normalised):
#   this year  x = (30, 50), n = (10,000, 5,000): DSR = 0.6·0.003 + 0.4·0.010 = 0.0058 (580 per
#              100,000); var = 0.36·30/10,000² + 0.16·50/5,000² = 107/250,000,000;
#              var / DSR² = 107/8,410
#   last year  x = (20, 40), same n: DSR = 0.6·0.002 + 0.4·0.008 = 0.0044 (440);
#              var = 0.36·20/10,000² + 0.16·40/5,000² = 41/125,000,000; var / DSR² = 41/2,420
#   R = 580/440 = 29/22, se(ln R) = √(107/8,410 + 41/2,420) = 0.1722355876,
#   z = ln(29/22) / 0.1722355876 = 1.6039273910, p = 2(1 − Φ(z)) = 0.1087300584.
WORKED = {"x1": [30, 50], "x0": [20, 40], "n": [10_000, 5_000], "w": [60, 40]}


def test_two_dsrs_compared_as_the_hand_worked_example():
    v1 = dsr_variance(WORKED["x1"], WORKED["n"], WORKED["w"])
    v0 = dsr_variance(WORKED["x0"], WORKED["n"], WORKED["w"])
    assert v1 == pytest.approx(107 / 250_000_000 * 1e10, rel=1e-12)  # per 100,000, squared
    assert v0 == pytest.approx(41 / 125_000_000 * 1e10, rel=1e-12)
    d1 = dsr(WORKED["x1"], WORKED["n"], WORKED["w"]).value
    d0 = dsr(WORKED["x0"], WORKED["n"], WORKED["w"]).value
    assert (d1, d0) == (pytest.approx(580.0), pytest.approx(440.0))
    test = compare_dsrs(d1, v1, d0, v0)
    assert test.ratio == pytest.approx(29 / 22, rel=1e-12)
    assert test.log_se == pytest.approx(0.1722355876, rel=1e-9)
    assert test.z == pytest.approx(1.6039273910, rel=1e-9)
    assert test.p_value == pytest.approx(0.1087300584, rel=1e-9)
    assert test.label == "no significant change"
    # the weights' scale and the multiplier cancel: raw or normalised weights, per 1 or 100,000
    v1_unit = dsr_variance(WORKED["x1"], WORKED["n"], [0.6, 0.4], multiplier=1)
    v0_unit = dsr_variance(WORKED["x0"], WORKED["n"], [0.6, 0.4], multiplier=1)
    assert compare_dsrs(0.0058, v1_unit, 0.0044, v0_unit).z == pytest.approx(test.z, rel=1e-12)


def test_with_one_band_the_dsr_comparison_is_the_wald_test_of_two_crude_rates():
    """One band: DSR = the crude rate, var / DSR² = 1/x, so z is the Wald test of the log rate
    ratio, which statsmodels implements independently (test_poisson_2indep, method wald-log)."""
    from statsmodels.stats.rates import test_poisson_2indep

    for x1, n1, x0, n0 in ((4_297, 227_400, 4_129, 226_900), (30, 1_000, 55, 1_200)):
        d1, v1 = dsr([x1], [n1], [1.0]).value, dsr_variance([x1], [n1], [1.0])
        d0, v0 = dsr([x0], [n0], [1.0]).value, dsr_variance([x0], [n0], [1.0])
        ours = compare_dsrs(d1, v1, d0, v0)
        theirs = test_poisson_2indep(x1, n1, x0, n0, method="wald-log")
        assert ours.z == pytest.approx(theirs.statistic, rel=1e-9)
        assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-9)
    # 25 per 1,000 against 60 per 1,200: ln(1/2) / √(1/25 + 1/60) = −2.9118
    fall = compare_dsrs(25 / 1_000, 25 / 1_000**2, 60 / 1_200, 60 / 1_200**2)
    assert fall.label == "significant fall" and fall.z == pytest.approx(-2.9118, abs=5e-5)


@pytest.mark.parametrize(("args", "message"), [
    ((0.0, 1.0, 440.0, 1.0), "value must be a positive DSR"),
    ((580.0, 1.0, math.nan, 1.0), "previous_value must be a positive DSR"),
    ((580.0, -1.0, 440.0, 1.0), "variance must be zero or more"),
])
def test_compare_dsrs_refuses_what_is_not_a_dsr(args, message):
    with pytest.raises(ValueError, match=message):
        compare_dsrs(*args)
