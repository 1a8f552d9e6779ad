"""Nothing loaded is ever lost: superseded rows are archived, batches can be listed and restored.

Design (see ``docs/reliability.md``): when a load replaces rows from an earlier run (a re-issued
quarter, a new snapshot), :func:`scp_metrics.warehouse.load.load_batch` *moves* them, in the same
transaction, from ``raw_<source>`` to ``raw_<source>_history`` (same columns plus
``superseded_by``, the batch that displaced them, and ``archived_at``). The raw tables therefore
hold exactly the live rows and the SQL models read them unchanged; the history tables hold
every displaced row. For every batch in the ledger::

    rows in raw_<source> + rows in raw_<source>_history == load_batches.rows

and its status follows from where its rows are: all live ``loaded``, none live ``superseded``,
some ``partly superseded``.

:func:`restore_batch` makes a superseded batch live again: its archived rows (and those archived
together with them for the same periods, e.g. the other files of a quarter delivered in parts)
move back to the raw table, the rows now occupying those periods move to the history table
(superseded by the restored batch), the ledger is updated, all in one transaction.

The module also keeps the marts honest after a crash: :func:`record_marts_built` stores a
fingerprint of the ledger when the marts were last built, and :func:`marts_current` says whether
the ledger has changed since (a refresh killed between loading and building must rebuild).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from scp_metrics.sources import SOURCES, SOURCES_BY_NAME, Source
from scp_metrics.warehouse import natural_keys
from scp_metrics.warehouse.ledger import LIVE

ARCHIVE_COLUMNS = ("superseded_by", "archived_at")
STATE_TABLE = "meta_marts_state"
PUBLICATION_TABLE = "meta_publication_state"


class HistoryError(Exception):
    """A history or restore request that cannot be carried out (one sentence)."""


class LoadConflict(Exception):
    """A file whose rows would duplicate rows already live (one sentence, plus failures)."""

    def __init__(self, message: str, failures: list[dict]):
        super().__init__(message)
        self.failures = failures

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.failures, columns=["file", "row", "column", "check", "value"])


def history_table(source: Source) -> str:
    return f"{source.table}_history"


def ensure_history_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``raw_<source>_history`` for every source (after the raw tables exist)."""
    for source in SOURCES:
        con.execute(
            f'create table if not exists "{history_table(source)}" as select *, '
            f"null::bigint as superseded_by, null::timestamp as archived_at "
            f'from "{source.table}" limit 0')


def archive_rows(con: duckdb.DuckDBPyConnection, source: Source, where: str,
                 params: Sequence[object], by_batch: int) -> int:
    """Move the rows of ``source.table`` matching ``where`` to its history table (inside the
    caller's transaction); returns how many moved."""
    table = source.table
    con.execute(f'insert into "{history_table(source)}" select *, ?, ? from "{table}" '
                f"where {where}", [by_batch, datetime.now(), *params])
    return int(con.execute(f'delete from "{table}" where {where}', params).fetchall()[0][0] or 0)


def unique_key(source: Source) -> str | None:
    """The column the data dictionary declares unique (a crime reference, an incident number)."""
    schema = source.model.to_schema()
    for name, column in schema.columns.items():
        if getattr(column, "unique", False):
            return name
    return None


def duplicate_conflict(file_name: str, label: str, clash: Sequence[tuple]) -> LoadConflict:
    """The refusal of ``file_name`` whose ``label`` values are already live; ``clash``: its
    (row, value, loading batch) triples, first row first."""
    failures = [{"file": file_name, "row": int(row), "column": label,
                 "check": f"unique across files (already loaded by batch {batch})",
                 "value": str(value)} for row, value, batch in clash]
    return LoadConflict(f"{file_name}: {len(clash)} {label} value(s) already loaded from "
                        f"another file (first at row {clash[0][0]}, batch {clash[0][2]})",
                        failures)


def status_of(live: int, rows: int) -> str:
    """A batch's status from how many of its ``rows`` are live."""
    return "loaded" if live == rows else "superseded" if live == 0 else "partly superseded"


def batch_status(con: duckdb.DuckDBPyConnection, batch_ids: list[int]) -> None:
    """Recompute ``status`` of ``batch_ids`` from where their rows are."""
    for batch_id in batch_ids:
        rows = con.execute("select source, rows from load_batches where batch_id = ?",
                           [batch_id]).fetchall()
        if not rows:
            continue
        source = SOURCES_BY_NAME.get(rows[0][0])
        if source is None:
            continue
        live = con.execute(f'select count(*) from "{source.table}" where batch_id = ?',
                           [batch_id]).fetchall()[0][0]
        status = status_of(live, rows[0][1])
        if status == "loaded":
            con.execute("update load_batches set status = ?, superseded_by = null "
                        "where batch_id = ?", [status, batch_id])
        else:
            con.execute("update load_batches set status = ? where batch_id = ?",
                        [status, batch_id])


