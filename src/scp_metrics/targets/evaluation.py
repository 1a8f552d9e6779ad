"""Scoring, calibration and the choice of projection method, from the backtest with rolling
origins (:mod:`scp_metrics.targets.backtest`), never using a year to judge itself.

The pool is every monthly count or rate series of an area (:class:`PoolSeries`). For each of
its *scoreable* years (complete years in which every method projects from every origin):

1. **Calibration** (per method, per area, per year): the absolute scaled errors |z| of the
   method's projections in the area's scoreable years *before* that year, pooled over the
   area's series (z is unit-free) and over the origins. The 80% and 95% intervals are each the
   split-conformal interval at their own level (:mod:`scp_metrics.targets.calibration`); with
   fewer than ``MIN_ERRORS`` earlier errors a year is not scored (its intervals would be the
   raw, uncalibrated ones). Intervals are never narrower than the raw ones.
2. **Scores** of each calibrated projection: absolute % error, hits of both intervals, and the
   interval score (Gneiting and Raftery 2007) of the 80% and 95% intervals, averaged and
   expressed in % of the outturn (``interval_score``) so that series of any size pool.
3. **Choice** (per indicator family — ``family`` in ``config/indicators.toml`` — per area, per
   year): the method with the lowest ``interval_score + mape`` over the family's scored
   projections of earlier years (a weighted interval score in the sense of Bracher et al.
   2021: the point's absolute error plus the two intervals' scores, each term proper, so the
   sum is). It needs at least ``MIN_CHOICE_YEARS`` earlier scored years; before that the
   configured fallback order decides. A family rather than each indicator, because one to
   three years of one series is too little to choose on: on the sample the per-indicator
   choice switched method from year to year and its MAPE was 1.2-1.4 × the best method's
   (docs/projections.md, section 4).
4. **Accuracy test** (per indicator, per method, per year, on the indicator's scored
   projections of earlier years): a method passes when its MAPE is at most ``MAPE_TOLERANCE``
   × the best method's on that indicator and its intervals caught at least ``COVERAGE_FLOOR``
   of the outturns (75% at 80%, 90% at 95%). Where the method used does not pass, every
   output says so next to the number (:attr:`Verdict.caveat`).

References
----------
Bracher J, Ray EL, Gneiting T, Reich NG (2021). Evaluating epidemic forecasts in an interval
    format. PLoS Comput Biol 17(2):e1008618.
Gneiting T, Raftery AE (2007). Strictly proper scoring rules, prediction, and estimation.
    JASA 102(477):359-378.
Tashman LJ (2000). Out-of-sample tests of forecasting accuracy: an analysis and review.
    Int J Forecast 16(4):437-450 (rolling origins).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from scp_metrics.config.targets import FALLBACK_ORDER
from scp_metrics.stats.series_status import failure_note
from scp_metrics.targets.backtest import ORIGINS, RAW_COLUMNS, backtest_series, prefill
from scp_metrics.targets.calibration import (
    LEVELS,
    MIN_ERRORS,
    calibrated_half_width,
    interval_score,
)
from scp_metrics.targets.projections import METHODS, fy_label, monthly

log = logging.getLogger(__name__)

__all__ = ["COVERAGE_FLOOR", "MAPE_TOLERANCE", "MIN_CHOICE_YEARS", "MIN_FAMILY_SERIES",
           "SUMMARY_COLUMNS", "Acceptance", "Choice", "Evaluation", "PoolSeries", "Verdict",
           "evaluate", "score_rows"]

MIN_CHOICE_YEARS = 2
MIN_FAMILY_SERIES = 2
MAPE_TOLERANCE = 1.1
COVERAGE_FLOOR = {0.80: 75.0, 0.95: 90.0}
SUMMARY_COLUMNS = ["indicator_id", "area_code", "method", "n", "mape", "bias_pct",
                   "coverage_80", "coverage_95", "chosen", "interval_score"]

Key = tuple[str, str]  # (indicator_id, area_code)


@dataclass(frozen=True)
class PoolSeries:
    """One monthly count series of the pool: its counts, series breaks and indicator family."""

    counts: pd.Series
    breaks: tuple = ()
    family: str = ""


@dataclass(frozen=True)
class Choice:
    """The method chosen for a family in an area for a year, and on what."""

    method: str | None
    family: str  # the family chosen on; "" when all the area's series were pooled
    years: tuple[int, ...]
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        if self.method is None:
            return (f"the backtest could not choose: fewer than {MIN_CHOICE_YEARS} earlier years "
                    f"scored out of sample ({_years(self.years) or 'none'})")
        pool = (f"the {self.family} family's series" if self.family
                else "all the area's series")
        return (f"chosen by the backtest: lowest interval score + MAPE over {pool} on "
                f"{_years(self.years)}")


@dataclass(frozen=True)
class Verdict:
    """Whether ``method`` passed the accuracy test for one indicator, on ``years``."""

    method: str
    passed: bool | None  # None: not tested (no earlier year scored out of sample)
    years: tuple[int, ...]
    why: str
    passing: tuple[str, ...] = ()

    @property
    def caveat(self) -> str | None:
        """The words every output puts next to the projection (None when it passed)."""
        if self.passed:
            return None
        if self.passed is None:
            return ("not tested by the backtest (no earlier complete year scored out of "
                    "sample): treat as indicative")
        if not self.passing:
            return ("no projection method met the backtest's accuracy test for this indicator: "
                    "treat as indicative")
        return (f"{self.method} did not meet the backtest's accuracy test for this indicator "
                f"({self.why}; {', '.join(self.passing)} did): treat as indicative")

    @property
    def text(self) -> str:
        if self.passed:
            return f"{self.method} met the backtest's accuracy test ({self.why})"
        return self.caveat or ""


def _years(years: tuple[int, ...]) -> str:
    if not years:
        return ""
    if len(years) > 2 and list(years) == list(range(years[0], years[-1] + 1)):
        return f"{fy_label(years[0])}-{fy_label(years[-1])}"
    return ", ".join(fy_label(y) for y in years)


@lru_cache(maxsize=256)
def _raw_cached(values: bytes, index: bytes, origins: tuple[int, ...], breaks: tuple,
                warehouse: str | None) -> pd.DataFrame:
    s = pd.Series(np.frombuffer(values, dtype=float),
                  index=pd.PeriodIndex.from_ordinals(np.frombuffer(index, dtype=np.int64),
                                                     freq="M"))
    return backtest_series(s, origins=origins, breaks=breaks, warehouse=warehouse)


def _raw(series: pd.Series, origins: tuple[int, ...], breaks: tuple,
         warehouse: str | os.PathLike | None) -> pd.DataFrame:
    """:func:`backtest_series`, cached in the process by the whole series."""
    s = monthly(series)
    return _raw_cached(s.to_numpy(dtype=float).tobytes(), s.index.asi8.tobytes(), origins,
                       tuple(str(pd.Timestamp(d).date()) for d in breaks or ()),
                       None if warehouse is None else str(warehouse))


class Evaluation:
    """The scored backtest of a pool of series; see the module docstring for the rules.

    Attributes
    ----------
    rows : DataFrame
        One row per series, scoreable year, origin and method (``RAW_COLUMNS`` less the
        projection, plus indicator_id, area_code, family, n_errors, lower/upper_80/95, hit_80,
        hit_95, ape, error_pct, interval_score, scored).
    """

    def __init__(self, rows: pd.DataFrame, fallback: tuple[str, ...],
                 families: Mapping[Key, str], failed: Mapping[Key, str] | None = None) -> None:
        self.rows = rows
        #: (indicator_id, area_code) → why its backtest could not be computed (it is left
        #: out of the calibration and the choice; its targets say ``failed``).
        self.failed = dict(failed or {})
        self.families = dict(families)
        self.fallback = tuple(m for m in (*fallback, *METHODS) if m in METHODS)
        self._errors: dict[tuple[str, str, int], np.ndarray] = {}
        self.scored = rows[rows["scored"]]

    def errors(self, area: str, method: str, fy: int) -> np.ndarray:
        """Sorted |z| of ``method`` in ``area``'s scoreable years before ``fy``."""
        key = (area, method, fy)
        if key not in self._errors:
            r = self.rows
            z = r.loc[(r["area_code"] == area) & (r["method"] == method) & (r["fy"] < fy), "z"]
            self._errors[key] = np.sort(np.abs(z.dropna().to_numpy(dtype=float)))
        return self._errors[key]

    def choice(self, key: Key, fy: int) -> Choice:
        """The method for indicator ``key`` in year ``fy``: the lowest interval score + MAPE
        over the scored projections, in earlier years, of the indicator's family in its area
        (or of all the area's series when the family has fewer than ``MIN_FAMILY_SERIES``)."""
        family = self.family(key)
        s = self.scored
        past = s[(s["area_code"] == key[1]) & (s["fy"] < fy)]
        mine = past[past["family"] == family]
        pooled = family
        if mine["indicator_id"].nunique() < MIN_FAMILY_SERIES:
            mine, pooled = past, ""
        years = tuple(sorted(mine["fy"].unique().tolist()))
        if len(years) < MIN_CHOICE_YEARS:
            return Choice(None, pooled, years)
        score = _score_by_method(mine)
        return Choice(_lowest(score), pooled, years, {m: float(v) for m, v in score.items()})

    def method_for(self, key: Key, fy: int) -> str:
        """The chosen method, or the first of the fallback order when none is chosen."""
        return self.choice(key, fy).method or self.fallback[0]

    def family(self, key: Key) -> str:
        return self.families.get(key, key[0])

    def verdict(self, key: Key, method: str, fy: int) -> Verdict:
        """The accuracy test of ``method`` for indicator ``key`` on its years before ``fy``."""
        s = self.scored
        past = s[(s["indicator_id"] == key[0]) & (s["area_code"] == key[1]) & (s["fy"] < fy)]
        years = tuple(sorted(past["fy"].unique().tolist()))
        if past.empty or method not in set(past["method"]):
            return Verdict(method, None, years, "not scored")
        stats = _stats(past)
        passes = {m: _fails(stats, m) for m in stats.index}
        passing = tuple(m for m in stats.index if not passes[m])
        row = stats.loc[method]
        figures = (f"{_years(years)}: MAPE {row['mape']:.2f}%, coverage "
                   f"{row['coverage_80']:.0f}% at 80%, {row['coverage_95']:.0f}% at 95%")
        why = "; ".join(passes[method]) if passes[method] else figures
        return Verdict(method, not passes[method], years, why,
                       tuple(m for m in passing if m != method))

    def summary(self, key: Key) -> pd.DataFrame:
        """Per method on the indicator's scored projections: ``SUMMARY_COLUMNS``; ``chosen``
        marks the method the backtest gives the year after the series' last complete one."""
        s = self.scored
        mine = s[(s["indicator_id"] == key[0]) & (s["area_code"] == key[1])]
        stats = _stats(mine) if not mine.empty else pd.DataFrame()
        rows_key = self.rows[(self.rows["indicator_id"] == key[0])
                             & (self.rows["area_code"] == key[1])]
        chosen = None
        if not mine.empty:
            chosen = self.method_for(key, int(rows_key["fy"].max()) + 1)
        out = []
        for method in METHODS:
            st = stats.loc[method] if method in stats.index else None
            out.append({"indicator_id": key[0], "area_code": key[1], "method": method,
                        "n": 0 if st is None else int(st["n"]),
                        **{c: np.nan if st is None else float(st[c])
                           for c in ("mape", "bias_pct", "coverage_80", "coverage_95",
                                     "interval_score")},
                        "chosen": method == chosen})
        return pd.DataFrame(out, columns=SUMMARY_COLUMNS)

    def rolling_choices(self, keys: list[Key] | None = None) -> pd.DataFrame:
        """The scored projections of the method each year's choice gave (what the board would
        have been shown), every series (or those of ``keys``) and year."""
        s = self.scored
        if keys is not None:
            wanted = set(keys)
            s = s[[(i, a) in wanted for i, a in zip(s["indicator_id"], s["area_code"],
                                                    strict=True)]]
        if s.empty:
            return s
        chosen = {(i, a, fy): self.method_for((i, a), fy)
                  for i, a, fy in s[["indicator_id", "area_code", "fy"]].drop_duplicates()
                  .itertuples(index=False)}
        keep = [chosen[(i, a, fy)] == m for i, a, fy, m in
                s[["indicator_id", "area_code", "fy", "method"]].itertuples(index=False)]
        return s[keep]

    def acceptance(self, keys: list[Key] | None = None) -> Acceptance | None:
        """The chosen methods' coverage and MAPE (rolling choices, every scored year of every
        series or of those of ``keys``) against the best single method's MAPE on the same
        series and years."""
        chosen = self.rolling_choices(keys)
        if chosen.empty:
            return None
        s = self.scored
        same = s[s.set_index(["indicator_id", "area_code"]).index.isin(
            chosen.set_index(["indicator_id", "area_code"]).index.unique())]
        per_method = same.groupby("method")["ape"].mean()
        best = str(per_method.idxmin())
        return Acceptance(
            n=len(chosen), series=chosen.groupby(["indicator_id", "area_code"]).ngroups,
            years=tuple(sorted(chosen["fy"].unique().tolist())),
            coverage_80=100.0 * float(chosen["hit_80"].mean()),
            coverage_95=100.0 * float(chosen["hit_95"].mean()),
            mape=float(chosen["ape"].mean()), best_method=best,
            best_mape=float(per_method[best]),
            methods=tuple(sorted(chosen["method"].value_counts().items())))


