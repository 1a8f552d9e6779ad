"""Indicator values: rates with confidence intervals and change on the same period last year.

Counting happens in SQL (``int_indicator_counts``); the statistics are here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scp_metrics.config.catalogue import Indicator
from scp_metrics.periods import a_year_later
from scp_metrics.stats.change import poisson_change_test, two_proportion_change_test
from scp_metrics.stats.intervals import rate_ci
from scp_metrics.stats.proportions import wilson_ci

MART_COLUMNS = [
    "indicator_id", "area_code", "area_name", "period_type", "period_start", "period_end",
    "numerator", "denominator", "value", "ci95_lower", "ci95_upper", "unit", "population_year",
    "ci_method", "source", "value_same_period_last_year", "change_pct",
    "change_p_value", "change_verdict",
]
PERIOD_TYPES = ("month", "quarter", "fytd", "financial_year", "rolling_12m")


def _attribute(by_id: dict[str, Indicator], name: str) -> dict[str, object]:
    """``indicator_id → attribute`` as a dict, so that ``Series.map`` looks it up in one hashed
    pass (a lambda per row cost seconds on every area's rows)."""
    return {key: getattr(indicator, name) for key, indicator in by_id.items()}


def _by_count(num: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``rate_ci(num, 1, multiplier=1)`` computed once per distinct count.

    Many rows share a count (721k rows hold ~31k distinct numerators at 300 areas), and the
    limits of a count do not depend on the other elements: the exact and Byars limits of each
    distinct count, spread back to the rows, are the values the whole-array call gives.
    """
    uniq, inverse = np.unique(num, return_inverse=True)
    value, lower, upper, method = rate_ci(uniq, np.ones(len(uniq)), multiplier=1.0)
    return value[inverse], lower[inverse], upper[inverse], method[inverse]


def _values_with_intervals(
    frame: pd.DataFrame, measure: pd.Series, multiplier: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Value and 95% interval per row, by measure.

    rate: numerator ÷ population × multiplier, PHE method (exact below 10, Byars from 10);
    count: the count itself with the same Poisson interval; percentage: numerator ÷
    denominator × 100 with the Wilson score interval. The Poisson limits are computed once per
    distinct count (:func:`_by_count`) and scaled per row as :func:`~scp_metrics.stats.intervals.rate_ci`
    scales them (× 1 ÷ population, then × the multiplier): the same values. ``multiplier``:
    the indicator's, per row.
    """
    n = len(frame)
    value, lower, upper = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    method = np.full(n, None, dtype=object)
    num = frame["numerator"].to_numpy(dtype=float)
    den = pd.to_numeric(frame["denominator"], errors="coerce").to_numpy(dtype=float)
    m = measure.to_numpy()
    is_rate = (m == "rate") & np.isfinite(den) & (den > 0)
    is_count = m == "count"
    poisson = is_rate | is_count
    if poisson.any():
        _, lo, hi, how = _by_count(num[poisson])
        rate = is_rate[poisson]
        if rate.any():
            x, d = num[is_rate], den[is_rate]
            per = 1.0 / d  # rate_ci's scale = multiplier ÷ denominator, multiplier 1.0
            scale = multiplier[is_rate]
            value[is_rate] = x / d * 1.0 * scale
            lower[is_rate], upper[is_rate] = lo[rate] * per * scale, hi[rate] * per * scale
            method[is_rate] = how[rate]
        count = ~rate
        if count.any():
            value[is_count] = num[is_count] / 1.0 * 1.0
            lower[is_count], upper[is_count] = lo[count] * 1.0, hi[count] * 1.0
            method[is_count] = how[count]
    is_pct = (m == "percentage") & np.isfinite(den) & (den > 0)
    if is_pct.any():
        lo, hi = wilson_ci(num[is_pct], den[is_pct])
        value[is_pct] = 100.0 * num[is_pct] / den[is_pct]
        lower[is_pct], upper[is_pct] = 100.0 * np.asarray(lo), 100.0 * np.asarray(hi)
        method[is_pct] = "Wilson"
    return value, lower, upper, method


def _change_significance(
    measure: np.ndarray, cur: np.ndarray, prev: np.ndarray, den: np.ndarray, prev_den: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """p-value and verdict of the change on the same period last year (NaN/None if none).

    Arrays per row: the measure, this period's and last year's numerator and denominator (NaN
    where missing). Counts and rates: the exact conditional test of two Poisson counts,
    :func:`~scp_metrics.stats.change.poisson_change_test`, whose exposures are the periods'
    population × months for a rate (the same number of months a year apart, so the two
    populations) and equal for a count; a change in population alone is not read as a change
    in crime. Percentages: the pooled two-proportion z test,
    :func:`~scp_metrics.stats.change.two_proportion_change_test`. See docs/assumptions.md.
    """
    n = len(measure)
    p = np.full(n, np.nan)
    verdict = np.full(n, None, dtype=object)
    m = measure
    has = np.isfinite(cur) & np.isfinite(prev)
    rate = m == "rate"
    with np.errstate(invalid="ignore"):
        exposed = ~rate | (np.isfinite(den) & np.isfinite(prev_den) & (den > 0) & (prev_den > 0))
    poisson = has & np.isin(m, ["rate", "count"]) & exposed
    if poisson.any():
        res = poisson_change_test(cur[poisson], prev[poisson],
                                  current_exposure=np.where(rate, den, 1.0)[poisson],
                                  previous_exposure=np.where(rate, prev_den, 1.0)[poisson])
        p[poisson] = res["p_value"].to_numpy()
        verdict[poisson] = res["label"].to_numpy()
    with np.errstate(invalid="ignore"):
        pct = has & (m == "percentage") & (den > 0) & (prev_den > 0)
    if pct.any():
        res = two_proportion_change_test(cur[pct], den[pct], prev[pct], prev_den[pct])
        p[pct] = res["p_value"].to_numpy()
        verdict[pct] = res["label"].to_numpy()
    return p, verdict


def _day(values: pd.Series) -> np.ndarray:
    """Dates (datetime64) as whole days since 1970 (int64)."""
    return values.to_numpy(dtype="datetime64[D]").astype(np.int64)


def _shifted_days(values: pd.Series, end: bool) -> tuple[np.ndarray, np.ndarray]:
    """Days (:func:`_day`) of each date and of the same date a year later
    (:func:`scp_metrics.periods.a_year_later`: a start or an end), computing each distinct date
    once."""
    codes, uniques = pd.factorize(values)
    dates = pd.Series(uniques)
    later = a_year_later(dates, dates)[1 if end else 0]
    return _day(dates)[codes], _day(later)[codes]


def _as_dates(values: pd.Series) -> np.ndarray:
    """``values.dt.date`` as an object array, converting each distinct date once."""
    codes, uniques = pd.factorize(values)
    dates = np.append(np.asarray(uniques.date, dtype=object), pd.NaT)  # code -1: NaT, as .dt
    return dates[codes]


class _Codes:
    """A column factorised once: ``codes`` index the sorted distinct values (−1 = missing)."""

    def __init__(self, values: pd.Series) -> None:
        self.index = values.index
        self.codes, uniques = pd.factorize(values, sort=True)
        self.uniques = pd.Series(uniques)
        self.missing = bool((self.codes < 0).any())

    @property
    def rank(self) -> np.ndarray:
        """Codes in sort order, missing last (as ``sort_values``' ``na_position="last"``)."""
        return np.where(self.codes < 0, len(self.uniques), self.codes)

    def map(self, mapping: dict) -> pd.Series:
        """``values.map(mapping)``, looked up once per distinct value (same values and dtype)."""
        mapped = self.uniques.map(mapping).array
        return pd.Series(mapped.take(self.codes, allow_fill=True), index=self.index)


def compute_indicator_values(
    counts: pd.DataFrame, indicators: list[Indicator], area_names: pd.DataFrame
) -> pd.DataFrame:
    """``mart_indicator_values`` from numerator/denominator rows.

    Rates use the PHE method (exact Poisson limits below 10 events, Byars from 10), see
    :func:`scp_metrics.stats.intervals.rate_ci`. ``change_pct`` compares ``value`` with the same period
    one year earlier (same period type; :func:`scp_metrics.periods.a_year_later`).

    Rows are ordered by indicator, area, period type (``PERIOD_TYPES`` order; others after them,
    by name), start and end, so the order of ``counts`` does not matter when those keys are
    unique (the grain of ``int_indicator_counts``); rows with equal keys keep their input order.
    The string columns are factorised once; attributes, area names and last year's row are
    looked up on integer codes, without merging (copying) the frame.
    """
    if counts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MART_COLUMNS})
    by_id = {i.id: i for i in indicators}
    ind, area = _Codes(counts["indicator_id"]), _Codes(counts["area_code"])
    if (not area.missing and area_names["area_code"].is_unique
            and list(area_names.columns) == ["area_code", "area_name"]):
        frame = counts.copy(deep=False)  # copy-on-write: the caller's frame is not changed
        where = pd.Index(area_names["area_code"]).get_indexer(area.uniques)
        names = area_names["area_name"].array.take(where, allow_fill=True)
        frame["area_name"] = names.take(area.codes, allow_fill=True)
    else:  # several rows for a code, or missing codes: the merge's one row per match
        frame = counts.merge(area_names, on="area_code", how="left")
        area = _Codes(frame["area_code"])
        ind = _Codes(frame["indicator_id"])
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    measure = ind.map(_attribute(by_id, "measure"))
    frame["unit"] = ind.map(_attribute(by_id, "unit"))
    frame["denominator"] = np.where(measure == "rate", frame["population"],
                                    np.where(measure == "percentage", frame["denominator_count"],
                                             np.nan))
    frame.loc[measure != "rate", "population_year"] = np.nan
    multiplier = ind.map(_attribute(by_id, "multiplier")).to_numpy(dtype=float)
    value, lower, upper, method = _values_with_intervals(frame, measure, multiplier)
    frame["value"], frame["ci95_lower"], frame["ci95_upper"] = value, lower, upper
    frame["ci_method"] = method
    frame["numerator"] = frame["numerator"].astype("int64")
    frame["denominator"] = pd.array(frame["denominator"].round(), dtype="Int64")
    frame["population_year"] = pd.array(frame["population_year"], dtype="Int64")

    # the same period one year earlier: one integer key per (series, start, end)
    kind = _Codes(frame["period_type"])
    series = (ind.rank * (len(area.uniques) + 1) + area.rank) * (len(kind.uniques) + 1) + kind.rank
    dated = not (frame["period_start"].isna().any() or frame["period_end"].isna().any())
    if dated:
        start, shifted_start = _shifted_days(frame["period_start"], end=False)
        end, shifted_end = _shifted_days(frame["period_end"], end=True)
        low = int(min(start.min(), end.min()))
        span = int(max(start.max(), end.max(), shifted_start.max(), shifted_end.max())) - low + 1
        key = (series * span + (start - low)) * span + (end - low)
        shifted = (series * span + (shifted_start - low)) * span + (shifted_end - low)
        dated = float(series.max() + 1) * span * span < 2.0**62 and pd.Index(shifted).is_unique
    if not dated:  # missing dates or duplicated periods: the merge (one row per match)
        return _compute_by_merge(frame, by_id)
    prior = pd.Index(shifted).get_indexer(key)  # the row whose next year is this row
    found = prior >= 0
    num = frame["numerator"].to_numpy(dtype=float)
    den = frame["denominator"].to_numpy(dtype=float, na_value=np.nan)
    last_value, prev_num, prev_den = (np.full(len(frame), np.nan) for _ in range(3))
    last_value[found] = value[prior[found]]
    prev_num[found], prev_den[found] = num[prior[found]], den[prior[found]]
    frame["value_same_period_last_year"] = last_value
    frame["change_pct"] = 100.0 * (frame["value"] / frame["value_same_period_last_year"] - 1.0)
    frame["change_p_value"], frame["change_verdict"] = _change_significance(
        measure.to_numpy(), num, prev_num, den, prev_den)

    type_rank = kind.map({p: i for i, p in enumerate(PERIOD_TYPES)})
    type_rank = type_rank.to_numpy(dtype=float, na_value=np.nan)
    type_rank = np.where(np.isnan(type_rank), len(PERIOD_TYPES), type_rank)
    order = np.lexsort((kind.rank, end, start, type_rank, area.rank, ind.rank))
    out = frame[MART_COLUMNS].take(order).reset_index(drop=True)
    out["period_start"] = _as_dates(out["period_start"])
    out["period_end"] = _as_dates(out["period_end"])
    return out


def _compute_by_merge(frame: pd.DataFrame, by_id: dict[str, Indicator]) -> pd.DataFrame:
    """The rest of :func:`compute_indicator_values` by a merge on the period (any grain)."""
    last_year = frame[["indicator_id", "area_code", "period_type", "period_start", "period_end",
                       "value", "numerator", "denominator"]].copy()
    last_year["period_start"], last_year["period_end"] = a_year_later(
        last_year["period_start"], last_year["period_end"])
    last_year = last_year.rename(columns={"value": "value_same_period_last_year",
                                          "numerator": "_prev_numerator",
                                          "denominator": "_prev_denominator"})
    frame = frame.merge(last_year, on=["indicator_id", "area_code", "period_type", "period_start",
                                       "period_end"], how="left")
    frame["change_pct"] = 100.0 * (frame["value"] / frame["value_same_period_last_year"] - 1.0)

    def floats(col: str) -> np.ndarray:
        return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)

    frame["change_p_value"], frame["change_verdict"] = _change_significance(
        frame["indicator_id"].map(_attribute(by_id, "measure")).to_numpy(), floats("numerator"),
        floats("_prev_numerator"), floats("denominator"), floats("_prev_denominator"))
    frame["period_start"] = frame["period_start"].dt.date
    frame["period_end"] = frame["period_end"].dt.date
    order = {p: i for i, p in enumerate(PERIOD_TYPES)}
    frame["_order"] = frame["period_type"].map(order)
    frame = frame.sort_values(["indicator_id", "area_code", "_order", "period_start", "period_end",
                               "period_type"], kind="stable")
    return frame[MART_COLUMNS].reset_index(drop=True)
