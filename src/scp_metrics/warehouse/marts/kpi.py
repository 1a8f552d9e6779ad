"""``mart_kpi_values`` (every partner return figure with its interval) and ``mart_kpi_status``
(every KPI of the register with owner, latest figure, target and RAG): reads
``warehouse/sql/reads/kpi/``, computes with :mod:`scp_metrics.indicators.partner_returns` and
:mod:`scp_metrics.targets.kpi_status`."""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.config.kpis import read_kpi_register
from scp_metrics.config.spc import read_spc_baseline
from scp_metrics.config.standard_populations import read_standard_populations
from scp_metrics.config.targets import load_targets
from scp_metrics.indicators.kpi_statistics import with_statistics
from scp_metrics.indicators.partner_returns import return_values
from scp_metrics.settings import Settings
from scp_metrics.targets.kpi_status import kpi_status
from scp_metrics.warehouse.queries import query

__all__ = ["build_kpi_status", "build_kpi_values"]


def build_kpi_values(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_kpi_values``: one figure per KPI, quarter and agency of the partner returns, with
    the change on the same quarter a year earlier and SPC where the points allow
    (:func:`scp_metrics.indicators.kpi_statistics.with_statistics`)."""
    cfg = settings.config_dir
    register = read_kpi_register(cfg)
    values = return_values(query(con, "reads/kpi/partner_returns"), register,
                           read_standard_populations(cfg))
    return with_statistics(values, register, read_spc_baseline(cfg))


def build_kpi_status(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_kpi_status``: every KPI of the register (after mart_kpi_values and
    mart_target_tracking)."""
    cfg = settings.config_dir
    register = read_kpi_register(cfg)
    values = query(con, "reads/kpi/kpi_values")
    pipeline = query(con, "reads/kpi/pipeline_values", ids=list(register.ids))
    tracking = query(con, "reads/kpi/tracking")
    catalogue = load_targets(cfg)
    return kpi_status(register, values, pipeline, tracking, catalogue.targets)