@dataclass(frozen=True)
class Acceptance:
    """The acceptance figures of :meth:`Evaluation.acceptance` (coverage and MAPE in %)."""

    n: int
    series: int
    years: tuple[int, ...]
    coverage_80: float
    coverage_95: float
    mape: float
    best_method: str
    best_mape: float
    methods: tuple[tuple[str, int], ...]  # projections per chosen method

    @property
    def met(self) -> bool:
        return (75.0 <= self.coverage_80 <= 88.0 and 90.0 <= self.coverage_95 <= 99.0
                and self.mape <= MAPE_TOLERANCE * self.best_mape + 1e-12)

    @property
    def text(self) -> str:
        used = ", ".join(f"{m} {k}" for m, k in self.methods)
        return (f"Chosen methods ({used} projections; {self.series} series, "
                f"{_years(self.years)}, each year chosen and calibrated on earlier years only): "
                f"coverage {self.coverage_80:.1f}% at 80% (acceptance 75-88%), "
                f"{self.coverage_95:.1f}% at 95% (90-99%); MAPE {self.mape:.2f}% = "
                f"{self.mape / self.best_mape:.2f} × the best single method's "
                f"({self.best_method}, {self.best_mape:.2f}%; acceptance ≤ {MAPE_TOLERANCE:g}) "
                f"-> {'meets' if self.met else 'does NOT meet'} the acceptance")


