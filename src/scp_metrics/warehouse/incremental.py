"""Reusing the unchanged series of a per-series mart from the previous build.

A refresh rebuilds every mart, but a new quarter changes only a few of the series a mart like
``mart_spc`` or ``mart_trends`` is computed from: the home area's record-level monthly series,
while the thousands of police.uk series of the other areas are the same as last time. A mart
whose rows for one series depend only on that series' input rows (and on settings that apply to
every series) can reuse the previous build's rows of every series whose input is unchanged.

How (one mart, series identified by key columns such as ``indicator_id, area_code``):

1. :func:`series_hashes`: a 64-bit content hash per series of *everything* its rows depend on:
   its input rows (``pandas.util.hash_pandas_object`` of each row's value columns, added up
   per series: the hash of the set of rows, whatever their order, and their number) and a
   ``salt`` for the rest (the code version of the modules that compute the mart, reference
   data such as polarity and series breaks, constants). Vectorised, no Python loop over
   series: 1M input rows in 7,500 series hash in ~0.3 s.
2. :func:`plan_reuse`: compares them with the hashes the previous build stored in the side table
   :data:`HASH_TABLE` (``mart, series, hash, n_rows``; ``series`` is the key values joined
   by :data:`SEP`) and reads the rows of the unchanged series from the existing mart (it still
   holds the previous build's rows inside the build transaction, until it is replaced). When
   the mart or the hash table is missing or has other columns, or the mart is not the one the
   hashes were stored with (its checksum, stored beside them as ``<mart>#table``, or a
   series' row count differs: written by an older version, or edited by hand), every series
   is computed.
3. The builder computes the other series only (:attr:`ReusePlan.recompute` says which), and
   :func:`finish` puts the two together in key order (rows inside a series keep their order),
   casts the reused rows to the computed rows' dtypes (the builder's ``conform``), stores the
   new hashes through the same connection (so inside the same transaction as the mart) and
   notes on the result's ``attrs["progress"]`` how many series were recomputed and reused.

A full recomputation and an incremental build give the same rows, dtypes and order. A change
of code, reference data or settings changes the salt of every series and so recomputes them
all; dropping :data:`HASH_TABLE` does the same (a forced full recomputation).

Dependencies *between* series are not covered: a mart whose series depend on other series
must put them in the salt (or in the series' own input rows), or not use this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from scp_metrics.warehouse import templates
from scp_metrics.warehouse.queries import query, query_rows, sql_text

__all__ = ["HASH_TABLE", "SALT_SUFFIX", "SEP", "TABLE_SUFFIX", "ReusePlan", "finish",
           "mart_as_stored", "plan_reuse", "remember_mart", "salt_of", "series_hashes",
           "series_labels"]

#: The side table of per-series hashes (one row per mart and series).
HASH_TABLE = "_series_hashes"
#: Separator of the key values in :data:`HASH_TABLE`'s ``series`` column.
SEP = "\x1f"
#: ``mart`` of the row of :data:`HASH_TABLE` with the checksum of the whole mart as written.
TABLE_SUFFIX = "#table"
#: ``mart`` of the row of :data:`HASH_TABLE` with the salt a mart reusing rows was built with.
SALT_SUFFIX = "#salt"
_HASH_COLUMNS = [("mart", "VARCHAR"), ("series", "VARCHAR"), ("hash", "UBIGINT"),
                 ("n_rows", "BIGINT")]


def salt_of(*parts: object) -> int:
    """A 64-bit hash of ``repr`` of ``parts`` (frames by their content, in their order)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            digest.update(repr(list(part.columns)).encode())
            digest.update(repr([str(t) for t in part.dtypes]).encode())
            digest.update(pd.util.hash_pandas_object(part, index=False).to_numpy().tobytes())
        else:
            digest.update(repr(part).encode())
        digest.update(b"\x00")
    return int.from_bytes(digest.digest()[:8], "little")


def series_labels(frame: pd.DataFrame, keys: Sequence[str]) -> pd.Series:
    """The key values of each row joined by :data:`SEP` (the ``series`` of :data:`HASH_TABLE`)."""
    label = frame[keys[0]].astype(str)
    for key in keys[1:]:
        label = label + SEP + frame[key].astype(str)
    return label.reset_index(drop=True)


