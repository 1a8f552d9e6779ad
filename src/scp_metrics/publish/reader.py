"""The one reader of marts for outputs: CSVs, the workbook, charts, the report and notebooks.

Every figure an output shows is read here, and this is the only module of ``publish`` (and of
:mod:`scp_metrics.api`) that imports duckdb. The queries are files, ``publish/sql/<name>.sql``
(one select each, jaffle-shop CTEs, values as bound ``$parameters``); Python only runs them:

>>> reader = MartReader.open("data/warehouse/scp.duckdb")          # doctest: +SKIP
>>> reader.frame("chart_trend_values", indicator_id="all_crime",    # doctest: +SKIP
...              area_code="E06000045", period_end=date(2009, 12, 31))

Whole tables are read by name (:meth:`MartReader.table`, :meth:`MartReader.table_chunks`); a
name is checked against the warehouse's catalogue before it is quoted into the one statement
template that reads it, and filter values are always bound.

The CLI may call these functions too (``latest_month``, ``marts``, ``frame``) to print marts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

__all__ = ["Connection", "MartReader", "as_reader", "query_text"]

Connection = duckdb.DuckDBPyConnection
"""An open DuckDB connection, for callers that hold one (steps, tests)."""

SQL_PACKAGE = "scp_metrics.publish"


@cache
def query_text(name: str) -> str:
    """The text of ``publish/sql/<name>.sql``."""
    path = resources.files(SQL_PACKAGE).joinpath("sql", f"{name}.sql")
    if not path.is_file():
        raise KeyError(f"no query {name!r} in scp_metrics/publish/sql")
    return path.read_text()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class MartReader:
    """Read-only access to the marts and reference tables an output needs.

    Wraps an open connection (``MartReader(con)``; the caller keeps it) or opens the warehouse
    file read-only (:meth:`open`; :meth:`close` closes it). Results are always exhausted, and
    every query whose order reaches a user has an ``order by``.
    """

    def __init__(self, con: Connection, *, owned: bool = False) -> None:
        self._con = con
        self._owned = owned

    @classmethod
    def open(cls, warehouse: str | Path) -> MartReader:
        """The warehouse file opened read-only.

        Raises
        ------
        FileNotFoundError
            When there is no warehouse at ``warehouse`` (the message says to refresh first).
        """
        from scp_metrics.warehouse import connect

        return cls(connect(Path(warehouse), read_only=True), owned=True)

    def close(self) -> None:
        """Close the connection if this reader opened it."""
        if self._owned:
            self._con.close()

    def __enter__(self) -> MartReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------- catalogue

    def tables(self) -> list[str]:
        """Every table and view of the warehouse, by name."""
        return [r[0] for r in self.rows("catalog_tables")]

    def has(self, name: str) -> bool:
        """Whether a table or view called ``name`` exists."""
        return bool(self.value("catalog_table_exists", table_name=name))

    def marts(self) -> list[str]:
        """The marts (``mart_*``), by name."""
        return [name for name in self.tables() if name.startswith("mart_")]

    def columns(self, table: str) -> dict[str, str]:
        """``table``'s columns and their DuckDB types, in the table's order."""
        return dict(self.rows("catalog_columns", table_name=table))

    def _checked(self, table: str) -> str:
        if not self.has(table):
            raise KeyError(f"no table {table!r} in the warehouse")
        return _quoted(table)

    # ----------------------------------------------------------------------- named queries

    def _execute(self, query: str, params: Mapping[str, Any]) -> duckdb.DuckDBPyConnection:
        return self._con.execute(query_text(query), dict(params))

    def frame(self, query: str, /, **params: Any) -> pd.DataFrame:
        """The rows of query ``query`` as a DataFrame."""
        return self._execute(query, params).df()

    def rows(self, query: str, /, **params: Any) -> list[tuple[Any, ...]]:
        """The rows of query ``query`` as tuples."""
        return self._execute(query, params).fetchall()

    def value(self, query: str, /, **params: Any) -> Any:
        """The first column of the first row of query ``query`` (None when it has no rows)."""
        rows = self.rows(query, **params)
        return rows[0][0] if rows else None

    def count(self, query: str, /, **params: Any) -> int:
        """How many rows query ``query`` gives."""
        sql = f"select count(*) from (\n{query_text(query)}\n)"
        return int(self._con.execute(sql, dict(params)).fetchall()[0][0])

    def empty(self, query: str, /, **params: Any) -> pd.DataFrame:
        """Query ``query``'s columns, without rows."""
        sql = f"select * from (\n{query_text(query)}\n) limit 0"
        return self._con.execute(sql, dict(params)).df()

    def chunks(self, query: str, params: Mapping[str, Any], vectors: int,
               limit: int | None = None) -> Iterator[pd.DataFrame]:
        """Query ``query``'s rows, ``vectors`` DuckDB vectors (2,048 rows) at a time, on a
        cursor of its own; at most ``limit`` rows. Nothing is yielded when there are none."""
        cur = self._con.cursor()
        try:
            result = cur.execute(query_text(query), dict(params))
            left = limit
            while left is None or left > 0:
                chunk = result.fetch_df_chunk(vectors)
                if chunk.empty:
                    break
                if left is not None:
                    chunk = chunk.iloc[:left]
                    left -= len(chunk)
                yield chunk
        finally:
            cur.close()

    # ----------------------------------------------------------------- whole tables by name

    def table(self, table: str, /, **equal: Any) -> pd.DataFrame:
        """Every row of ``table`` whose columns equal ``equal`` (``area_code="E06000045"``),
        in a fixed order (every column)."""
        known = self.columns(table)
        unknown = [c for c in equal if c not in known]
        if unknown:
            raise KeyError(f"{table} has no column {', '.join(map(repr, unknown))}")
        names = list(equal)
        clause = " and ".join(f"{_quoted(c)} = ${i + 1}" for i, c in enumerate(names)) or "true"
        sql = f"select * from {self._checked(table)} where {clause} order by all"
        return self._con.execute(sql, [equal[c] for c in names]).df()

    def _order(self, table: str, order_by: Sequence[str]) -> str:
        """``order by`` the columns ``order_by``, then every other column (no ``order_by``:
        every column in turn)."""
        if not order_by:
            return "order by all"
        known = self.columns(table)
        unknown = [c for c in order_by if c not in known]
        if unknown:
            raise KeyError(f"{table} has no column {', '.join(map(repr, unknown))}")
        rest = [c for c in known if c not in order_by]
        return "order by " + ", ".join(_quoted(c) for c in [*order_by, *rest])

    def table_chunks(self, table: str, vectors: int | None,
                     order_by: Sequence[str] = ()) -> Iterator[pd.DataFrame]:
        """Every row of ``table`` in a fixed order (by the columns ``order_by`` first),
        ``vectors`` DuckDB vectors at a time (``None``: all at once). The first chunk is
        yielded even when it is empty."""
        sql = f"select * from {self._checked(table)} {self._order(table, order_by)}"
        cur = self._con.cursor()
        try:
            result = cur.execute(sql)
            first = True
            while True:
                chunk = result.df() if vectors is None else result.fetch_df_chunk(vectors)
                if chunk.empty and not first:
                    break
                yield chunk
                if chunk.empty or vectors is None:
                    break
                first = False
        finally:
            cur.close()

    # ------------------------------------------------------------------------- CSV writing

    def copy_table_csv(self, table: str, target: Path, order_by: Sequence[str] = ()) -> None:
        """``table`` written to ``target`` as CSV by DuckDB, in a fixed order (by the columns
        ``order_by`` first); text that a spreadsheet would read as a formula is neutralised
        (:func:`_csv_select`)."""
        checked = self._checked(table)
        select = _csv_select(self.columns(table))
        self._con.execute(f"copy (select {select} from {checked} "
                          f"{self._order(table, order_by)}) to "
                          f"{_literal(target)} (header, delimiter ',')")

    def write_frame_csv(self, frame: pd.DataFrame, target: Path, *, header: bool,
                        dates: tuple[str, ...] = (), texts: tuple[str, ...] = ()) -> None:
        """``frame`` written to ``target`` as CSV by DuckDB (the bytes ``copy_table_csv``
        would write for the same values); the ``dates`` columns as dates, as the marts hold
        them (pandas gives them back as timestamps); the ``texts`` columns (text in the mart)
        neutralised as ``copy_table_csv`` neutralises text."""
        types = {c: "DATE" if c in dates else "VARCHAR" if c in texts else "OTHER"
                 for c in frame.columns}
        select = _csv_select(types)
        self._con.register("_published", frame)
        try:
            self._con.execute(f"copy (select {select} from _published) to {_literal(target)} "
                              f"(header {'true' if header else 'false'}, delimiter ',')")
        finally:
            self._con.unregister("_published")

    # --------------------------------------------------------------- figures callers share

    def latest_month(self, area_code: str) -> str | None:
        """``YYYY-MM`` of the area's latest monthly or quarterly value (None: no data)."""
        if not self.has("mart_indicator_values"):
            return None
        end = self.value("latest_month", area_code=area_code)
        return None if end is None else f"{pd.Timestamp(end):%Y-%m}"

    def indicator_measures(self) -> dict[str, str]:
        """Indicator id → measure (``rate``, ``count``, ``percentage``) from ``ref_indicators``."""
        return dict(self.rows("indicator_measures"))

    def indicator_units(self) -> dict[str, str]:
        """Indicator id → unit (``rate per 1,000``, ``%``, ``count``, ...) from ``ref_indicators``."""
        return dict(self.rows("indicator_units"))

    def area_name(self, area_code: str) -> str | None:
        """The area's name in ``ref_areas`` (None when it is not there)."""
        if not self.has("ref_areas"):
            return None
        name = self.value("area_name", area_code=area_code)
        return None if name is None else str(name)


