"""``mart_action_status``: the action plan register with each action's latest quarterly status
and the board's flags (reads ``warehouse/sql/reads/kpi/``; computes with
:mod:`scp_metrics.targets.action_status`). Built after ``mart_kpi_status``, whose RAGs it reads."""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.config.actions import read_action_plan
from scp_metrics.config.plans import load_plans, plan_for_year
from scp_metrics.settings import Settings
from scp_metrics.targets.action_status import action_status
from scp_metrics.targets.actions import outside_plan
from scp_metrics.targets.projection_base import fiscal_year
from scp_metrics.warehouse.marts.target_tracking import default_month
from scp_metrics.warehouse.queries import query

__all__ = ["build_action_status"]


def build_action_status(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_action_status``: one row per action of ``config/action_plan.csv`` when the plan
    covering the publication's financial year names it and is the home area's
    (:func:`scp_metrics.targets.actions.outside_plan`), else no rows."""
    rags = query(con, "reads/kpi/kpi_rags")
    register = list(read_action_plan(settings.config_dir))
    try:  # the publication's financial year (none: the warehouse has no monthly values)
        year: int | None = fiscal_year(default_month(con, settings))
    except ValueError:
        year = None
    if year is None or outside_plan(plan_for_year(load_plans(settings.config_dir), year), year,
                                    settings.home_area) is not None:
        register = []  # the register is followed up only in its plan's years and area
    return action_status(register, query(con, "reads/kpi/action_status"),
                         dict(zip(rags["id"], rags["rag"], strict=True)))
