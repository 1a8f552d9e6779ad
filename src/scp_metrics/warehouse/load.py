"""Loading a validated file into its raw table: the one load transaction.

:func:`load_batch` is the only code that writes ``raw_<source>``, ``raw_<source>_history`` and
the ledger ``load_batches`` for a delivery; the ingest engine hands it the file's typed rows as a
relation, :func:`load_frame` as a frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from scp_metrics.sources import Source
from scp_metrics.warehouse.history import (
    archive_rows,
    duplicate_conflict,
    mark_superseded,
    unique_key,
)
from scp_metrics.warehouse.ledger import next_batch_id


@dataclass(frozen=True)
class LoadOutcome:
    batch_id: int
    rows: int
    replaced_rows: int
    superseded_batches: tuple[int, ...]


def load_batch(con: duckdb.DuckDBPyConnection, source: Source, rows: str, *, file_name: str,
               sha256: str, run_id: str, period: str | None, notes: str = "",
               loaded_at: datetime | None = None) -> LoadOutcome:
    """Load the relation ``rows`` (the model's columns, ``period_start``, ``source_row``, and
    the columns the period rule adds) as one batch, in one transaction.

    Rows already in the warehouse for the same slices from earlier runs are replaced: a slice
    is a ``period_start`` (a quarter, a month, a mid-year …) with the source's ``replace_key``
    (police.uk: the force), or the whole source for snapshots. A re-issued quarter therefore
    replaces that quarter, or, for a source with a ``month_column``, the months of the quarter
    up to the last month the new file has a row in (a quarter may arrive month by month); the
    ledger keeps the earlier batch as ``superseded`` (or ``partly superseded``) and its rows
    move to ``raw_<source>_history`` (restorable). Files of the same run for the same slice add
    up (a quarter split across files). A unique key already live refuses the load
    (:class:`~scp_metrics.warehouse.history.LoadConflict`), and nothing
    changes."""
    table = source.table
    names = [c.name for c in source.columns] + [n for n, _ in source.extra_columns]
    columns = ", ".join(f'"{c}"' for c in [*names, "period_start", "source_row"])
    con.execute("begin transaction")
    try:
        batch_id = next_batch_id(con)
        count = con.execute(
            f"insert into {table} ({columns}, batch_id) select {columns}, ? from {rows}",
            [batch_id]).fetchall()[0][0]
        earlier = "batch_id in (select batch_id from load_batches where run_id <> ?)"
        if source.period_rule == "snapshot":
            where = earlier
        else:  # the slices this batch loaded
            keys = ("period_start", *source.replace_key)
            same = " and ".join(f'n."{k}" is not distinct from {table}."{k}"' for k in keys)
            if source.month_column:  # of its quarter, the months up to its last one
                month = f'date_trunc(\'month\', {{t}}."{source.month_column}")'
                same += (f" and coalesce({month.format(t=table)}, {table}.period_start) <= "
                         f"(select max({month.format(t='m')}) from {table} as m where "
                         f"m.batch_id = {int(batch_id)} and m.period_start = n.period_start)")
            where = (f"{earlier} and exists (select 1 from {table} as n where n.batch_id = "
                     f"{int(batch_id)} and {same})")
        touched = [r[0] for r in con.execute(
            f"select distinct batch_id from {table} where {where} order by 1",
            [run_id]).fetchall()]
        # replaced rows move to raw_<source>_history (restorable: warehouse/history.py)
        replaced = archive_rows(con, source, where, [run_id], batch_id)
        key = unique_key(source)
        if key is not None:
            clash = con.execute(
                f'select i.source_row, i."{key}", r.batch_id from {table} i join {table} r '
                f'on i."{key}" = r."{key}" and r.batch_id <> i.batch_id where i.batch_id = ? '
                "order by 1 limit 200", [batch_id]).fetchall()
            if clash:
                raise duplicate_conflict(file_name, source.column(key).headers[0], clash)
        mark_superseded(con, source, touched, batch_id)
        con.execute(
            "insert into load_batches values (?, ?, ?, ?, ?, ?, ?, ?, 'loaded', null, ?)",
            [batch_id, run_id, source.name, file_name, sha256, int(count), period,
             loaded_at or datetime.now(), notes])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return LoadOutcome(batch_id, int(count), int(replaced or 0), tuple(touched))


def load_frame(con: duckdb.DuckDBPyConnection, source: Source, frame: pd.DataFrame,
               **kwargs: object) -> LoadOutcome:
    """:func:`load_batch` of the typed rows in ``frame`` (e.g. a validation result's
    ``frame``)."""
    con.register("_scp_frame", frame)
    try:
        return load_batch(con, source, "_scp_frame", **kwargs)  # type: ignore[arg-type]
    finally:
        con.unregister("_scp_frame")
