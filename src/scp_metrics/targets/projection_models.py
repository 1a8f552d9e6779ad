"""The model-based projection methods: a seasonal Poisson GLM and ETS (see
:mod:`scp_metrics.targets.projections` for the common interface, the other methods and the intervals).

``poisson_glm``
    Poisson GLM log μ = a + b·t + month effects (+ a level step at each series break inside the
    window) on the last ``GLM_WINDOW`` months, fitted by IRLS (:func:`poisson_glm_fit`, the same
    fit as statsmodels' ``GLM``). The predictive distribution draws the linear predictor from the
    quasi-Poisson covariance and then gamma-Poisson counts with the fitted dispersion (Poisson when
    not over-dispersed), so it includes the noise of the months to come.
``ets``
    ETS(A,Ad,A) on log(1 + count) (statsmodels ``ETSModel``): parameters estimated on the data
    before the financial year of ``as_of`` (at least 24 contiguous months), states updated to
    the latest month with data up to ``as_of`` (when ``as_of`` itself has none yet, the months
    after it are simulated like the months to come); 2,000 simulated paths (through a later
    year when one is asked for) give the interval; the point is their median.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from functools import lru_cache

import numpy as np
import pandas as pd

from scp_metrics.targets.projection_base import (
    GLM_WINDOW,
    N_DRAWS,
    SEED,
    Months,
    Predictive,
    Projection,
    fiscal_year,
    fy_ordinals,
)

# A projected month whose log-mean has a standard error above this (a factor of e^6, about 400, at
# 95%) carries no information from the data: the fit's coefficients are not identified (counts of
# 0 and 1 after a series break, say) and its simulated interval would be unbounded.
MAX_LOG_SE = 3.0


def _design(ordinals: np.ndarray, origin: int, seasonal: bool,
            steps: tuple[int, ...] = ()) -> np.ndarray:
    cols = [np.ones(len(ordinals)), (ordinals - origin) / 12.0]
    if seasonal:
        months = ordinals % 12 + 1
        cols += [(months == m).astype(float) for m in range(2, 13)]
    cols += [(ordinals >= b).astype(float) for b in steps]
    return np.column_stack(cols)


#: A fitted monthly mean below this is a coefficient running to minus infinity, not a fit.
_MU_FLOOR = 1e-10


def poisson_glm_fit(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Poisson GLM (log link) by iteratively reweighted least squares.

    Returns the coefficients, their covariance (unscaled, (X'WX)⁻¹) and the Pearson dispersion
    χ²/(n − p). The same fit as statsmodels' ``GLM(y, x, family=Poisson())`` (checked in
    ``tests/unit/targets/test_projections.py``) at a tenth of the cost, which the backtest needs; falls
    back to statsmodels when IRLS does not converge.
    """
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(max(y.mean(), 1e-9))
    for _ in range(100):
        eta = x @ beta
        mu = np.exp(eta)
        if not (np.all(np.isfinite(mu)) and np.all(mu > _MU_FLOOR)):
            # A mean running to 0 is a coefficient running to minus infinity (months of zeros
            # separated by a step): no maximum-likelihood fit exists. Where it reaches 0.0,
            # LAPACK fails too, after printing "DLASCL parameter 4" to the terminal; where it
            # stays a tiny positive number (another CPU's rounding) IRLS oscillates to the
            # statsmodels fallback instead. Either way: refused here, the same on every machine.
            raise np.linalg.LinAlgError("IRLS diverged: a fitted mean over- or underflowed")
        step = np.linalg.lstsq(x * np.sqrt(mu)[:, None], (y - mu) / np.sqrt(mu), rcond=None)[0]
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    else:
        import statsmodels.api as sm

        fit = sm.GLM(y, x, family=sm.families.Poisson()).fit()
        return np.asarray(fit.params), np.asarray(fit.cov_params()), _dispersion(
            float(fit.pearson_chi2), len(y) - x.shape[1])
    mu = np.exp(x @ beta)
    cov = np.linalg.pinv((x * mu[:, None]).T @ x)
    return beta, cov, _dispersion(float(np.sum((y - mu) ** 2 / mu)), len(y) - x.shape[1])


def _dispersion(pearson_chi2: float, df_resid: int) -> float:
    return max(1.0, pearson_chi2 / df_resid) if df_resid > 0 else 1.0


