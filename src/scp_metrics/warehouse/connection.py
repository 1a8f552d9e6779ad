"""Opening the warehouse and fingerprinting its tables."""

from __future__ import annotations

from pathlib import Path

import duckdb

from scp_metrics.sources import SOURCES, Source

LEDGER_DDL = """
create table if not exists load_batches (
    batch_id bigint primary key,
    run_id varchar not null,
    source varchar not null,
    file_name varchar not null,
    sha256 varchar not null,
    rows bigint not null,
    period varchar,
    loaded_at timestamp not null,
    status varchar not null,
    superseded_by bigint,
    notes varchar
)
"""


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse at ``path`` with its ledger and raw tables."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        if read_only and not Path(path).exists():
            raise FileNotFoundError(f"no warehouse at {path}: run 'scp-metrics refresh' first")
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        ensure_tables(con)
    return con


def raw_table_ddl(source: Source) -> str:
    cols = [f'"{c.name}" {c.sql_type}' for c in source.columns]
    if source.name == "population":
        cols.append("mid_year integer")
    cols += ["period_start date", "batch_id bigint not null", "source_row bigint not null"]
    return f"create table if not exists {source.table} (\n    " + ",\n    ".join(cols) + "\n)"


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(LEDGER_DDL)
    for source in SOURCES:
        con.execute(raw_table_ddl(source))
    from scp_metrics.warehouse.history import ensure_history_tables

    ensure_history_tables(con)  # raw_<source>_history: superseded rows, restorable


def table_checksums(con: duckdb.DuckDBPyConnection, prefix: str = "") -> dict[str, str]:
    """An order-independent fingerprint of every table's content (name starting with ``prefix``)."""
    names = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' "
        "and table_type = 'BASE TABLE' and starts_with(table_name, ?) order by table_name",
        [prefix],
    ).fetchall()]
    out = {}
    for name in names:
        count, digest = con.execute(
            f'select count(*), coalesce(sum(hash(t)::hugeint), 0)::varchar from "{name}" t'
        ).fetchall()[0]
        out[name] = f"{count}:{digest}"
    return out
