"""The load ledger ``load_batches``: every file loaded, when, and whether it still counts."""

from __future__ import annotations

import duckdb
import pandas as pd

LIVE = ("loaded", "partly superseded")


def next_batch_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("select coalesce(max(batch_id), 0) + 1 from load_batches").fetchall()[0][0])


def live_batch_for(con: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    """The live batch that loaded exactly this content, if any."""
    rows = con.execute(
        "select batch_id from load_batches where sha256 = ? and status in (?, ?) "
        "order by batch_id desc limit 1",
        [sha256, *LIVE],
    ).fetchall()
    return int(rows[0][0]) if rows else None


def list_batches(con: duckdb.DuckDBPyConnection, source: str | None = None) -> pd.DataFrame:
    sql = "select * from load_batches"
    params: list[object] = []
    if source:
        sql += " where source = ?"
        params.append(source)
    return con.execute(sql + " order by batch_id", params).df()
