"""The suspected recording breaks of the series a command shows, as warnings: read from
``mart_recording_breaks`` (built by :mod:`scp_metrics.warehouse.marts.recording_breaks`), in a
module of its own so that a command printing a few rows (``scp-metrics indicators``, the last
line of ``make demo``) does not import every mart's compute (scipy.stats, statsmodels: ~1.5 s)."""

from __future__ import annotations

import duckdb

from scp_metrics.warehouse.queries import query_rows

__all__ = ["break_messages"]


def break_messages(con: duckdb.DuckDBPyConnection, indicator_ids: list[str],
                   area_codes: list[str]) -> list[str]:
    """The suspected recording breaks (``mart_recording_breaks``) of the series shown, as
    one-sentence warnings for any command that prints or charts them (none before a build)."""
    exists = query_rows(con, "reads/common/table_exists", name="mart_recording_breaks")[0][0]
    if not exists or not indicator_ids or not area_codes:
        return []
    rows = query_rows(con, "reads/recording_breaks/messages",
                      indicator_ids=sorted(set(indicator_ids)), area_codes=sorted(set(area_codes)))
    return [r[0] for r in rows]
