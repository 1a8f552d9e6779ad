"""Property-based tests for scp_metrics.stats.intervals and scp_metrics.stats.spc."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scp_metrics.stats.intervals import rate_ci
from scp_metrics.stats.proportions import wilson_ci
from scp_metrics.stats.spc import xmr

confs = st.one_of(st.sampled_from([0.95, 0.998]), st.floats(0.5, 0.9999))
counts = st.integers(min_value=0, max_value=1_000_000)
denominators = st.floats(min_value=1.0, max_value=1e8, allow_nan=False, allow_infinity=False)
multipliers = st.sampled_from([1, 100, 1000, 100_000])


@given(count=counts, denominator=denominators, multiplier=multipliers, conf=confs)
def test_rate_lies_between_its_limits(
    count: int, denominator: float, multiplier: int, conf: float
) -> None:
    value, lower, upper, method = rate_ci(count, denominator, multiplier, conf)
    assert not math.isnan(lower) and not math.isnan(upper)
    assert 0.0 <= lower <= value <= upper
    assert method == ("Exact" if count < 10 else "Byars")


@given(data=st.data(), n=st.integers(min_value=1, max_value=10_000_000), conf=confs)
def test_wilson_limits_contain_the_proportion_and_stay_in_zero_one(
    data: st.DataObject, n: int, conf: float
) -> None:
    x = data.draw(st.integers(min_value=0, max_value=n))
    lower, upper = wilson_ci(x, n, conf)
    assert 0.0 <= lower <= x / n <= upper <= 1.0


@given(
    count=st.integers(min_value=1, max_value=100_000),
    denominator=denominators,
    factor=st.integers(min_value=2, max_value=100),
    conf=st.floats(0.8, 0.999),
)
def test_rate_intervals_narrow_as_counts_grow_at_a_fixed_rate(
    count: int, denominator: float, factor: int, conf: float
) -> None:
    def relative_width(x: float, n: float) -> float:
        value, lower, upper, _ = rate_ci(x, n, 1000, conf)
        return (upper - lower) / value

    assert relative_width(count * factor, denominator * factor) < relative_width(count, denominator)


@given(
    data=st.data(),
    n=st.integers(min_value=1, max_value=100_000),
    factor=st.integers(min_value=2, max_value=100),
    conf=st.floats(0.8, 0.999),
)
def test_wilson_intervals_narrow_as_samples_grow_at_a_fixed_proportion(
    data: st.DataObject, n: int, factor: int, conf: float
) -> None:
    x = data.draw(st.integers(min_value=0, max_value=n))
    lo1, hi1 = wilson_ci(x, n, conf)
    lo2, hi2 = wilson_ci(x * factor, n * factor, conf)
    assert hi2 - lo2 < hi1 - lo1


@given(
    counts_=st.lists(st.integers(0, 5000), min_size=1, max_size=20),
    denominator=denominators,
    conf=confs,
)
def test_array_calls_agree_with_scalar_calls(
    counts_: list[int], denominator: float, conf: float
) -> None:
    values, lowers, uppers, methods = rate_ci(np.array(counts_), denominator, 1000, conf)
    for i, c in enumerate(counts_):
        v, lo, hi, m = rate_ci(c, denominator, 1000, conf)
        assert (values[i], lowers[i], uppers[i], methods[i]) == (v, lo, hi, m)


# ----------------------------------------------------------------------- XmR

# Quarter-unit values and eighth-unit offsets keep the addition exact, so only the
# limit arithmetic itself can introduce rounding.
series_values = st.lists(st.integers(-4000, 4000), min_size=2, max_size=40).map(
    lambda xs: np.array(xs, dtype=float) / 4
)
offsets = st.integers(-80_000, 80_000).map(lambda k: k / 8)
LIMIT_COLS = ["mean", "lpl", "upl", "near_lpl", "near_upl"]


@settings(deadline=None)
@given(
    values=series_values,
    offset=offsets,
    improvement=st.sampled_from(["increase", "decrease", "neutral"]),
    screen=st.booleans(),
)
def test_adding_a_constant_shifts_xmr_limits_and_keeps_every_signal(
    values: np.ndarray, offset: float, improvement: str, screen: bool
) -> None:
    base = xmr(values, improvement=improvement, screen_outliers=screen)
    scale = 1.0 + float(np.max(np.abs(values))) + abs(offset)
    tol = 1e-9 * scale
    # A value sitting (to rounding) exactly on the mean or a limit is a genuine tie whose
    # side floating-point rounding may flip after the shift; such series are skipped.
    for col in LIMIT_COLS:
        gaps = np.abs(values - base[col].to_numpy())
        assume(bool(np.all(np.isnan(gaps) | (gaps == 0) | (gaps > 1e-6 * scale))))
        if col != "mean":
            assume(bool(np.all(np.isnan(gaps) | (gaps > 1e-6 * scale))))
    shifted = xmr(values + offset, improvement=improvement, screen_outliers=screen)

    for col in LIMIT_COLS:
        np.testing.assert_allclose(
            shifted[col].to_numpy(), base[col].to_numpy() + offset, rtol=0, atol=tol
        )
    assert shifted["special_cause_flag"].tolist() == base["special_cause_flag"].tolist()
    assert shifted["point_type"].tolist() == base["point_type"].tolist()
    assert shifted["rule"].tolist() == base["rule"].tolist()