def _score_by_method(rows: pd.DataFrame) -> pd.Series:
    """Mean interval score + MAPE per method (the choice's criterion, lower is better)."""
    return rows.groupby("method", sort=False)[["interval_score", "ape"]].mean().sum(axis=1)


def _lowest(score: pd.Series) -> str:
    order = {m: i for i, m in enumerate(METHODS)}
    return min(score.index, key=lambda m: (round(float(score[m]), 9), order.get(m, 99)))


def _stats(rows: pd.DataFrame) -> pd.DataFrame:
    g = rows.groupby("method", sort=False)
    out = pd.DataFrame({
        "n": g.size(), "mape": g["ape"].mean(), "bias_pct": g["error_pct"].mean(),
        "coverage_80": 100.0 * g["hit_80"].mean(), "coverage_95": 100.0 * g["hit_95"].mean(),
        "interval_score": g["interval_score"].mean()})
    return out


def _fails(stats: pd.DataFrame, method: str) -> list[str]:
    """Why ``method`` fails the accuracy test (empty: it passes)."""
    row, best = stats.loc[method], stats["mape"].min()
    why = []
    if row["mape"] > MAPE_TOLERANCE * best + 1e-12:
        why.append(f"MAPE {row['mape']:.2f}% > {MAPE_TOLERANCE:g} × the best method's "
                   f"{best:.2f}% ({stats['mape'].idxmin()})")
    for level, floor in COVERAGE_FLOOR.items():
        cov = row[f"coverage_{round(100 * level)}"]
        if cov < floor:
            why.append(f"{round(100 * level)}% interval caught {cov:.0f}% of outturns "
                       f"(< {floor:.0f}%)")
    return why


