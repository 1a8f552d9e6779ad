"""Confidence intervals of counts and rates for Community Safety Partnership indicators.

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
* **Wilson score** (proportions), **weighted proportion** (Kish n_eff) and **mean**:
  :mod:`scp_metrics.stats.proportions`.
* **Change** between two periods: :mod:`scp_metrics.stats.change`.

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
    "as_floats",
    "optional_float",
    "as_output",
    "byars_ci",
    "byars_raw",
    "check_conf",
    "check_nonnegative",
    "check_positive",
    "exact_poisson_ci",
    "exact_raw",
    "is_scalar",
    "rate_ci",
    "z_for",
]

#: Counts below this use exact (Garwood) limits in :func:`rate_ci`; counts at or
#: above it use Byars, as in PHEindicatormethods ``phe_rate``.
EXACT_BELOW = 10


# --------------------------------------------------------------------------- helpers


def check_conf(conf: float) -> float:
    c = float(conf)
    if not (0.0 < c < 1.0):
        raise ValueError(f"conf must be in the open interval (0, 1); got {conf!r}")
    return c


def is_scalar(*args: Any) -> bool:
    return all(np.ndim(a) == 0 for a in args)


def optional_float(value: Any) -> float | None:
    """One cell as a float, or None for a missing or non-numeric one (None, NA, NaN, text)."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if out != out else out


def as_floats(x: Any, name: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric") from exc
    return a


def as_output(scalar: bool, *arrays: np.ndarray) -> tuple[Any, ...]:
    if scalar:
        return tuple(float(a) for a in arrays)
    return tuple(np.asarray(a, dtype=float) for a in arrays)


def check_nonnegative(a: np.ndarray, name: str) -> None:
    if np.any(a < 0):  # NaN compares False, so missing values pass through
        raise ValueError(f"{name} must be greater than or equal to zero")


def check_positive(a: np.ndarray, name: str) -> None:
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
    c = check_conf(conf)
    return float(_st.norm.ppf(c + (1.0 - c) / 2.0))


# ----------------------------------------------------------------- Poisson intervals


def byars_raw(x: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
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


def exact_raw(x: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
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
    c = check_conf(conf)
    scalar = is_scalar(count)
    x = as_floats(count, "count")
    check_nonnegative(x, "count")
    return as_output(scalar, *byars_raw(x, z_for(c)))


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
    c = check_conf(conf)
    scalar = is_scalar(count)
    x = as_floats(count, "count")
    check_nonnegative(x, "count")
    return as_output(scalar, *exact_raw(x, c))


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
    c = check_conf(conf)
    scalar = is_scalar(count, denominator)
    x = as_floats(count, "count")
    n = as_floats(denominator, "denominator")
    check_nonnegative(x, "count")
    check_positive(n, "denominator")
    x, n = np.broadcast_arrays(x, n)
    m = float(multiplier)

    ex_lo, ex_hi = exact_raw(x, c)
    by_lo, by_hi = byars_raw(x, z_for(c))
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
