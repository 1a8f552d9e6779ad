"""The funnel test of a group's members (PHE method): where each member lies against funnel
limits around the group's pooled value, and the limits themselves.

For a rate, the pooled rate is compared with the member's own 95% and 99.8% Poisson limits
(Garwood exact below 10 events, Byars from 10); for a percentage, with its Wilson limits. "High
(0.001)" means the pooled value lies below the member's 99.8% lower limit, i.e. the member sits
above the upper 0.001 funnel limit at its population. With exact limits this is the same as
comparing the observed count O with a Poisson of mean E = pooled rate × population:
High (0.025) ⇔ P(X ≥ O | E) < 0.025.

References
----------
.. [1] Public Health England (2017). *Technical Guide: Funnel Plots* (updated June 2017).
   Fingertips guidance, https://fingertips.phe.org.uk/profile/guidance
.. [2] Spiegelhalter D.J. (2005). Funnel plots for comparing institutional performance.
   *Statistics in Medicine* 24(8): 1185-1202.
.. [3] Flowers J. (2007). *Statistical process control methods in public health
   intelligence*. APHO Technical Briefing 2, Association of Public Health Observatories.
.. [4] Office for Health Improvement and Disparities / UKHSA. *PHEindicatormethods*, R package
   v2.1.0 (``assign_funnel_significance``, ``calculate_funnel_limits``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from scp_metrics.stats.intervals import EXACT_BELOW, byars_raw, exact_raw, z_for
from scp_metrics.stats.proportions import wilson_ci

__all__ = ["FUNNEL_LABELS", "check_measure", "funnel_limits", "funnel_significance",
           "member_limits"]

FUNNEL_LABELS = ("High (0.001)", "High (0.025)", "Not significant", "Low (0.025)", "Low (0.001)")


@functools.lru_cache(maxsize=8)
def _z(conf: float) -> float:
    return z_for(conf)


def _count_limits(count: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """PHE Poisson limits for counts: exact (Garwood) below 10 events, Byars from 10.

    The same formulas as :func:`scp_metrics.stats.intervals.rate_ci` (its helpers, without the input
    checks, since the bisection in :func:`funnel_limits` calls this many times).
    """
    x = np.atleast_1d(np.asarray(count, dtype=float))
    lower, upper = byars_raw(x, _z(conf))
    lower, upper = np.array(lower, dtype=float), np.array(upper, dtype=float)
    small = x < EXACT_BELOW
    if small.any():
        lower[small], upper[small] = exact_raw(x[small], conf)
    return lower, upper


def member_limits(x: np.ndarray, n: np.ndarray, measure: str, conf: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The member's own limits, per unit of denominator (a per-capita rate or a proportion)."""
    if measure == "rate":
        lower, upper = _count_limits(x, conf)
        return lower / n, upper / n
    lower, upper = wilson_ci(x, n, conf=conf)
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def check_measure(measure: str) -> str:
    m = str(measure).strip().lower()
    if m in ("proportion", "percentage"):
        return "percentage"
    if m != "rate":
        raise ValueError(f"measure must be 'rate' or 'percentage'; got {measure!r}")
    return m


def funnel_significance(numerator: Any, denominator: Any, pooled: Any,
                        measure: str = "rate") -> np.ndarray:
    """Where each member lies against the group's funnel (PHE method).

    Parameters
    ----------
    numerator : array_like
        Observed counts (events; or successes for a percentage), ≥ 0.
    denominator : array_like
        Population (rates) or number of cases (percentages), > 0.
    pooled : float or array_like
        The group's pooled value **per unit of denominator** (Σ numerators ÷ Σ denominators:
        a per-capita rate or a proportion in [0, 1], not per 1,000 or a percentage).
    measure : {"rate", "percentage"}, default "rate"
        ``"rate"``: Poisson limits of the member's count (Garwood exact below 10 events,
        Byars from 10). ``"percentage"`` (or ``"proportion"``): Wilson score limits.

    Returns
    -------
    numpy.ndarray of object
        ``"High (0.001)"`` when the pooled value lies below the member's 99.8% lower limit,
        ``"High (0.025)"`` below its 95% lower limit, ``"Low (0.001)"`` / ``"Low (0.025)"``
        above its 99.8% / 95% upper limit, otherwise ``"Not significant"``; ``None`` where an
        input is missing. "High"/"Low" describe the value, not whether that is good.

    Raises
    ------
    ValueError
        For negative counts, non-positive denominators, or (percentages) x > n.

    Notes
    -----
    A member is outside the funnel at its population exactly when the pooled value is outside
    the member's own interval: the funnel limit at population n is the value whose interval
    just touches the pooled value ([1]_, [3]_). For the exact Poisson method this is the exact
    test against a Poisson with mean E = pooled × population: the 0.025 upper limit is
    exceeded when P(X ≥ O | E) < 0.025, and the lower one when P(X ≤ O | E) < 0.025 ([2]_).
    The limits are 95% (0.025 in each tail) and 99.8% (0.001 in each tail).

    References
    ----------
    .. [1] Public Health England (2017). *Technical Guide: Funnel Plots*.
    .. [2] Spiegelhalter D.J. (2005). Funnel plots for comparing institutional performance.
       *Statistics in Medicine* 24: 1185-1202.
    .. [3] PHEindicatormethods v2.1.0, ``assign_funnel_significance`` (rates: crude; and
       proportions).

    Examples
    --------
    >>> funnel_significance([80, 160, 130], [1000, 1000, 1000], 0.13).tolist()
    ['Low (0.001)', 'High (0.025)', 'Not significant']
    """
    m = check_measure(measure)
    x, n, p = np.broadcast_arrays(np.asarray(numerator, dtype=float),
                                  np.asarray(denominator, dtype=float),
                                  np.asarray(pooled, dtype=float))
    missing = np.isnan(x) | np.isnan(n) | np.isnan(p)
    xs, ns = np.where(missing, 0.0, x), np.where(missing, 1.0, n)
    lo95, hi95 = member_limits(xs, ns, m, 0.95)
    lo998, hi998 = member_limits(xs, ns, m, 0.998)
    with np.errstate(invalid="ignore"):
        labels = np.select(
            [p < lo998, p < lo95, p > hi998, p > hi95],
            ["High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)"],
            default="Not significant",
        ).astype(object)
    labels[missing] = None
    return labels


