"""The SQL statements the warehouse generates over a table's name or columns, in one place.

Everything else is a file under ``sql/`` (:mod:`scp_metrics.warehouse.queries`). What is here
cannot be a file because its shape depends on a name or a list of columns known only at run
time: creating a model or a mart as a table or view, a typed table from a registered frame, a
table's checksum, the rows of a mart whose key is in a registered list. Identifiers are quoted
by :func:`ident`; values are never formatted in: they are bound parameters of the callers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["create_as", "create_table", "drop", "ident", "rows_with_keys", "set_option",
           "table_checksum", "table_digest", "table_from_frame"]


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def create_as(name: str, select: str, *, view: bool = False, temporary: bool = False) -> str:
    """``name`` (a table, or a view; ``temporary``: for this connection only) as the result of
    ``select``."""
    kind = ("temp " if temporary else "") + ("view" if view else "table")
    return f"create or replace {kind} {ident(name)} as {select}"


def drop(name: str, *, view: bool = False) -> str:
    return f"drop {'view' if view else 'table'} {ident(name)}"


def table_from_frame(name: str, frame: str, types: Mapping[str, str] | None = None, *,
                     temporary: bool = False) -> str:
    """Table ``name`` from the registered frame ``frame``: every column as it is, or each of
    ``types`` cast to its DuckDB type (a mart's contract)."""
    if types is None:
        return create_as(name, f"select * from {frame}", temporary=temporary)
    columns = ", ".join(f"cast({ident(c)} as {t}) as {ident(c)}" for c, t in types.items())
    return create_as(name, f"select {columns} from {frame}", temporary=temporary)


def create_table(name: str, columns: Iterable[tuple[str, str]], *, if_missing: bool = False) -> str:
    """An empty table ``name`` with ``(column, type)`` columns (``if_missing``: only when there is
    none yet; otherwise it replaces any table of that name)."""
    head = f"create table if not exists {ident(name)}" if if_missing \
        else f"create or replace table {ident(name)}"
    return head + " (\n    " + ",\n    ".join(f"{ident(c)} {t}" for c, t in columns) + "\n)"


def set_option(name: str, value: str) -> str:
    """``SET name = 'value'`` (DuckDB takes no bound parameter here: the caller checks
    ``value``, and a quote in it is doubled)."""
    return f"set {name} = '{value.replace(chr(39), chr(39) * 2)}'"


def table_digest(name: str) -> str:
    """One row: the row count of table ``name`` and the sum of its row hashes as text (the
    fingerprint :func:`scp_metrics.warehouse.connection.table_checksums` reports)."""
    return f"select count(*), coalesce(sum(hash(t)::hugeint), 0)::varchar from {ident(name)} t"


def table_checksum(relation: str) -> str:
    """One row: the sum of the row hashes of ``relation`` modulo 2**64 and its row count (an
    order-independent fingerprint of its content)."""
    return (f"select coalesce(sum(hash(t)) % 18446744073709551616, 0)::ubigint, count(*) "
            f"from {relation} as t")


def rows_with_keys(table: str, keys: Iterable[str], wanted: str) -> str:
    """The rows of ``table`` whose ``keys`` are a row of the registered frame ``wanted``, in the
    table's row order."""
    on = " and ".join(f"m.{ident(k)} = k.{ident(k)}" for k in keys)
    return f"select m.* from {ident(table)} as m semi join {wanted} as k on {on} order by m.rowid"