def series_hashes(frame: pd.DataFrame, keys: Sequence[str], salt: int = 0) -> pd.DataFrame:
    """One row per series (rows with a null key are left out, as ``groupby`` does): the key
    columns, ``series`` (:func:`series_labels`) and ``hash`` (uint64) of its rows and ``salt``.

    The hash depends on the set of rows of the series (every other column of ``frame``) and
    their number, not on their order; duplicate rows count (it is a sum, not an exclusive or).
    """
    keys = list(keys)
    if frame.empty:
        out = pd.DataFrame({k: pd.Series(dtype=object) for k in keys})
        out["series"] = pd.Series(dtype=object)
        out["hash"] = pd.Series(dtype="uint64")
        return out
    grouped = frame.groupby(keys, sort=True, dropna=True)
    gid = grouped.ngroup().fillna(-1).to_numpy(dtype=np.int64)
    keep = gid >= 0
    values = frame.drop(columns=keys)  # the series is named by its keys (``series``)
    rows = (pd.util.hash_pandas_object(values, index=False).to_numpy() if values.shape[1]
            else np.zeros(len(frame), dtype=np.uint64))
    n = int(gid.max()) + 1
    sums = np.zeros(n, dtype=np.uint64)
    np.add.at(sums, gid[keep], rows[keep])  # wraps modulo 2**64
    counts = np.bincount(gid[keep], minlength=n).astype(np.uint64)
    out = grouped.size().reset_index()[keys]
    mixed = pd.DataFrame({"sum": sums, "n": counts, "salt": np.full(n, salt, dtype=np.uint64)})
    out["series"] = series_labels(out, keys)
    out["hash"] = pd.util.hash_pandas_object(mixed, index=False).to_numpy()
    return out