def _solve_increasing(f: Callable[[np.ndarray], np.ndarray], target: np.ndarray,
                      lo: np.ndarray, hi: np.ndarray, iterations: int = 64) -> np.ndarray:
    """Vectorised bisection: x in [lo, hi] where the increasing ``f`` crosses ``target``."""
    lo, hi = lo.astype(float).copy(), hi.astype(float).copy()
    for _ in range(iterations):
        mid = (lo + hi) / 2.0
        below = f(mid) < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return (lo + hi) / 2.0


def funnel_limits(denominator: Any, pooled: Any, measure: str = "rate",
                  conf: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Funnel control limits around the pooled value at each member's denominator.

    Parameters
    ----------
    denominator : array_like
        Population (rates) or cases (percentages), > 0.
    pooled : float or array_like
        Pooled value per unit of denominator (per-capita rate, or proportion in [0, 1]).
    measure : {"rate", "percentage"}, default "rate"
    conf : float, default 0.95
        0.95 gives the 0.025 limits, 0.998 the 0.001 limits.

    Returns
    -------
    lower, upper : numpy.ndarray
        Per unit of denominator (multiply by the indicator's multiplier). The upper limit is
        the value x/n whose lower confidence limit equals the pooled value; the lower limit the
        value whose upper confidence limit equals it (0 when even a zero count's upper limit is
        above the pooled value, so nothing can be significantly low). Found by bisection to
        about 1e-12 relative precision; for plotting and for reading against the value.

    Notes
    -----
    :func:`funnel_significance` decides labels by comparing the pooled value with the
    member's own interval; these limits are the same boundary drawn as a funnel. At the switch
    from exact to Byars limits (10 events) the two can differ for a count within a fraction of
    an event of the limit.

    Examples
    --------
    >>> lo, hi = funnel_limits([1000.0], 0.13)
    >>> round(float(lo[0]) * 1000, 1), round(float(hi[0]) * 1000, 1)
    (107.6, 153.3)
    """
    m = check_measure(measure)
    n, p = np.broadcast_arrays(np.asarray(denominator, dtype=float),
                               np.asarray(pooled, dtype=float))
    missing = np.isnan(n) | np.isnan(p) | (n <= 0)
    n = np.where(missing, 1.0, n)
    p = np.where(missing, 0.0, p)
    if m == "rate":
        expected = p * n
        reach = 2.0 * _z(conf) * np.sqrt(expected) + 20.0  # the limits lie within this
        low_end = np.maximum(expected - reach, 0.0)
        upper = _solve_increasing(lambda x: _count_limits(x, conf)[0], expected, expected,
                                  expected + reach)
        lower = _solve_increasing(lambda x: _count_limits(x, conf)[1], expected, low_end,
                                  expected)
        lower = np.where(_count_limits(np.zeros_like(expected), conf)[1] >= expected, 0.0, lower)
        upper = np.where(expected == 0, 0.0, upper)  # only a zero count's limits include 0
        lower, upper = lower / n, upper / n
    else:
        zero = np.zeros_like(n)
        upper = _solve_increasing(lambda x: np.asarray(wilson_ci(x, n, conf)[0]), p, zero, n)
        lower = _solve_increasing(lambda x: np.asarray(wilson_ci(x, n, conf)[1]), p, zero, n)
        upper = np.where(np.asarray(wilson_ci(n, n, conf)[0]) <= p, 1.0, upper / n)
        lower = np.where(np.asarray(wilson_ci(zero, n, conf)[1]) >= p, 0.0, lower / n)
    lower = np.where(missing, np.nan, lower)
    upper = np.where(missing, np.nan, upper)
    return lower, upper
