"""A quick "no other file has these keys" for the load's natural-key check.

:func:`scp_metrics.warehouse.load.same_run_overlap` asks, for every file it loads, whether any
other batch has a row with one of the file's natural keys (the police Crime Reference, the
incident number …). Asked of the raw table, that is a join of the file's keys with every row
loaded before, which grows with the history: 0.2 s for a 333k-row police file against 19M rows,
most of it reading the keys' text back.

``_natural_keys_<source>`` keeps, for every batch in the ledger, the distinct 64-bit hashes of
its rows' natural keys (DuckDB's ``hash`` of the key columns, equal for equal keys, nulls
included), whether its rows are live or archived: a superset of the live keys. "No hash of this
batch is among another batch's" therefore proves that no live row of another batch has one of
its keys, and the exact join is skipped; any hash in common (a re-issue, or two keys sharing a
hash) sends the check to the exact join as before. :func:`record` adds a batch's hashes in its
load transaction, :func:`forget` removes them when the batch is unloaded; archiving and
restoring rows leave them (the batch is still in the ledger).

A warehouse made before this table, or by a DuckDB whose ``hash`` may differ, has its hashes
computed again from the raw and history tables when it is next opened for writing
(:func:`ensure`, from ``connection.ensure_tables``; ``_natural_keys_state`` names the DuckDB
version and the key each source's hashes were made with).
"""

from __future__ import annotations

import duckdb

from scp_metrics.sources import Source
from scp_metrics.sources.source import ROW_HASH

STATE_TABLE = "_natural_keys_state"


def table(source: Source) -> str:
    return f"_natural_keys_{source.name}"


def key_columns(source: Source, alias: str) -> list[str]:
    """SQL: the natural key of row ``alias``, one expression per key column (:data:`ROW_HASH`:
    a hash of the whole row's columns)."""
    names = [c.name for c in source.columns]
    out = []
    for key in source.natural_key:
        if key == ROW_HASH:
            out.append("hash(" + ", ".join(f'{alias}."{n}"' for n in names) + ")")
        else:
            out.append(f'{alias}."{key}"')
    return out


def key_hash(source: Source, alias: str) -> str:
    """SQL: one 64-bit hash of the natural key of row ``alias``."""
    return f"hash({', '.join(key_columns(source, alias))})"


def ensure(con: duckdb.DuckDBPyConnection, sources: list[tuple[Source, str]]) -> None:
    """``_natural_keys_<source>`` exists for each ``(source, history table)`` with a natural key
    and holds the hashes of every row in its raw and history tables: computed again when
    missing or made by another DuckDB or for another key (three queries when nothing is to
    do: this runs whenever the warehouse is opened for writing)."""
    con.execute(f"create table if not exists {STATE_TABLE} (source varchar, recipe varchar)")
    version = con.execute("select version()").fetchall()[0][0]
    stored = dict(con.execute(
        f"select s.source, s.recipe from {STATE_TABLE} s where exists (select 1 from "
        "duckdb_tables() t where t.table_name = '_natural_keys_' || s.source "
        "and t.schema_name = 'main')").fetchall())
    for source, history in sources:
        if not source.natural_key:
            continue
        recipe = f"{version}|{key_hash(source, 'r')}"
        if stored.get(source.name) != recipe:
            _rebuild(con, source, history, recipe)


def _rebuild(con: duckdb.DuckDBPyConnection, source: Source, history: str, recipe: str) -> None:
    hashes = table(source)
    con.execute(f'create or replace table "{hashes}" (batch_id bigint, key_hash ubigint)')
    con.execute(
        f'insert into "{hashes}" select distinct batch_id, key_hash from ('
        f'select r.batch_id, {key_hash(source, "r")} as key_hash from "{source.table}" r '
        f'union all select r.batch_id, {key_hash(source, "r")} from "{history}" r) '
        "order by batch_id")
    con.execute(f"delete from {STATE_TABLE} where source = ?", [source.name])
    con.execute(f"insert into {STATE_TABLE} values (?, ?)", [source.name, recipe])


def record(con: duckdb.DuckDBPyConnection, source: Source, batch_id: int) -> None:
    """Keep the hashes of batch ``batch_id``'s natural keys (after its rows are inserted, in the
    load transaction)."""
    hashes = table(source)
    con.execute(f'insert into "{hashes}" select distinct ?, {key_hash(source, "r")} '
                f'from "{source.table}" r where r.batch_id = ?', [batch_id, batch_id])


def may_share(con: duckdb.DuckDBPyConnection, source: Source, batch_id: int) -> bool:
    """Whether another batch may have a row with one of batch ``batch_id``'s natural keys:
    ``False`` is certain (no hash in common), ``True`` needs the exact check."""
    hashes = table(source)
    return bool(con.execute(
        f'select exists (select 1 from "{hashes}" j where j.batch_id <> ? and j.key_hash in '
        f'(select key_hash from "{hashes}" where batch_id = ?))',
        [batch_id, batch_id]).fetchall()[0][0])


def forget(con: duckdb.DuckDBPyConnection, source: Source, batch_id: int) -> None:
    """Drop batch ``batch_id``'s hashes (it is being unloaded, in the caller's transaction)."""
    if source.natural_key:
        con.execute(f'delete from "{table(source)}" where batch_id = ?', [batch_id])