def poisson_glm(data: Months, fy: int, base: Projection, observed: list, unobserved: list):
    origin = base.as_of.ordinal
    ords = np.array(sorted(o for o in data.values if o > origin - GLM_WINDOW), dtype=np.int64)
    if len(ords) < 12:
        return replace(base, note=f"only {len(ords)} months in the {GLM_WINDOW}-month window")
    y = np.array([data.values[o] for o in ords.tolist()])
    if not y.any():
        return replace(base, note=f"no counts in the {GLM_WINDOW}-month window to fit")
    # A month of the year with no count in the window has no finite effect (its maximum-likelihood
    # coefficient is -inf): such a series is fitted without month effects.
    month_totals = np.bincount(ords % 12, weights=y, minlength=12)
    seasonal = len(ords) >= 24 and len(set((ords % 12).tolist())) == 12 and bool(np.all(month_totals > 0))
    steps = tuple(b for b in data.breaks if ords.min() < b <= ords.max())
    x = _design(ords, origin, seasonal, steps)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            params, cov, phi = poisson_glm_fit(y, x)
        except Exception as exc:  # noqa: BLE001 - a failed fit is reported, not raised
            return replace(base, note=f"GLM fit failed: {exc}")
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(cov))):
        return replace(base, note="GLM fit did not converge")
    x_new = _design(np.array(unobserved, dtype=np.int64), origin, seasonal, steps)
    mu_hat = np.exp(x_new @ params)
    rng = np.random.default_rng(SEED)
    # Coefficient draws through the linear predictor: η ~ N(x β̂, x Σφ xᵀ).
    eta_cov = x_new @ (cov * phi) @ x_new.T
    if float(np.max(np.diag(eta_cov), initial=0.0)) > MAX_LOG_SE ** 2:
        return replace(base, note="the counts are too sparse for the model (its interval would be unbounded)")
    vals, vecs = np.linalg.eigh((eta_cov + eta_cov.T) / 2)
    root = vecs * np.sqrt(np.clip(vals, 0.0, None))
    eta = x_new @ params + rng.standard_normal((N_DRAWS, len(vals))) @ root.T
    mu = np.exp(np.clip(eta, -30.0, 20.0))
    lam = rng.gamma(mu / (phi - 1.0), phi - 1.0) if phi > 1.0 else mu
    draws = base.ytd + rng.poisson(lam).sum(axis=1)
    point = base.ytd + float(mu_hat.sum())
    note = f"dispersion {phi:.2f}" + ("" if seasonal else "; no month effects (too few months)"
                                      if len(ords) < 24 else "; no month effects (a month of the year has no count)")
    if steps:
        note += "; a step at the series break " + ", ".join(
            str(pd.Period(ordinal=b, freq="M")) for b in steps)
    return replace(base, point=point, dist=Predictive(point, draws=draws.astype(float),
                                                      floor=base.ytd), note=note)


@lru_cache(maxsize=256)
def _ets_params(values: bytes) -> np.ndarray:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = np.frombuffer(values, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel(np.log1p(y), error="add", trend="add", damped_trend=True,
                         seasonal="add", seasonal_periods=12, initialization_method="heuristic")
        return np.asarray(model.fit(disp=False).params)


def ets(data: Months, fy: int, base: Projection, observed: list, unobserved: list):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    s = data.series
    end = int(s.index.asi8.max())  # the latest month with data (as_of itself may have none)
    full = np.arange(s.index.asi8.min(), end + 1)
    present = np.isin(full, s.index.asi8)
    start = full[np.flatnonzero(~present)[-1] + 1] if not present.all() else full[0]
    run = s[s.index.asi8 >= start]
    history = run[run.index.asi8 < fy_ordinals(fiscal_year(base.as_of))[0]]
    if len(history) < 24 or min(unobserved) <= end:
        return replace(base, note="ETS needs 24 contiguous months before the year and no gap "
                                  "since (the longest run ending at the latest month is too "
                                  "short)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            params = _ets_params(history.to_numpy(dtype=float).tobytes())
            model = ETSModel(np.log1p(run.to_numpy()), error="add", trend="add",
                             damped_trend=True, seasonal="add", seasonal_periods=12,
                             initialization_method="heuristic")
            steps = max(unobserved) - end  # from the latest month with data, through the year
            sim = model.smooth(params).simulate(steps, repetitions=N_DRAWS, anchor="end",
                                                rng=np.random.default_rng(SEED))
        except Exception as exc:  # noqa: BLE001 - a failed fit is reported, not raised
            return replace(base, note=f"ETS fit failed: {exc}")
    sim = np.asarray(sim, dtype=float).reshape(steps, N_DRAWS)
    if not np.all(np.isfinite(sim)):
        return replace(base, note="ETS simulation is not finite")
    rows = [o - end - 1 for o in unobserved]
    paths = np.expm1(sim[rows])
    draws = base.ytd + np.clip(paths, 0.0, None).sum(axis=0)
    point = float(np.median(draws))
    note = f"parameters fitted on {history.index[0]}..{history.index[-1]}"
    if end < base.as_of.ordinal:
        note += f"; simulated from {run.index[-1]}, the latest month with data"
    return replace(base, point=point, dist=Predictive(point, draws=draws, floor=base.ytd),
                   note=note)