def evaluate(pool: Mapping[Key, PoolSeries], origins: tuple[int, ...] = ORIGINS,
             fallback: tuple[str, ...] = FALLBACK_ORDER, *,
             warehouse: str | os.PathLike | None = None) -> Evaluation:
    """Backtest every series of ``pool`` (memoised beside ``warehouse``) and score it.

    Parameters
    ----------
    pool
        (indicator_id, area_code) → its series; calibration pools every series of an area,
        the choice every series of a family in an area.
    origins
        Months of the year (1 = April) projected from.
    fallback
        The methods' order when the backtest cannot choose (``[projection] fallback_order``).
    warehouse
        The warehouse being built (disk memo of each origin's fits; None: no memo).
    """
    frames, failed = [], {}
    try:  # with --workers / a task runner: the memo's missing origins fitted in parallel first
        prefill([(item.counts, tuple(str(pd.Timestamp(d).date()) for d in item.breaks or ()))
                 for _, item in sorted(pool.items())],
                origins, warehouse=warehouse)
    except Exception:  # noqa: BLE001 - the loop below computes (and reports) whatever is missing
        log.warning("projection backtests: filling the memo in workers failed", exc_info=True)
    for (indicator, area), item in sorted(pool.items()):
        try:
            raw = _raw(item.counts, tuple(origins), tuple(item.breaks), warehouse)
        except Exception as exc:  # noqa: BLE001 - one series' backtest never stops the build
            failed[(indicator, area)] = failure_note("projection backtest", exc)
            continue
        if raw.empty:
            continue
        ok = raw.groupby("fy")["available"].transform("all")
        frames.append(raw[ok].drop(columns="projection").assign(
            indicator_id=indicator, area_code=area, family=item.family or indicator))
    columns = [c for c in RAW_COLUMNS if c != "projection"] + ["indicator_id", "area_code",
                                                                 "family"]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    families = {key: item.family or key[0] for key, item in pool.items()}
    return Evaluation(score_rows(rows), fallback, families, failed)


