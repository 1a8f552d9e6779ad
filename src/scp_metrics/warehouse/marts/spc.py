"""``mart_spc``: Making Data Count XmR charts of every indicator's monthly series per area
(:func:`scp_metrics.stats.spc_series.spc_table`), recomputing only the series whose input changed.

Limits are fixed on the baseline of ``config/spc.toml``. Any change of polarity, of
``ref_series_breaks``, of ``config/spc.toml`` or of the code of the modules in
:data:`CODE_MODULES` recomputes every series.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.config.spc import read_spc_baseline
from scp_metrics.fanout import fan_out_series
from scp_metrics.memo import code_version
from scp_metrics.settings import Settings
from scp_metrics.stats.spc_series import SPC_COLUMNS, conform_spc_table, spc_table
from scp_metrics.warehouse import incremental
from scp_metrics.warehouse.queries import query, query_rows

__all__ = ["CODE_MODULES", "SERIES_KEYS", "build_spc"]

#: Modules whose code the rows depend on (a change recomputes every series).
CODE_MODULES = ("scp_metrics.stats.spc", "scp_metrics.stats.spc_rules",
                "scp_metrics.stats.spc_series", "scp_metrics.stats.breaks",
                "scp_metrics.stats.spc_baseline", "scp_metrics.config.spc",
                "scp_metrics.warehouse.marts.spc", "scp_metrics.warehouse.incremental")
SERIES_KEYS = ["indicator_id", "area_code"]


def build_spc(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """Mart builder for ``mart_spc`` (runs after ``mart_indicator_values``).

    Only the series whose monthly values changed since the previous build are computed; the
    others keep their rows (:mod:`scp_metrics.warehouse.incremental`). The result is the same
    as :func:`~scp_metrics.stats.spc_series.spc_table` of every series; ``attrs["progress"]``
    says how many were recomputed.
    """
    monthly = query(con, "reads/spc/monthly_values")
    polarity = dict(query_rows(con, "reads/common/indicator_polarities"))
    breaks = query(con, "reads/spc/series_breaks")
    baseline = read_spc_baseline(settings.config_dir)
    salt = incremental.salt_of("mart_spc", code_version(CODE_MODULES), sorted(polarity.items()),
                               breaks, repr(baseline))
    hashes = incremental.series_hashes(monthly, SERIES_KEYS, salt)
    plan = incremental.plan_reuse(con, "mart_spc", SERIES_KEYS, hashes, SPC_COLUMNS)
    computed = fan_out_series(spc_table, plan.todo(monthly), SERIES_KEYS, polarity, breaks,
                              baseline)
    return incremental.finish(con, plan, computed, conform_spc_table)
