"""Is a change between two periods real? Tests for counts and for proportions.

See :mod:`scp_metrics.stats.intervals.intervals` for the conventions (vectorised, ``conf`` a level in
(0, 1), NaN propagates).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _st

from scp_metrics.stats.intervals import as_floats, check_conf, check_nonnegative, is_scalar, z_for

__all__ = ["PoissonChangeResult", "poisson_change_test", "two_proportion_change_test"]


# ---------------------------------------------------------------- change in counts


@dataclass(frozen=True)
class PoissonChangeResult(Mapping[str, Any]):
    """Result of :func:`poisson_change_test` for a single pair of counts.

    Behaves as a read-only mapping too (``result["z"]``, ``dict(result)``).

    Attributes
    ----------
    current, previous : float
        The two counts compared.
    change_pct : float
        100 (C − P)/P; NaN when P is 0.
    z : float
        2(√C − √P).
    p_value : float
        Two-sided normal p-value, 2(1 − Φ(|z|)).
    significant : bool
        ``|z| > z_for(conf)``.
    label : str or None
        "significant fall", "significant rise" or "no significant change"
        (None when either count is missing).
    """

    current: float
    previous: float
    change_pct: float
    z: float
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


def poisson_change_test(
    current: Any, previous: Any, conf: float = 0.95
) -> PoissonChangeResult | pd.DataFrame:
    """Test whether a count has changed significantly between two periods.

    Parameters
    ----------
    current, previous : float or array_like
        Event counts (≥ 0) in the current and the comparison period, assumed to
        be independent Poisson counts over equal exposure (same population and
        period length). Broadcast against each other.
    conf : float, default 0.95
        Confidence level in (0, 1) defining significance.

    Returns
    -------
    PoissonChangeResult or pandas.DataFrame
        For scalar input a :class:`PoissonChangeResult` (dataclass that is also
        a read-only mapping). For array input a ``DataFrame`` with one row per
        element (flattened) and columns ``current, previous, change_pct, z,
        p_value, significant, label`` (``label`` is missing where a count is).

    Raises
    ------
    ValueError
        If a count is negative or ``conf`` is outside (0, 1).

    Notes
    -----
    Under H₀ (equal means), √X of a Poisson count has variance ≈ 1/4, so
    Z = 2(√C − √P) is approximately standard normal (the square-root
    variance-stabilising transform). ``significant`` is ``|Z| > z`` with
    z = :func:`z_for` ``(conf)``; the label is a "significant fall" when
    Z < 0, "significant rise" when Z > 0. ``change_pct`` is 100 (C − P)/P and
    is NaN when P = 0 (undefined). Missing counts give NaN statistics,
    ``significant = False`` and ``label = None``.

    References
    ----------
    .. [1] Breslow N.E., Day N.E. (1987). *Statistical Methods in Cancer
       Research, Vol. II*. IARC Scientific Publications No. 82.
    .. [2] Anscombe F.J. (1948). The transformation of Poisson, binomial and
       negative-binomial data. *Biometrika* 35: 246-254.

    Examples
    --------
    >>> r = poisson_change_test(80, 120)
    >>> r.label, round(r.z, 3)
    ('significant fall', -4.02)
    """
    c = check_conf(conf)
    scalar = is_scalar(current, previous)
    cur = as_floats(current, "current")
    prev = as_floats(previous, "previous")
    check_nonnegative(cur, "current")
    check_nonnegative(prev, "previous")
    cur, prev = np.broadcast_arrays(cur, prev)
    zc = z_for(c)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(prev > 0, (cur - prev) / prev * 100.0, np.nan)
    z = 2.0 * (np.sqrt(cur) - np.sqrt(prev))
    p = 2.0 * _st.norm.sf(np.abs(z))
    missing = np.isnan(z)
    sig = (np.abs(z) > zc) & ~missing
    label = np.where(
        sig & (z < 0),
        "significant fall",
        np.where(sig & (z > 0), "significant rise", "no significant change"),
    ).astype(object)
    label[missing] = None
    if scalar:
        return PoissonChangeResult(
            current=float(cur),
            previous=float(prev),
            change_pct=float(change),
            z=float(z),
            p_value=float(p),
            significant=bool(sig),
            label=label.item(),
        )
    return pd.DataFrame(
        {
            "current": cur.ravel(),
            "previous": prev.ravel(),
            "change_pct": change.ravel(),
            "z": z.ravel(),
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
    label = np.where(
        sig & (z < 0),
        "significant fall",
        np.where(sig & (z > 0), "significant rise", "no significant change"),
    ).astype(object)
    label[missing] = None
    return pd.DataFrame({"z": z.ravel(), "p_value": p.ravel(), "significant": sig.ravel(),
                         "label": label.ravel()})