def score_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Calibrated intervals and scores of backtest rows.

    ``rows``: area_code, method, fy, actual, point, ytd, scale and z (one row per projection of
    a scoreable year). Adds n_errors (the method's earlier errors in the area), scored
    (n_errors ≥ ``MIN_ERRORS``), lower/upper_80/95, hit_80/95, error_pct, ape and
    interval_score (mean of the 80% and 95% interval scores, % of the outturn).
    """
    rows = rows.reset_index(drop=True).copy()
    n = len(rows)
    half = {level: np.full(n, np.nan) for level in LEVELS}
    n_errors = np.zeros(n, dtype=int)
    z = rows["z"].to_numpy(dtype=float) if n else np.array([])
    for (area, method, fy), idx in rows.groupby(["area_code", "method", "fy"]).groups.items():
        mask = ((rows["area_code"] == area) & (rows["method"] == method)
                & (rows["fy"] < fy)).to_numpy()
        errors = np.sort(np.abs(z[mask & ~np.isnan(z)]))
        n_errors[idx] = len(errors)
        for level in LEVELS:
            half[level][idx] = calibrated_half_width(errors, level)
    rows["n_errors"] = n_errors
    rows["scored"] = n_errors >= MIN_ERRORS
    point, scale, ytd = (rows[c].to_numpy(dtype=float) for c in ("point", "scale", "ytd"))
    actual = rows["actual"].to_numpy(dtype=float)
    scores = []
    for level in LEVELS:
        tag = round(100 * level)
        with np.errstate(invalid="ignore"):
            width = np.where(scale > 0, half[level] * scale, 0.0)
        lower, upper = np.maximum(point - width, ytd), point + width
        rows[f"lower_{tag}"], rows[f"upper_{tag}"] = lower, upper
        rows[f"hit_{tag}"] = (lower <= actual) & (actual <= upper)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores.append(100.0 * interval_score(lower, upper, actual, 1.0 - level) / actual)
    with np.errstate(invalid="ignore", divide="ignore"):
        rows["error_pct"] = 100.0 * (point - actual) / actual
    rows["ape"] = rows["error_pct"].abs()
    rows["interval_score"] = np.mean(scores, axis=0) if n else np.array([])
    return rows
