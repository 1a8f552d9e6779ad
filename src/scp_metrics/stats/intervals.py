"""Confidence intervals and change tests for Community Safety Partnership indicators.

The methods follow the Office for Health Improvement and Disparities (OHID/UKHSA)
*PHEindicatormethods* R package, the reference implementation behind Fingertips, so
that a rate or proportion published by scp-metrics carries the same limits an
analyst would get from the public-health tool chain.

Every function is vectorised: scalar input gives Python ``float`` results, array
input (anything ``numpy.asarray`` accepts) gives ``numpy.ndarray`` results broadcast
over the inputs. ``conf`` is a confidence level in the open interval (0, 1); the
two levels used by Fingertips are 0.95 and 0.998. Missing inputs (NaN) propagate to
NaN outputs; impossible inputs (negative counts, non-positive denominators, more
successes than trials) raise :class:`ValueError`, as PHEindicatormethods does.

Summary of methods (z = Φ⁻¹(c + (1 − c)/2) for confidence level c):

* **Byars** (counts, no continuity correction)::

      lower = x (1 − 1/(9x) − z/(3√x))³
      upper = (x + 1) (1 − 1/(9(x + 1)) + z/(3√(x + 1)))³

  A negative lower limit is reported as NaN.
* **Exact Poisson** (Garwood)::

      lower = χ²⁻¹((1 − c)/2; 2x) / 2          (0 when x = 0)
      upper = χ²⁻¹(c + (1 − c)/2; 2x + 2) / 2

* **Crude rate**: value = x/n·m; exact limits when x < 10, Byars when x ≥ 10, both
  scaled by m/n.
* **Wilson score** (proportions, no continuity correction)::

      (2x + z² ∓ z √(z² + 4x(1 − x/n))) / (2(n + z²))

* **Mean**: mean ± t⁻¹(1 − (1 − c)/2; N − 1) · s/√N.
* **Weighted proportion**: Wilson applied to the weighted proportion with the
  Kish effective sample size n_eff = (Σw)²/Σw².
* **Change** between two periods: :mod:`scp_metrics.stats.intervals.change`.

References
----------
.. [1] Breslow N.E., Day N.E. (1987). *Statistical Methods in Cancer Research,
   Volume II: The Design and Analysis of Cohort Studies*. IARC Scientific
   Publications No. 82, Lyon (Byars' approximation, p. 69; attributed to
   Byar D.P., 1984, personal communication).
.. [2] Garwood F. (1936). Fiducial limits for the Poisson distribution.
   *Biometrika* 28(3/4): 437-442.
.. [3] Wilson E.B. (1927). Probable inference, the law of succession, and
   statistical inference. *Journal of the American Statistical Association*
   22(158): 209-212.
.. [4] Office for Health Improvement and Disparities / UKHSA.
   *PHEindicatormethods: Common Public Health Statistics and their Confidence
   Intervals*, R package v2.1.0 (functions ``phe_rate``, ``phe_proportion``,
   ``phe_mean``, ``byars_lower``, ``byars_upper``, ``wilson_lower``,
   ``wilson_upper``). https://github.com/ukhsa-collaboration/PHEindicatormethods
.. [5] Kish L. (1965). *Survey Sampling*. New York: John Wiley & Sons
   (design effect and effective sample size, n_eff = (Σw)²/Σw²).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats as _st

__all__ = [
    "EXACT_BELOW",
    "byars_ci",
    "exact_poisson_ci",
    "mean_ci",
    "rate_ci",
    "weighted_proportion_ci",
    "wilson_ci",
    "z_for",
]

#: Counts below this use exact (Garwood) limits in :func:`rate_ci`; counts at or
#: above it use Byars, as in PHEindicatormethods ``phe_rate``.
EXACT_BELOW = 10


# --------------------------------------------------------------------------- helpers


def _check_conf(conf: float) -> float:
    c = float(conf)
    if not (0.0 < c < 1.0):
        raise ValueError(f"conf must be in the open interval (0, 1); got {conf!r}")
    return c


def _is_scalar(*args: Any) -> bool:
    return all(np.ndim(a) == 0 for a in args)


def _arr(x: Any, name: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric") from exc
    return a


def _out(scalar: bool, *arrays: np.ndarray) -> tuple[Any, ...]:
    if scalar:
        return tuple(float(a) for a in arrays)
    return tuple(np.asarray(a, dtype=float) for a in arrays)


def _check_nonnegative(a: np.ndarray, name: str) -> None:
    if np.any(a < 0):  # NaN compares False, so missing values pass through
        raise ValueError(f"{name} must be greater than or equal to zero")


def _check_positive(a: np.ndarray, name: str) -> None:
    if np.any(a <= 0):
        raise ValueError(f"{name} must be greater than zero")


def z_for(conf: float = 0.95) -> float:
    """Two-sided standard-normal critical value for a confidence level.

    Parameters
    ----------
    conf : float, default 0.95
        Confidence level in (0, 1).

    Returns
    -------
    float
        z = Φ⁻¹(c + (1 − c)/2); 1.959963984540054 for 0.95 and
        3.090232306167813 for 0.998.

    Examples
    --------
    >>> round(z_for(0.95), 6)
    1.959964
    """
    c = _check_conf(conf)
    return float(_st.norm.ppf(c + (1.0 - c) / 2.0))


# ----------------------------------------------------------------- Poisson intervals


def _byars_raw(x: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        # cubes as products: numpy's vectorised ``** 3`` and its scalar path can differ in
        # the last bit, and a count must get the same limits alone or in an array
        lo = 1.0 - 1.0 / (9.0 * x) - z / (3.0 * np.sqrt(x))
        lower = x * (lo * lo * lo)
        x1 = x + 1.0
        hi = 1.0 - 1.0 / (9.0 * x1) + z / (3.0 * np.sqrt(x1))
        upper = x1 * (hi * hi * hi)
    # At x = 0 the expression is 0·(−∞)³ (NaN); its limit is negative, so NaN is right.
    lower = np.where(lower < 0, np.nan, lower)
    return lower, upper


def _exact_raw(x: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore"):
        lower = _st.chi2.ppf((1.0 - c) / 2.0, 2.0 * x) / 2.0
        upper = _st.chi2.ppf(c + (1.0 - c) / 2.0, 2.0 * x + 2.0) / 2.0
    lower = np.where(x == 0, 0.0, lower)
    return lower, upper


def byars_ci(count: Any, conf: float = 0.95) -> tuple[Any, Any]:
    """Byars' approximation to the exact Poisson confidence interval for a count.

    Parameters
    ----------
    count : float or array_like
        Observed event count(s), ≥ 0. Non-integer counts are accepted (the
        formula is continuous); NaN propagates.
    conf : float, default 0.95
        Confidence level in (0, 1).

    Returns
    -------
    lower, upper : float or numpy.ndarray
        Limits for the expected count. No continuity correction is applied. A
        negative lower limit (small counts at high confidence, and every zero
        count) is reported as NaN, matching PHEindicatormethods ``byars_lower``.

    Raises
    ------
    ValueError
        If any count is negative or ``conf`` is outside (0, 1).

    Notes
    -----
    ``lower = x(1 − 1/(9x) − z/(3√x))³`` and
    ``upper = (x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³``. This is *not* the
    DescTools "byar" variant, which adds 0.5 to x.

    References
    ----------
    .. [1] Breslow N.E., Day N.E. (1987). *Statistical Methods in Cancer
       Research, Vol. II*. IARC Scientific Publications No. 82, p. 69 (Byar 1984).
    .. [2] PHEindicatormethods v2.1.0, ``byars_lower`` / ``byars_upper``.

    Examples
    --------
    >>> lo, hi = byars_ci(65)
    >>> round(lo, 4), round(hi, 4)
    (50.1632, 82.8491)
    """
    c = _check_conf(conf)
    scalar = _is_scalar(count)
    x = _arr(count, "count")
    _check_nonnegative(x, "count")
    return _out(scalar, *_byars_raw(x, z_for(c)))


def exact_poisson_ci(count: Any, conf: float = 0.95) -> tuple[Any, Any]:
    """Exact (Garwood) Poisson confidence interval for a count.

    Parameters
    ----------
    count : float or array_like
        Observed event count(s), ≥ 0; NaN propagates.
    conf : float, default 0.95
        Confidence level in (0, 1).

    Returns
    -------
    lower, upper : float or numpy.ndarray
        ``lower = χ²⁻¹((1−c)/2; 2x)/2`` (exactly 0 when x = 0) and
        ``upper = χ²⁻¹(c + (1−c)/2; 2x+2)/2``. Divide by an exposure to obtain
        limits for a rate.

    Raises
    ------
    ValueError
        If any count is negative or ``conf`` is outside (0, 1).

    References
    ----------
    .. [1] Garwood F. (1936). Fiducial limits for the Poisson distribution.
       *Biometrika* 28: 437-442.
    .. [2] PHEindicatormethods v2.1.0, ``phe_rate`` (exact method).

    Examples
    --------
    >>> lo, hi = exact_poisson_ci(0)
    >>> lo, round(hi, 4)
    (0.0, 3.6889)
    """
    c = _check_conf(conf)
    scalar = _is_scalar(count)
    x = _arr(count, "count")
    _check_nonnegative(x, "count")
    return _out(scalar, *_exact_raw(x, c))


def rate_ci(
    count: Any, denominator: Any, multiplier: float = 1000, conf: float = 0.95
) -> tuple[Any, Any, Any, Any]:
    """Crude rate with confidence limits, as PHEindicatormethods ``phe_rate``.

    Parameters
    ----------
    count : float or array_like
        Event counts (numerators), ≥ 0. Counts larger than the denominator are
        allowed (e.g. repeat victimisation).
    denominator : float or array_like
        Population at risk, > 0. Broadcast against ``count``.
    multiplier : float, default 1000
        Rate per this many of the population (1000 is the usual crime-rate base;
        Fingertips often uses 100 000).
    conf : float, default 0.95
        Confidence level in (0, 1).

    Returns
    -------
    value, lower, upper : float or numpy.ndarray
        ``count / denominator * multiplier`` and its limits.
    method : str, None or numpy.ndarray of object
        ``"Exact"`` where count < 10 (Garwood limits), ``"Byars"`` where
        count ≥ 10. Where the count is missing the method is ``None``. Arrays
        are returned as ``object`` dtype.

    Raises
    ------
    ValueError
        If a count is negative, a denominator is ≤ 0, or ``conf`` is outside
        (0, 1).

    Notes
    -----
    Missing counts or denominators give NaN value and limits (PHE reports NA).
    A Byars lower limit that would be negative is NaN (only possible at extreme
    confidence levels, since Byars is used from 10 events).

    References
    ----------
    .. [1] PHEindicatormethods v2.1.0, ``phe_rate``.
    .. [2] Garwood F. (1936). *Biometrika* 28: 437-442.
    .. [3] Breslow N.E., Day N.E. (1987). IARC Sci. Publ. 82 (Byars).

    Examples
    --------
    >>> v, lo, hi, m = rate_ci(5, 100, multiplier=100)
    >>> v, round(lo, 4), round(hi, 4), m
    (5.0, 1.6235, 11.6683, 'Exact')
    """
    c = _check_conf(conf)
    scalar = _is_scalar(count, denominator)
    x = _arr(count, "count")
    n = _arr(denominator, "denominator")
    _check_nonnegative(x, "count")
    _check_positive(n, "denominator")
    x, n = np.broadcast_arrays(x, n)
    m = float(multiplier)

    ex_lo, ex_hi = _exact_raw(x, c)
    by_lo, by_hi = _byars_raw(x, z_for(c))
    exact = x < EXACT_BELOW
    lower = np.where(exact, ex_lo, by_lo)
    upper = np.where(exact, ex_hi, by_hi)
    scale = m / n
    value = x / n * m
    lower = lower * scale
    upper = upper * scale

    method = np.where(exact, "Exact", "Byars").astype(object)
    method[np.isnan(x)] = None
    if scalar:
        return float(value), float(lower), float(upper), method.item()
    return value, lower, upper, method


# ------------------------------------------------------------------- proportions


def _wilson_raw(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
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
    c = _check_conf(conf)
    scalar = _is_scalar(successes, n)
    x = _arr(successes, "successes")
    nn = _arr(n, "n")
    _check_nonnegative(x, "successes")
    _check_positive(nn, "n")
    x, nn = np.broadcast_arrays(x, nn)
    if np.any(x > nn):
        raise ValueError("successes must be less than or equal to n")
    return _out(scalar, *_wilson_raw(x, nn, z_for(c)))


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
    c = _check_conf(conf)
    y = _arr(indicator, "indicator").ravel()
    w = _arr(weights, "weights").ravel()
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
    lo_arr, hi_arr = _wilson_raw(np.asarray(x), np.asarray(n_eff), z_for(c))
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
    c = _check_conf(conf)
    v = _arr(values, "values")
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
    return _out(v.ndim == 1, mean, mean - half, mean + half)
