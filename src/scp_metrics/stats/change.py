"""Is a change between two periods real? Tests for counts and for proportions.

See :mod:`scp_metrics.stats.intervals` for the conventions (vectorised, ``conf`` a level in
(0, 1), NaN propagates).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _st

from scp_metrics.stats.binomial_test import binomial_two_sided_p
from scp_metrics.stats.intervals import (
    as_floats,
    check_conf,
    check_nonnegative,
    check_positive,
    is_scalar,
    z_for,
)

__all__ = ["PoissonChangeResult", "poisson_change_test", "two_proportion_change_test"]


# ---------------------------------------------------------------- change in counts


@dataclass(frozen=True)
class PoissonChangeResult(Mapping[str, Any]):
    """Result of :func:`poisson_change_test` for a single pair of counts.

    Behaves as a read-only mapping too (``result["p_value"]``, ``dict(result)``).

    Attributes
    ----------
    current, previous : float
        The two counts compared.
    change_pct : float
        100 (C/E_C − P/E_P) / (P/E_P): the change in the rate (in the count when the exposures
        are equal); NaN when P is 0.
    p_value : float
        Two-sided exact p-value of the conditional test.
    significant : bool
        ``p_value < 1 − conf``.
    label : str or None
        "significant fall", "significant rise" or "no significant change"
        (None when either count is missing).
    """

    current: float
    previous: float
    change_pct: float
    p_value: float
    significant: bool
    label: str | None

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dataclass_fields__)

    def __len__(self) -> int:
        return len(self.__dataclass_fields__)

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain ``dict``."""
        return asdict(self)


