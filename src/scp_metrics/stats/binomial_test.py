"""The exact two-sided binomial test, vectorised: the p-value R's ``binom.test`` gives.

Used by :func:`scp_metrics.stats.change.poisson_change_test`: two independent Poisson counts C
and P with exposures E_C and E_P are compared through C given C + P, which is binomial with
n = C + P and p = E_C / (E_C + E_P) when their rates are equal (the conditional test, as R's
``poisson.test`` does for two samples).

The two-sided p-value follows the **minimum-likelihood** rule (R ``binom.test``,
``scipy.stats.binomtest``): the probability of every outcome no more likely than the one
observed, with a relative tolerance of 1e-7 on "no more likely" so that rounding in the
probabilities does not split ties. For x below the mean n·p::

    y = #{ i ≥ ⌈np⌉ : f(i) ≤ f(x)(1 + 1e-7) },   p-value = F(x) + P(X > n − y)

and symmetrically above the mean (x = n·p gives 1). R counts those ``i`` one by one; the
binomial probability is unimodal with its mode in [⌊np⌋, ⌈np⌉], so it decreases on
[⌈np⌉, n] and increases on [0, ⌊np⌋], and the count is found here by bisection on that
monotone stretch, vectorised over all rows at once (no loop per row): the search starts in a
window around the mirror image of x about the mean, where the normal approximation puts the
answer, checked to enclose it (the whole stretch otherwise), so it takes a few steps.

References
----------
.. [1] Clopper C.J., Pearson E.S. (1934). The use of confidence or fiducial limits illustrated
   in the case of the binomial. *Biometrika* 26(4): 404-413.
.. [2] R Core Team. ``binom.test`` and ``poisson.test`` (package stats), R 4.x source
   ``src/library/stats/R/binom.test.R`` (the minimum-likelihood two-sided p-value with
   ``relErr <- 1 + 1e-7``).
.. [3] Przyborowski J., Wileński H. (1940). Homogeneity of results in testing samples from
   Poisson series. *Biometrika* 31: 313-323 (the conditional binomial test of two Poisson
   counts).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats as _st

__all__ = ["RELATIVE_TIE", "binomial_two_sided_p"]

#: Outcomes whose probability is within this factor of the observed one's count as "no more
#: likely" (R ``binom.test``'s ``relErr``; scipy's ``binomtest`` uses the same).
RELATIVE_TIE = 1.0 + 1e-7


def _bisect(d: np.ndarray, n: np.ndarray, p: np.ndarray, a: np.ndarray, b: np.ndarray,
            decreasing: bool) -> np.ndarray:
    """Integer bisection on [a, b] where the answer is known to lie, only on the open rows."""
    a, b = a.copy(), b.copy()
    open_ = np.flatnonzero(a < b)
    while open_.size:
        lo, hi = a[open_], b[open_]
        mid = np.floor((lo + hi) / 2.0) if decreasing else np.ceil((lo + hi) / 2.0)
        below = _st.binom.pmf(mid, n[open_], p[open_]) <= d[open_]
        if decreasing:  # the smallest i with f(i) <= d
            b[open_] = np.where(below, mid, hi)
            a[open_] = np.where(below, lo, mid + 1.0)
        else:  # the largest i with f(i) <= d
            a[open_] = np.where(below, mid, lo)
            b[open_] = np.where(below, hi, mid - 1.0)
        open_ = open_[a[open_] < b[open_]]
    return a


def _first_at_or_below(d: np.ndarray, n: np.ndarray, p: np.ndarray, lo: np.ndarray,
                       hi: np.ndarray, guess: np.ndarray, decreasing: bool) -> np.ndarray:
    """Bisection over integers on a monotone stretch of the binomial probability.

    ``decreasing``: the smallest i in [lo, hi] with f(i) ≤ d (hi + 1 when none), f decreasing
    on [lo, hi]. Otherwise: the largest i in [lo, hi] with f(i) ≤ d (lo − 1 when none), f
    increasing on [lo, hi]. ``guess`` (the mirror image of x about the mean, where the normal
    approximation puts the answer) narrows the search to a window around it wherever the
    window's ends are checked to enclose the answer; elsewhere the whole stretch is searched.
    """
    width = np.ceil(0.25 * np.abs(guess - (lo if decreasing else hi))) + 8.0
    a = np.clip(guess - width, lo, hi)
    b = np.clip(guess + width, lo, hi)
    if decreasing:  # answer in (a, b] when f(a) > d >= f(b); none when f(hi) > d
        inside = (_st.binom.pmf(a, n, p) > d) & (_st.binom.pmf(b, n, p) <= d)
        none = np.zeros(d.shape, dtype=bool)
        rest = np.flatnonzero(~inside)
        none[rest] = _st.binom.pmf(hi[rest], n[rest], p[rest]) > d[rest]
        a = np.where(inside, a + 1.0, lo)
        b = np.where(inside, b, hi)
        return np.where(none, hi + 1.0, _bisect(d, n, p, a, b, decreasing=True))
    # answer in [a, b) when f(a) <= d < f(b); none when f(lo) > d
    inside = (_st.binom.pmf(a, n, p) <= d) & (_st.binom.pmf(b, n, p) > d)
    none = np.zeros(d.shape, dtype=bool)
    rest = np.flatnonzero(~inside)
    none[rest] = _st.binom.pmf(lo[rest], n[rest], p[rest]) > d[rest]
    a = np.where(inside, a, lo)
    b = np.where(inside, b - 1.0, hi)
    return np.where(none, lo - 1.0, _bisect(d, n, p, a, b, decreasing=False))


def binomial_two_sided_p(successes: Any, trials: Any, prob: Any) -> np.ndarray:
    """Two-sided exact binomial p-value (minimum likelihood), element by element.

    Parameters
    ----------
    successes : array_like
        Observed successes x, whole numbers with 0 ≤ x ≤ n.
    trials : array_like
        Number of trials n ≥ 0 (whole numbers).
    prob : float or array_like
        Probability of success under the null hypothesis, 0 < p < 1.
        The three inputs are broadcast against each other.

    Returns
    -------
    numpy.ndarray
        The p-value per element, in [0, 1]: 1 when n = 0 or x = n·p; NaN where an input is
        missing.

    Raises
    ------
    ValueError
        If x or n is negative or not a whole number, x > n, or p is outside (0, 1).

    Notes
    -----
    Equal to R ``binom.test(x, n, p)$p.value`` and ``scipy.stats.binomtest(x, n, p).pvalue``
    (see the module notes for the rule and how it is found without a loop per element).

    Examples
    --------
    >>> round(float(binomial_two_sided_p(263, 562, 0.5)[()]), 4)
    0.1398
    """
    x, n, p = np.broadcast_arrays(np.asarray(successes, dtype=float),
                                  np.asarray(trials, dtype=float), np.asarray(prob, dtype=float))
    out = np.full(x.shape, np.nan)
    ok = ~(np.isnan(x) | np.isnan(n) | np.isnan(p))
    xs, ns, ps = x[ok], n[ok], p[ok]
    if ((xs < 0) | (xs != np.floor(xs))).any():
        raise ValueError("successes must be whole numbers >= 0")
    if ((ns < 0) | (ns != np.floor(ns))).any():
        raise ValueError("trials must be whole numbers >= 0")
    if (xs > ns).any():
        raise ValueError("successes must not exceed trials")
    if ((ps <= 0) | (ps >= 1)).any():
        raise ValueError("prob must lie strictly between 0 and 1")
    res = np.ones(xs.shape)
    mean = ns * ps
    d = _st.binom.pmf(xs, ns, ps) * RELATIVE_TIE
    low = xs < mean
    if low.any():  # the other tail lies above the mean: outcomes ⌈np⌉ … n
        xx, nn, pp, mm = xs[low], ns[low], ps[low], mean[low]
        first = _first_at_or_below(d[low], nn, pp, np.ceil(mm), nn, np.round(2.0 * mm - xx),
                                   decreasing=True)
        res[low] = _st.binom.cdf(xx, nn, pp) + _st.binom.sf(first - 1.0, nn, pp)
    high = xs > mean
    if high.any():  # the other tail lies below the mean: outcomes 0 … ⌊np⌋
        xx, nn, pp, mm = xs[high], ns[high], ps[high], mean[high]
        last = _first_at_or_below(d[high], nn, pp, np.zeros_like(mm), np.floor(mm),
                                  np.round(2.0 * mm - xx), decreasing=False)
        res[high] = _st.binom.cdf(last, nn, pp) + _st.binom.sf(xx - 1.0, nn, pp)
    out[ok] = np.minimum(1.0, res)
    return out