def mark_superseded(con: duckdb.DuckDBPyConnection, source: Source, touched: Sequence[int],
                    by_batch: int) -> None:
    """After ``by_batch`` displaced rows of the live batches ``touched``: each is superseded
    by it, wholly or partly (inside the caller's transaction)."""
    for old in touched:
        remaining = con.execute(
            f"select count(*) from {source.table} where batch_id = ?", [old]).fetchall()[0][0]
        con.execute(
            "update load_batches set status = ?, superseded_by = ? where batch_id = ? "
            "and status in (?, ?)",
            ["superseded" if remaining == 0 else "partly superseded", by_batch, old, *LIVE])


class KnownBatches:
    """The newest batch (id, status) that loaded each content (sha256), whatever its status: the
    ledger read in one query for every file of a run, and read again after :meth:`changed`
    (this run loaded or unloaded a batch). One query per file cost 0.6 s of a refresh with
    nothing new at the medium benchmark (264 files)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._by_sha: dict[str, tuple[int, str]] | None = None

    def get(self, sha256: str) -> tuple[int, str] | None:
        if self._by_sha is None:
            self._by_sha = {str(sha): (int(batch), str(status)) for sha, batch, status in
                            self.con.execute(
                                "select sha256, batch_id, status from load_batches qualify "
                                "row_number() over (partition by sha256 order by batch_id "
                                "desc) = 1").fetchall()}
        return self._by_sha.get(sha256)

    def snapshot(self) -> Mapping[str, tuple[int, str]]:
        """The batches by sha256 as the ledger has them now: a later :meth:`changed` makes a
        new mapping, so another thread may keep reading this one."""
        self.get("")
        assert self._by_sha is not None
        return self._by_sha

    def changed(self) -> None:
        self._by_sha = None


def history_frame(con: duckdb.DuckDBPyConnection, source: str | None = None) -> pd.DataFrame:
    """The ledger with, per batch, the rows live in the raw table and kept in history."""
    if source is not None and source not in SOURCES_BY_NAME:
        raise HistoryError(f"unknown source {source!r}; choose from "
                           f"{', '.join(s.name for s in SOURCES)}")
    tables = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()}
    parts = [f"select batch_id, count(*) as n, '{kind}' as kind from \"{name}\" group by 1"
             for s in SOURCES for name, kind in ((s.table, "live"), (history_table(s), "archived"))
             if name in tables]
    counts = " union all ".join(parts) or \
        "select null::bigint as batch_id, 0::bigint as n, 'live' as kind where false"
    sql = (f"with c as ({counts}) select b.batch_id, b.source, b.file_name, b.period, b.rows, "
           "coalesce(sum(c.n) filter (where c.kind = 'live'), 0)::bigint as live_rows, "
           "coalesce(sum(c.n) filter (where c.kind = 'archived'), 0)::bigint as archived_rows, "
           "b.status, b.superseded_by, b.loaded_at, b.run_id, b.notes "
           "from load_batches b left join c using (batch_id) "
           + ("where b.source = ? " if source else "")
           + "group by all order by b.batch_id")
    return con.execute(sql, [source] if source else []).df()


@dataclass(frozen=True)
class RestoreOutcome:
    batch_id: int
    source: str
    restored_batches: tuple[int, ...]
    restored_rows: int
    archived_batches: tuple[int, ...]
    archived_rows: int

    def sentence(self) -> str:
        together = [b for b in self.restored_batches if b != self.batch_id]
        extra = f" (with batch{'es' if len(together) > 1 else ''} " \
                f"{', '.join(map(str, together))} of the same delivery)" if together else ""
        replaced = (f"; {self.archived_rows:,} rows of batch"
                    f"{'es' if len(self.archived_batches) > 1 else ''} "
                    f"{', '.join(map(str, self.archived_batches))} moved to history"
                    if self.archived_batches else "")
        return (f"Restored batch {self.batch_id} ({self.source}){extra}: "
                f"{self.restored_rows:,} rows live again{replaced}.")


def templates_ident(name: str) -> str:
    """``name`` quoted as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def restore_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> RestoreOutcome:
    """Make the archived rows of ``batch_id`` live again, in one transaction."""
    found = con.execute("select source, status from load_batches where batch_id = ?",
                        [batch_id]).fetchall()
    if not found:
        raise HistoryError(f"there is no batch {batch_id} in the ledger "
                           "(see 'scp-metrics history')")
    source_name, status = found[0]
    source = SOURCES_BY_NAME.get(source_name)
    if source is None:
        raise HistoryError(f"batch {batch_id} is of source {source_name!r}, which this version "
                           "does not know")
    hist = history_table(source)
    archived = con.execute(f'select count(*) from "{hist}" where batch_id = ?',
                           [batch_id]).fetchall()[0][0]
    if archived == 0:
        if status == "loaded":
            raise HistoryError(f"batch {batch_id} is live already: nothing to restore")
        raise HistoryError(f"batch {batch_id} has no archived rows to restore (it was "
                           "superseded before history was kept)")
    # each key as a template of its table's alias {t}
    keys = [f'{{t}}."{k}"' for k in ("period_start", *source.replace_key)]
    if source.month_column:  # a quarter replaced month by month: its months are slices too
        keys.append(f'date_trunc(\'month\', {{t}}."{source.month_column}")')
    if source.period_rule == "snapshot":
        same_slice = "true"
    else:
        same_slice = " and ".join(f"{k.format(t='h')} is not distinct from {k.format(t='t')}"
                                  for k in keys)
    con.execute("begin transaction")
    try:
        # The rows displaced together with the batch's rows: same slices, same displacing batch.
        con.execute(
            f"create or replace temp table _restore as select h.* from \"{hist}\" h where exists "
            f"(select 1 from \"{hist}\" t where t.batch_id = ? and t.superseded_by is not "
            f"distinct from h.superseded_by and {same_slice})", [batch_id])
        restored = [int(r[0]) for r in con.execute(
            "select distinct batch_id from _restore order by 1").fetchall()]
        # The rows now live in those slices move to history, superseded by the restored batch.
        live_where = "true" if source.period_rule == "snapshot" else (
            'exists (select 1 from _restore t where '
            + " and ".join(f"{k.format(t='t')} is not distinct from "
                           f"{k.format(t=templates_ident(source.table))}" for k in keys)
            + ")")
        displaced = [int(r[0]) for r in con.execute(
            f'select distinct batch_id from "{source.table}" where {live_where} order by 1'
        ).fetchall()]
        moved = archive_rows(con, source, live_where, [], batch_id)
        columns = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_name = ? "
            "and table_schema = 'main' order by ordinal_position", [source.table]).fetchall()]
        col_sql = ", ".join(f'"{c}"' for c in columns)
        con.execute(f'insert into "{source.table}" ({col_sql}) select {col_sql} from _restore')
        back = con.execute(
            f'delete from "{hist}" h where exists (select 1 from _restore r where '
            f"r.batch_id = h.batch_id and r.source_row = h.source_row and r.superseded_by "
            f"is not distinct from h.superseded_by)").fetchall()[0][0]
        con.execute("drop table _restore")
        batch_status(con, [*restored, *displaced])
        if displaced:
            con.execute(
                f"update load_batches set superseded_by = ? where batch_id in "
                f"({', '.join('?' * len(displaced))}) and status <> 'loaded'",
                [batch_id, *displaced])
        stamp = f"restored {datetime.now():%Y-%m-%d %H:%M:%S}"
        con.execute(
            f"update load_batches set notes = concat_ws('; ', nullif(notes, ''), ?) where "
            f"batch_id in ({', '.join('?' * len(restored))})", [stamp, *restored])
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction (disk full) has
            con.execute("rollback")             # none to roll back: keep the root cause
        raise
    return RestoreOutcome(batch_id, source.name, tuple(restored), int(back),
                          tuple(displaced), moved)


