"""What every year-end projection method shares (:mod:`scp_metrics.targets.projections` and the
models in :mod:`scp_metrics.targets.projection_models`): financial-year months, a monthly series
as month ordinals, the predictive distribution and the projection itself."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from scp_metrics.periods import FY_START_MONTH
from scp_metrics.periods import financial_year_label as fy_label
from scp_metrics.targets.calibration import Z80, Z95, calibrated_half_width, conformal_cdf

__all__ = ["FY_START_MONTH", "GLM_WINDOW", "N_DRAWS", "SEED", "Months", "Predictive",
           "Projection", "as_month", "break_months", "fiscal_year", "fy_label", "fy_months",
           "fy_ordinals", "monthly"]

GLM_WINDOW = 48
N_DRAWS = 2000
SEED = 20100401


def fiscal_year(month: pd.Period) -> int:
    """Start year of the financial year holding ``month`` (2009 for 2009/10)."""
    return month.year if month.month >= FY_START_MONTH else month.year - 1


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
    """Predictive distribution of the year-end total: normal (loc, scale), simulated draws, or
    calibrated: loc ± scale·|z| over the sorted absolute scaled errors ``errors`` of earlier
    projections (the conformal predictive distribution, :mod:`scp_metrics.targets.calibration`).

    ``floor`` is the count already observed: the total cannot fall below it.
    """

    loc: float
    scale: float = 0.0
    draws: np.ndarray | None = None
    floor: float = 0.0
    errors: np.ndarray | None = None

    def quantile(self, q: float) -> float:
        if self.errors is not None:
            half = calibrated_half_width(self.errors, abs(2.0 * q - 1.0)) * self.scale
            value = self.loc + (half if q >= 0.5 else -half)
        elif self.draws is not None:
            value = float(np.quantile(self.draws, q))
        else:
            value = float(self.loc + self.scale * ndtri(q)) if self.scale > 0 else self.loc
        return max(value, self.floor)

    def quantiles(self, qs: tuple[float, ...]) -> list[float]:
        """``[self.quantile(q) for q in qs]`` (the same values), draws sorted once for all."""
        if self.draws is None or self.errors is not None:
            return [self.quantile(q) for q in qs]
        return [max(float(v), self.floor) for v in np.quantile(self.draws, qs)]

    def cdf(self, x: float) -> float:
        """P(total ≤ x)."""
        if x < self.floor:
            return 0.0
        if self.errors is not None:
            if self.scale <= 0:
                return float(x >= self.loc)
            return conformal_cdf(self.errors, (x - self.loc) / self.scale)
        if self.draws is not None:
            return float(np.mean(self.draws <= x))
        if self.scale <= 0:
            return float(x >= self.loc)
        return float(ndtr((x - self.loc) / self.scale))


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
    calibration: float = float("nan")
    """The calibrated 95% half-width ÷ the raw one (nan: not calibrated)."""
    calibration_80: float = float("nan")
    """The same at 80%."""

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

    @property
    def scale(self) -> float:
        """The raw 95% interval's half-width ÷ 1.96: the unit of the backtest's scaled errors."""
        lo, hi = self.interval(0.95)
        return (hi - lo) / (2.0 * Z95)

    def calibrated(self, abs_errors: np.ndarray) -> Projection:
        """The conformal predictive distribution point ± scale·|z| over ``abs_errors`` (absolute
        scaled errors of earlier projections; :mod:`scp_metrics.targets.calibration`).

        ``calibration`` and ``calibration_80`` are the calibrated half-widths at 95% and 80% in
        units of the raw normal one (1.96 and 1.28 scales): 1 when the raw interval was wide
        enough, above 1 when it was too narrow.
        """
        if self.dist is None or self.point is None or self.dist.errors is not None:
            return self
        errors = np.sort(np.abs(np.asarray(abs_errors, dtype=float)))
        dist = Predictive(self.point, self.scale, errors=errors, floor=self.dist.floor)
        return replace(self, dist=dist,
                       calibration=calibrated_half_width(errors, 0.95) / Z95,
                       calibration_80=calibrated_half_width(errors, 0.80) / Z80)


class Months:
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
    break date (as :func:`scp_metrics.stats.breaks.break_starts`)."""
    out = set()
    for d in dates or ():
        when = pd.Timestamp(d)
        month = when.to_period("M")
        out.add((month if when.day == 1 else month + 1).ordinal)
    return tuple(sorted(out))


def fy_ordinals(fy: int) -> list[int]:
    return list(range(_fy_first(fy), _fy_first(fy) + 12))
