"""Over-dispersion wired into the MSG rankings (issue 13, item 3), against hand-worked values.

The group: ten members of 10,000 residents with 40, 60, 80, 90, 100, 100, 110, 120, 140 and
160 events. The pooled rate is 1,000 / 100,000 = 0.01 exactly, sᵢ = √(0.01/10,000) = 0.001, so
the z-scores are (x − 100)/10 = −6, −4, −2, −1, 0, 0, 1, 2, 4, 6. R's type-7 10th and 90th
percentiles are ∓(6 − 0.9 × 2) = ∓4.2, so the winsorised squares sum to
2 × 4.2² + 2 × 4² + 2 × 2² + 2 × 1² = 77.28: φ = 7.728 > χ²₉(0.95)/10 = 1.6919.
τ² = (77.28 − 9) / (10⁷ − 10⁶) = 7.5867e-6 (DerSimonian–Laird, wᵢ = 10⁶).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scp_metrics.rankings.funnel_adjusted import adjusted_limits, group_overdispersion
from scp_metrics.rankings.ranks import compute_rankings

EVENTS = [40, 60, 80, 90, 100, 100, 110, 120, 140, 160]
CODES = [f"E0{i:07d}" for i in range(10)]


def ranked(events, method="additive_random_effects", population=10_000):
    members = pd.DataFrame({"area_code": CODES, "area_name": [f"Area {i}" for i in range(10)]})
    rows = pd.DataFrame({"indicator_id": "crime", "period_type": "rolling_12m",
                         "period_start": "2009-01-01", "period_end": "2009-12-31",
                         "area_code": CODES, "numerator": events, "denominator": population})
    ind = pd.DataFrame({"indicator_id": ["crime"], "measure": ["rate"], "multiplier": [1000],
                        "polarity": ["lower"]})
    out = compute_rankings(rows, ind, members, group_id=CODES[0], focus_area=CODES[0],
                           funnel_method=method)
    return out.set_index("numerator")


def test_phi_and_tau2_are_the_hand_worked_values():
    od = group_overdispersion(EVENTS, [10_000] * 10, 0.01)
    assert od.phi == pytest.approx(7.728, rel=1e-12)
    assert od.chi2_critical == pytest.approx(stats.chi2.ppf(0.95, 9))
    assert od.overdispersed
    assert od.tau2 == pytest.approx(68.28 / 9e6, rel=1e-12)


def test_the_mart_reports_phi_the_method_and_both_labels():
    got = ranked(EVENTS)
    assert np.allclose(got["overdispersion_phi"], 7.728, rtol=1e-12)
    assert set(got["funnel_method"]) == {"additive_random_effects"}
    # plain PHE: 6 and 4 standard errors out are beyond the 0.001 limits
    assert got.loc[160, "funnel_significance"] == "High (0.001)"
    assert got.loc[40, "funnel_significance"] == "Low (0.001)"
    assert got.loc[140, "funnel_significance"] == "High (0.001)"
    # widened: normal-form limits 0.01 ± z √(10⁻⁶ + τ²), √ = 0.0029303: at 95% ± 0.005743,
    # at 99.8% ± 0.009055; 0.016 and 0.004 lie between them, 0.014 inside the 95% ones
    assert got.loc[160, "funnel_significance_adjusted"] == "High (0.025)"
    assert got.loc[40, "funnel_significance_adjusted"] == "Low (0.025)"
    rest = got.drop(index=[160, 40])
    assert (rest["funnel_significance_adjusted"] == "Not significant").all()


def test_the_widened_limits_are_close_to_spiegelhalters_normal_form():
    od = group_overdispersion(EVENTS, [10_000] * 10, 0.01)
    for conf in (0.95, 0.998):
        z = stats.norm.ppf(0.5 + conf / 2)
        half = z * np.sqrt(1e-6 + 68.28 / 9e6)
        lo, hi = adjusted_limits([10_000.0], 0.01, "rate", od, conf)
        # the plain distances are Byars', a little asymmetric: within 2% of the normal form
        assert hi[0] - 0.01 == pytest.approx(half, rel=0.02)
        assert 0.01 - lo[0] == pytest.approx(half, rel=0.02)


def test_the_multiplicative_method_scales_by_root_phi():
    got = ranked(EVENTS, method="multiplicative")
    assert set(got["funnel_method"]) == {"multiplicative"}
    # z / √φ: 6 / 2.780 = 2.16 (beyond 1.96, within 3.09); 4 / 2.78 = 1.44
    assert got.loc[160, "funnel_significance_adjusted"] == "High (0.025)"
    assert got.loc[140, "funnel_significance_adjusted"] == "Not significant"
    od = group_overdispersion(EVENTS, [10_000] * 10, 0.01)
    plain = adjusted_limits([10_000.0], 0.01, "rate", group_overdispersion([100, 100],
                                                                            [1e4, 1e4], 0.01),
                            0.95)
    wide = adjusted_limits([10_000.0], 0.01, "rate", od, 0.95, "multiplicative")
    assert wide[1][0] - 0.01 == pytest.approx((plain[1][0] - 0.01) * np.sqrt(7.728))


def test_a_group_within_chance_keeps_the_plain_label():
    # z = −1, −1, 0, 0, 0, 0, 0, 0, 1, 1: φ = 0.4, far below chance
    events = [90, 90, 100, 100, 100, 100, 100, 100, 110, 110]
    got = ranked(events)
    assert np.allclose(got["overdispersion_phi"], 0.4, rtol=1e-12)
    assert set(got["funnel_method"]) == {"plain"}
    assert (got["funnel_significance_adjusted"] == got["funnel_significance"]).all()


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="funnel method"):
        ranked(EVENTS, method="wider")
