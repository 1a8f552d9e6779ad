"""The marts, one adapter module each: it reads its inputs through its ``.sql`` files
(``warehouse/sql/reads/<mart>/``, or the mart itself in ``warehouse/sql/marts/``), calls the pure
compute (``stats``, ``indicators``, ``rankings``, ``targets``) and returns the mart as a frame.

Each entry of :data:`PYTHON_MARTS` is ``(table name, builder)``; a builder takes the open
connection (inside the build's transaction, after every SQL model is built) and the settings.
They run in this order, so a builder may read the marts before it; the build validates each
against its contract (:mod:`scp_metrics.warehouse.contracts`) and writes it. A builder that
writes its own table (``mart_indicator_values``, which keeps its unchanged rows where they are)
returns a :class:`~scp_metrics.warehouse.mart_tables.WrittenMart` instead, having validated the
rows it added.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from scp_metrics.settings import Settings
from scp_metrics.warehouse.mart_tables import WrittenMart
from scp_metrics.warehouse.marts.actions import build_action_status
from scp_metrics.warehouse.marts.data_quality import build_data_quality
from scp_metrics.warehouse.marts.hotspots import build_hotspot_lsoas, build_hotspot_summary
from scp_metrics.warehouse.marts.indicator_as_of import build_indicator_as_of
from scp_metrics.warehouse.marts.indicator_values import write_indicator_values
from scp_metrics.warehouse.marts.kpi import build_kpi_status, build_kpi_values
from scp_metrics.warehouse.marts.msg_rankings import build_msg_rankings
from scp_metrics.warehouse.marts.peer_group import build_peer_group
from scp_metrics.warehouse.marts.police_uk import build_police_uk_vs_ons, build_unplaced_rows
from scp_metrics.warehouse.marts.recording_breaks import build_recording_breaks
from scp_metrics.warehouse.marts.spc import build_spc
from scp_metrics.warehouse.marts.target_tracking import build_target_tracking
from scp_metrics.warehouse.marts.target_trajectory import build_target_trajectory
from scp_metrics.warehouse.marts.trends import build_trends

MartBuilder = Callable[[duckdb.DuckDBPyConnection, Settings], pd.DataFrame | WrittenMart]


PYTHON_MARTS: list[tuple[str, MartBuilder]] = [
    ("mart_indicator_values", write_indicator_values),  # writes its table, reusing rows
    ("mart_indicator_as_of", build_indicator_as_of),
    ("mart_unplaced_rows", build_unplaced_rows),
    ("mart_police_uk_vs_ons", build_police_uk_vs_ons),
    ("mart_recording_breaks", build_recording_breaks),
    ("mart_peer_group", build_peer_group),  # before mart_msg_rankings, which ranks it
    ("mart_msg_rankings", build_msg_rankings),
    ("mart_spc", build_spc),
    ("mart_trends", build_trends),
    ("mart_kpi_values", build_kpi_values),  # issue 19: partner returns, read by the tracking
    ("mart_target_tracking", build_target_tracking),  # after mart_spc (assurance reads it)
    ("mart_target_trajectory", build_target_trajectory),  # after mart_target_tracking
    ("mart_hotspot_lsoas", build_hotspot_lsoas),
    ("mart_hotspot_summary", build_hotspot_summary),
    ("mart_data_quality", build_data_quality),  # last: lists the series the marts could not compute
    ("mart_kpi_status", build_kpi_status),  # issue 19: every KPI, then the actions
    ("mart_action_status", build_action_status),
]
