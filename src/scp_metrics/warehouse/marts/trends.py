"""``mart_trends``: the underlying annual % change of each rate and count series
(:func:`scp_metrics.stats.trends.trend_table`), refitting only the series whose input changed.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.fanout import fan_out_series
from scp_metrics.memo import code_version
from scp_metrics.settings import Settings
from scp_metrics.stats.trends import (
    MIN_MONTHS,
    OVERDISPERSION_LIMIT,
    TREND_COLUMNS,
    WINDOW_MONTHS,
    conform_trend_table,
    trend_table,
)
from scp_metrics.warehouse import incremental
from scp_metrics.warehouse.queries import query, query_rows

__all__ = ["CODE_MODULES", "SERIES_KEYS", "build_trends"]

#: Modules whose code the rows depend on (a change refits every series).
CODE_MODULES = ("scp_metrics.stats.trends", "scp_metrics.stats.breaks",
                "scp_metrics.warehouse.marts.trends", "scp_metrics.warehouse.incremental")
SERIES_KEYS = ["indicator_id", "area_code"]


def build_trends(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """Mart builder for ``mart_trends`` (runs after ``mart_indicator_values``).

    Only the series whose monthly counts or populations changed since the previous build are
    fitted again; the others keep their rows (:mod:`scp_metrics.warehouse.incremental`). The
    result is the same as :func:`~scp_metrics.stats.trends.trend_table` of every series.
    """
    monthly = query(con, "reads/trends/monthly_counts")
    measure = dict(query_rows(con, "reads/common/indicator_measures"))
    breaks = query(con, "reads/trends/series_breaks")
    salt = incremental.salt_of("mart_trends", code_version(CODE_MODULES), sorted(measure.items()),
                               breaks, WINDOW_MONTHS, MIN_MONTHS, OVERDISPERSION_LIMIT)
    hashes = incremental.series_hashes(monthly, SERIES_KEYS, salt)
    plan = incremental.plan_reuse(con, "mart_trends", SERIES_KEYS, hashes, TREND_COLUMNS)
    computed = fan_out_series(trend_table, plan.todo(monthly), SERIES_KEYS, measure, breaks)
    return incremental.finish(con, plan, computed, conform_trend_table)
