"""Positions within a Most Similar Group (MSG): rank, group averages, spread and funnel limits.

An MSG is the set of about 15 Community Safety Partnerships judged most like a given one. Each
area has its own group and membership is not mutual, so membership is *data*
(``stg_msg_membership``, or a CSV the user supplies); the group compared is the one whose
``group_id`` is the focus area's code, and the focus area is always one of its members.

Conventions (what iQuanta showed, plus the public-health funnel test):

* **rank**: 1 = best by the indicator's polarity. ``lower`` (and ``neutral``, where the rank is
  only an ordering) → 1 = lowest value; ``higher`` → 1 = highest value. Ties share the best
  (minimum) rank of the places they occupy ("1, 2, 2, 4": competition ranking).
* **group_mean**: the simple mean of member values, the area itself included (HMIC's MSG
  average). **group_pooled_rate**: Σ numerators ÷ Σ denominators × multiplier (HMICFRS
  dashboards; the funnel's centre line).
* **group_sd**: the *sample* standard deviation of member values (ddof = 1);
  ``band_lower``/``band_upper`` = mean ∓ 1 SD (iQuanta's band); ``sd_from_mean`` =
  (value − mean) / SD.
* **funnel_significance** (PHE method): for a rate, the pooled rate is compared with the
  member's own 95% and 99.8% Poisson limits (Garwood exact below 10 events, Byars from 10);
  for a percentage, with its Wilson limits. "High (0.001)" means the pooled value lies below the
  member's 99.8% lower limit, i.e. the member sits above the upper 0.001 funnel limit at its
  population. With exact limits this is the same as comparing the observed count O with a
  Poisson of mean E = pooled rate × population: High (0.025) ⇔ P(X ≥ O | E) < 0.025.
* A period is ranked only when every member has a value; otherwise nothing in it is ranked and
  the members without one are listed.

References
----------
.. [1] Public Health England (2017). *Technical Guide: Funnel Plots* (updated June 2017).
   Fingertips guidance, https://fingertips.phe.org.uk/profile/guidance
.. [2] Spiegelhalter D.J. (2005). Funnel plots for comparing institutional performance.
   *Statistics in Medicine* 24(8): 1185-1202.
.. [3] Flowers J. (2007). *Statistical process control methods in public health
   intelligence*. APHO Technical Briefing 2, Association of Public Health Observatories.
.. [4] Office for Health Improvement and Disparities / UKHSA. *PHEindicatormethods*, R package
   v2.1.0 (``assign_funnel_significance``, ``calculate_funnel_limits``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from scp_metrics.settings import Settings
from scp_metrics.stats.intervals import EXACT_BELOW, _byars_raw, _exact_raw, wilson_ci, z_for

__all__ = [
    "FUNNEL_LABELS",
    "MART_COLUMNS",
    "RANKED_MEASURES",
    "RANKED_PERIOD_TYPES",
    "GroupFileError",
    "build_msg_rankings",
    "competition_rank",
    "compute_rankings",
    "funnel_limits",
    "funnel_significance",
    "group_members",
    "read_group_file",
]

RANKED_MEASURES = ("rate", "percentage")
RANKED_PERIOD_TYPES = ("rolling_12m", "financial_year", "fytd", "survey")
FUNNEL_LABELS = ("High (0.001)", "High (0.025)", "Not significant", "Low (0.025)", "Low (0.001)")
_KEY = ["indicator_id", "period_type", "period_start", "period_end"]

MART_COLUMNS = [
    "group_id", "focus_area", "indicator_id", "measure", "polarity", "unit", "multiplier",
    "period_type", "period_start", "period_end", "area_code", "area_name", "is_focus",
    "numerator", "denominator", "population_year", "value", "ci95_lower", "ci95_upper",
    "rank", "n_areas", "n_members", "missing_members", "group_mean", "group_pooled_rate",
    "group_sd", "band_lower", "band_upper", "sd_from_mean", "rank_same_period_last_year",
    "rank_change", "funnel_lower_0001", "funnel_lower_0025", "funnel_upper_0025",
    "funnel_upper_0001", "funnel_significance",
]


class GroupFileError(ValueError):
    """A membership file that cannot be used (message is one sentence)."""


# --------------------------------------------------------------------------- ranking


def competition_rank(values: Any, polarity: str = "lower") -> np.ndarray:
    """Rank values within one group, 1 = best.

    Parameters
    ----------
    values : array_like
        One value per member (rates or percentages). NaN gets no rank.
    polarity : str, default "lower"
        ``"higher"`` (or ``"high"``): the highest value ranks 1. Anything else (``"lower"``,
        ``"neutral"``): the lowest value ranks 1.

    Returns
    -------
    numpy.ndarray of float
        Ranks 1..n; tied values share the minimum rank of the places they occupy
        (competition ranking, "1224"); NaN where the value is NaN.

    Examples
    --------
    >>> competition_rank([3.0, 1.0, 3.0, 2.0]).tolist()
    [3.0, 1.0, 3.0, 2.0]
    >>> competition_rank([5.0, 7.0, 7.0], polarity="higher").tolist()
    [3.0, 1.0, 1.0]
    """
    v = np.asarray(values, dtype=float)
    key = -v if _higher_is_better(polarity) else v
    return pd.Series(key).rank(method="min", ascending=True).to_numpy(dtype=float)


def _higher_is_better(polarity: object) -> bool:
    return str(polarity).strip().lower() in ("higher", "high")


# ------------------------------------------------------------------------ funnel test


@functools.lru_cache(maxsize=8)
def _z(conf: float) -> float:
    return z_for(conf)


def _count_limits(count: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """PHE Poisson limits for counts: exact (Garwood) below 10 events, Byars from 10.

    The same formulas as :func:`scp_metrics.stats.intervals.rate_ci` (its helpers, without the input
    checks, since the bisection in :func:`funnel_limits` calls this many times).
    """
    x = np.atleast_1d(np.asarray(count, dtype=float))
    lower, upper = _byars_raw(x, _z(conf))
    lower, upper = np.array(lower, dtype=float), np.array(upper, dtype=float)
    small = x < EXACT_BELOW
    if small.any():
        lower[small], upper[small] = _exact_raw(x[small], conf)
    return lower, upper


def _member_limits(x: np.ndarray, n: np.ndarray, measure: str, conf: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The member's own limits, per unit of denominator (a per-capita rate or a proportion)."""
    if measure == "rate":
        lower, upper = _count_limits(x, conf)
        return lower / n, upper / n
    lower, upper = wilson_ci(x, n, conf=conf)
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def _check_measure(measure: str) -> str:
    m = str(measure).strip().lower()
    if m in ("proportion", "percentage"):
        return "percentage"
    if m != "rate":
        raise ValueError(f"measure must be 'rate' or 'percentage'; got {measure!r}")
    return m


