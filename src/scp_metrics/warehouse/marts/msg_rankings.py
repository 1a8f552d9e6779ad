"""``mart_msg_rankings``: the home area's Most Similar Group ranked on every rate and percentage
indicator (:func:`scp_metrics.rankings.ranks.compute_rankings`)."""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.rankings.ranks import (
    MART_COLUMNS,
    RANKED_PERIOD_TYPES,
    compute_rankings,
    group_members,
)
from scp_metrics.settings import Settings
from scp_metrics.warehouse.queries import query

__all__ = ["build_msg_rankings"]


def build_msg_rankings(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_msg_rankings``: the home area's group, every rate and percentage indicator.

    Reads ``stg_msg_membership`` (the group whose ``group_id`` is ``settings.home_area``),
    ``ref_indicators`` and the ``rolling_12m``, ``financial_year``, ``fytd`` and ``survey``
    rows of ``mart_indicator_values``, and applies
    :func:`~scp_metrics.rankings.ranks.compute_rankings`. Empty (with its columns) when the
    warehouse holds no group for the home area.
    """
    membership = query(con, "reads/msg_rankings/membership")
    names = query(con, "reads/common/configured_area_names")
    try:
        members = group_members(membership, settings.home_area, names)
    except LookupError:
        return pd.DataFrame(columns=MART_COLUMNS)
    indicators = query(con, "reads/msg_rankings/indicators")
    rows = query(con, "reads/msg_rankings/values", period_types=list(RANKED_PERIOD_TYPES))
    focus = settings.home_area.strip().upper()
    return compute_rankings(rows, indicators, members, group_id=focus, focus_area=focus)
