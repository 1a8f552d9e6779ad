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

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

METHODS: tuple[str, ...] = ("pro_rata", "seasonal_share", "carry_forward", "poisson_glm", "ets")
FY_START_MONTH = 4
GLM_WINDOW = 48
N_DRAWS = 2000
SEED = 20100401


def fiscal_year(month: pd.Period) -> int:
    """Start year of the financial year holding ``month`` (2009 for 2009/10)."""
    return month.year if month.month >= FY_START_MONTH else month.year - 1


def fy_label(fy: int) -> str:
    return f"{fy}/{(fy + 1) % 100:02d}"


def fy_months(fy: int) -> pd.PeriodIndex:
    return pd.period_range(pd.Period(f"{fy}-{FY_START_MONTH:02d}", "M"), periods=12, freq="M")


def as_month(value: object) -> pd.Period:
    """A monthly Period from '2009-12', a date, a Timestamp or a Period."""
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    return pd.Timestamp(value).to_period("M")


def monthly(series: pd.Series, as_of: object | None = None) -> pd.Series:
    """The series on a monthly PeriodIndex, sorted, missing values dropped, cut at ``as_of``."""
    s = series.dropna().astype(float)
    idx = s.index
    if not isinstance(idx, pd.PeriodIndex):
        idx = pd.DatetimeIndex(idx).to_period("M")
    s = pd.Series(s.to_numpy(), index=idx.asfreq("M")).sort_index()
    if s.index.has_duplicates:
        raise ValueError("the series has more than one value for a month")
    return s if as_of is None else s[s.index <= as_month(as_of)]


@dataclass(frozen=True)
class Predictive:
    """Predictive distribution of the year-end total: normal (loc, scale) or simulated draws.

    ``floor`` is the count already observed: the total cannot fall below it.
    """

    loc: float
    scale: float = 0.0
    draws: np.ndarray | None = None
    floor: float = 0.0

    def quantile(self, q: float) -> float:
        if self.draws is not None:
            value = float(np.quantile(self.draws, q))
        else:
            value = float(self.loc + self.scale * ndtri(q)) if self.scale > 0 else self.loc
        return max(value, self.floor)

    def quantiles(self, qs: tuple[float, ...]) -> list[float]:
        """``[self.quantile(q) for q in qs]`` (the same values), draws sorted once for all."""
        if self.draws is None:
            return [self.quantile(q) for q in qs]
        return [max(float(v), self.floor) for v in np.quantile(self.draws, qs)]

    def cdf(self, x: float) -> float:
        """P(total ≤ x)."""
        if x < self.floor:
            return 0.0
        if self.draws is not None:
            return float(np.mean(self.draws <= x))
        if self.scale <= 0:
            return float(x >= self.loc)
        return float(ndtr((x - self.loc) / self.scale))

    def widened(self, factor: float, centre: float) -> Predictive:
        if self.draws is not None:
            return replace(self, draws=centre + factor * (self.draws - centre))
        return replace(self, scale=self.scale * factor)


@dataclass(frozen=True)
class Projection:
    """One method's projection of one financial year's total, as of one month."""

    method: str
    fy: int
    as_of: pd.Period
    ytd: float
    observed_months: tuple[pd.Period, ...]
    missing_months: tuple[pd.Period, ...]
    point: float | None = None
    dist: Predictive | None = None
    note: str = ""
    calibration: float = 1.0

    @property
    def available(self) -> bool:
        return self.point is not None

    def interval(self, level: float) -> tuple[float, float]:
        if self.dist is None:
            return float("nan"), float("nan")
        tail = (1.0 - level) / 2.0
        return self.dist.quantile(tail), self.dist.quantile(1.0 - tail)

    def intervals(self, levels: tuple[float, ...]) -> list[float]:
        """``interval(level)`` for each level, flattened: [lo₁, hi₁, lo₂, hi₂, ...]."""
        if self.dist is None:
            return [float("nan")] * (2 * len(levels))
        qs = [q for level in levels for q in ((1.0 - level) / 2.0, 1.0 - (1.0 - level) / 2.0)]
        return self.dist.quantiles(tuple(qs))

    def probability_at_most(self, x: float) -> float:
        return float("nan") if self.dist is None else self.dist.cdf(x)

    def probability_at_least(self, x: float) -> float:
        return float("nan") if self.dist is None else 1.0 - self.dist.cdf(x - 1e-9)

    def calibrated(self, factor: float) -> Projection:
        """Interval widened by ``factor`` around the point (the backtest's calibration)."""
        if self.dist is None or self.point is None or factor == 1.0:
            return self
        return replace(self, dist=self.dist.widened(factor, self.point), calibration=factor)