def funnel_significance(numerator: Any, denominator: Any, pooled: Any,
                        measure: str = "rate") -> np.ndarray:
    """Where each member lies against the group's funnel (PHE method).

    Parameters
    ----------
    numerator : array_like
        Observed counts (events; or successes for a percentage), ≥ 0.
    denominator : array_like
        Population (rates) or number of cases (percentages), > 0.
    pooled : float or array_like
        The group's pooled value **per unit of denominator** (Σ numerators ÷ Σ denominators:
        a per-capita rate or a proportion in [0, 1], not per 1,000 or a percentage).
    measure : {"rate", "percentage"}, default "rate"
        ``"rate"``: Poisson limits of the member's count (Garwood exact below 10 events,
        Byars from 10). ``"percentage"`` (or ``"proportion"``): Wilson score limits.

    Returns
    -------
    numpy.ndarray of object
        ``"High (0.001)"`` when the pooled value lies below the member's 99.8% lower limit,
        ``"High (0.025)"`` below its 95% lower limit, ``"Low (0.001)"`` / ``"Low (0.025)"``
        above its 99.8% / 95% upper limit, otherwise ``"Not significant"``; ``None`` where an
        input is missing. "High"/"Low" describe the value, not whether that is good.

    Raises
    ------
    ValueError
        For negative counts, non-positive denominators, or (percentages) x > n.

    Notes
    -----
    A member is outside the funnel at its population exactly when the pooled value is outside
    the member's own interval: the funnel limit at population n is the value whose interval
    just touches the pooled value ([1]_, [3]_). For the exact Poisson method this is the exact
    test against a Poisson with mean E = pooled × population: the 0.025 upper limit is
    exceeded when P(X ≥ O | E) < 0.025, and the lower one when P(X ≤ O | E) < 0.025 ([2]_).
    The limits are 95% (0.025 in each tail) and 99.8% (0.001 in each tail).

    References
    ----------
    .. [1] Public Health England (2017). *Technical Guide: Funnel Plots*.
    .. [2] Spiegelhalter D.J. (2005). Funnel plots for comparing institutional performance.
       *Statistics in Medicine* 24: 1185-1202.
    .. [3] PHEindicatormethods v2.1.0, ``assign_funnel_significance`` (rates: crude; and
       proportions).

    Examples
    --------
    >>> funnel_significance([80, 160, 130], [1000, 1000, 1000], 0.13).tolist()
    ['Low (0.001)', 'High (0.025)', 'Not significant']
    """
    m = _check_measure(measure)
    x, n, p = np.broadcast_arrays(np.asarray(numerator, dtype=float),
                                  np.asarray(denominator, dtype=float),
                                  np.asarray(pooled, dtype=float))
    missing = np.isnan(x) | np.isnan(n) | np.isnan(p)
    xs, ns = np.where(missing, 0.0, x), np.where(missing, 1.0, n)
    lo95, hi95 = _member_limits(xs, ns, m, 0.95)
    lo998, hi998 = _member_limits(xs, ns, m, 0.998)
    with np.errstate(invalid="ignore"):
        labels = np.select(
            [p < lo998, p < lo95, p > hi998, p > hi95],
            ["High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)"],
            default="Not significant",
        ).astype(object)
    labels[missing] = None
    return labels