@dataclass
class ReusePlan:
    """What :func:`plan_reuse` found: which series to compute and the rows of the others."""

    mart: str
    keys: list[str]
    hashes: pd.DataFrame
    """Every series' new hash (:func:`series_hashes`)."""
    recompute: pd.Series
    """``series`` labels to compute (a subset of ``hashes["series"]``)."""
    reused: pd.DataFrame | None
    """The previous build's rows of the other series, in the mart's row order (None: none)."""

    def todo(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` (with the key columns) that belong to a series to compute."""
        if self.reused is None:
            return frame
        return frame[series_labels(frame, self.keys).isin(self.recompute).to_numpy()]


def _table_checksum(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, int]:
    """(sum of the row hashes modulo 2**64, row count) of a table or registered frame."""
    rows = con.execute(templates.table_checksum(relation)).fetchall()
    return int(rows[0][0]), int(rows[0][1])


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in query_rows(con, "reads/common/table_columns", name=table)]


def plan_reuse(con: duckdb.DuckDBPyConnection, mart: str, keys: Sequence[str],
               hashes: pd.DataFrame, columns: Sequence[str]) -> ReusePlan:
    """Which series of ``mart`` to compute; the existing rows of the others.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The build's connection (the mart still holds the previous build's rows).
    mart : str
        The mart's table name.
    keys : sequence of str
        The key columns of a series (columns of the mart too).
    hashes : DataFrame
        :func:`series_hashes` of the new input.
    columns : sequence of str
        The mart's columns in order; an existing mart with others is not reused.

    Returns
    -------
    ReusePlan
    """
    keys = list(keys)
    everything = ReusePlan(mart, keys, hashes, hashes["series"], None)
    old = [name for name, _ in _columns(con, mart)]
    if old != list(columns) or _columns(con, HASH_TABLE) != _HASH_COLUMNS or hashes.empty:
        return everything
    stored = query(con, "reads/incremental/stored_hashes", mart=mart)
    whole = [(h, n) for _, h, n in query_rows(con, "reads/incremental/stored_hashes",
                                               mart=mart + TABLE_SUFFIX)]
    if stored.empty or whole != [_table_checksum(con, templates.ident(mart))]:
        return everything  # no hashes, or the mart is not the one they were stored with
    stored["hash"] = stored["hash"].astype("UInt64")  # nullable: no float after the merge
    both = hashes[["series", "hash"]].astype({"hash": "UInt64"}).merge(
        stored, on="series", how="left", suffixes=("", "_old"))
    same = (both["hash_old"] == both["hash"]).fillna(False).to_numpy(dtype=bool)
    if not same.any():
        return everything
    wanted = hashes.loc[same, keys].reset_index(drop=True)
    con.register("_reuse_keys", wanted)
    try:
        reused = con.execute(templates.rows_with_keys(mart, keys, "_reuse_keys")).df()
    finally:
        con.unregister("_reuse_keys")
    counts = series_labels(reused, keys).value_counts()
    expected = both.loc[same].set_index("series")["n_rows"]
    got = counts.reindex(expected.index, fill_value=0)
    if len(counts) > len(expected) or not (got.to_numpy() == expected.to_numpy()).all():
        return everything  # the mart does not hold what the hash table says: compute it all
    recompute = both.loc[~same, "series"].reset_index(drop=True)
    return ReusePlan(mart, keys, hashes, recompute, reused)


def finish(con: duckdb.DuckDBPyConnection, plan: ReusePlan, computed: pd.DataFrame,
           conform: Callable[[pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
    """The whole mart from the computed and the reused rows; stores the new hashes.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The build's connection (the hashes are written through it, in its transaction).
    plan : ReusePlan
    computed : DataFrame
        The builder's rows for ``plan.recompute`` (in key order, as a full computation).
    conform : callable
        Casts a frame with the mart's columns to the mart's dtypes (the reused rows come
        back from DuckDB with DuckDB's types, e.g. dates as datetime64).

    Returns
    -------
    DataFrame
        Reused and computed rows ordered by the key columns (stable: a series' rows keep
        their order); ``attrs["progress"]`` says how many series were recomputed and reused.
    """
    parts = [conform(frame.reset_index(drop=True)) for frame in (plan.reused, computed)
             if frame is not None and not frame.empty]
    if len(parts) == 2:
        # conform again: a column whose dtype follows its content (a date column that is all
        # null in one part) gets the dtype a full computation gives it
        out = pd.concat(parts, ignore_index=True)
        out = conform(out.sort_values(plan.keys, kind="stable").reset_index(drop=True))
    else:
        out = parts[0] if parts else computed
    n_rows = series_labels(out, plan.keys).value_counts() if not out.empty else pd.Series()
    table = pd.DataFrame({
        "mart": plan.mart,
        "series": plan.hashes["series"].astype(str),
        "hash": plan.hashes["hash"].astype("uint64"),
        "n_rows": plan.hashes["series"].map(n_rows).fillna(0).astype("int64"),
    })
    if _columns(con, HASH_TABLE) != _HASH_COLUMNS:
        con.execute(templates.create_table(HASH_TABLE, _HASH_COLUMNS))
    con.execute(sql_text("writes/incremental/forget_hashes"),
                {"mart": plan.mart, "table_key": plan.mart + TABLE_SUFFIX})
    con.register("_new_hashes", table)
    con.register("_new_mart", out)
    try:
        con.execute(sql_text("writes/incremental/store_hashes"))
        checksum, count = _table_checksum(con, "_new_mart")  # as the table made from ``out``
        con.execute(sql_text("writes/incremental/store_mart_checksum"),
                    {"table_key": plan.mart + TABLE_SUFFIX, "hash": checksum, "n_rows": count})
    finally:
        con.unregister("_new_hashes")
        con.unregister("_new_mart")
    total = len(plan.hashes)
    recomputed = len(plan.recompute)
    out.attrs["progress"] = (f"{plan.mart}: {recomputed:,} series recomputed, "
                             f"{total - recomputed:,} reused")
    return out


def mart_as_stored(con: duckdb.DuckDBPyConnection, mart: str, salt: int) -> bool:
    """Whether ``mart`` is the table :func:`remember_mart` last stored with ``salt``: the same
    salt (code, reference data, settings) and the same checksum of its rows (not written since
    by an older version, by a forced rebuild or by hand). For a mart that reuses rows by its own
    means (``mart_indicator_values``) rather than by series (:func:`plan_reuse`)."""
    if _columns(con, HASH_TABLE) != _HASH_COLUMNS or not _columns(con, mart):
        return False
    stored = [(h, n) for _, h, n in query_rows(con, "reads/incremental/stored_hashes",
                                               mart=mart + SALT_SUFFIX)]
    whole = [(h, n) for _, h, n in query_rows(con, "reads/incremental/stored_hashes",
                                              mart=mart + TABLE_SUFFIX)]
    return len(stored) == 1 and stored[0][0] == salt and \
        whole == [_table_checksum(con, templates.ident(mart))]


def remember_mart(con: duckdb.DuckDBPyConnection, mart: str, salt: int) -> None:
    """Store ``salt`` and the checksum of ``mart`` as it is now (:func:`mart_as_stored`), through
    ``con`` (inside the build's transaction)."""
    if _columns(con, HASH_TABLE) != _HASH_COLUMNS:
        con.execute(templates.create_table(HASH_TABLE, _HASH_COLUMNS))
    con.execute(sql_text("writes/incremental/forget_hashes"),
                {"mart": mart + SALT_SUFFIX, "table_key": mart + TABLE_SUFFIX})
    checksum, count = _table_checksum(con, templates.ident(mart))
    store = sql_text("writes/incremental/store_mart_checksum")
    con.execute(store, {"table_key": mart + SALT_SUFFIX, "hash": salt, "n_rows": count})
    con.execute(store, {"table_key": mart + TABLE_SUFFIX, "hash": checksum, "n_rows": count})
