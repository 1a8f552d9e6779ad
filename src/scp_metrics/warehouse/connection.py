"""Opening the warehouse and fingerprinting its tables."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import duckdb

from scp_metrics.settings import DEFAULT_DUCKDB_MEMORY_LIMIT, Settings
from scp_metrics.sources import SOURCES, Source
from scp_metrics.warehouse import templates
from scp_metrics.warehouse.queries import query_rows, sql_text

Connection = duckdb.DuckDBPyConnection

#: Raised when the warehouse file cannot be opened (held by another process, unreadable): the
#: error the CLI turns into "in use, try again"; callers need not import duckdb to catch it.
WarehouseUnavailable = duckdb.IOException
"""A warehouse connection (layers above the warehouse name the type without importing duckdb)."""

WarehouseFailure = duckdb.Error
"""Any error DuckDB raises (for :func:`explain`)."""


class WarehouseDamaged(Exception):
    """The warehouse file cannot be used: not a DuckDB file, cut short, or a corrupt block. The
    message is one sentence with the root cause and what to do."""


_CAUSES = (
    ("not a valid DuckDB database file", "is not a DuckDB file"),
    ("Could not read enough bytes", "is cut short (truncated: damaged, or copied incompletely)"),
    ("Corrupt database file", "has a corrupt block (its checksum does not match)"),
    ("checksum", "has a corrupt block (its checksum does not match)"),
)


def explain(exc: BaseException, warehouse: Path | str | None = None) -> str | None:
    """The root cause of a DuckDB or OS error as one sentence with the next step, or ``None``
    when it is not one this knows: no space left on the disk, a file that is not a DuckDB
    database, a truncated file, a corrupt block, a file held by another process."""
    text = str(exc)
    where = f"the warehouse {warehouse}" if warehouse else "the warehouse"
    if isinstance(exc, OSError) and exc.errno == 28 or "No space left on device" in text:
        return ("no space left on the disk (ENOSPC) while writing the warehouse; nothing of the "
                "interrupted step was kept: free some space and run the refresh again")
    for needle, cause in _CAUSES:
        if needle in text:
            return (f"{where} {cause}: copy its latest snapshot (<warehouse>.snapshots/) or a "
                    "backup ('scp-metrics backup') over it, or move it away and refresh to "
                    "rebuild it from the raw folder; 'scp-metrics check' verifies it")
    if "Could not set lock" in text or "Conflicting lock" in text:
        return f"{where} is in use by another process (a refresh is running?); try again later"
    return None


def connect_warehouse(settings: Settings, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """:func:`connect` to the warehouse ``settings`` name, with their memory limit."""
    return connect(settings.warehouse, read_only=read_only, memory_limit=settings.duckdb_memory_limit)


def connect(path: Path | str, *, read_only: bool = False,
            memory_limit: str | None = DEFAULT_DUCKDB_MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse at ``path`` with its ledger and raw tables.

    DuckDB's memory is capped at ``memory_limit`` (1 GB unless given: callers holding
    :class:`~scp_metrics.settings.Settings` use :func:`connect_warehouse`, which passes
    ``SCP_DUCKDB_MEMORY_LIMIT``; ``None`` leaves DuckDB's default of 80% of RAM); beyond it
    DuckDB spills to ``<warehouse>.tmp`` beside the warehouse, so memory does not grow with
    the warehouse."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        if read_only and not Path(path).exists():
            raise FileNotFoundError(f"no warehouse at {path}: run 'scp-metrics refresh' first")
    if memory_limit is not None:
        _size(memory_limit)  # refused before anything is opened
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        damaged = explain(exc, path)
        if damaged is not None and "in use" not in damaged:
            raise WarehouseDamaged(damaged) from exc
        raise
    limit_memory(con, path, memory_limit)
    if not read_only:
        ensure_tables(con)
    return con


def limit_memory(con: duckdb.DuckDBPyConnection, path: Path | str, memory_limit: str | None) -> None:
    """Cap DuckDB's buffer memory and spill beside the warehouse.

    Set with ``SET`` (not ``duckdb.connect(config=...)``), so other connections to the same
    file opened without a config (charts, the API) still share the database instance."""
    if memory_limit is None:
        return
    con.execute(templates.set_option("memory_limit", _size(memory_limit)))
    if str(path) != ":memory:":
        spill = str(Path(path).with_name(Path(path).name + ".tmp"))
        current = query_rows(con, "reads/common/temp_directory")[0][0]
        if current != spill:
            with contextlib.suppress(duckdb.Error):  # already spilling elsewhere: keep that
                con.execute(templates.set_option("temp_directory", spill))


LOAD_CHECKPOINT_SIZE = "64MB"
"""How much write-ahead log a run of loads gathers before DuckDB moves it into the warehouse
file (DuckDB's default is 16 MB: a checkpoint every file or two of a quarter's record-level
extract, each rewriting the part-filled last row group). Measured on the medium benchmark's 59
police files (``benchmarks/run.py``'s ingest): 22.8 s at 16 MB, 19.0 s at 64 MB, 18.7 s at
128 MB, 20.1 s at 512 MB (and peak RSS 777, 537, 609, 967 MB). A crash loses nothing more: the
log is replayed on the next open as before."""


@contextlib.contextmanager
def checkpoints_every(con: duckdb.DuckDBPyConnection, size: str = LOAD_CHECKPOINT_SIZE):  # noqa: ANN201
    """While the ``with`` block lasts, DuckDB checkpoints when the log reaches ``size``."""
    con.execute(templates.set_option("wal_autocheckpoint", _size(size)))
    try:
        yield con
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute("reset wal_autocheckpoint")


class SharedThreads:
    """DuckDB's threads shared between statements running at once on cursors of one
    connection (the file loading while the next one is validated): :meth:`share` ``(n)`` gives
    each of ``n`` streams its share of the threads the connection had (at least one),
    :meth:`restore` gives them back. On 2 cores two streams of one thread each do the same
    work with less CPU than two of two (a 333k-row police file's text read: 0.25 s of wall
    time either way, 0.37 CPU-s on two threads, 0.25 on one), and the CPU is what both
    streams compete for."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.full = int(con.execute("select current_setting('threads')").fetchall()[0][0])
        self.now = self.full

    def share(self, streams: int) -> None:
        wanted = max(1, self.full // max(1, streams))
        if wanted != self.now:
            self.con.execute(f"set threads = {int(wanted)}")
            self.now = wanted

    def restore(self) -> None:
        with contextlib.suppress(duckdb.Error):
            self.share(1)


def _size(text: str) -> str:
    size = text.strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]?i?B|\d+(\.\d+)?%", size, flags=re.IGNORECASE):
        raise ValueError(f"not a DuckDB memory size: {text!r} (e.g. 1GB, 512MB)")
    return size


def raw_table_ddl(source: Source) -> str:
    """``raw_<source>``: the source's columns (its schema's SQL types), then the columns every
    raw table has."""
    cols = [(c.name, c.sql_type) for c in source.columns]
    if source.name == "population":
        cols.append(("mid_year", "integer"))
    cols += [("period_start", "date"), ("batch_id", "bigint not null"),
             ("source_row", "bigint not null")]
    return templates.create_table(source.table, cols, if_missing=True)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(sql_text("ddl/load_batches"))
    for source in SOURCES:
        con.execute(raw_table_ddl(source))
    from scp_metrics.warehouse import natural_keys
    from scp_metrics.warehouse.history import ensure_history_tables, history_table

    ensure_history_tables(con)  # raw_<source>_history: superseded rows, restorable
    # the hashes that answer the load's natural-key check quickly
    natural_keys.ensure(con, [(source, history_table(source)) for source in SOURCES])


def table_names(con: duckdb.DuckDBPyConnection, prefix: str = "") -> list[str]:
    """The tables (not views) whose name starts with ``prefix``, sorted."""
    return [r[0] for r in query_rows(con, "reads/common/tables_with_prefix", prefix=prefix)]


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view called ``name`` exists."""
    return bool(query_rows(con, "reads/common/table_exists", name=name)[0][0])


def table_checksums(con: duckdb.DuckDBPyConnection, prefix: str = "") -> dict[str, str]:
    """An order-independent fingerprint of every table's content (name starting with ``prefix``)."""
    out = {}
    for name in table_names(con, prefix):
        count, digest = con.execute(templates.table_digest(name)).fetchall()[0]
        out[name] = f"{count}:{digest}"
    return out
