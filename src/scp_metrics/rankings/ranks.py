"""Positions within a Most Similar Group (MSG): rank, group averages, spread and funnel limits
(the group is read by :mod:`scp_metrics.warehouse.marts.msg_rankings`, or from a user's file by
:mod:`scp_metrics.ingest.group_file`).

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
* **funnel_significance** (PHE method, :mod:`scp_metrics.rankings.funnel`): the pooled value
  against the member's own 95% and 99.8% limits (Poisson for a rate, Wilson for a percentage).
* **overdispersion_phi / funnel_method / funnel_significance_adjusted**: where the members
  differ by more than chance (Spiegelhalter 2005: φ from winsorised z-scores), the funnel is
  widened (additive random effects by default) and the member is judged against the widened
  limits; ``funnel_significance`` stays the plain PHE label.
* A period is ranked only when every member has a value; otherwise nothing in it is ranked and
  the members without one are listed.

The funnel's method and references are in :mod:`scp_metrics.rankings.funnel`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scp_metrics.periods import a_year_later
from scp_metrics.rankings.funnel import (
    FUNNEL_LABELS,
    funnel_limits,
    funnel_significance,
    member_limits,
)
from scp_metrics.rankings.funnel_adjusted import adjusted_funnel

__all__ = [
    "FUNNEL_LABELS",
    "MART_COLUMNS",
    "RANKED_MEASURES",
    "RANKED_PERIOD_TYPES",
    "competition_rank",
    "compute_rankings",
    "funnel_limits",
    "funnel_significance",
    "group_members",
]

RANKED_MEASURES = ("rate", "percentage")
RANKED_PERIOD_TYPES = ("rolling_12m", "financial_year", "fytd", "survey")
_KEY = ["indicator_id", "period_type", "period_start", "period_end"]

MART_COLUMNS = [
    "group_id", "focus_area", "indicator_id", "measure", "polarity", "unit", "multiplier",
    "period_type", "period_start", "period_end", "area_code", "area_name", "is_focus",
    "numerator", "denominator", "population_year", "value", "ci95_lower", "ci95_upper",
    "rank", "n_areas", "n_members", "missing_members", "group_mean", "group_pooled_rate",
    "group_sd", "band_lower", "band_upper", "sd_from_mean", "rank_same_period_last_year",
    "rank_change", "funnel_lower_0001", "funnel_lower_0025", "funnel_upper_0025",
    "funnel_upper_0001", "funnel_significance", "overdispersion_phi", "funnel_method",
    "funnel_significance_adjusted",
]


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


# ------------------------------------------------------------------- the whole group


def _values_and_limits(x: np.ndarray, n: np.ndarray, measure: np.ndarray,
                       multiplier: np.ndarray) -> tuple[np.ndarray, ...]:
    value, lower, upper = np.full(len(x), np.nan), np.full(len(x), np.nan), np.full(len(x), np.nan)
    ok = np.isfinite(x) & np.isfinite(n) & (n > 0)
    for m in RANKED_MEASURES:
        rows = ok & (measure == m)
        if not rows.any():
            continue
        lo, hi = member_limits(x[rows], n[rows], m, 0.95)
        scale = multiplier[rows]
        value[rows] = x[rows] / n[rows] * scale
        lower[rows], upper[rows] = lo * scale, hi * scale
    return value, lower, upper


def compute_rankings(rows: pd.DataFrame, indicators: pd.DataFrame, members: pd.DataFrame,
                     *, group_id: str, focus_area: str,
                     funnel_method: str = "additive_random_effects") -> pd.DataFrame:
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
    funnel_method : {"additive_random_effects", "multiplicative"}
        How the funnel is widened where the group is over-dispersed beyond chance
        (:mod:`scp_metrics.rankings.funnel_adjusted`).

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
    :func:`funnel_limits`. ``overdispersion_phi``, ``funnel_method`` and
    ``funnel_significance_adjusted``: Spiegelhalter's over-dispersion estimate for the group
    and period, the method that judges it ("plain" when φ is within chance) and the label
    against those limits (:func:`~scp_metrics.rankings.funnel_adjusted.adjusted_funnel`).
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
    for col in ("overdispersion_phi", "funnel_method", "funnel_significance_adjusted"):
        frame[col] = np.nan if col == "overdispersion_phi" else None
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
        adjusted = adjusted_funnel(done, _KEY, pooled, method=funnel_method)
        for col in adjusted:
            done[col] = adjusted[col].to_numpy()
        for col in [*stats_columns, "funnel_significance", *adjusted]:
            frame.loc[done.index, col] = done[col]

    last_year = frame.loc[frame["rank"].notna(), _KEY + ["area_code", "rank"]].copy()
    last_year["period_start"], last_year["period_end"] = a_year_later(
        last_year["period_start"], last_year["period_end"])
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
                "funnel_upper_0001", "overdispersion_phi"):
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
