"""Indicator values: rates with confidence intervals and change on the same period last year.

Counting happens in SQL (``int_indicator_counts``); the statistics are here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scp_metrics.catalogue import Indicator
from scp_metrics.stats import (
    poisson_change_test,
    rate_ci,
    two_proportion_change_test,
    wilson_ci,
)

MART_COLUMNS = [
    "indicator_id", "area_code", "area_name", "period_type", "period_start", "period_end",
    "numerator", "denominator", "value", "ci95_lower", "ci95_upper", "unit", "population_year",
    "ci_method", "source", "value_same_period_last_year", "change_pct",
    "change_z", "change_p_value", "change_verdict",
]
PERIOD_TYPES = ("month", "quarter", "fytd", "financial_year", "rolling_12m")


def _attribute(by_id: dict[str, Indicator], name: str) -> dict[str, object]:
    """``indicator_id → attribute`` as a dict, so that ``Series.map`` looks it up in one hashed
    pass (a lambda per row cost seconds on every area's rows)."""
    return {key: getattr(indicator, name) for key, indicator in by_id.items()}


def _values_with_intervals(
    frame: pd.DataFrame, measure: pd.Series, by_id: dict[str, Indicator]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Value and 95% interval per row, by measure.

    rate: numerator ÷ population × multiplier, PHE method (exact below 10, Byars from 10);
    count: the count itself with the same Poisson interval; percentage: numerator ÷
    denominator × 100 with the Wilson score interval.
    """
    n = len(frame)
    value, lower, upper = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    method = np.full(n, None, dtype=object)
    num = frame["numerator"].to_numpy(dtype=float)
    den = pd.to_numeric(frame["denominator"], errors="coerce").to_numpy(dtype=float)
    multiplier = frame["indicator_id"].map(_attribute(by_id, "multiplier")).to_numpy(dtype=float)
    is_rate = (measure == "rate").to_numpy() & np.isfinite(den) & (den > 0)
    if is_rate.any():
        v, lo, hi, m = rate_ci(num[is_rate], den[is_rate], multiplier=1.0)
        scale = multiplier[is_rate]
        value[is_rate], lower[is_rate], upper[is_rate] = v * scale, lo * scale, hi * scale
        method[is_rate] = m
    is_count = (measure == "count").to_numpy()
    if is_count.any():
        v, lo, hi, m = rate_ci(num[is_count], np.ones(is_count.sum()), multiplier=1.0)
        value[is_count], lower[is_count], upper[is_count], method[is_count] = v, lo, hi, m
    is_pct = (measure == "percentage").to_numpy() & np.isfinite(den) & (den > 0)
    if is_pct.any():
        lo, hi = wilson_ci(num[is_pct], den[is_pct])
        value[is_pct] = 100.0 * num[is_pct] / den[is_pct]
        lower[is_pct], upper[is_pct] = 100.0 * np.asarray(lo), 100.0 * np.asarray(hi)
        method[is_pct] = "Wilson"
    return value, lower, upper, method


def _change_significance(
    frame: pd.DataFrame, measure: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Z, p-value and verdict of the change on the same period last year (NaN/None if none).

    Counts: :func:`~scp_metrics.stats.poisson_change_test` on the two numerators. Rates: the
    same test with last year's numerator scaled by the population ratio (current ÷ last year's
    denominator), so a change in population alone is not read as a change in crime; the ratio
    is exactly 1 when both periods use the same mid-year. Percentages: the pooled two-proportion
    z test, :func:`~scp_metrics.stats.two_proportion_change_test`. See docs/assumptions.md.
    """
    n = len(frame)
    z, p = np.full(n, np.nan), np.full(n, np.nan)
    verdict = np.full(n, None, dtype=object)
    cur = pd.to_numeric(frame["numerator"], errors="coerce").to_numpy(dtype=float)
    prev = pd.to_numeric(frame["_prev_numerator"], errors="coerce").to_numpy(dtype=float)
    den = pd.to_numeric(frame["denominator"], errors="coerce").to_numpy(dtype=float)
    prev_den = pd.to_numeric(frame["_prev_denominator"], errors="coerce").to_numpy(dtype=float)
    m = measure.to_numpy()
    has = np.isfinite(cur) & np.isfinite(prev)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(m == "rate", den / prev_den, 1.0)
    poisson = has & np.isin(m, ["rate", "count"]) & np.isfinite(ratio) & (ratio > 0)
    if poisson.any():
        res = poisson_change_test(cur[poisson], prev[poisson] * ratio[poisson])
        z[poisson], p[poisson] = res["z"].to_numpy(), res["p_value"].to_numpy()
        verdict[poisson] = res["label"].to_numpy()
    pct = has & (m == "percentage") & (den > 0) & (prev_den > 0)
    if pct.any():
        res = two_proportion_change_test(cur[pct], den[pct], prev[pct], prev_den[pct])
        z[pct], p[pct] = res["z"].to_numpy(), res["p_value"].to_numpy()
        verdict[pct] = res["label"].to_numpy()
    return z, p, verdict


def compute_indicator_values(
    counts: pd.DataFrame, indicators: list[Indicator], area_names: pd.DataFrame
) -> pd.DataFrame:
    """``mart_indicator_values`` from numerator/denominator rows.

    Rates use the PHE method (exact Poisson limits below 10 events, Byars from 10), see
    :func:`scp_metrics.stats.rate_ci`. ``change_pct`` compares ``value`` with the same period
    one year earlier (same period type, start and end shifted by 12 months).
    """
    if counts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MART_COLUMNS})
    by_id = {i.id: i for i in indicators}
    frame = counts.merge(area_names, on="area_code", how="left")
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    measure = frame["indicator_id"].map(_attribute(by_id, "measure"))
    frame["unit"] = frame["indicator_id"].map(_attribute(by_id, "unit"))
    frame["denominator"] = np.where(measure == "rate", frame["population"],
                                    np.where(measure == "percentage", frame["denominator_count"],
                                             np.nan))
    frame.loc[measure != "rate", "population_year"] = np.nan
    value, lower, upper, method = _values_with_intervals(frame, measure, by_id)
    frame["value"], frame["ci95_lower"], frame["ci95_upper"] = value, lower, upper
    frame["ci_method"] = method
    frame["numerator"] = frame["numerator"].astype("int64")
    frame["denominator"] = pd.array(frame["denominator"].round(), dtype="Int64")
    frame["population_year"] = pd.array(frame["population_year"], dtype="Int64")
    last_year = frame[["indicator_id", "area_code", "period_type", "period_start", "period_end",
                       "value", "numerator", "denominator"]].copy()
    last_year["period_start"] = last_year["period_start"] + pd.DateOffset(years=1)
    last_year["period_end"] = (last_year["period_end"] + pd.Timedelta(days=1)
                               + pd.DateOffset(years=1) - pd.Timedelta(days=1))
    last_year = last_year.rename(columns={"value": "value_same_period_last_year",
                                          "numerator": "_prev_numerator",
                                          "denominator": "_prev_denominator"})
    frame = frame.merge(last_year, on=["indicator_id", "area_code", "period_type", "period_start",
                                       "period_end"], how="left")
    frame["change_pct"] = 100.0 * (frame["value"] / frame["value_same_period_last_year"] - 1.0)
    frame["change_z"], frame["change_p_value"], frame["change_verdict"] = _change_significance(
        frame, frame["indicator_id"].map(_attribute(by_id, "measure")))
    frame["period_start"] = frame["period_start"].dt.date
    frame["period_end"] = frame["period_end"].dt.date
    order = {p: i for i, p in enumerate(PERIOD_TYPES)}
    frame["_order"] = frame["period_type"].map(order)
    frame = frame.sort_values(["indicator_id", "area_code", "_order", "period_start", "period_end"])
    return frame[MART_COLUMNS].reset_index(drop=True)
