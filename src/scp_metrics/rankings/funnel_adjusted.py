"""Funnel limits adjusted for over-dispersion (Spiegelhalter 2005), applied to a ranked group.

The pure statistics (winsorised z-scores, φ̂, τ̂², the widening) are in
:mod:`scp_metrics.stats.overdispersion`; this module applies them to one group and period at a
time, as :func:`scp_metrics.rankings.ranks.compute_rankings` ranks it, and gives the funnel
chart the same limits over any range of denominators so it draws the limits it judges by.

Rule: the group's z-scores against its pooled value give φ̂ (10% winsorised each tail). When
I·φ̂ exceeds the χ²(I − 1) 95% point the group is over-dispersed beyond chance and the 95%
and 99.8% limits are widened by the chosen model (``funnel_method``: additive random effects
by default, as NHS Digital's SHMI; or multiplicative); otherwise ``funnel_method`` is
``"plain"`` and the adjusted label is the plain PHE label. A member's adjusted label compares
its value with the widened limits at its own denominator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from scp_metrics.rankings.funnel import check_measure, funnel_limits
from scp_metrics.stats.overdispersion import (
    FUNNEL_METHODS,
    Overdispersion,
    estimate_overdispersion,
    funnel_z_scores,
    widen_limits,
)

__all__ = ["ADJUSTED_COLUMNS", "adjusted_funnel", "adjusted_limits", "group_overdispersion"]

ADJUSTED_COLUMNS = ("overdispersion_phi", "funnel_method", "funnel_significance_adjusted")
_CONFS = ((0.998, "0.001"), (0.95, "0.025"))


def group_overdispersion(numerator: Any, denominator: Any, pooled: float,
                         measure: str = "rate") -> Overdispersion:
    """φ̂ (and τ̂²) of one group's members around its pooled value (per unit of denominator)."""
    m = check_measure(measure)
    if m == "percentage" and not 0.0 < float(pooled) < 1.0:
        return estimate_overdispersion([], [])  # no spread to estimate around 0% or 100%
    z, s = funnel_z_scores(numerator, denominator, pooled, m)
    return estimate_overdispersion(z, s)


def adjusted_limits(denominator: Any, pooled: float, measure: str, od: Overdispersion,
                    conf: float, method: str = "additive_random_effects"
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The limits that judge a group, per unit of denominator, at each ``denominator``: the
    plain PHE limits (:func:`~scp_metrics.rankings.funnel.funnel_limits`) widened by
    :func:`~scp_metrics.stats.overdispersion.widen_limits` when ``od`` is over-dispersed."""
    m = check_measure(measure)
    lo, hi = funnel_limits(denominator, pooled, m, conf)
    if od.method(method) == "plain":
        return lo, hi
    lo, hi = widen_limits(lo, hi, float(pooled), od, conf, method)
    return lo, (np.minimum(hi, 1.0) if m == "percentage" else hi)


def _labels(value: np.ndarray, limits: dict[str, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    lo1, hi1 = limits["0.001"]
    lo25, hi25 = limits["0.025"]
    with np.errstate(invalid="ignore"):
        return np.select([value > hi1, value > hi25, value < lo1, value < lo25],
                         ["High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)"],
                         default="Not significant").astype(object)


def adjusted_funnel(done: pd.DataFrame, key: Sequence[str], pooled: np.ndarray,
                    method: str = "additive_random_effects") -> pd.DataFrame:
    """:data:`ADJUSTED_COLUMNS` for ranked rows, one group and period (``key``) at a time.

    ``done`` has ``measure``, ``_x``, ``_n`` (numerator and denominator as ranked),
    ``multiplier`` and ``funnel_significance`` (the plain label); ``pooled`` is each row's
    pooled value per unit of denominator. ``overdispersion_phi`` is φ̂ (NaN below two
    members), whatever the method.

    The plain limits of every over-dispersed group of a measure are found in one call of
    :func:`~scp_metrics.rankings.funnel.funnel_limits` per level (its bisection is element by
    element, so each member gets the limits its group alone would give; one call per group
    cost ~7 ms each, most of ``mart_msg_rankings``), then widened group by group.
    """
    if method not in FUNNEL_METHODS[1:]:
        raise ValueError(f"funnel method must be one of {FUNNEL_METHODS[1:]}; got {method!r}")
    rows_total = len(done)
    phi = np.full(rows_total, np.nan)
    kinds = np.full(rows_total, np.nan, dtype=object)
    labels = np.full(rows_total, np.nan, dtype=object)
    plain = done["funnel_significance"].to_numpy(dtype=object)
    xs, ns = done["_x"].to_numpy(dtype=float), done["_n"].to_numpy(dtype=float)
    measures = done["measure"].to_numpy(dtype=object)
    # groups to widen, by measure: (row positions, theta, overdispersion)
    widen: dict[str, list[tuple[np.ndarray, float, Overdispersion]]] = {}
    for at in done.groupby(list(key), sort=False).indices.values():
        at = np.sort(at)
        measure = check_measure(str(measures[at[0]]))
        x, n = xs[at], ns[at]
        theta = float(pooled[at[0]])
        od = group_overdispersion(x, n, theta, measure)
        kind = od.method(method)
        phi[at] = od.phi
        kinds[at] = kind
        if kind == "plain":
            labels[at] = plain[at]
        else:
            widen.setdefault(measure, []).append((at, theta, od))
    for measure, groups in widen.items():
        every = np.concatenate([at for at, _, _ in groups])
        thetas = np.concatenate([np.full(len(at), theta) for at, theta, _ in groups])
        plain_limits = {tag: funnel_limits(ns[every], thetas, measure, conf)
                        for conf, tag in _CONFS}
        start = 0
        for at, theta, od in groups:
            part = slice(start, start + len(at))
            start += len(at)
            limits = {}
            for conf, tag in _CONFS:
                lo, hi = widen_limits(plain_limits[tag][0][part], plain_limits[tag][1][part],
                                      theta, od, conf, method)
                limits[tag] = (lo, np.minimum(hi, 1.0) if measure == "percentage" else hi)
            labels[at] = _labels(xs[at] / ns[at], limits)
    return pd.DataFrame({"overdispersion_phi": phi, "funnel_method": kinds,
                         "funnel_significance_adjusted": labels}, index=done.index)