def unload_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> None:
    """Undo the load of ``batch_id`` in one transaction, as if it had never been loaded: its
    rows leave the raw table, the rows it displaced come back from history, its ledger row goes
    and the statuses of the batches it displaced are recomputed (the refusal of two files of
    one run that deliver the same rows: :class:`scp_metrics.warehouse.load.SameRunOverlap`)."""
    found = con.execute("select source from load_batches where batch_id = ?",
                        [batch_id]).fetchall()
    if not found or found[0][0] not in SOURCES_BY_NAME:
        return
    source = SOURCES_BY_NAME[found[0][0]]
    hist = history_table(source)
    columns = [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_name = ? "
        "and table_schema = 'main' order by ordinal_position", [source.table]).fetchall()]
    col_sql = ", ".join(templates_ident(c) for c in columns)
    con.execute("begin transaction")
    try:
        touched = [int(r[0]) for r in con.execute(
            f'select distinct batch_id from "{hist}" where superseded_by = ? order by 1',
            [batch_id]).fetchall()]
        con.execute(f'delete from "{source.table}" where batch_id = ?', [batch_id])
        natural_keys.forget(con, source, batch_id)
        con.execute(f'insert into "{source.table}" ({col_sql}) select {col_sql} from "{hist}" '
                    "where superseded_by = ?", [batch_id])
        con.execute(f'delete from "{hist}" where superseded_by = ?', [batch_id])
        con.execute("delete from load_batches where batch_id = ?", [batch_id])
        batch_status(con, touched)
        for old in touched:  # still partly superseded: by the batch that displaced it before
            con.execute(
                f'update load_batches set superseded_by = (select max(superseded_by) from "{hist}" '
                "where batch_id = ?) where batch_id = ? and status <> 'loaded'", [old, old])
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction (disk full) has
            con.execute("rollback")             # none to roll back: keep the root cause
        raise


