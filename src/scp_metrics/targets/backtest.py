"""Backtest of the year-end projection methods, and the choice of a default method per series.

For every complete financial year of a monthly series, each method projects the year from each
month-end (``ORIGINS``: the ends of months 1-11 of the year, so including Q1, Q2 and Q3) using only
data up to that month, and the projection is scored against the outturn.

No peeking:

* a projection is made from the series cut at its as-of month (:func:`projections.project`);
* the interval calibration of a year uses only errors of earlier years
  (:func:`dispersion_factor`);
* *scoreable* years are complete years in which every method projects from every origin; the
  figures reported are measured on the last ``SCORE_YEARS`` scoreable years, and the method is
  chosen (lowest mean absolute percentage error) on the scoreable years before them. Changing the
  data of the reported years cannot change the choice (``tests/unit/test_backtest.py``).

Because a projection from an origin uses only the data up to it, each origin's projections are
memoised on disk beside the warehouse being built, keyed on that prefix of the series
(:func:`_origin_fits`): a refresh adding a quarter fits only the origins it adds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import numpy as np
import pandas as pd

from scp_metrics.memo import disk_memo
from scp_metrics.targets.projections import (
    METHODS,
    Projection,
    as_month,
    fiscal_year,
    fy_months,
    monthly,
    project_all,
)

ORIGINS: tuple[int, ...] = tuple(range(1, 12))
SCORE_YEARS = 3
MIN_ERRORS = 6
"""Fewer earlier errors than this: no calibration (factor 1)."""
SUMMARY_COLUMNS = ["indicator_id", "area_code", "method", "n", "mape", "bias_pct",
                   "coverage_80", "coverage_95", "chosen"]
Z95 = 1.959963984540054


def complete_years(series: pd.Series) -> list[int]:
    s = monthly(series)
    years = sorted({fiscal_year(p) for p in s.index})
    return [fy for fy in years if fy_months(fy).isin(s.index).all()]


def backtest_series(series: pd.Series, methods: Iterable[str] = METHODS,
                    origins: Iterable[int] = ORIGINS, breaks: object = (), *,
                    warehouse: str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per complete year, origin and method: the raw projection and the outturn.

    Parameters
    ----------
    series
        Monthly counts (see :func:`projections.monthly`).
    methods, origins
        The methods, and the months of the year (1 = April) projected from.
    breaks
        Series-break dates, passed to every projection (see :func:`projections.project`).
    warehouse
        The warehouse being built: each origin's projections are memoised beside it
        (:func:`_origin_fits`); ``None`` or ``":memory:"`` computes them all.

    Returns
    -------
    pandas.DataFrame
        fy, origin, method, actual, projection (:class:`Projection`), available, z.
    """
    s = monthly(series)
    methods = tuple(methods)
    rows, bounds = [], []
    for fy in complete_years(s):
        months = fy_months(fy)
        actual = float(s.reindex(months).sum())
        for origin in origins:
            fits = _origin_fits(s, months[origin - 1], methods, breaks, warehouse)
            for method, (p, lo95, hi95) in fits.items():
                rows.append({"fy": fy, "origin": origin, "method": method, "actual": actual,
                             "projection": p, "available": p.available})
                bounds.append((lo95, hi95))
    raw = pd.DataFrame(rows, columns=["fy", "origin", "method", "actual", "projection",
                                      "available"])
    raw["z"] = [_z(p, a, b) for p, a, b in zip(raw["projection"], raw["actual"], bounds,
                                               strict=True)]
    return raw


_MEMO_MODULES = ("scp_metrics.targets.backtest", "scp_metrics.targets.projections",
                 "scp_metrics.targets.projection_models")


def _breaks_key(breaks: object) -> tuple[str, ...]:
    """Break dates as sorted ISO strings (part of the memo keys)."""
    return tuple(sorted(str(pd.Timestamp(d).date()) for d in cast(Iterable, breaks or ())))