#: A CSV cell starting with one of these is read as a formula by spreadsheets (OWASP "CSV
#: Injection"; the characters of :data:`scp_metrics.escaping.FORMULA_STARTS`).
_FORMULA_CHARS = "'=', '+', '-', '@', chr(9), chr(13)"


def _csv_select(types: Mapping[str, str]) -> str:
    """The select list that writes columns of DuckDB ``types`` to a CSV: ``VARCHAR`` text
    prefixed with a single quote where it starts like a formula (numbers are written as they
    are), ``DATE`` cast to a date."""
    parts = []
    for name, kind in types.items():
        column = _quoted(name)
        if kind == "DATE":
            parts.append(f"{column}::date as {column}")
        elif kind == "VARCHAR":
            parts.append(f"case when left({column}, 1) in ({_FORMULA_CHARS}) "
                         f"then '''' || {column} else {column} end as {column}")
        else:
            parts.append(column)
    return ", ".join(parts)


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def as_reader(source: MartReader | Connection) -> MartReader:
    """``source`` as a reader: a reader as it is, a connection wrapped (the caller keeps it)."""
    if isinstance(source, MartReader):
        return source
    if isinstance(source, duckdb.DuckDBPyConnection):
        return MartReader(source)
    raise TypeError(f"expected a MartReader or a DuckDB connection, not {type(source).__name__}")


def as_date(value: Any) -> date:
    """A date for a bound parameter from a Timestamp, a date or ``YYYY-MM-DD`` text."""
    return pd.Timestamp(value).date()


def plan_baselines(reader: MartReader, area_code: str, baseline_start: date) -> pd.DataFrame:
    """Every indicator with values for ``area_code``, its outturn in the financial year starting
    ``baseline_start`` (where the data has the whole year) and its latest period end: what
    ``scp-metrics plan init`` writes a plan skeleton from (``sql/plan_baselines.sql``)."""
    return reader.frame("plan_baselines", area_code=area_code, baseline_start=baseline_start)
