"""Calibrating projection intervals on the backtest's out-of-sample errors, and scoring them.

A projection's raw interval (Poisson noise, a model's simulation) says nothing about how wrong
the method itself tends to be. The backtest measures that: each earlier projection's *scaled
error* z = (outturn − point) ÷ s, where s is the raw 95% interval's half-width ÷ 1.96 (the
projection's own standard deviation if it were normal). A new projection's calibrated
predictive distribution is then point ± s·|z| over those earlier errors (split conformal
prediction with a normalised score: Vovk, Gammerman and Shafer 2005; Lei et al. 2018; the
empirical forecast-error intervals of Williams and Goodman 1971):

* the central ``level`` interval is point ± s·q, q the ⌈(n + 1)·level⌉-th smallest |z|
  (:func:`conformal_quantile`): if the errors are exchangeable with the new one, it covers
  the outturn with probability at least ``level`` (Lei et al. 2018, theorem 2.1); each level,
  80% and 95%, gets its own q. It is never narrower than the raw interval (q at least 1.28 at
  80%, 1.96 at 95%: :func:`calibrated_half_width`): the raw interval is the noise the method
  itself states (the Poisson noise of the months to come at least), and the backtest's errors
  can only add the method's own error to it;
* P(outturn ≤ x) is the conformal predictive distribution (Vovk et al. 2017) at x, with the
  errors taken as symmetric about the point, and each tail at least the raw normal one
  (:func:`conformal_cdf`): never exactly 0 or 1, since n errors cannot resolve probabilities
  below about 1/(n + 1). Its central intervals agree with the conformal ones to within half a
  rank of the errors.

Scores (Gneiting and Raftery 2007): :func:`interval_score`, a proper scoring rule for a central
interval — its width plus 2/α times the distance by which it misses the outturn.

References
----------
Gneiting T, Raftery AE (2007). Strictly proper scoring rules, prediction, and estimation.
    JASA 102(477):359-378, section 6.2 (interval score).
Lei J, G'Sell M, Rinaldo A, Tibshirani RJ, Wasserman L (2018). Distribution-free predictive
    inference for regression. JASA 113(523):1094-1111 (split conformal, normalised residuals).
Vovk V, Gammerman A, Shafer G (2005). Algorithmic Learning in a Random World. Springer.
Vovk V, Shen J, Manokhin V, Xie M (2017). Nonparametric predictive distributions based on
    conformal prediction. PMLR 60:82-102.
Williams WH, Goodman ML (1971). A simple method for the construction of empirical confidence
    limits for economic forecasts. JASA 66(336):752-754.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr, ndtri

__all__ = ["LEVELS", "MIN_ERRORS", "Z80", "Z95", "calibrated_half_width", "conformal_cdf",
           "conformal_quantile", "interval_score"]

Z80 = 1.2815515655446004
Z95 = 1.959963984540054
LEVELS: tuple[float, ...] = (0.80, 0.95)
MIN_ERRORS = 19
"""The fewest earlier errors that give a finite 95% bound: ⌈0.95 (n + 1)⌉ ≤ n from n = 19."""


def conformal_quantile(abs_errors: np.ndarray, level: float) -> float:
    """The ⌈(n + 1)·level⌉-th smallest of ``abs_errors`` (sorted |z|); inf when that exceeds n.

    The half-width, in units of s, of the split-conformal interval at ``level``.
    """
    n = len(abs_errors)
    k = math.ceil((n + 1) * level - 1e-9)
    if k <= 0:
        return 0.0
    return float(abs_errors[k - 1]) if k <= n else math.inf


def calibrated_half_width(abs_errors: np.ndarray, level: float) -> float:
    """The calibrated half-width at ``level`` in units of s: the conformal quantile, never
    below the raw normal one (Φ⁻¹((1 + level)/2): 1.28 at 80%, 1.96 at 95%)."""
    return max(conformal_quantile(abs_errors, level), float(ndtri((1.0 + level) / 2.0)))


def conformal_cdf(abs_errors: np.ndarray, t: float) -> float:
    """P(Z ≤ t) for the next scaled error Z, taken as symmetric about 0, given the earlier
    ``abs_errors`` (sorted |z|): P(|Z| > |t|) is (m + ½)/(n + 1) with m of the n earlier |z|
    above |t| (the conformal predictive distribution, τ = ½), or the raw normal 2(1 − Φ(|t|))
    when that is larger; half of it in each tail."""
    n = len(abs_errors)
    above = n - int(np.searchsorted(abs_errors, abs(t), side="right"))
    tail = max((above + 0.5) / (n + 1), 2.0 * float(ndtr(-abs(t))))
    return 1.0 - tail / 2.0 if t >= 0 else tail / 2.0


def interval_score(lower: np.ndarray, upper: np.ndarray, actual: np.ndarray,
                   alpha: float) -> np.ndarray:
    """Interval score of central (1 − α) intervals (Gneiting and Raftery 2007, eq. 43):
    (u − l) + (2/α)(l − x)·[x < l] + (2/α)(x − u)·[x > u]; lower is better."""
    lower, upper, actual = (np.asarray(a, dtype=float) for a in (lower, upper, actual))
    below = np.clip(lower - actual, 0.0, None)
    above = np.clip(actual - upper, 0.0, None)
    return (upper - lower) + (2.0 / alpha) * (below + above)