def _origin_fits(series: pd.Series, as_of: pd.Period, methods: tuple[str, ...], breaks: object,
                 warehouse: str | os.PathLike | None) -> dict[str, tuple[Projection, float, float]]:
    """Every method's projection from ``as_of`` (:func:`projections.project_all`) with its raw
    95% interval (stored with it), memoised.

    A projection from ``as_of`` uses only the series up to ``as_of``, so the disk memo
    (:func:`scp_metrics.memo.disk_memo`, beside ``warehouse``) is keyed on that prefix (values
    and months), ``as_of``, the methods and the break dates, and on the code: months appended
    to the series (a new quarter) leave every earlier origin's key unchanged, so only new origins
    are fitted. ``series`` must already be monthly (:func:`projections.monthly`).
    """
    month = as_month(as_of)
    prefix = series[series.index.asi8 <= month.ordinal]
    key = ("origin", prefix.to_numpy(dtype=float).tobytes(), prefix.index.asi8.tobytes(),
           month.ordinal, methods, _breaks_key(breaks))

    def compute() -> dict[str, tuple[Projection, float, float]]:
        return {m: (p, *p.interval(0.95)) for m, p in project_all(prefix, month, methods,
                                                                   breaks).items()}

    return disk_memo("backtest_origins", key, compute, modules=_MEMO_MODULES,
                     warehouse=warehouse)


def _z(p: Projection, actual: float, bounds: tuple[float, float]) -> float:
    """z of the outturn against the raw 95% interval (``bounds``: that interval)."""
    if not p.available:
        return float("nan")
    lo, hi = bounds
    assert p.point is not None  # an available projection has a point
    scale = (hi - lo) / (2 * Z95)
    return (actual - p.point) / scale if scale > 0 else float("nan")


def dispersion_factor(raw: pd.DataFrame, method: str, fy: int) -> float:
    """Interval widening for ``method`` in year ``fy``: √(mean z²) of earlier years' errors.

    z = (outturn − point) ÷ (half-width of the raw 95% interval ÷ 1.96). Never below 1 (intervals
    are only widened); 1 with fewer than ``MIN_ERRORS`` earlier errors.
    """
    return _dispersion(raw["z"].to_numpy(dtype=float), raw["method"].to_numpy(),
                       raw["fy"].to_numpy(), method, fy)


def _dispersion(z: np.ndarray, methods: np.ndarray, years: np.ndarray, method: str,
                fy: int) -> float:
    """:func:`dispersion_factor` on the columns of ``raw`` as arrays (same rows, same order)."""
    z = z[(methods == method) & (years < fy)]
    z = z[~np.isnan(z)]
    if len(z) < MIN_ERRORS:
        return 1.0
    return max(1.0, float(np.sqrt(np.mean(z**2))))


