"""Indicator values: rates with confidence intervals and change on the same period last year.

Counting happens in SQL (``int_indicator_counts``); the statistics are here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scp_metrics.catalogue import Indicator
from scp_metrics.stats import rate_ci

MART_COLUMNS = [
    "indicator_id", "area_code", "area_name", "period_type", "period_start", "period_end",
    "numerator", "denominator", "value", "ci95_lower", "ci95_upper", "unit", "population_year",
    "ci_method", "source", "value_same_period_last_year", "change_pct",
]
PERIOD_TYPES = ("month", "quarter", "fytd", "financial_year", "rolling_12m")


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
    multiplier = frame["indicator_id"].map(lambda i: by_id[i].multiplier).astype(float)
    frame["unit"] = frame["indicator_id"].map(lambda i: by_id[i].unit)
    num = frame["numerator"].to_numpy(dtype=float)
    den = frame["denominator"].to_numpy(dtype=float)
    has_den = np.isfinite(den) & (den > 0)
    value = np.full(len(frame), np.nan)
    lower = np.full(len(frame), np.nan)
    upper = np.full(len(frame), np.nan)
    method = np.full(len(frame), None, dtype=object)
    if has_den.any():
        scale = multiplier[has_den].to_numpy()
        v, lo, hi, m = rate_ci(num[has_den], den[has_den], multiplier=1.0)
        value[has_den], lower[has_den], upper[has_den] = v * scale, lo * scale, hi * scale
        method[has_den] = m
    frame["value"], frame["ci95_lower"], frame["ci95_upper"] = value, lower, upper
    frame["ci_method"] = method
    frame["numerator"] = frame["numerator"].astype("int64")
    frame["denominator"] = frame["denominator"].astype("Int64")
    frame["population_year"] = frame["population_year"].astype("Int64")
    last_year = frame[["indicator_id", "area_code", "period_type", "period_start", "period_end",
                       "value"]].copy()
    last_year["period_start"] = last_year["period_start"] + pd.DateOffset(years=1)
    last_year["period_end"] = (last_year["period_end"] + pd.Timedelta(days=1)
                               + pd.DateOffset(years=1) - pd.Timedelta(days=1))
    last_year = last_year.rename(columns={"value": "value_same_period_last_year"})
    frame = frame.merge(last_year, on=["indicator_id", "area_code", "period_type", "period_start",
                                       "period_end"], how="left")
    frame["change_pct"] = 100.0 * (frame["value"] / frame["value_same_period_last_year"] - 1.0)
    frame["period_start"] = frame["period_start"].dt.date
    frame["period_end"] = frame["period_end"].dt.date
    order = {p: i for i, p in enumerate(PERIOD_TYPES)}
    frame["_order"] = frame["period_type"].map(order)
    frame = frame.sort_values(["indicator_id", "area_code", "_order", "period_start", "period_end"])
    return frame[MART_COLUMNS].reset_index(drop=True)
