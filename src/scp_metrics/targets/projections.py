"""Year-end projections of a monthly count from the financial year to date.

Every method takes a plain monthly ``pandas.Series`` of counts (a ``DatetimeIndex`` or monthly
``PeriodIndex``; gaps allowed) and an ``as_of`` month, and projects the total of the financial
year (April-March) that contains ``as_of``. Values after ``as_of`` are ignored, so a projection
never sees the future. Months of the year up to ``as_of`` that are absent from the series are
reported in :attr:`Projection.missing_months` and are projected like the months still to come;
they are never filled with zero or with last year's value.

Methods (ids as in ``METHODS``):

``pro_rata``
    YTD × 12 / months observed. Interval: Poisson noise of the unobserved months plus that of the
    monthly level estimated from the YTD (Var = kλ·12/m, λ = YTD/m, k months unobserved).
``seasonal_share``
    YTD × last year's full year ÷ last year's same months. Interval: delta method on the ratio of
    three Poisson counts plus the Poisson noise of the unobserved months.
``carry_forward``
    YTD + last year's counts for the unobserved months. Interval: the difference of two Poisson
    counts (Var ≈ 2 × last year's remaining).
``poisson_glm``, ``ets``
    A seasonal Poisson GLM and ETS, in :mod:`scp_metrics.targets.projection_models` (loaded on first use);
    they alone can also forecast a later financial year.

Intervals of the first three methods reflect Poisson noise only; :meth:`Projection.calibrated`
widens any projection by a factor the backtest estimates from earlier years
(:func:`scp_metrics.targets.backtest.dispersion_factor`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from scp_metrics.config.targets import PROJECTION_METHODS
from scp_metrics.targets import projection_models
from scp_metrics.targets.projection_base import (
    FY_START_MONTH,
    GLM_WINDOW,
    N_DRAWS,
    SEED,
    Months,
    Predictive,
    Projection,
    as_month,
    break_months,
    fiscal_year,
    fy_label,
    fy_months,
    fy_ordinals,
    monthly,
)

__all__ = ["FY_START_MONTH", "GLM_WINDOW", "METHODS", "MODELS", "N_DRAWS", "SEED", "Predictive",
           "Projection", "as_month", "break_months", "fiscal_year", "fy_label", "fy_months",
           "monthly", "project", "project_all"]

METHODS: tuple[str, ...] = PROJECTION_METHODS

def _months_text(months: list | tuple) -> str:
    return ", ".join(str(p) for p in months)


MODELS = ("poisson_glm", "ets")


def project(series: pd.Series, as_of: object, method: str, year: int | None = None,
            breaks: object = ()) -> Projection:
    """Project the financial year holding ``as_of`` with ``method`` (one of ``METHODS``).

    ``year`` (a financial year's start year) projects a later year instead, from the same data:
    only the models can (the other methods need the year's own months), and their interval is
    for the whole year. ``breaks``: dates from which the series is not comparable with what came
    before (``config/series_breaks.toml``): the GLM gets a level step at each; the other methods
    (ETS's level adapts after a break) say in their note when the months they use straddle one.
    """
    month = as_month(as_of)
    return _project(Months(monthly(series, month), break_months(breaks)), month, method, year)


def _project(data: Months, month: pd.Period, method: str, year: int | None = None) -> Projection:
    """As :func:`project`, on a series already cut at ``month``."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    fy = fiscal_year(month) if year is None else year
    if fy > fiscal_year(month) and method not in MODELS:
        return Projection(method, fy, month, 0.0, (), (),
                          note=f"{method} cannot project a later year ({fy_label(fy)})")
    to_date = [o for o in fy_ordinals(fy) if o <= month.ordinal]
    observed = [o for o in to_date if o in data.values]
    missing = tuple(pd.Period(ordinal=o, freq="M") for o in to_date if o not in data.values)
    ytd = data.total(observed)
    base = Projection(method, fy, month, ytd,
                      tuple(pd.Period(ordinal=o, freq="M") for o in observed), missing)
    unobserved = [o for o in fy_ordinals(fy) if o not in observed]
    if not data.values:  # every method needs some data up to as_of (the models: a history)
        return replace(base, note=f"no month of data up to {month}")
    notes = []
    if missing:
        notes.append(f"{len(missing)} month(s) of {fy_label(fy)} to date missing from the data "
                     f"({_months_text(missing)}): projected, not filled")
    if not unobserved:
        result = replace(base, point=ytd, dist=Predictive(ytd, floor=ytd),
                         note="year complete: the outturn")
    else:
        result = _method(method)(data, fy, base, observed, unobserved)
    first = {"pro_rata": fy_ordinals(fy)[0], "ets": month.ordinal - 36}.get(
        method, fy_ordinals(fy)[0] - 12)
    straddled = [b for b in data.breaks if first < b <= month.ordinal]
    if result.available and method != "poisson_glm" and straddled and unobserved:
        notes.append("the months it compares straddle a series break ("
                     + ", ".join(str(pd.Period(ordinal=b, freq="M")) for b in straddled) + ")")
    if result.available and notes:
        result = replace(result, note="; ".join([*notes, result.note] if result.note else notes))
    return result


def _normal(base: Projection, remaining: float, var: float, note: str = "") -> Projection:
    point = base.ytd + remaining
    dist = Predictive(point, float(np.sqrt(max(var, 0.0))), floor=base.ytd)
    return replace(base, point=point, dist=dist, note=note)


def _pro_rata(s: Months, fy: int, base: Projection, observed: list, unobserved: list):
    m, k = len(observed), len(unobserved)
    if m == 0:
        return replace(base, note="no month of the year observed")
    lam = base.ytd / m
    return _normal(base, k * lam, k * lam * 12.0 / m)


def _last_year(s: Months, months: list[int]) -> np.ndarray | None:
    prior = [o - 12 for o in months]
    if not s.has(prior):
        return None
    return np.array([s.values[o] for o in prior], dtype=float)


def _seasonal_share(s: Months, fy: int, base: Projection, observed: list, unobserved: list):
    same, rest = _last_year(s, observed), _last_year(s, unobserved)
    if same is None or rest is None:
        return replace(base, note=f"last year ({fy_label(fy - 1)}) is incomplete")
    o_ly, r_ly = same.sum(), rest.sum()
    if not observed or o_ly <= 0:
        return replace(base, note="no count last year in the same months")
    rem = base.ytd * r_ly / o_ly
    var = rem**2 * (1 / max(base.ytd, 1) + 1 / max(r_ly, 1) + 1 / o_ly) + rem
    return _normal(base, rem, var)


def _carry_forward(s: Months, fy: int, base: Projection, observed: list, unobserved: list):
    rest = _last_year(s, unobserved)
    if rest is None:
        return replace(base, note=f"last year ({fy_label(fy - 1)}) lacks the months to carry")
    return _normal(base, rest.sum(), 2.0 * rest.sum())


_METHOD_FUNCS = {
    "pro_rata": _pro_rata, "seasonal_share": _seasonal_share, "carry_forward": _carry_forward,
}


def _method(name: str):
    if name in _METHOD_FUNCS:
        return _METHOD_FUNCS[name]
    # the models' statsmodels loads on first use (inside projection_models)
    return {"poisson_glm": projection_models.poisson_glm, "ets": projection_models.ets}[name]


def project_all(series: pd.Series, as_of: object, methods: tuple[str, ...] = METHODS,
                breaks: object = ()) -> dict[str, Projection]:
    month = as_month(as_of)
    data = Months(monthly(series, month), break_months(breaks))
    return {m: _project(data, month, m) for m in methods}
