"""``mart_target_trajectory``: the year of every target judged on a projected year to date, month
by month: the cumulative actual against the straight and the seasonal trajectory
(:func:`scp_metrics.targets.trajectories.target_trajectory`, the rule the RAG of
``mart_target_tracking`` uses). The trajectory chart draws it."""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.config.targets import load_targets
from scp_metrics.periods import parse_financial_year
from scp_metrics.settings import Settings
from scp_metrics.stats.series_status import FAILED, OK, failure_note
from scp_metrics.targets.trajectories import PATH_COLUMNS, target_trajectory
from scp_metrics.warehouse.contracts import contract_for
from scp_metrics.warehouse.queries import query

__all__ = ["COLUMNS", "build_target_trajectory"]

KEYS = ["target_id", "indicator_id", "area_code", "assessed_period"]
COLUMNS = [*KEYS, *PATH_COLUMNS, "unit", "series_status", "note"]


def build_target_trajectory(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_target_trajectory`` (runs after ``mart_target_tracking``): twelve rows per level or
    year-on-year target with a projection, in target and month order; a target whose
    trajectory cannot be computed has one row (its as-of month) with ``series_status``
    ``failed`` and the reason."""
    rag = load_targets(settings.config_dir).rag
    parts = []
    for row in query(con, "reads/target_trajectory/tracked_targets").itertuples(index=False):
        values = query(con, "reads/target_trajectory/indicator_values",
                       indicator_id=row.indicator_id, area_code=row.area_code)
        milestone = None if pd.isna(row.milestone_value) else float(row.milestone_value)
        try:
            path = target_trajectory(parse_financial_year(str(row.assessed_period)),
                                     pd.Timestamp(row.as_of).date(), milestone, str(row.unit),
                                     values, rag)
            path["series_status"], path["note"] = OK, None
        except Exception as exc:  # noqa: BLE001 - one target never stops the mart
            path = pd.DataFrame({"period_end": [pd.Timestamp(row.as_of).date()],
                                 "series_status": [FAILED],
                                 "note": [failure_note("trajectory", exc)]},
                                columns=[*PATH_COLUMNS, "series_status", "note"])
        for key in KEYS:
            path.insert(KEYS.index(key), key, getattr(row, key))
        path["unit"] = row.unit
        parts.append(path)
    if not parts:
        return contract_for("mart_target_trajectory").empty()
    return pd.concat(parts, ignore_index=True)[COLUMNS]
