"""Interval scores, conformal quantiles and the calibrated predictive distribution, against
values worked out by hand and against a simulation whose true error distribution is known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scp_metrics.targets.calibration import (
    calibrated_half_width,
    conformal_cdf,
    conformal_quantile,
    interval_score,
)


def test_interval_score_is_the_width_plus_two_over_alpha_times_the_miss():
    # the 80% interval [10, 20] (alpha = 0.2): inside, 5 below, 3 above
    scores = interval_score(np.array([10.0] * 3), np.array([20.0] * 3),
                            np.array([15.0, 5.0, 23.0]), 0.2)
    assert scores.tolist() == pytest.approx([10.0, 10.0 + 10 * 5, 10.0 + 10 * 3])
    # the 95% interval (alpha = 0.05) pays 40 per unit of miss
    assert interval_score(np.array([10.0]), np.array([20.0]), np.array([21.0]),
                          0.05).tolist() == pytest.approx([50.0])


def test_the_conformal_quantile_is_the_ceil_n_plus_one_level_th_smallest_error():
    errors = np.arange(1.0, 20.0)  # 1 ... 19, n = 19
    assert conformal_quantile(errors, 0.95) == 19.0  # ceil(20 · 0.95) = 19
    assert conformal_quantile(errors, 0.80) == 16.0  # ceil(20 · 0.80) = 16
    assert conformal_quantile(errors[:18], 0.95) == math.inf  # ceil(19 · 0.95) = 19 > 18
    assert conformal_quantile(errors, 0.0) == 0.0
    # never narrower than the raw normal interval
    assert calibrated_half_width(errors / 100, 0.95) == pytest.approx(1.959963984540054)
    assert calibrated_half_width(errors, 0.80) == 16.0


def test_the_cdf_counts_the_earlier_errors_beyond_the_point_and_is_never_0_or_1():
    errors = np.arange(1.0, 20.0)
    # t = 10.5: 9 errors above it; P(|Z| > t) = 9.5 / 20, half in the upper tail
    assert conformal_cdf(errors, 10.5) == pytest.approx(1 - 9.5 / 40)
    assert conformal_cdf(errors, -10.5) == pytest.approx(9.5 / 40)
    assert conformal_cdf(errors, 1e9) == pytest.approx(1 - 0.5 / 40)  # not 1
    assert conformal_cdf(errors, -1e9) == pytest.approx(0.5 / 40)  # not 0


def test_calibrated_intervals_hold_their_level_when_the_raw_ones_are_far_too_narrow():
    """A method states N(0, 1) errors but makes 1.5 × Student-t(3) ones: its raw 80% interval
    catches P(|t3| < 1.2816 / 1.5) = 54% of outturns. Calibrated on n = 99 earlier errors, the
    split-conformal interval catches ceil(100 L) / 100 = exactly L on average (Lei et al. 2018,
    theorem 2.1, continuous errors), and the calibrated CDF at the next error is uniform."""
    rng = np.random.default_rng(20100401)
    reps, n = 20_000, 99
    past = np.sort(np.abs(1.5 * rng.standard_t(3, size=(reps, n))), axis=1)
    new = 1.5 * rng.standard_t(3, size=reps)
    raw80 = np.mean(np.abs(new) <= 1.2815515655446004)
    assert raw80 == pytest.approx(0.544, abs=0.01)
    for level in (0.80, 0.95):
        half = np.array([calibrated_half_width(row, level) for row in past])
        assert np.mean(np.abs(new) <= half) == pytest.approx(level, abs=0.008)
    pit = np.array([conformal_cdf(row, z) for row, z in zip(past, new, strict=True)])
    assert np.mean(pit <= 0.1) == pytest.approx(0.1, abs=0.008)
    assert np.mean(pit <= 0.5) == pytest.approx(0.5, abs=0.01)
