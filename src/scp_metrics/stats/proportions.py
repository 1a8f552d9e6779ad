"""Confidence intervals of proportions and means: Wilson score, a weighted proportion with the
Kish effective sample size, and a mean (conventions as :mod:`scp_metrics.stats.intervals`).

* **Wilson score** (proportions, no continuity correction)::

      (2x + z² ∓ z √(z² + 4x(1 − x/n))) / (2(n + z²))

* **Weighted proportion**: Wilson applied to the weighted proportion with the
  Kish effective sample size n_eff = (Σw)²/Σw².
* **Mean**: mean ± t⁻¹(1 − (1 − c)/2; N − 1) · s/√N.

References
----------
.. [1] Wilson E.B. (1927). Probable inference, the law of succession, and
   statistical inference. *Journal of the American Statistical Association*
   22(158): 209-212.
.. [2] Office for Health Improvement and Disparities / UKHSA.
   *PHEindicatormethods*, R package v2.1.0 (``phe_proportion``, ``phe_mean``,
   ``wilson_lower``, ``wilson_upper``).
.. [3] Kish L. (1965). *Survey Sampling*. New York: John Wiley & Sons
   (design effect and effective sample size, n_eff = (Σw)²/Σw²).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats as _st

from scp_metrics.stats.intervals import (
    as_floats,
    as_output,
    check_conf,
    check_nonnegative,
    check_positive,
    is_scalar,
    z_for,
)

__all__ = ["mean_ci", "weighted_proportion_ci", "wilson_ci", "wilson_raw"]


# ------------------------------------------------------------------- proportions


def wilson_raw(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        root = z * np.sqrt(z2 + 4.0 * x * (1.0 - x / n))
        denom = 2.0 * (n + z2)
        lower = (2.0 * x + z2 - root) / denom
        upper = (2.0 * x + z2 + root) / denom
    # The algebra gives exactly 0 / 1 at the edges; remove rounding noise there.
    lower = np.where(x == 0, 0.0, lower)
    upper = np.where(x == n, 1.0, upper)
    return lower, upper


def wilson_ci(successes: Any, n: Any, conf: float = 0.95) -> tuple[Any, Any]:
    """Wilson score interval for a proportion (no continuity correction).

    Parameters
    ----------
    successes : float or array_like
        Number of successes x, 0 ≤ x ≤ n. Need not be an integer (PHE allows
        weighted or modelled numerators).
    n : float or array_like
        Number of trials, > 0. Broadcast against ``successes``.
    conf : float, default 0.95
        Confidence level in (0, 1).

    Returns
    -------
    lower, upper : float or numpy.ndarray
        Limits as proportions in [0, 1] (multiply by 100 for a percentage):
        ``(2x + z² ∓ z√(z² + 4x(1 − x/n))) / (2(n + z²))``.

    Raises
    ------
    ValueError
        If x < 0, n ≤ 0, x > n, or ``conf`` is outside (0, 1).

    References
    ----------
    .. [1] Wilson E.B. (1927). Probable inference, the law of succession, and
       statistical inference. *JASA* 22: 209-212.
    .. [2] PHEindicatormethods v2.1.0, ``wilson_lower`` / ``wilson_upper`` /
       ``phe_proportion``.

    Examples
    --------
    >>> lo, hi = wilson_ci(65, 100)
    >>> round(lo, 4), round(hi, 4)
    (0.5525, 0.7364)
    """
    c = check_conf(conf)
    scalar = is_scalar(successes, n)
    x = as_floats(successes, "successes")
    nn = as_floats(n, "n")
    check_nonnegative(x, "successes")
    check_positive(nn, "n")
    x, nn = np.broadcast_arrays(x, nn)
    if np.any(x > nn):
        raise ValueError("successes must be less than or equal to n")
    return as_output(scalar, *wilson_raw(x, nn, z_for(c)))


def weighted_proportion_ci(
    indicator: Any, weights: Any, conf: float = 0.95
) -> tuple[float, float, float, float]:
    """Weighted proportion with a Wilson interval on the Kish effective sample size.

    Intended for survey indicators (e.g. the share of residents who feel safe
    after dark) where each respondent carries a design or non-response weight.

    Parameters
    ----------
    indicator : array_like
        One value per respondent: 1 (has the attribute), 0 (does not); booleans
        are accepted, and fractional values in [0, 1] are treated as partial
        membership. 1-D.
    weights : array_like
        Non-negative survey weights, same length as ``indicator``.
    conf : float, default 0.95
        Confidence level in (0, 1).

    Returns
    -------
    pct_0_1 : float
        Weighted proportion p = Σwᵢyᵢ / Σwᵢ (0..1, not a percentage).
    lower, upper : float
        Wilson limits (0..1).
    n_eff : float
        Kish effective sample size (Σw)² / Σw².

    Raises
    ------
    ValueError
        If lengths differ, a weight is negative, an indicator is outside [0, 1],
        or ``conf`` is outside (0, 1).

    Notes
    -----
    Method: compute p and n_eff, then apply the Wilson score interval with
    ``n = n_eff`` and ``x = p · n_eff`` (:func:`wilson_ci`). This treats the
    weighting as inflating the variance by Kish's design effect
    deff = n / n_eff = n Σw² / (Σw)², i.e. the interval a simple random sample of
    size n_eff would give for the same proportion. It ignores clustering and
    stratification (pass design-based effective sizes through :func:`wilson_ci`
    directly if you have them). With equal weights it reduces to the ordinary
    Wilson interval for ``sum(indicator)`` out of ``len(indicator)``.

    Pairs where the indicator or the weight is NaN are dropped. If no weight is
    positive, all four outputs are NaN.

    References
    ----------
    .. [1] Kish L. (1965). *Survey Sampling*. New York: Wiley (effective sample
       size under unequal weighting).
    .. [2] Wilson E.B. (1927). *JASA* 22: 209-212.
    .. [3] PHEindicatormethods v2.1.0, ``phe_proportion`` (Wilson limits).

    Examples
    --------
    >>> p, lo, hi, n_eff = weighted_proportion_ci([1, 0, 1, 1], [1, 1, 1, 1])
    >>> p, n_eff
    (0.75, 4.0)
    """
    c = check_conf(conf)
    y = as_floats(indicator, "indicator").ravel()
    w = as_floats(weights, "weights").ravel()
    if y.shape != w.shape:
        raise ValueError("indicator and weights must have the same length")
    keep = ~(np.isnan(y) | np.isnan(w))
    y, w = y[keep], w[keep]
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    if np.any((y < 0) | (y > 1)):
        raise ValueError("indicator values must lie in [0, 1]")
    sw = float(np.sum(w))
    if sw <= 0:
        return (np.nan, np.nan, np.nan, np.nan)
    p = float(np.sum(w * y) / sw)
    n_eff = sw * sw / float(np.sum(w * w))
    x = min(max(p * n_eff, 0.0), n_eff)
    lo_arr, hi_arr = wilson_raw(np.asarray(x), np.asarray(n_eff), z_for(c))
    # Exact-edge handling when p is 0 or 1 (x == n_eff may miss by rounding).
    lower = 0.0 if p == 0.0 else float(lo_arr)
    upper = 1.0 if p == 1.0 else float(hi_arr)
    return p, lower, upper, float(n_eff)


# ------------------------------------------------------------------------- means


def mean_ci(values: Any, conf: float = 0.95, axis: int = -1) -> tuple[Any, Any, Any]:
    """Mean with a Student-t confidence interval, as PHEindicatormethods ``phe_mean``.

    Parameters
    ----------
    values : array_like
        Sample values. For a 1-D input the whole sample is used; for N-D input
        one interval is computed along ``axis``. NaN values are ignored (the
        sample size is the number of non-missing values).
    conf : float, default 0.95
        Confidence level in (0, 1).
    axis : int, default -1
        Axis along which to compute for N-D input.

    Returns
    -------
    mean, lower, upper : float or numpy.ndarray
        ``mean ± t⁻¹(1 − (1−c)/2; N−1) · s/√N`` with s the sample standard
        deviation (ddof = 1). Floats for 1-D input. Limits are NaN when fewer
        than two values are present; the mean is NaN when none are.

    Raises
    ------
    ValueError
        If ``conf`` is outside (0, 1).

    References
    ----------
    .. [1] PHEindicatormethods v2.1.0, ``phe_mean``.
    .. [2] Student (1908). The probable error of a mean. *Biometrika* 6: 1-25.

    Examples
    --------
    >>> m, lo, hi = mean_ci([1.0, 2.0, 3.0])
    >>> m, round(lo, 4), round(hi, 4)
    (2.0, -0.4841, 4.4841)
    """
    c = check_conf(conf)
    v = as_floats(values, "values")
    if v.ndim == 0:
        v = v.reshape(1)
    ok = ~np.isnan(v)
    n = ok.sum(axis=axis).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(ok, v, 0.0).sum(axis=axis)
        mean = total / n
        dev = np.where(ok, v - np.expand_dims(mean, axis), 0.0)
        var = (dev * dev).sum(axis=axis) / (n - 1.0)
        sd = np.sqrt(np.where(n > 1, var, np.nan))
        tcrit = _st.t.ppf(1.0 - (1.0 - c) / 2.0, np.where(n > 1, n - 1.0, np.nan))
        half = tcrit * sd / np.sqrt(n)
    return as_output(v.ndim == 1, mean, mean - half, mean + half)
