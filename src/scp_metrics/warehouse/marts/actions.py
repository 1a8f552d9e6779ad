"""``mart_action_status``: the action plan register with each action's latest quarterly status
and the board's flags (reads ``warehouse/sql/reads/kpi/``; computes with
:mod:`scp_metrics.targets.action_status`). Built after ``mart_kpi_status``, whose RAGs it reads."""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.config.actions import read_action_plan
from scp_metrics.settings import Settings
from scp_metrics.targets.action_status import action_status
from scp_metrics.warehouse.queries import query

__all__ = ["build_action_status"]


def build_action_status(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_action_status``: one row per action of ``config/action_plan.csv``."""
    rags = query(con, "reads/kpi/kpi_rags")
    return action_status(read_action_plan(settings.config_dir), query(con, "reads/kpi/action_status"),
                         dict(zip(rags["id"], rags["rag"], strict=True)))
