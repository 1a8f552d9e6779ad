"""Trends: the underlying annual % change of monthly count series (``mart_trends``).

For every indicator × area monthly series whose measure is a rate or a count, a log-linear
count model of the last :data:`WINDOW_MONTHS` months, never crossing a series break::

    log E[y_t] = log(population_t) + α + β·t + γ_month(t)

``y`` is the monthly numerator (events); the offset ``log(population)`` is used for rates and
left out for counts; ``t`` counts months from the window start; ``γ`` is a month-of-year effect
(11 dummies: seasonality is adjusted for, not mistaken for trend). The underlying annual change
is ``exp(12·β) − 1`` with the 95% Wald interval ``exp(12·(β ± 1.96·se)) − 1``.

Model choice (the rule, stated once): fit a Poisson GLM first; its Pearson χ²/df is reported as
``dispersion``. When ``dispersion`` > :data:`OVERDISPERSION_LIMIT` (1.5), refit as a negative
binomial GLM (NB2: variance μ + αμ², α at its maximum-likelihood value found by profiling the
likelihood), whose wider interval allows for the extra-Poisson variation; if that fit fails
the Poisson fit is kept with its standard errors scaled by √dispersion (quasi-Poisson).

Window: the last month with data and the :data:`WINDOW_MONTHS` months up to it, cut at the
latest series break inside that span (``ref_series_breaks``); a cut window carries
``break_warning`` and the break's date and reason. With fewer than :data:`MIN_MONTHS`
observed months (two seasonal cycles: 13 parameters need the spare degrees of freedom) nothing
is fitted and the verdict is "insufficient data".

A series whose fit raises has a row with ``series_status`` ``failed``, no estimate and a
``note`` saying why (:mod:`scp_metrics.stats.series_status`); the other series are fitted as usual.

Verdict: "rising" when the whole 95% interval is above 0, "falling" when it is all below,
otherwise "no clear trend". (The verdict is a direction, not a judgement: read it with the
indicator's polarity.)

Year-on-year and same-period-last-year changes are in ``mart_indicator_values``, not here.

Scale: one :func:`fit_trend` per series (~1 ms when there is too little data to fit, a few ms
for a GLM, more when the negative binomial is needed); the series are cut from one sorted frame.
About 10 s for the ~5,900 series of 300 areas × 15 years. The mart's adapter
(:mod:`scp_metrics.warehouse.marts.trends`) fits again only the series whose monthly counts or
populations changed; a change of the measures, of ``ref_series_breaks``, of the constants
above or of the code of this module or :mod:`scp_metrics.stats.breaks` refits every series.

References
----------
.. [1] McCullagh P., Nelder J.A. (1989). *Generalized Linear Models*, 2nd ed. Chapman & Hall
   (Poisson log-linear models with offsets; Pearson χ²/df as the dispersion estimate, §4.5).
.. [2] Cameron A.C., Trivedi P.K. (2013). *Regression Analysis of Count Data*, 2nd ed.
   Cambridge University Press (NB2 model, §3.3).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize

from scp_metrics.stats.breaks import break_starts
from scp_metrics.stats.series_status import FAILED, OK, failure_note

__all__ = [
    "MIN_MONTHS",
    "OVERDISPERSION_LIMIT",
    "TREND_COLUMNS",
    "WINDOW_MONTHS",
    "TrendResult",
    "conform_trend_table",
    "fit_trend",
    "trend_table",
]

#: Months in the trend window (three years).
WINDOW_MONTHS = 36
#: Fewest observed months a seasonal trend is fitted to.
MIN_MONTHS = 24
#: Pearson χ²/df above which the Poisson model is replaced by a negative binomial.
OVERDISPERSION_LIMIT = 1.5
#: Largest standard error of the annual log change a fit may report. Above it the slope is not
#: identified by the counts (one event after months of none, say: the fit's slope runs off to
#: infinity) and its 95% interval would span more than a factor of e^(2 × 1.96 × 3), about 130,000.
MAX_ANNUAL_LOG_SE = 3.0
_Z95 = 1.959963984540054
_LOG_ALPHA_BOUNDS = (math.log(1e-8), math.log(10.0))

TREND_COLUMNS = [
    "indicator_id", "area_code", "measure", "window_start", "window_end", "n_months",
    "annual_change_pct", "ci95_lower_pct", "ci95_upper_pct", "dispersion", "method", "verdict",
    "break_warning", "break_date", "break_reason", "series_status", "note",
]


@dataclass(frozen=True)
class TrendResult:
    """A fitted trend (percentages are % per year; NaN when not fitted)."""

    method: str
    window_start: date | None
    window_end: date | None
    n_months: int
    annual_change_pct: float
    ci95_lower_pct: float
    ci95_upper_pct: float
    dispersion: float
    verdict: str
    break_warning: bool
    break_date: date | None


def _verdict(lower: float, upper: float) -> str:
    if lower > 0:
        return "rising"
    if upper < 0:
        return "falling"
    return "no clear trend"


def _design(index: pd.DatetimeIndex, start: pd.Timestamp) -> np.ndarray:
    """Intercept, months since ``start``, and month-of-year dummies (first month present = 0)."""
    t = (index.year - start.year) * 12 + (index.month - start.month)
    months = np.asarray(index.month)
    levels = np.unique(months)[1:]
    dummies = (months[:, None] == levels[None, :]).astype(float)
    return np.column_stack([np.ones(len(index)), np.asarray(t, dtype=float), dummies])


def _negative_binomial(
    y: np.ndarray, x: np.ndarray, offset: np.ndarray, start: np.ndarray
) -> Any:
    """NB2 GLM with α at its maximum-likelihood value (profile likelihood over log α).

    β and α are asymptotically orthogonal in NB2, so the GLM's standard errors at the ML α
    are the full-likelihood ones. A bounded 1-D search is used because Newton on (β, α)
    jointly overshoots α below zero when the start is far off.
    """

    def fit(log_alpha: float) -> Any:
        family = sm.families.NegativeBinomial(alpha=math.exp(log_alpha))
        return sm.GLM(y, x, family=family, offset=offset).fit(start_params=start, scale=1.0)

    best = optimize.minimize_scalar(lambda a: -fit(a).llf, bounds=_LOG_ALPHA_BOUNDS,
                                    method="bounded", options={"xatol": 1e-3})
    return fit(float(best.x))


def _fit(y: np.ndarray, x: np.ndarray, offset: np.ndarray) -> tuple[str, float, float, float]:
    """(method, β, se(β), Pearson χ²/df of the Poisson fit) for the time term."""
    poisson = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit()
    dispersion = float(poisson.pearson_chi2 / poisson.df_resid)  # df_resid ≥ 11 (24+ months)
    beta, se = float(poisson.params[1]), float(poisson.bse[1])
    if not dispersion > OVERDISPERSION_LIMIT:
        return "Poisson GLM", beta, se, dispersion
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            nb = _negative_binomial(y, x, offset, poisson.params)
            nb_beta, nb_se = float(nb.params[1]), float(nb.bse[1])
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            nb_se = math.nan
    if math.isfinite(nb_se):
        return "negative binomial GLM (NB2)", nb_beta, nb_se, dispersion
    return "quasi-Poisson (NB2 fit failed)", beta, se * math.sqrt(dispersion), dispersion


def fit_trend(
    counts: pd.Series,
    population: pd.Series | None = None,
    breaks: Sequence[Any] = (),
    window_months: int = WINDOW_MONTHS,
    min_months: int = MIN_MONTHS,
) -> TrendResult:
    """Underlying annual % change of a monthly count series.

    Parameters
    ----------
    counts : pandas.Series
        Monthly event counts indexed by month start (``DatetimeIndex``); NaN = not observed.
    population : pandas.Series, optional
        Population for each month (same index) for a rate: ``log(population)`` is the offset.
        Months with a missing or non-positive population are left out. None for a count.
    breaks : sequence of dates
        Series breaks for this indicator and area; the window never crosses one.
    window_months : int, default 36
    min_months : int, default 24

    Returns
    -------
    TrendResult

    Examples
    --------
    >>> idx = pd.date_range("2007-01-01", periods=36, freq="MS")
    >>> y = pd.Series(np.round(200 * 0.9 ** (np.arange(36) / 12)), index=idx)
    >>> r = fit_trend(y)
    >>> round(r.annual_change_pct, 1), r.verdict, r.n_months
    (-10.0, 'falling', 36)
    """
    s = pd.Series(counts, dtype=float).sort_index()
    s.index = pd.DatetimeIndex(s.index)
    ok = s.notna().to_numpy(copy=True)
    pop = None
    if population is not None:
        pop = pd.Series(population, dtype=float).reindex(s.index)
        ok &= (pop > 0).fillna(False).to_numpy()
    observed = s.index[ok]
    if len(observed) == 0:
        return TrendResult("not fitted: no data", None, None, 0, math.nan, math.nan, math.nan,
                           math.nan, "insufficient data", False, None)
    end = observed[-1]
    nominal_start = end - pd.DateOffset(months=window_months - 1)
    full = pd.date_range(observed[0], end, freq="MS")
    cuts = [c for c in break_starts(full, breaks) if c > nominal_start]
    start = max(nominal_start, observed[0])
    break_at = None
    if cuts:
        start = cuts[-1]
        break_at = start.date()
    window = observed[(observed >= start) & (observed <= end)]
    n = len(window)
    base = {"window_start": start.date(), "window_end": end.date(), "n_months": n,
            "break_warning": break_at is not None, "break_date": break_at}
    y = s.loc[window].to_numpy()
    if n < min_months or y.sum() == 0:
        why = (f"fewer than {min_months} months" if n < min_months else "no events in the window")
        return TrendResult(method=f"not fitted: {why}", annual_change_pct=math.nan,
                           ci95_lower_pct=math.nan, ci95_upper_pct=math.nan, dispersion=math.nan,
                           verdict="insufficient data", **base)
    offset = np.log(pop.loc[window].to_numpy()) if pop is not None else np.zeros(n)
    method, beta, se, dispersion = _fit(y, _design(window, start), offset)
    if not (math.isfinite(beta) and math.isfinite(se) and 12.0 * se <= MAX_ANNUAL_LOG_SE):
        return TrendResult(method="not fitted: the counts are too sparse to estimate a trend",
                           annual_change_pct=math.nan, ci95_lower_pct=math.nan,
                           ci95_upper_pct=math.nan, dispersion=dispersion,
                           verdict="insufficient data", **base)
    pct = [100.0 * math.expm1(12.0 * b) for b in (beta, beta - _Z95 * se, beta + _Z95 * se)]
    return TrendResult(method=method, annual_change_pct=pct[0], ci95_lower_pct=pct[1],
                       ci95_upper_pct=pct[2], dispersion=dispersion,
                       verdict=_verdict(pct[1], pct[2]), **base)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TREND_COLUMNS})


def trend_table(
    monthly: pd.DataFrame, measure: Mapping[str, str], breaks: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One :func:`fit_trend` row per (indicator, area) whose measure is a rate or a count.

    Parameters
    ----------
    monthly : DataFrame
        ``indicator_id, area_code, period_start, numerator, denominator`` (denominator =
        population for rates), one row per month.
    measure : mapping
        Indicator id → ``"rate"``, ``"count"`` or ``"percentage"`` (percentages are skipped).
    breaks : DataFrame, optional
        ``ref_series_breaks`` rows (``indicator_id, area_code, break_date, reason``).

    Returns
    -------
    DataFrame with columns :data:`TREND_COLUMNS`.
    """
    frame = monthly[monthly["indicator_id"].map(measure).isin(["rate", "count"])].copy()
    if frame.empty:
        return _empty()
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame = frame.sort_values(["indicator_id", "area_code", "period_start"])
    frame = frame.dropna(subset=["indicator_id", "area_code"]).reset_index(drop=True)
    if frame.empty:
        return _empty()
    if breaks is None or breaks.empty:
        breaks = pd.DataFrame(columns=["indicator_id", "area_code", "break_date", "reason"])
    no_breaks = breaks.iloc[:0]
    breaks_of = {ind: grp for ind, grp in breaks.groupby("indicator_id", sort=False)}
    # the series are cut from the sorted frame (one groupby per series costs more than most fits)
    months = pd.DatetimeIndex(frame["period_start"], name="period_start")
    numerator = pd.to_numeric(frame["numerator"], errors="coerce").astype(float).to_numpy()
    denominator = pd.to_numeric(frame["denominator"], errors="coerce").astype(float).to_numpy()
    indicators = frame["indicator_id"].to_numpy()
    areas = frame["area_code"].to_numpy()
    gid = frame.groupby(["indicator_id", "area_code"], sort=False).ngroup().to_numpy()
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    ends = np.r_[starts[1:], len(frame)]
    rows = []
    for start, end in zip(starts, ends, strict=True):
        ind, area = indicators[start], areas[start]
        index = months[start:end]
        applies = breaks_of.get(ind, no_breaks)
        applies = applies[applies["area_code"].isna() | (applies["area_code"] == area)]
        population = (pd.Series(denominator[start:end], index=index, name="denominator")
                      if measure[ind] == "rate" else None)
        counts = pd.Series(numerator[start:end], index=index, name="numerator")
        try:
            result = fit_trend(counts, population, list(applies["break_date"]))
        except Exception as exc:  # noqa: BLE001 - one series never stops the mart
            rows.append({"indicator_id": ind, "area_code": area, "measure": measure[ind],
                         "n_months": int(counts.notna().sum()), "break_warning": False,
                         "series_status": FAILED, "note": failure_note("trend", exc)})
            continue
        reason = None
        if result.break_date is not None:
            # the break that mapped to the window start: the latest on or before it
            dates = pd.to_datetime(applies["break_date"])
            chosen = applies[dates <= pd.Timestamp(result.break_date)]
            reason = str(chosen.sort_values("break_date")["reason"].iloc[-1])
        rows.append({"indicator_id": ind, "area_code": area, "measure": measure[ind],
                     **asdict(result), "break_reason": reason, "series_status": OK,
                     "note": None})
    return conform_trend_table(pd.DataFrame(rows, columns=TREND_COLUMNS))


def conform_trend_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The mart's columns and dtypes (also for rows read back from the previous build)."""
    out = frame[TREND_COLUMNS].copy()
    out["n_months"] = out["n_months"].astype("int64")
    out["break_warning"] = out["break_warning"].astype(bool)
    for col in ("annual_change_pct", "ci95_lower_pct", "ci95_upper_pct", "dispersion"):
        out[col] = out[col].astype(float)
    for col in ("window_start", "window_end", "break_date"):
        out[col] = pd.to_datetime(out[col]).dt.date
    out["break_reason"] = out["break_reason"].astype("string")
    for col in ("series_status", "note"):
        out[col] = out[col].astype("string")
    return out