def _solve_increasing(f: Callable[[np.ndarray], np.ndarray], target: np.ndarray,
                      lo: np.ndarray, hi: np.ndarray, iterations: int = 64) -> np.ndarray:
    """Vectorised bisection: x in [lo, hi] where the increasing ``f`` crosses ``target``."""
    lo, hi = lo.astype(float).copy(), hi.astype(float).copy()
    for _ in range(iterations):
        mid = (lo + hi) / 2.0
        below = f(mid) < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return (lo + hi) / 2.0


def funnel_limits(denominator: Any, pooled: Any, measure: str = "rate",
                  conf: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Funnel control limits around the pooled value at each member's denominator.

    Parameters
    ----------
    denominator : array_like
        Population (rates) or cases (percentages), > 0.
    pooled : float or array_like
        Pooled value per unit of denominator (per-capita rate, or proportion in [0, 1]).
    measure : {"rate", "percentage"}, default "rate"
    conf : float, default 0.95
        0.95 gives the 0.025 limits, 0.998 the 0.001 limits.

    Returns
    -------
    lower, upper : numpy.ndarray
        Per unit of denominator (multiply by the indicator's multiplier). The upper limit is
        the value x/n whose lower confidence limit equals the pooled value; the lower limit the
        value whose upper confidence limit equals it (0 when even a zero count's upper limit is
        above the pooled value, so nothing can be significantly low). Found by bisection to
        about 1e-12 relative precision; for plotting and for reading against the value.

    Notes
    -----
    :func:`funnel_significance` decides labels by comparing the pooled value with the
    member's own interval; these limits are the same boundary drawn as a funnel. At the switch
    from exact to Byars limits (10 events) the two can differ for a count within a fraction of
    an event of the limit.

    Examples
    --------
    >>> lo, hi = funnel_limits([1000.0], 0.13)
    >>> round(float(lo[0]) * 1000, 1), round(float(hi[0]) * 1000, 1)
    (107.6, 153.3)
    """
    m = _check_measure(measure)
    n, p = np.broadcast_arrays(np.asarray(denominator, dtype=float),
                               np.asarray(pooled, dtype=float))
    missing = np.isnan(n) | np.isnan(p) | (n <= 0)
    n = np.where(missing, 1.0, n)
    p = np.where(missing, 0.0, p)
    if m == "rate":
        expected = p * n
        reach = 2.0 * _z(conf) * np.sqrt(expected) + 20.0  # the limits lie within this
        low_end = np.maximum(expected - reach, 0.0)
        upper = _solve_increasing(lambda x: _count_limits(x, conf)[0], expected, expected,
                                  expected + reach)
        lower = _solve_increasing(lambda x: _count_limits(x, conf)[1], expected, low_end,
                                  expected)
        lower = np.where(_count_limits(np.zeros_like(expected), conf)[1] >= expected, 0.0, lower)
        upper = np.where(expected == 0, 0.0, upper)  # only a zero count's limits include 0
        lower, upper = lower / n, upper / n
    else:
        zero = np.zeros_like(n)
        upper = _solve_increasing(lambda x: np.asarray(wilson_ci(x, n, conf)[0]), p, zero, n)
        lower = _solve_increasing(lambda x: np.asarray(wilson_ci(x, n, conf)[1]), p, zero, n)
        upper = np.where(np.asarray(wilson_ci(n, n, conf)[0]) <= p, 1.0, upper / n)
        lower = np.where(np.asarray(wilson_ci(zero, n, conf)[1]) >= p, 0.0, lower / n)
    lower = np.where(missing, np.nan, lower)
    upper = np.where(missing, np.nan, upper)
    return lower, upper


# ------------------------------------------------------------------- the whole group


def _values_and_limits(x: np.ndarray, n: np.ndarray, measure: np.ndarray,
                       multiplier: np.ndarray) -> tuple[np.ndarray, ...]:
    value, lower, upper = np.full(len(x), np.nan), np.full(len(x), np.nan), np.full(len(x), np.nan)
    ok = np.isfinite(x) & np.isfinite(n) & (n > 0)
    for m in RANKED_MEASURES:
        rows = ok & (measure == m)
        if not rows.any():
            continue
        lo, hi = _member_limits(x[rows], n[rows], m, 0.95)
        scale = multiplier[rows]
        value[rows] = x[rows] / n[rows] * scale
        lower[rows], upper[rows] = lo * scale, hi * scale
    return value, lower, upper


def _shift_year(dates: pd.Series) -> pd.Series:
    """The same day one year later (period ends: the last day of the same month)."""
    return dates + pd.DateOffset(years=1)


def compute_rankings(rows: pd.DataFrame, indicators: pd.DataFrame, members: pd.DataFrame,
                     *, group_id: str, focus_area: str) -> pd.DataFrame:
    """Rank every member of one group for every indicator and period in ``rows``.

    Parameters
    ----------
    rows : pandas.DataFrame
        One row per (indicator, period, area) with columns ``indicator_id, period_type,
        period_start, period_end, area_code, numerator, denominator`` and optionally
        ``population_year``. The denominator is the population for a rate and the number of
        cases for a percentage. Optional ``value, ci95_lower, ci95_upper`` (as in
        ``mart_indicator_values``) are used where present, so a weighted survey percentage is
        ranked as published; a missing percentage numerator is then taken as value × base for
        the pooled value and the funnel. Areas outside ``members`` and indicators whose measure
        is not ranked (counts) are ignored.
    indicators : pandas.DataFrame
        ``indicator_id, measure, multiplier, polarity`` and optionally ``unit`` (as in
        ``ref_indicators``).
    members : pandas.DataFrame
        The group: ``area_code, area_name`` (see :func:`group_members`).
    group_id, focus_area : str
        Recorded on every row; ``is_focus`` marks the focus area.

    Returns
    -------
    pandas.DataFrame
        :data:`MART_COLUMNS`, one row per member with a value per indicator and period, ordered
        by indicator, period type, period and rank. Group statistics, ranks and funnel columns
        are filled only where every member has a value (``n_areas`` = members ranked, else 0,
        with ``missing_members`` listing the codes without one). ``rank_change`` =
        last year's rank − this year's (positive = places gained towards 1), for the same
        period type one year earlier when both were ranked.

    Notes
    -----
    ``group_mean`` is the simple mean of member values (HMIC); ``group_pooled_rate`` is
    Σx/Σn × multiplier; ``group_sd`` the sample SD (ddof = 1); funnel labels as in
    :func:`funnel_significance` around the pooled value, with limits from
    :func:`funnel_limits`.
    """
    member_codes = list(dict.fromkeys(members["area_code"]))
    names = dict(zip(members["area_code"], members["area_name"], strict=False))
    n_members = len(member_codes)
    ind = indicators.copy()
    if "unit" not in ind:
        ind["unit"] = None
    ind = ind[ind["measure"].isin(RANKED_MEASURES)][
        ["indicator_id", "measure", "multiplier", "polarity", "unit"]]
    frame = rows.copy()
    for col in ("population_year", "value", "ci95_lower", "ci95_upper"):
        if col not in frame:
            frame[col] = np.nan
    frame = frame.rename(columns={"value": "_given", "ci95_lower": "_given_lo",
                                  "ci95_upper": "_given_hi"})
    frame = frame.merge(ind, on="indicator_id", how="inner")
    frame = frame[frame["area_code"].isin(member_codes)]
    if frame.empty:
        return _empty()
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    given = pd.to_numeric(frame["_given"], errors="coerce").to_numpy(dtype=float)
    x = pd.to_numeric(frame["numerator"], errors="coerce").to_numpy(dtype=float)
    n = pd.to_numeric(frame["denominator"], errors="coerce").to_numpy(dtype=float)
    derive = np.isnan(x) & np.isfinite(given) & (frame["measure"] == "percentage").to_numpy()
    x = np.where(derive, given / frame["multiplier"].to_numpy(dtype=float) * n, x)
    frame["_x"], frame["_n"] = x, n
    frame = frame[np.isfinite(x) & np.isfinite(n) & (n > 0)]
    frame = frame.drop_duplicates(_KEY + ["area_code"], keep="last").reset_index(drop=True)
    if frame.empty:
        return _empty()
    x, n = frame["_x"].to_numpy(), frame["_n"].to_numpy()
    measure = frame["measure"].to_numpy(dtype=object)
    multiplier = frame["multiplier"].to_numpy(dtype=float)
    value, lower, upper = _values_and_limits(x, n, measure, multiplier)
    given = pd.to_numeric(frame["_given"], errors="coerce").to_numpy(dtype=float)
    lo_given = pd.to_numeric(frame["_given_lo"], errors="coerce").to_numpy(dtype=float)
    hi_given = pd.to_numeric(frame["_given_hi"], errors="coerce").to_numpy(dtype=float)
    use_given = np.isfinite(given)  # e.g. weighted survey percentages
    frame["value"] = np.where(use_given, given, value)
    both = use_given & np.isfinite(lo_given) & np.isfinite(hi_given)
    frame["ci95_lower"] = np.where(both, lo_given, lower)
    frame["ci95_upper"] = np.where(both, hi_given, upper)

    grouped = frame.groupby(_KEY, sort=False)
    frame["_complete"] = grouped["area_code"].transform("nunique") == n_members
    partial = frame[~frame["_complete"]].groupby(_KEY, sort=False)["area_code"].agg(
        lambda s: "; ".join(c for c in member_codes if c not in set(s))).rename("missing_members")
    frame = frame.merge(partial.reset_index(), on=_KEY, how="left")
    complete = frame["_complete"].to_numpy(dtype=bool)
    frame["n_members"] = n_members
    frame["n_areas"] = np.where(complete, n_members, 0)

    stats_columns = ["rank", "group_mean", "group_pooled_rate", "group_sd", "band_lower",
                     "band_upper", "sd_from_mean", "funnel_lower_0001", "funnel_lower_0025",
                     "funnel_upper_0025", "funnel_upper_0001"]
    for col in stats_columns:
        frame[col] = np.nan
    frame["funnel_significance"] = None
    done = frame[complete].copy()
    if not done.empty:
        by = done.groupby(_KEY, sort=False)
        sign = np.where([_higher_is_better(p) for p in done["polarity"]], -1.0, 1.0)
        done["_key"] = sign * done["value"].to_numpy()
        done["rank"] = by["_key"].rank(method="min", ascending=True)
        done["group_mean"] = by["value"].transform("mean")
        done["group_sd"] = by["value"].transform(lambda s: s.std(ddof=1))
        pooled = (by["_x"].transform("sum") / by["_n"].transform("sum")).to_numpy()
        mult = done["multiplier"].to_numpy(dtype=float)
        done["group_pooled_rate"] = pooled * mult
        done["band_lower"] = done["group_mean"] - done["group_sd"]
        done["band_upper"] = done["group_mean"] + done["group_sd"]
        sd = done["group_sd"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            done["sd_from_mean"] = np.where(
                sd > 0, (done["value"].to_numpy() - done["group_mean"].to_numpy()) / sd, np.nan)
        labels = np.full(len(done), None, dtype=object)
        xs, ns = done["_x"].to_numpy(), done["_n"].to_numpy()
        for m in RANKED_MEASURES:
            rows_m = (done["measure"] == m).to_numpy()
            if not rows_m.any():
                continue
            labels[rows_m] = funnel_significance(xs[rows_m], ns[rows_m], pooled[rows_m], m)
            for conf, tag in ((0.95, "0025"), (0.998, "0001")):
                lo, hi = funnel_limits(ns[rows_m], pooled[rows_m], m, conf)
                done.loc[rows_m, f"funnel_lower_{tag}"] = lo * mult[rows_m]
                done.loc[rows_m, f"funnel_upper_{tag}"] = hi * mult[rows_m]
        done["funnel_significance"] = labels
        for col in [*stats_columns, "funnel_significance"]:
            frame.loc[done.index, col] = done[col]

    last_year = frame.loc[frame["rank"].notna(), _KEY + ["area_code", "rank"]].copy()
    last_year["period_start"] = _shift_year(last_year["period_start"])
    last_year["period_end"] = (last_year["period_end"] + pd.Timedelta(days=1)
                               + pd.DateOffset(years=1) - pd.Timedelta(days=1))
    last_year = last_year.rename(columns={"rank": "rank_same_period_last_year"})
    frame = frame.merge(last_year, on=_KEY + ["area_code"], how="left")
    frame["rank_change"] = frame["rank_same_period_last_year"] - frame["rank"]

    frame["group_id"] = group_id
    frame["focus_area"] = focus_area
    frame["is_focus"] = frame["area_code"] == focus_area
    frame["area_name"] = frame["area_code"].map(names)
    counted = pd.to_numeric(frame["numerator"], errors="coerce").astype(float)
    whole = bool((counted.dropna() == np.floor(counted.dropna())).all())
    frame["numerator"] = pd.array(counted.round(), dtype="Int64") if whole else counted
    frame["denominator"] = pd.array(frame["_n"].round(), dtype="Int64")
    frame["population_year"] = pd.array(
        pd.to_numeric(frame["population_year"], errors="coerce"), dtype="Int64")
    frame.loc[frame["measure"] != "rate", "population_year"] = pd.NA
    for col in ("rank", "rank_same_period_last_year", "rank_change", "n_areas", "n_members"):
        frame[col] = pd.array(pd.to_numeric(frame[col], errors="coerce").round(), dtype="Int64")
    for col in ("group_mean", "group_pooled_rate", "group_sd", "band_lower", "band_upper",
                "sd_from_mean", "funnel_lower_0001", "funnel_lower_0025", "funnel_upper_0025",
                "funnel_upper_0001"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    frame["multiplier"] = frame["multiplier"].astype("int64")
    order = {p: i for i, p in enumerate(RANKED_PERIOD_TYPES)}
    frame["_order"] = frame["period_type"].map(order).fillna(len(order))
    frame = frame.sort_values(["indicator_id", "_order", "period_start", "period_end", "rank",
                               "area_code"], na_position="last")
    frame["period_start"] = frame["period_start"].dt.date
    frame["period_end"] = frame["period_end"].dt.date
    return frame[MART_COLUMNS].reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in MART_COLUMNS})


# ------------------------------------------------------------------------- membership


def read_group_file(path: Path | str) -> pd.DataFrame:
    """Read and validate a user's membership CSV (``group_id, area_code, area_name``).

    Parameters
    ----------
    path : path-like
        A CSV (or any format the readers accept) whose header row holds ``group_id``,
        ``area_code`` and ``area_name``; validated against
        :class:`scp_metrics.sources.schemas.RawMsgMembership` (ONS-style codes, no member twice in a
        group).

    Returns
    -------
    pandas.DataFrame
        ``group_id, area_code, area_name``, trimmed, codes upper-case.

    Raises
    ------
    GroupFileError
        With one sentence naming the file, row, column and problem.
    """
    from scp_metrics.ingest.validation import validate_file

    path = Path(path)
    if not path.is_file():
        raise GroupFileError(f"group file {path} does not exist")
    result = validate_file(path)
    if result.source is None or result.source.name != "msg_membership":
        what = "an unrecognised file" if result.source is None else result.source.title
        if not result.failures.empty and result.source is None:
            what = f"unreadable ({result.failures.iloc[0]['value']})"
        raise GroupFileError(f"group file {path.name} is {what}, not a membership table with "
                             "columns group_id, area_code, area_name")
    if not result.ok:
        first = result.failures.iloc[0]
        where = f"row {first['row']}, " if pd.notna(first["row"]) else ""
        column = f"column {first['column']}, " if first["column"] else ""
        extra = len(result.failures) - 1
        more = f" (and {extra} more problems)" if extra else ""
        raise GroupFileError(f"group file {path.name}: {where}{column}check '{first['check']}' "
                             f"failed for value {first['value']!r}{more}")
    assert result.frame is not None  # a valid result carries its frame
    frame = result.frame[["group_id", "area_code", "area_name"]].copy()
    frame["group_id"] = frame["group_id"].astype(str).str.strip()
    frame["area_code"] = frame["area_code"].astype(str).str.strip().str.upper()
    frame["area_name"] = frame["area_name"].astype(str).str.strip()
    return frame.reset_index(drop=True)


def group_members(membership: pd.DataFrame, focus_area: str,
                  area_names: pd.DataFrame | None = None) -> pd.DataFrame:
    """The focus area's group: rows whose ``group_id`` is the focus area's code.

    Parameters
    ----------
    membership : pandas.DataFrame
        ``group_id, area_code, area_name`` (any number of groups).
    focus_area : str
        ONS code of the area whose group is wanted (compared case-insensitively).
    area_names : pandas.DataFrame, optional
        ``area_code, area_name`` (e.g. ``ref_areas``) for the focus area's name when the
        group does not list it.

    Returns
    -------
    pandas.DataFrame
        ``area_code, area_name``, the focus area first; the focus area is added when the group
        lists only its peers (a group always contains the area it belongs to).

    Raises
    ------
    LookupError
        When no group has that ``group_id``.
    """
    focus = focus_area.strip().upper()
    ids = membership["group_id"].astype(str).str.strip().str.upper()
    group = membership[ids == focus][["area_code", "area_name"]].copy()
    if group.empty:
        found = sorted(set(membership["group_id"].astype(str)))
        listed = ", ".join(found[:5]) + (" …" if len(found) > 5 else "") if found else "none"
        raise LookupError(f"no Most Similar Group has group_id {focus} (groups found: {listed})")
    group["area_code"] = group["area_code"].astype(str).str.strip().str.upper()
    group = group.drop_duplicates("area_code")
    if focus not in set(group["area_code"]):
        name = None
        if area_names is not None:
            match = area_names[area_names["area_code"] == focus]["area_name"]
            name = match.iloc[0] if not match.empty else None
        group = pd.concat([pd.DataFrame({"area_code": [focus], "area_name": [name]}), group])
    is_focus = group["area_code"] == focus
    return pd.concat([group[is_focus], group[~is_focus]]).reset_index(drop=True)


# ------------------------------------------------------------------------------ mart


def build_msg_rankings(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_msg_rankings``: the home area's group, every rate and percentage indicator.

    Reads ``stg_msg_membership`` (the group whose ``group_id`` is ``settings.home_area``),
    ``ref_indicators`` and the ``rolling_12m``, ``financial_year``, ``fytd`` and ``survey``
    rows of ``mart_indicator_values``, and applies :func:`compute_rankings`. Empty (with its
    columns) when the warehouse holds no group for the home area.
    """
    membership = con.execute(  # ordered: a group-by's row order varies from run to run
        "select group_id, area_code, area_name from stg_msg_membership order by all").df()
    names = con.execute("select area_code, area_name from ref_areas").df()
    try:
        members = group_members(membership, settings.home_area, names)
    except LookupError:
        return _empty()
    indicators = con.execute(
        "select indicator_id, measure, multiplier, polarity, unit from ref_indicators").df()
    types = ", ".join(f"'{t}'" for t in RANKED_PERIOD_TYPES)
    rows = con.execute(
        "select indicator_id, period_type, period_start, period_end, area_code, numerator, "
        "denominator, population_year, value, ci95_lower, ci95_upper from mart_indicator_values "
        f"where period_type in ({types}) order by all"  # a fixed order: bit-identical group sums
    ).df()
    focus = settings.home_area.strip().upper()
    return compute_rankings(rows, indicators, members, group_id=focus, focus_area=focus)
