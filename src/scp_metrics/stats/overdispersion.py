"""Over-dispersion in funnel plots: is the spread between areas more than chance allows, and
if so, how much wider the funnel limits should be (Spiegelhalter 2005).

Plain funnel limits (PHE method) assume every area has the same underlying rate, so their
only variation is Poisson (or binomial) chance. With counts in the thousands that chance is
small and real, unmeasured differences between areas dominate: nearly every area falls
outside the limits, which tells a reader nothing. Spiegelhalter's procedure:

1. z-scores against the target (the group's pooled value): zᵢ = (yᵢ − θ₀) / sᵢ, where sᵢ is
   the standard error of area i's value under the plain model (a rate: √(θ₀/nᵢ); a
   proportion: √(θ₀(1 − θ₀)/nᵢ)).
2. Winsorise them: the lowest 10% are set to the 10th percentile, the highest 10% to the
   90th, so that a few genuine outliers do not inflate the estimate.
3. The over-dispersion factor φ̂ = (1/I) Σ zᵢ², over the I winsorised z-scores. Without
   over-dispersion I·φ̂ is approximately χ² with I − 1 degrees of freedom; above its 95%
   point the areas are over-dispersed beyond chance.
4. Only then are the limits widened, by one of two models:

   - **multiplicative**: Var(yᵢ) = φ sᵢ², the limits' distance from the target times √φ̂;
   - **additive random effects**: Var(yᵢ) = sᵢ² + τ², with the between-area variance
     τ̂² = (I φ̂ − (I − 1)) / (Σwᵢ − Σwᵢ²/Σwᵢ), wᵢ = 1/sᵢ² (a DerSimonian–Laird moment
     estimate, 0 when negative). Unlike the multiplicative model its limits do not close in
     on the target as the population grows, so large areas are not flagged for
     differences that every area has.

Spiegelhalter writes the widened limits in their normal form, θ₀ ± z √(φ sᵢ²) and
θ₀ ± z √(sᵢ² + τ²). :func:`widen_limits` applies the same widening to the plain limits'
distances from the target, dᵢ (exact Poisson, Byars or Wilson, so asymmetric for small
counts): θ₀ ± √φ·dᵢ and θ₀ ± √(dᵢ² + z²τ²). Where the plain limits are the normal ones
(dᵢ = z sᵢ) these are Spiegelhalter's limits; without over-dispersion (φ = 1, τ² = 0) they
are the plain limits; and they are never narrower than the plain limits, so an area is never
flagged after the adjustment when it was not flagged before.

References
----------
.. [1] Spiegelhalter D.J. (2005). Funnel plots for comparing institutional performance.
   *Statistics in Medicine* 24(8): 1185-1202 (section 6: over-dispersion).
.. [2] Spiegelhalter D.J. (2005). Handling over-dispersion of performance indicators.
   *Quality and Safety in Health Care* 14(5): 347-351.
.. [3] DerSimonian R., Laird N. (1986). Meta-analysis in clinical trials. *Controlled
   Clinical Trials* 7(3): 177-188.
.. [4] NHS Digital (2023). *Summary Hospital-level Mortality Indicator (SHMI): methodology*
   (winsorised z-scores at 10%, additive random-effects funnel limits).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as _st

__all__ = [
    "FUNNEL_METHODS",
    "WINSORISE_FRACTION",
    "Overdispersion",
    "estimate_overdispersion",
    "funnel_z_scores",
    "widen_limits",
    "winsorise",
]

#: Share of z-scores winsorised in each tail (Spiegelhalter 2005, NHS Digital's SHMI).
WINSORISE_FRACTION = 0.1
#: ``"plain"``: not over-dispersed beyond chance, the PHE limits stand; otherwise the model
#: that widened them.
FUNNEL_METHODS = ("plain", "additive_random_effects", "multiplicative")


@dataclass(frozen=True)
class Overdispersion:
    """How dispersed a group's members are around the target, and what that means.

    Attributes
    ----------
    members : int
        I, the number of members with a z-score.
    phi : float
        φ̂, the mean of the squared winsorised z-scores (1 expected by chance; NaN with
        fewer than 2 members).
    chi2_critical : float
        The χ²(I − 1) point at ``level``: I·φ̂ above it is over-dispersion beyond chance.
    overdispersed : bool
        ``members · phi > chi2_critical``.
    tau2 : float
        τ̂², the between-member variance of the additive model, per unit of denominator
        squared (0 when not over-dispersed).
    level : float
        Level of the over-dispersion test (0.95: a 5% chance of calling a group
        over-dispersed when it is not).
    """

    members: int
    phi: float
    chi2_critical: float
    overdispersed: bool
    tau2: float
    level: float

    def method(self, preferred: str = "additive_random_effects") -> str:
        """The method that judges the group: ``preferred`` if over-dispersed, else "plain"."""
        if preferred not in FUNNEL_METHODS[1:]:
            raise ValueError(f"method must be one of {FUNNEL_METHODS[1:]}; got {preferred!r}")
        return preferred if self.overdispersed else "plain"


def funnel_z_scores(numerator: Any, denominator: Any, pooled: float,
                    measure: str = "rate") -> tuple[np.ndarray, np.ndarray]:
    """z-scores of each member against the target, and their standard errors under it.

    Parameters
    ----------
    numerator, denominator : array_like
        Events (or successes) and population (or cases) per member; denominators > 0.
    pooled : float
        The target per unit of denominator (a per-capita rate, or a proportion in (0, 1)).
    measure : {"rate", "percentage"}
        ``"rate"``: Poisson, sᵢ = √(θ₀/nᵢ). ``"percentage"`` (or ``"proportion"``):
        binomial, sᵢ = √(θ₀(1 − θ₀)/nᵢ).

    Returns
    -------
    z, s : numpy.ndarray
        zᵢ = (xᵢ/nᵢ − θ₀)/sᵢ and sᵢ; NaN where an input is missing.

    Examples
    --------
    >>> z, s = funnel_z_scores([120, 80], [1000, 1000], 0.1)
    >>> [round(v, 4) for v in z]
    [2.0, -2.0]
    """
    m = str(measure).strip().lower()
    if m not in ("rate", "percentage", "proportion"):
        raise ValueError(f"measure must be 'rate' or 'percentage'; got {measure!r}")
    x, n = np.broadcast_arrays(np.asarray(numerator, dtype=float),
                               np.asarray(denominator, dtype=float))
    theta = float(pooled)
    if ((n <= 0) & ~np.isnan(n)).any():
        raise ValueError("denominators must be greater than zero")
    s = np.sqrt(theta / n if m == "rate" else theta * (1.0 - theta) / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x / n - theta) / s
    return z, s


def winsorise(z: Any, fraction: float = WINSORISE_FRACTION) -> np.ndarray:
    """Pull the ``fraction`` lowest and highest values in to the fraction's percentiles.

    The percentiles are R's default (type 7, linear interpolation; numpy's ``"linear"``), as
    FunnelPlotR and the SHMI use. Missing values stay missing and do not enter the
    percentiles.

    Examples
    --------
    >>> winsorise([-5.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 20.0]).tolist()
    [-1.4, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.4]
    """
    a = np.asarray(z, dtype=float)
    if not 0.0 <= fraction < 0.5:
        raise ValueError("fraction must be in [0, 0.5)")
    ok = ~np.isnan(a)
    if not ok.any():
        return a.copy()
    lo, hi = np.quantile(a[ok], [fraction, 1.0 - fraction])
    return np.where(ok, np.clip(a, lo, hi), np.nan)


def estimate_overdispersion(z: Any, s: Any, fraction: float = WINSORISE_FRACTION,
                            level: float = 0.95) -> Overdispersion:
    """φ̂ from winsorised z-scores, the χ² test of it, and τ̂² for the additive model.

    Parameters
    ----------
    z, s : array_like
        z-scores and standard errors of the members (:func:`funnel_z_scores`); members with a
        missing z-score or standard error are left out.
    fraction : float, default 0.1
        Winsorised in each tail.
    level : float, default 0.95
        The χ²(I − 1) point that I·φ̂ must exceed to count as over-dispersed.

    Returns
    -------
    Overdispersion

    Examples
    --------
    >>> od = estimate_overdispersion([3.0, -3.0, 3.0, -3.0], [1.0, 1.0, 1.0, 1.0])
    >>> od.phi, od.overdispersed, round(od.tau2, 4)
    (9.0, True, 11.0)
    """
    zz, ss = np.broadcast_arrays(np.asarray(z, dtype=float), np.asarray(s, dtype=float))
    ok = ~(np.isnan(zz) | np.isnan(ss)) & (ss > 0)
    zz, ss = zz[ok], ss[ok]
    members = int(zz.size)
    if members < 2:
        return Overdispersion(members, float("nan"), float("nan"), False, 0.0, level)
    phi = float(np.mean(winsorise(zz, fraction) ** 2))
    critical = float(_st.chi2.ppf(level, members - 1))
    over = members * phi > critical
    tau2 = 0.0
    if over:
        w = 1.0 / ss**2
        tau2 = max(0.0, (members * phi - (members - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return Overdispersion(members, phi, critical, bool(over), float(tau2), level)


def widen_limits(lower: Any, upper: Any, target: float, od: Overdispersion, conf: float,
                 method: str = "additive_random_effects") -> tuple[np.ndarray, np.ndarray]:
    """Funnel limits widened for over-dispersion (unchanged when there is none).

    Parameters
    ----------
    lower, upper : array_like
        The plain limits at each denominator, per unit of denominator (e.g.
        ``rankings.funnel.funnel_limits``).
    target : float
        The target they surround (the pooled value), same units.
    od : Overdispersion
        From :func:`estimate_overdispersion`.
    conf : float
        The limits' level (0.95 or 0.998): z = Φ⁻¹((1 + conf)/2) scales τ.
    method : {"additive_random_effects", "multiplicative"}

    Returns
    -------
    lower, upper : numpy.ndarray
        Multiplicative: target ∓ √φ̂·d; additive: target ∓ √(d² + z²τ̂²), d the plain
        limit's distance from the target on its side (see the module notes). A lower limit
        is not taken below 0 (rates and proportions are not negative) and, for proportions,
        callers clip the upper one at 1.

    Examples
    --------
    >>> od = Overdispersion(4, 4.0, 7.8, True, 0.0004, 0.95)
    >>> lo, hi = widen_limits([0.08], [0.12], 0.1, od, 0.95, "multiplicative")
    >>> round(float(lo[0]), 6), round(float(hi[0]), 6)
    (0.06, 0.14)
    """
    kind = od.method(method)
    lo, hi = np.broadcast_arrays(np.asarray(lower, dtype=float), np.asarray(upper, dtype=float))
    if kind == "plain":
        return lo.copy(), hi.copy()
    below, above = target - lo, hi - target
    if kind == "multiplicative":
        factor = np.sqrt(od.phi)
        below, above = below * factor, above * factor
    else:
        extra = (_st.norm.ppf(0.5 + conf / 2.0)) ** 2 * od.tau2
        below, above = np.sqrt(below**2 + extra), np.sqrt(above**2 + extra)
    return np.maximum(target - below, 0.0), target + above