class _Months:
    """A monthly series as integer month ordinals (fast membership and sums)."""

    def __init__(self, s: pd.Series, breaks: tuple[int, ...] = ()) -> None:
        self.series = s
        self.values = dict(zip(s.index.asi8.tolist(), s.to_numpy(dtype=float).tolist(),
                               strict=True))
        self.breaks = tuple(sorted(breaks))

    def has(self, months: list[int]) -> bool:
        return all(m in self.values for m in months)

    def total(self, months: list[int]) -> float:
        return float(sum(self.values[m] for m in months))


@lru_cache(maxsize=64)
def _fy_first(fy: int) -> int:
    return pd.Period(f"{fy}-{FY_START_MONTH:02d}", "M").ordinal


def break_months(dates: Any) -> tuple[int, ...]:
    """Month ordinals at which a new series starts: the first month starting on or after each
    break date (as :func:`scp_metrics.warehouse.series_breaks.break_starts`)."""
    out = set()
    for d in dates or ():
        when = pd.Timestamp(d)
        month = when.to_period("M")
        out.add((month if when.day == 1 else month + 1).ordinal)
    return tuple(sorted(out))


def _fy_ordinals(fy: int) -> list[int]:
    return list(range(_fy_first(fy), _fy_first(fy) + 12))


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
    return _project(_Months(monthly(series, month), break_months(breaks)), month, method, year)


def _project(data: _Months, month: pd.Period, method: str, year: int | None = None) -> Projection:
    """As :func:`project`, on a series already cut at ``month``."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    fy = fiscal_year(month) if year is None else year
    if fy > fiscal_year(month) and method not in MODELS:
        return Projection(method, fy, month, 0.0, (), (),
                          note=f"{method} cannot project a later year ({fy_label(fy)})")
    to_date = [o for o in _fy_ordinals(fy) if o <= month.ordinal]
    observed = [o for o in to_date if o in data.values]
    missing = tuple(pd.Period(ordinal=o, freq="M") for o in to_date if o not in data.values)
    ytd = data.total(observed)
    base = Projection(method, fy, month, ytd,
                      tuple(pd.Period(ordinal=o, freq="M") for o in observed), missing)
    unobserved = [o for o in _fy_ordinals(fy) if o not in observed]
    notes = []
    if missing:
        notes.append(f"{len(missing)} month(s) of {fy_label(fy)} to date missing from the data "
                     f"({_months_text(missing)}): projected, not filled")
    if not unobserved:
        result = replace(base, point=ytd, dist=Predictive(ytd, floor=ytd),
                         note="year complete: the outturn")
    else:
        result = _method(method)(data, fy, base, observed, unobserved)
    first = {"pro_rata": _fy_ordinals(fy)[0], "ets": month.ordinal - 36}.get(
        method, _fy_ordinals(fy)[0] - 12)
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


def _pro_rata(s: _Months, fy: int, base: Projection, observed: list, unobserved: list):
    m, k = len(observed), len(unobserved)
    if m == 0:
        return replace(base, note="no month of the year observed")
    lam = base.ytd / m
    return _normal(base, k * lam, k * lam * 12.0 / m)


def _last_year(s: _Months, months: list[int]) -> np.ndarray | None:
    prior = [o - 12 for o in months]
    if not s.has(prior):
        return None
    return np.array([s.values[o] for o in prior], dtype=float)


def _seasonal_share(s: _Months, fy: int, base: Projection, observed: list, unobserved: list):
    same, rest = _last_year(s, observed), _last_year(s, unobserved)
    if same is None or rest is None:
        return replace(base, note=f"last year ({fy_label(fy - 1)}) is incomplete")
    o_ly, r_ly = same.sum(), rest.sum()
    if not observed or o_ly <= 0:
        return replace(base, note="no count last year in the same months")
    rem = base.ytd * r_ly / o_ly
    var = rem**2 * (1 / max(base.ytd, 1) + 1 / max(r_ly, 1) + 1 / o_ly) + rem
    return _normal(base, rem, var)


def _carry_forward(s: _Months, fy: int, base: Projection, observed: list, unobserved: list):
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
    from scp_metrics.targets import projection_models  # the models (and statsmodels) load on first use

    return {"poisson_glm": projection_models.poisson_glm, "ets": projection_models.ets}[name]


def project_all(series: pd.Series, as_of: object, methods: tuple[str, ...] = METHODS,
                breaks: object = ()) -> dict[str, Projection]:
    month = as_month(as_of)
    data = _Months(monthly(series, month), break_months(breaks))
    return {m: _project(data, month, m) for m in methods}