def ledger_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    count, digest = con.execute(
        "select count(*), coalesce(sum(hash(batch_id, status)::hugeint), 0)::varchar "
        "from load_batches").fetchall()[0]
    return f"{count}:{digest}"


def record_marts_built(con: duckdb.DuckDBPyConnection) -> None:
    """Remember the ledger the marts were built from (after a successful build)."""
    con.execute(f"create or replace table {STATE_TABLE} as select ? as ledger_fingerprint, "
                "?::timestamp as built_at", [ledger_fingerprint(con), datetime.now()])


def marts_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the marts were built from the ledger as it is now."""
    exists = con.execute("select count(*) from information_schema.tables where table_name = ?",
                         [STATE_TABLE]).fetchall()[0][0]
    if not exists:
        return False
    rows = con.execute(f"select ledger_fingerprint from {STATE_TABLE}").fetchall()
    return bool(rows) and rows[0][0] == ledger_fingerprint(con)


def _marts_state(con: duckdb.DuckDBPyConnection) -> str | None:
    if not _exists(con, STATE_TABLE):
        return None
    rows = con.execute(f"select ledger_fingerprint || '@' || built_at::varchar "
                       f"from {STATE_TABLE}").fetchall()
    return str(rows[0][0]) if rows else None


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_name = ?",
                            [table]).fetchall()[0][0])


def record_published(con: duckdb.DuckDBPyConnection, folder: str) -> None:
    """Remember that the marts as built now (their state: ledger fingerprint and build time)
    were published completely to ``folder`` (after the staging folder was swapped in)."""
    con.execute(f"create or replace table {PUBLICATION_TABLE} as select ? as marts_state, "
                "? as folder, ?::timestamp as published_at",
                [_marts_state(con), folder, datetime.now()])


def published_folder(con: duckdb.DuckDBPyConnection) -> str | None:
    """The folder the marts as built now were completely published to (None: they were not,
    or the publication was interrupted or failed: the next refresh publishes)."""
    state = _marts_state(con)
    if state is None or not _exists(con, PUBLICATION_TABLE):
        return None
    rows = con.execute(f"select marts_state, folder from {PUBLICATION_TABLE}").fetchall()
    return str(rows[0][1]) if rows and rows[0][0] == state else None


def consistency_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every way the raw tables and the ledger disagree (empty when consistent)."""
    problems: list[str] = []
    ledger = {int(b): (s, int(n), st) for b, s, n, st in con.execute(
        "select batch_id, source, rows, status from load_batches").fetchall()}
    for source in SOURCES:
        for table in (source.table, history_table(source)):
            for batch, n in con.execute(
                    f'select batch_id, count(*) from "{table}" group by 1 order by 1').fetchall():
                entry = ledger.get(int(batch))
                if entry is None:
                    problems.append(f"{table}: {n} rows of batch {batch}, which is not in the "
                                    "ledger")
                elif entry[0] != source.name:
                    problems.append(f"{table}: rows of batch {batch}, a {entry[0]} batch")
    frame = history_frame(con)
    for row in frame.itertuples(index=False):
        if row.live_rows + row.archived_rows != row.rows:
            problems.append(f"batch {row.batch_id}: ledger says {row.rows} rows, warehouse has "
                            f"{row.live_rows} live + {row.archived_rows} archived")
        expected = status_of(row.live_rows, row.rows)
        if row.status != expected:
            problems.append(f"batch {row.batch_id}: status {row.status!r} but {row.live_rows} "
                            f"of {row.rows} rows are live")
    return problems