def scored(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw rows plus calibrated intervals, errors and hits, for the scoreable years only."""
    if raw.empty:
        return raw.assign(scoreable=pd.Series(dtype=bool))
    ok = raw.groupby("fy")["available"].transform("all")
    out = raw[ok].copy()
    cols = (raw["z"].to_numpy(dtype=float), raw["method"].to_numpy(), raw["fy"].to_numpy())
    factors = {(m, fy): _dispersion(*cols, m, fy)
               for m, fy in out[["method", "fy"]].drop_duplicates().itertuples(index=False)}
    cal = [p.calibrated(factors[(m, fy)])
           for p, m, fy in zip(out["projection"], out["method"], out["fy"], strict=True)]
    out["point"] = [p.point for p in cal]
    out["error_pct"] = 100.0 * (out["point"] - out["actual"]) / out["actual"]
    # both levels' bounds from one quantile pass over each projection's draws
    bounds = np.array([p.intervals((0.80, 0.95)) for p in cal]).reshape(-1, 4)
    for i, level in enumerate((80, 95)):
        lo, hi = bounds[:, 2 * i], bounds[:, 2 * i + 1]
        out[f"hit_{level}"] = (lo <= out["actual"]) & (out["actual"] <= hi)
    return out


@dataclass(frozen=True)
class Choice:
    chosen: str | None
    selection_years: tuple[int, ...]
    report_years: tuple[int, ...]
    summary: pd.DataFrame
    """One row per method: n, mape, bias_pct, coverage_80, coverage_95 on the report years."""

    @property
    def verdict(self) -> str:
        if self.chosen is None:
            return ("no choice: fewer than four scoreable years, so none is left to choose on "
                    "without peeking at the reported years")
        row = self.summary.set_index("method")
        chosen, pro = row.loc[self.chosen], row.loc["pro_rata"]
        beats = chosen["mape"] < pro["mape"] or self.chosen == "pro_rata"
        covered = 85.0 <= chosen["coverage_95"] <= 100.0
        if beats and covered:
            return f"{self.chosen} meets the acceptance (beats pro_rata; 95% coverage in 85-100%)"
        why = [] if beats else [f"MAPE {chosen['mape']:.2f}% is not below pro_rata's "
                                f"{pro['mape']:.2f}%"]
        why += [] if covered else [f"95% coverage {chosen['coverage_95']:.0f}% is outside 85-100%"]
        return f"{self.chosen} does NOT meet the acceptance: " + "; ".join(why)


def choose(raw: pd.DataFrame, score_years: int = SCORE_YEARS) -> Choice:
    """Choose on the scoreable years before the last ``score_years``; report on those years."""
    sc = scored(raw)
    years = sorted(sc["fy"].unique().tolist()) if not sc.empty else []
    report = tuple(years[-score_years:])
    select = tuple(years[:-score_years]) if len(years) > score_years else ()
    chosen = None
    if select:
        mape = (sc[sc["fy"].isin(select)].assign(ape=lambda f: f["error_pct"].abs())
                .groupby("method", sort=False)["ape"].mean())
        order = {m: i for i, m in enumerate(METHODS)}
        chosen = min(mape.index, key=lambda m: (round(mape[m], 9), order.get(m, 99)))
    rows = []
    for method in raw["method"].unique() if not raw.empty else METHODS:
        part = sc[(sc["method"] == method) & sc["fy"].isin(report)] if not sc.empty else sc
        rows.append({"method": method, "n": len(part),
                     "mape": part["error_pct"].abs().mean() if len(part) else np.nan,
                     "bias_pct": part["error_pct"].mean() if len(part) else np.nan,
                     "coverage_80": 100.0 * part["hit_80"].mean() if len(part) else np.nan,
                     "coverage_95": 100.0 * part["hit_95"].mean() if len(part) else np.nan,
                     "chosen": method == chosen})
    return Choice(chosen, select, report, pd.DataFrame(rows))


@lru_cache(maxsize=128)
def _choice_cached(values: bytes, index: tuple[str, ...], origins: tuple[int, ...],
                   breaks: tuple[str, ...], warehouse: str | None) -> Choice:
    return choose(_raw_cached(values, index, origins, breaks, warehouse))


def choice_for(series: pd.Series, before_fy: int | None = None,
               origins: tuple[int, ...] = ORIGINS, breaks: object = (), *,
               warehouse: str | os.PathLike | None = None) -> tuple[Choice, pd.DataFrame]:
    """The backtest choice using only complete years before ``before_fy``, and the raw rows.

    Cached in the process by the whole series; each origin's projections are also memoised on
    disk beside ``warehouse`` (:func:`_origin_fits`; ``None``: not on disk).
    """
    s = monthly(series)
    if before_fy is not None:
        s = s[s.index < fy_months(before_fy)[0]]
    key = (s.to_numpy(dtype=float).tobytes(), tuple(str(p) for p in s.index), tuple(origins),
           _breaks_key(breaks), None if warehouse is None else str(warehouse))
    choice = _choice_cached(*key)
    return choice, _raw_cached(*key)


@lru_cache(maxsize=128)
def _raw_cached(values: bytes, index: tuple[str, ...], origins: tuple[int, ...],
                breaks: tuple[str, ...], warehouse: str | None) -> pd.DataFrame:
    s = pd.Series(np.frombuffer(values, dtype=float), index=pd.PeriodIndex(index, freq="M"))
    return backtest_series(s, origins=origins, breaks=breaks, warehouse=warehouse)


def backtest_frame(series_by_key: dict[tuple[str, str], pd.Series],
                   origins: tuple[int, ...] = ORIGINS,
                   breaks_by_key: dict | None = None, *,
                   warehouse: str | os.PathLike | None = None) -> tuple[pd.DataFrame, dict]:
    """The CSV table (``SUMMARY_COLUMNS``) for many series, and each key's :class:`Choice`.

    ``warehouse``: where the per-origin memo is kept (:func:`_origin_fits`).
    """
    frames, choices = [], {}
    for (indicator_id, area_code), series in sorted(series_by_key.items()):
        breaks = (breaks_by_key or {}).get((indicator_id, area_code), ())
        choice, _ = choice_for(series, origins=origins, breaks=breaks, warehouse=warehouse)
        choices[(indicator_id, area_code)] = choice
        frames.append(choice.summary.assign(indicator_id=indicator_id, area_code=area_code))
    if not frames:
        return pd.DataFrame(columns=SUMMARY_COLUMNS), choices
    table = pd.concat(frames, ignore_index=True)[SUMMARY_COLUMNS]
    return table, choices
