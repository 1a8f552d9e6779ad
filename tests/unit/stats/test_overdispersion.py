"""Over-dispersion of funnel plots (Spiegelhalter 2005): hand-worked values and simulations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scp_metrics.stats.overdispersion import (
    Overdispersion,
    estimate_overdispersion,
    funnel_z_scores,
    widen_limits,
    winsorise,
)

# Five areas of 10,000 people with 100 … 300 events: pooled 0.02, expected 200 each,
# z = (O − 200)/√200 = ∓√50, ∓√12.5, 0.
EVENTS = np.array([100.0, 150.0, 200.0, 250.0, 300.0])
PEOPLE = np.full(5, 10_000.0)


def test_z_scores_are_pearson_residuals_against_the_pooled_rate():
    z, s = funnel_z_scores(EVENTS, PEOPLE, 0.02)
    assert z == pytest.approx([-math.sqrt(50), -math.sqrt(12.5), 0, math.sqrt(12.5),
                               math.sqrt(50)], rel=1e-12)
    assert s == pytest.approx(np.full(5, math.sqrt(0.02 / 10_000)), rel=1e-12)


def test_z_scores_of_a_proportion_use_the_binomial_variance():
    # 30 of 100 against 0.2: (0.3 − 0.2)/√(0.2 × 0.8/100) = 0.1/0.04 = 2.5
    z, s = funnel_z_scores([30], [100], 0.2, "percentage")
    assert (z[0], s[0]) == pytest.approx((2.5, 0.04), rel=1e-12)


def test_the_hand_worked_group_is_over_dispersed_with_phi_17_8():
    # Winsorising 5 values at 10%: R's quantile(type = 7) at 0.1 lies 0.4 of the way from
    # −√50 to −√12.5 = −0.8√50, whose square is 32; so φ = (32 + 12.5 + 0 + 12.5 + 32)/5.
    od = estimate_overdispersion(*funnel_z_scores(EVENTS, PEOPLE, 0.02))
    assert od.members == 5
    assert od.phi == pytest.approx(17.8, rel=1e-12)
    assert od.chi2_critical == pytest.approx(9.4877, abs=1e-4)  # χ²(4) tables, 95%
    assert od.overdispersed
    # w = 1/s² = 500,000 each: Σw − Σw²/Σw = 2,500,000 − 500,000; τ² = (89 − 4)/2,000,000
    assert od.tau2 == pytest.approx(4.25e-5, rel=1e-12)
    assert od.method() == "additive_random_effects"
    assert od.method("multiplicative") == "multiplicative"


def test_a_group_within_chance_is_not_over_dispersed_and_keeps_the_plain_limits():
    z, s = funnel_z_scores([195, 205, 200, 210, 190], PEOPLE, 0.02)
    od = estimate_overdispersion(z, s)
    assert not od.overdispersed and od.tau2 == 0.0 and od.method() == "plain"
    lo, hi = widen_limits([0.017], [0.023], 0.02, od, 0.95)
    assert (lo[0], hi[0]) == (0.017, 0.023)


def test_winsorising_matches_r_quantile_type_7():
    # quantile(x, c(0.1, 0.9)) in R: −5 + 0.9 × 4 = −1.4 and 6 + 0.1 × 14 = 7.4
    got = winsorise([20.0, -5.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -1.0, math.nan])
    assert got[:10].tolist() == pytest.approx([7.4, -1.4, 0, 1, 2, 3, 4, 5, 6, -1])
    assert math.isnan(got[10])


def test_widened_normal_limits_are_spiegelhalters():
    # plain normal limits θ₀ ± z s widen to θ₀ ± z √(s² + τ²) and θ₀ ± z √φ s
    od = estimate_overdispersion(*funnel_z_scores(EVENTS, PEOPLE, 0.02))
    z, s = 1.959963984540054, math.sqrt(0.02 / 10_000)
    lo, hi = widen_limits([0.02 - z * s], [0.02 + z * s], 0.02, od, 0.95)
    half = z * math.sqrt(s**2 + 4.25e-5)
    assert (lo[0], hi[0]) == pytest.approx((0.02 - half, 0.02 + half), rel=1e-12)
    lo, hi = widen_limits([0.02 - z * s], [0.02 + z * s], 0.02, od, 0.95, "multiplicative")
    half = z * math.sqrt(17.8) * s
    assert (lo[0], hi[0]) == pytest.approx((0.02 - half, 0.02 + half), rel=1e-12)


def test_widened_limits_keep_the_asymmetry_and_are_never_narrower_or_negative():
    od = Overdispersion(20, 3.0, 30.1, True, 1e-6, 0.95)
    plain_lo, plain_hi = np.array([0.006, 0.0001]), np.array([0.0145, 0.03])  # around 0.01
    for method in ("additive_random_effects", "multiplicative"):
        lo, hi = widen_limits(plain_lo, plain_hi, 0.01, od, 0.998, method)
        assert (lo < plain_lo).all() and (hi > plain_hi).all() and (lo >= 0).all()
        assert (hi - 0.01 > 0.01 - lo).all()  # still wider above, as the plain limits


def test_an_unknown_method_is_refused():
    od = Overdispersion(20, 3.0, 30.1, True, 1e-6, 0.95)
    with pytest.raises(ValueError, match="method"):
        widen_limits([0.1], [0.2], 0.15, od, 0.95, "quadratic")


def test_fewer_than_two_members_cannot_be_judged():
    od = estimate_overdispersion([3.0, math.nan], [1.0, 1.0])
    assert od.members == 1 and math.isnan(od.phi) and not od.overdispersed


def _simulate(tau: float, fraction: float, draws: int, seed: int) -> tuple[float, float]:
    """Share of draws called over-dispersed and mean τ̂² for 150 areas with true rates
    Normal(0.02, τ) and populations 20,000 … 300,000."""
    rng = np.random.default_rng(seed)
    over, tau2 = 0, 0.0
    for _ in range(draws):
        n = rng.uniform(2e4, 3e5, 150)
        events = rng.poisson(rng.normal(0.02, tau, 150) * n)
        od = estimate_overdispersion(*funnel_z_scores(events, n, events.sum() / n.sum()),
                                     fraction=fraction)
        over += od.overdispersed
        tau2 += od.tau2
    return over / draws, tau2 / draws


def test_without_winsorising_the_chi2_test_holds_its_size_and_tau2_is_unbiased():
    # the moment estimator (DerSimonian–Laird) is unbiased and I·φ̂ ~ χ²(I − 1) under H₀
    false_alarms, _ = _simulate(0.0, 0.0, 1500, seed=11)
    assert 0.035 <= false_alarms <= 0.065  # 5% ± 2.7 standard errors
    _, mean_tau2 = _simulate(0.002, 0.0, 400, seed=12)
    assert mean_tau2 == pytest.approx(0.002**2, rel=0.03)


def test_winsorising_makes_the_test_conservative_but_finds_real_differences():
    false_alarms, _ = _simulate(0.0, 0.1, 500, seed=13)
    assert false_alarms <= 0.05
    found, mean_tau2 = _simulate(0.002, 0.1, 200, seed=14)
    assert found == 1.0
    assert 0.5 * 0.002**2 < mean_tau2 < 0.002**2  # shrunk by winsorising, not lost
