"""Issue 19 item 3: change significance and SPC of the partner returns' figures.

Expected p-values are computed independently: scipy.stats.binomtest on C | C + P (the exact
conditional test) and statsmodels' proportions_ztest (pooled two-proportion z test)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from statsmodels.stats.proportion import proportions_ztest

from scp_metrics.config.kpis import read_kpi_register
from scp_metrics.config.spc import SpcBaseline
from scp_metrics.indicators.kpi_statistics import NOT_TESTED, with_statistics
from scp_metrics.indicators.partner_returns import return_values
from scp_metrics.periods import Quarter
from scp_metrics.settings import DEFAULT_CONFIG_DIR

REGISTER = read_kpi_register(DEFAULT_CONFIG_DIR)
STANDARDS: dict = {}


def returns(kpi: str, agency: str, quarters: list[Quarter], **columns: list) -> pd.DataFrame:
    """Raw partner-return rows of one KPI, one per quarter."""
    n = len(quarters)
    base = {"indicator": [kpi] * n, "period_start": [pd.Timestamp(q.start) for q in quarters],
            "agency": [agency] * n}
    for name in ("numerator", "denominator", "value", "published_lower", "published_upper",
                 "age_band", "standard", "note"):
        base[name] = columns.get(name, [None] * n)
    return pd.DataFrame(base)


def figures(frame: pd.DataFrame, baseline: SpcBaseline | None = None) -> pd.DataFrame:
    return with_statistics(return_values(frame, REGISTER, STANDARDS), REGISTER, baseline)


Q3_08, Q3_09 = Quarter(2008, 3), Quarter(2009, 3)


def test_a_rate_is_tested_exactly_with_the_denominators_as_exposures():
    # 320 first-time entrants of 22,600 against 400 of 23,000 a year earlier:
    # C | C + P = 720 is binomial with p = 22,600 / 45,600.
    frame = returns("NI111", "Wessex YOT", [Q3_08, Q3_09], numerator=[400, 320],
                    denominator=[23_000, 22_600])
    row = figures(frame).iloc[1]
    expected = binomtest(320, 720, 22_600 / 45_600).pvalue
    assert row["change_p_value"] == pytest.approx(expected, rel=1e-9)
    assert row["change_verdict"] == "significant fall"
    assert row["change_pct"] == pytest.approx(100 * ((320 / 22_600) / (400 / 23_000) - 1))
    assert row["value_same_period_last_year"] == pytest.approx(400 / 23_000 * 100_000)


def test_a_count_is_tested_on_equal_exposures():
    frame = returns("NI40", "DAT", [Q3_08, Q3_09], numerator=[1_071, 1_131])
    row = figures(frame).iloc[1]
    assert row["change_p_value"] == pytest.approx(binomtest(1_131, 2_202, 0.5).pvalue, rel=1e-9)
    assert row["change_verdict"] == "no significant change"


def test_a_ratio_of_counts_uses_its_denominators():
    # NI 19: 440 re-offences by 423 offenders against 498 by 415
    frame = returns("NI19", "Wessex YOT", [Q3_08, Q3_09], numerator=[498, 440],
                    denominator=[415, 423])
    row = figures(frame).iloc[1]
    assert row["change_p_value"] == pytest.approx(binomtest(440, 938, 423 / 838).pvalue,
                                                  rel=1e-9)


def test_a_percentage_is_tested_with_the_pooled_z_test():
    frame = returns("NI115", "SCC", [Q3_08, Q3_09], numerator=[232, 205],
                    denominator=[2_000, 2_000])
    row = figures(frame).iloc[1]
    _z, p = proportions_ztest([205, 232], [2_000, 2_000])
    assert row["change_p_value"] == pytest.approx(p, rel=1e-9)
    assert row["change_verdict"] == "no significant change"
    assert "two-proportion" in row["change_note"]


def test_a_value_only_return_is_not_tested_and_says_why():
    frame = returns("neighbourhood_watch_schemes", "SCC Police", [Q3_08, Q3_09],
                    value=[195, 224])
    row = figures(frame).iloc[1]
    assert row["change_verdict"] == NOT_TESTED and pd.isna(row["change_p_value"])
    assert row["change_note"] == "2009/10 Q3 has a value only (no counts)"
    assert row["change_pct"] == pytest.approx(100 * (224 / 195 - 1))  # +14.9%, not tested


def test_a_published_interval_only_is_not_tested():
    frame = returns("NI39", "SCPCT", [Q3_08, Q3_09], value=[1_839.0, 1_820.0],
                    published_lower=[1_797.6, 1_780.0], published_upper=[1_881.1, 1_860.0])
    row = figures(frame).iloc[1]
    assert row["change_verdict"] == NOT_TESTED
    assert "published value and interval only" in row["change_note"]


def test_a_dsr_by_age_band_in_both_years_is_tested_by_the_ratio_of_the_dsrs():
    """tests/unit/stats/test_dsr.py's hand-worked example through the partner returns: 580
    against 440 per 100,000 (two bands, weights 60 and 40), z = 1.6039, p = 0.10873."""
    from scp_metrics.config.standard_populations import StandardPopulation

    two = StandardPopulation("two", ("0-49", "50+"), ((0, 49), (50, None)), (60.0, 40.0),
                             "hand-worked example")
    frame = pd.concat([returns("NI39", "SCPCT", [q, q], numerator=x, denominator=[10_000, 5_000],
                               age_band=["0-49", "50+"], standard=["two", "two"])
                       for q, x in ((Q3_08, [20, 40]), (Q3_09, [30, 50]))], ignore_index=True)
    out = with_statistics(return_values(frame, REGISTER, {"two": two}), REGISTER)
    row = out.iloc[1]
    assert (row["value"], row["value_same_period_last_year"]) == \
        (pytest.approx(580.0), pytest.approx(440.0))
    assert row["change_p_value"] == pytest.approx(0.1087300584, rel=1e-9)
    assert row["change_verdict"] == "no significant change"
    assert row["change_note"].startswith("ratio of the two DSRs (1.318) on 2008/09 Q3")
    assert "dsr_variance" not in out.columns  # used for the test, not published


def test_a_dsr_against_a_published_figure_is_not_tested():
    frame = returns("NI39", "SCPCT", [Q3_08], value=[1_839.0], published_lower=[1_797.6],
                    published_upper=[1_881.1])
    raw_bands = returns("NI39", "SCPCT", [Q3_09, Q3_09], numerator=[30, 50],
                        denominator=[10_000, 5_000], age_band=["0-49", "50+"],
                        standard=["two", "two"])
    from scp_metrics.config.standard_populations import StandardPopulation

    two = StandardPopulation("two", ("0-49", "50+"), ((0, 49), (50, None)), (60.0, 40.0), "")
    out = with_statistics(return_values(pd.concat([frame, raw_bands], ignore_index=True),
                                        REGISTER, {"two": two}), REGISTER)
    row = out.iloc[1]
    assert row["change_verdict"] == NOT_TESTED
    assert row["change_note"] == "2008/09 Q3 has a published value and interval only (no counts)"


def test_no_return_a_year_earlier_is_not_tested():
    frame = returns("NI40", "DAT", [Q3_09], numerator=[1_131])
    row = figures(frame).iloc[0]
    assert row["change_verdict"] == NOT_TESTED
    assert row["change_note"] == "no return for 2008/09 Q3"


def test_a_percentage_change_kpi_has_no_relative_change():
    frame = returns("NI30", "Hampshire Probation Area", [Q3_08, Q3_09], value=[-16.0, -22.5])
    row = figures(frame).iloc[1]
    assert pd.isna(row["change_pct"]) and row["change_verdict"] == NOT_TESTED


def test_seven_quarters_are_too_few_for_spc():
    quarters = [Quarter(2008, q) for q in (1, 2, 3, 4)] + [Quarter(2009, q) for q in (1, 2, 3)]
    frame = returns("NI40", "DAT", quarters, numerator=[1_050 + 10 * i for i in range(7)])
    out = figures(frame)
    assert set(out["spc_status"]) == {"too few points for SPC (7 of 12 needed)"}
    assert out["spc_lpl"].isna().all() and out["spc_mean"].isna().all()


def test_twenty_quarters_get_xmr_limits_from_the_first_twelve():
    # A steady series around 100; limits from the first 12 quarters:
    # mean m and average moving range AMR of those 12, limits m +/- 2.66 AMR.
    values = [100, 104, 97, 101, 99, 103, 96, 102, 100, 98, 105, 95,
              101, 99, 100, 102, 97, 103, 100, 140]
    quarters = [Quarter(2005 + i // 4, i % 4 + 1) for i in range(20)]
    frame = returns("NI40", "DAT", quarters, numerator=values)
    out = figures(frame, SpcBaseline(baseline_points=12, minimum_points=12))
    first = np.array(values[:12], dtype=float)
    mean = first.mean()
    amr = np.abs(np.diff(first)).mean()
    assert out["spc_mean"].tolist() == pytest.approx([mean] * 20)
    assert out["spc_upl"].iloc[0] == pytest.approx(mean + 2.66 * amr, rel=1e-3)
    assert out["spc_lpl"].iloc[0] == pytest.approx(mean - 2.66 * amr, rel=1e-3)
    assert out["spc_status"].iloc[0] == "XmR of 20 quarters, limits from the first 12 quarters"
    # the last quarter (140) is far above the upper limit: special cause (a rise in
    # people in treatment, NI 40's polarity higher: improvement)
    assert out["spc_point_type"].iloc[-1] == "special_cause_improvement"
    assert out["spc_point_type"].iloc[0] == "common_cause"
