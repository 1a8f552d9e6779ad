"""Loading a validated file into its raw table: transactional, idempotent, quarter-replacing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from scp_metrics.sources import Source
from scp_metrics.warehouse.history import archive_rows, check_no_duplicates, mark_superseded
from scp_metrics.warehouse.ledger import next_batch_id


@dataclass(frozen=True)
class LoadOutcome:
    batch_id: int
    rows: int
    replaced_rows: int
    superseded_batches: tuple[int, ...]


def load_frame(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    frame: pd.DataFrame,
    *,
    file_name: str,
    sha256: str,
    run_id: str,
    period: str | None,
    notes: str = "",
    loaded_at: datetime | None = None,
) -> LoadOutcome:
    """Load ``frame`` as one batch in one transaction.

    Rows already in the warehouse for the same periods (quarters, mid-years; the whole source
    for snapshot sources) from earlier runs are replaced: a re-issued quarter replaces that
    quarter, and the ledger keeps the earlier batch as ``superseded``; its rows move to
    ``raw_<source>_history`` (restorable). Files of the same run for the same period add
    up (a quarter split across files); a unique key already live refuses the load.
    """
    table = source.table
    columns = [c.name for c in source.columns]
    if source.name == "population":
        columns.append("mid_year")
    columns += ["period_start", "source_row"]
    con.execute("begin transaction")
    try:
        batch_id = next_batch_id(con)
        staged = frame[columns].copy()
        staged["batch_id"] = batch_id
        con.register("incoming", staged)
        earlier = "batch_id in (select batch_id from load_batches where run_id <> ?)"
        if source.period_rule == "snapshot":
            where, params = earlier, [run_id]
        elif source.replace_key:
            # a re-issued slice (police.uk: one force's month) replaces only that slice
            same = " and ".join(f'i."{c}" is not distinct from {table}."{c}"'
                                for c in ("period_start", *source.replace_key))
            where = f"{earlier} and exists (select 1 from incoming as i where {same})"
            params = [run_id]
        else:
            where = f"{earlier} and period_start in (select distinct period_start from incoming)"
            params = [run_id]
        touched = [r[0] for r in con.execute(
            f"select distinct batch_id from {table} where {where}", params).fetchall()]
        # replaced rows move to raw_<source>_history (restorable: warehouse/history.py)
        replaced = archive_rows(con, source, where, params, batch_id)
        check_no_duplicates(con, source, "incoming", file_name)
        col_sql = ", ".join(f'"{c}"' for c in [*columns, "batch_id"])
        con.execute(f"insert into {table} ({col_sql}) select {col_sql} from incoming")
        con.unregister("incoming")
        mark_superseded(con, source, touched, batch_id)
        con.execute(
            "insert into load_batches values (?, ?, ?, ?, ?, ?, ?, ?, 'loaded', null, ?)",
            [batch_id, run_id, source.name, file_name, sha256, len(staged), period,
             loaded_at or datetime.now(), notes],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return LoadOutcome(batch_id, len(staged), int(replaced or 0), tuple(sorted(touched)))