def _verdicts(significant: np.ndarray, direction: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """The verdict label per element: the direction of a significant change, else none."""
    label = np.where(
        significant & (direction < 0),
        "significant fall",
        np.where(significant & (direction > 0), "significant rise", "no significant change"),
    ).astype(object)
    label[missing] = None
    return label


def poisson_change_test(
    current: Any,
    previous: Any,
    conf: float = 0.95,
    current_exposure: Any = 1.0,
    previous_exposure: Any = 1.0,
) -> PoissonChangeResult | pd.DataFrame:
    """Test whether a count (or a rate) has changed significantly between two periods.

    Parameters
    ----------
    current, previous : float or array_like
        Event counts (whole numbers ≥ 0) in the current and the comparison period, assumed
        to be independent Poisson counts. Broadcast against each other.
    conf : float, default 0.95
        Confidence level in (0, 1): significant when the p-value is below 1 − conf.
    current_exposure, previous_exposure : float or array_like, default 1
        Exposure of each period (> 0), e.g. population × months for a rate; only their
        ratio matters. Equal exposures (the default) compare the counts themselves.

    Returns
    -------
    PoissonChangeResult or pandas.DataFrame
        For scalar input a :class:`PoissonChangeResult` (dataclass that is also a read-only
        mapping). For array input a ``DataFrame`` with one row per element (flattened) and
        columns ``current, previous, change_pct, p_value, significant, label`` (``label`` is
        missing where a count is).

    Raises
    ------
    ValueError
        If a count is negative or not whole, an exposure is not positive, or ``conf`` is
        outside (0, 1).

    Notes
    -----
    The exact conditional test ([1]_, [2]_): if both periods have the same rate, C given
    C + P = n is binomial with n trials and probability p = E_C / (E_C + E_P). The two-sided
    p-value is the binomial test's by the minimum-likelihood rule, as R's
    ``poisson.test(c(C, P), c(E_C, E_P))`` gives it (:func:`~scp_metrics.stats.binomial_test.
    binomial_two_sided_p`). Unlike a normal approximation it holds its size for small counts
    too: under no change it calls at most 1 − conf of pairs significant. The test has no Z
    statistic. The direction of a significant change is that of C/E_C − P/E_P. With no
    events in either period (n = 0) the p-value is 1. ``change_pct`` is NaN when P = 0.
    Missing counts give NaN statistics, ``significant = False`` and ``label = None``.

    References
    ----------
    .. [1] Przyborowski J., Wileński H. (1940). Homogeneity of results in testing samples
       from Poisson series. *Biometrika* 31: 313-323.
    .. [2] Breslow N.E., Day N.E. (1987). *Statistical Methods in Cancer Research, Vol. II*.
       IARC Scientific Publications No. 82, section 3.2 (comparison of two rates conditional
       on their total).
    .. [3] Fay M.P. (2010). Two-sided exact tests and matching confidence intervals for
       discrete data. *The R Journal* 2(1): 53-58.

    Examples
    --------
    >>> r = poisson_change_test(263, 299)
    >>> r.label, round(r.p_value, 4)
    ('no significant change', 0.1398)
    """
    c = check_conf(conf)
    scalar = is_scalar(current, previous, current_exposure, previous_exposure)
    cur = as_floats(current, "current")
    prev = as_floats(previous, "previous")
    check_nonnegative(cur, "current")
    check_nonnegative(prev, "previous")
    e_cur = as_floats(current_exposure, "current_exposure")
    e_prev = as_floats(previous_exposure, "previous_exposure")
    check_positive(e_cur, "current_exposure")
    check_positive(e_prev, "previous_exposure")
    cur, prev, e_cur, e_prev = np.broadcast_arrays(cur, prev, e_cur, e_prev)
    for a, name in ((cur, "current"), (prev, "previous")):
        if (a[~np.isnan(a)] % 1 != 0).any():
            raise ValueError(f"{name} must be whole numbers (event counts)")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (cur / e_cur) / (prev / e_prev)
        change = np.where(prev > 0, (ratio - 1.0) * 100.0, np.nan)
        share = e_cur / (e_cur + e_prev)
    p = binomial_two_sided_p(cur, cur + prev, share)
    missing = np.isnan(p)
    sig = (p < 1.0 - c) & ~missing
    direction = np.sign(cur * e_prev - prev * e_cur)
    label = _verdicts(sig, direction, missing)
    if scalar:
        return PoissonChangeResult(
            current=float(cur),
            previous=float(prev),
            change_pct=float(change),
            p_value=float(p),
            significant=bool(sig),
            label=label.item(),
        )
    return pd.DataFrame(
        {
            "current": cur.ravel(),
            "previous": prev.ravel(),
            "change_pct": change.ravel(),
            "p_value": p.ravel(),
            "significant": sig.ravel(),
            "label": label.ravel(),
        }
    )


# ------------------------------------------------------------ change in a proportion


def two_proportion_change_test(
    current_successes: Any,
    current_n: Any,
    previous_successes: Any,
    previous_n: Any,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Two-proportion z test (pooled variance) of a change in a percentage.

    Parameters
    ----------
    current_successes, current_n : float or array_like
        Numerator x₁ and denominator n₁ of the current period (0 ≤ x₁ ≤ n₁).
    previous_successes, previous_n : float or array_like
        Numerator x₀ and denominator n₀ of the comparison period.
    conf : float, default 0.95
        Confidence level in (0, 1) defining significance.

    Returns
    -------
    pandas.DataFrame
        One row per element (inputs broadcast and flattened) with columns
        ``z, p_value, significant, label``; ``label`` is "significant fall",
        "significant rise" or "no significant change", and missing (None) where
        an input is missing or a denominator is not positive.

    Notes
    -----
    With p₁ = x₁/n₁, p₀ = x₀/n₀ and the pooled p = (x₁ + x₀)/(n₁ + n₀)::

        Z = (p₁ − p₀) / √(p (1 − p) (1/n₁ + 1/n₀))

    two-sided p-value 2(1 − Φ(|Z|)), significant when |Z| > z_for(conf). When
    the pooled proportion is 0 or 1 both proportions are equal and Z = 0. This is
    the score form of the test (Fleiss et al. 2003, §2.5.1) and matches
    ``statsmodels.stats.proportion.proportions_ztest`` with its default pooled
    variance. Counts are treated as simple random samples; for weighted surveys
    pass Kish effective sizes.

    References
    ----------
    .. [1] Fleiss J.L., Levin B., Paik M.C. (2003). *Statistical Methods for
       Rates and Proportions*, 3rd ed. Wiley, section 2.5.1.
    .. [2] Altman D.G., Machin D., Bryant T.N., Gardner M.J. (2000).
       *Statistics with Confidence*, 2nd ed. BMJ Books, chapter 6.

    Examples
    --------
    >>> r = two_proportion_change_test(30, 100, 45, 100)
    >>> round(float(r.z[0]), 4), r.label[0]
    (-2.1909, 'significant fall')
    """
    c = check_conf(conf)
    x1, n1, x0, n0 = np.broadcast_arrays(
        as_floats(current_successes, "current_successes"), as_floats(current_n, "current_n"),
        as_floats(previous_successes, "previous_successes"), as_floats(previous_n, "previous_n"))
    for a, name in ((x1, "current_successes"), (x0, "previous_successes")):
        check_nonnegative(a, name)
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = (n1 > 0) & (n0 > 0)
        pooled = (x1 + x0) / (n1 + n0)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n0))
        diff = x1 / n1 - x0 / n0
        z = np.where(se > 0, diff / se, 0.0)
    z = np.where(valid & ~np.isnan(pooled), z, np.nan)
    p = 2.0 * _st.norm.sf(np.abs(z))
    missing = np.isnan(z)
    sig = (np.abs(z) > z_for(c)) & ~missing
    label = _verdicts(sig, np.sign(z), missing)
    return pd.DataFrame({"z": z.ravel(), "p_value": p.ravel(), "significant": sig.ravel(),
                         "label": label.ravel()})
