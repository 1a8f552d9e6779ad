"""The exact two-sided binomial p-value against hand sums, scipy and R's published outputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from scp_metrics.stats.binomial_test import binomial_two_sided_p


@pytest.mark.parametrize(
    ("x", "n", "p", "want"),
    [
        # Binomial(5, 1/2): f = 1, 5, 10, 10, 5, 1 (/32); 0 is as likely as 5 only
        (0, 5, 0.5, 2 / 32),
        # f(1) = 5/32: outcomes 0, 1, 4, 5 are no more likely
        (1, 5, 0.5, 12 / 32),
        # Binomial(3, 1/4): f = 27, 27, 9, 1 (/64)
        (3, 3, 0.25, 1 / 64),
        (2, 3, 0.25, 10 / 64),
        # 0 and 1 are equally likely (27/64): every outcome counts, p = 1
        (0, 3, 0.25, 1.0),
        (1, 3, 0.25, 1.0),
    ],
)
def test_the_p_value_sums_every_outcome_no_more_likely_than_the_one_seen(x, n, p, want):
    assert binomial_two_sided_p(x, n, p)[()] == pytest.approx(want, rel=1e-12)


def test_published_r_outputs_are_reproduced():
    # ?binom.test (Conover 1971): binom.test(c(682, 243), p = 3/4) → p-value = 0.3825
    # ?poisson.test: poisson.test(c(11, 6+8+7), c(800, 1083+1050+878)) → p-value = 0.07967,
    # the conditional binomial test with p = 800 / (800 + 3011)
    got = binomial_two_sided_p([682, 11], [925, 32], [0.75, 800 / 3811])
    assert round(float(got[0]), 4) == 0.3825
    assert round(float(got[1]), 5) == 0.07967


def test_equals_scipy_binomtest_on_random_cases_including_the_edges():
    rng = np.random.default_rng(20261204)
    n = rng.integers(0, 3000, 1500)
    n[:30] = np.arange(30)  # small n, where ties are frequent
    p = rng.uniform(0.02, 0.98, n.size)
    p[::7] = 0.5  # symmetric: ties between x and n − x
    x = np.array([rng.integers(0, k + 1) for k in n])
    x[1::11] = 0
    x[2::11] = n[2::11]
    got = binomial_two_sided_p(x, n, p)
    want = np.array([stats.binomtest(int(a), int(b), float(c)).pvalue if b else 1.0
                     for a, b, c in zip(x, n, p, strict=True)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)


def test_no_trials_give_one_and_missing_inputs_give_nan():
    got = binomial_two_sided_p([0, math.nan, 3], [0, 10, math.nan], 0.3)
    assert got[0] == 1.0 and np.isnan(got[1]) and np.isnan(got[2])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 5, 0.5), "successes"),
        ((1.5, 5, 0.5), "successes"),
        ((6, 5, 0.5), "exceed"),
        ((1, 5, 0.0), "prob"),
        ((1, 5, 1.0), "prob"),
        ((1, -5, 0.5), "trials"),
    ],
)
def test_impossible_inputs_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        binomial_two_sided_p(*args)
