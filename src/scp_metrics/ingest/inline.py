"""A typed column's lookup as an expression over its cell, where one reads every text alike.

The engine parses each distinct text of a typed column once (:func:`scp_metrics.ingest.parse.
lookup`) and, by default, joins the values back to the rows. A join costs the typed insert its
order: DuckDB keeps a query's row order for a scan of one table with ``WHERE`` and ``SELECT``
(and ``UNION ALL``) but not through a join, so the joined rows are sorted back into file order,
a sort of the whole file with every text column as payload (a third of the insert of a 333k-row
police file). Most lookups need no join:

* a column with few distinct texts (flags, codes): a ``CASE`` over them, each text's value
  written as a literal;
* a date column whose every text is in one of the parser's formats: DuckDB's ``try_strptime``
  with that format;
* a text-like column (``time``) whose every text is already its value: the cell itself.

A candidate is used only when it gives, for every distinct text of the column (the lookup holds
them all, each row's text among them), exactly the value the lookup holds: the typed rows are
the same whichever way they are read (``tests/unit/ingest/test_inline.py``), and a column with
a text no candidate reads alike keeps its join.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime

import duckdb
import pandas as pd

from scp_metrics.ingest.parse import DATE_FORMATS, DATETIME_FORMATS
from scp_metrics.ingest.text import sql_text

CASE_LIMIT = 16
"""Most distinct texts written out as a ``CASE``."""

Build = Callable[[str], str]
"""SQL of the typed value of a cell, given the SQL of the cell's text."""


def expression(con: duckdb.DuckDBPyConnection, kind: str, frame: pd.DataFrame, cell: str,
               name: str) -> str | None:
    """SQL reading ``cell`` (SQL of a row's text) as the lookup ``frame`` (``k`` text, ``v``
    value) reads it, or ``None`` when no candidate reads every text of it alike (``name``: a
    name free to register ``frame`` under while checking)."""
    candidates = _candidates(kind, frame)
    if not candidates:
        return None
    vtype = SQL_TYPES.get(kind, "VARCHAR")
    memo = (kind, tuple(frame["k"].tolist()),  # values as text: pd.NA compares as NA
            tuple(f"{type(v).__name__}:{v}" for v in frame["v"].tolist()))
    chosen = _CHOSEN.get(memo, -1)
    if chosen == -1:
        chosen = _choose(con, candidates, frame, vtype, name)
        if len(_CHOSEN) >= _CHOSEN_LIMIT:
            _CHOSEN.clear()
        _CHOSEN[memo] = chosen
    return None if chosen is None else f"cast({candidates[chosen](cell)} as {vtype})"


SQL_TYPES = {"date": "TIMESTAMP", "datetime": "TIMESTAMP", "flag": "BOOLEAN", "int": "BIGINT",
             "float": "DOUBLE"}
"""DuckDB's type of each kind's lookup values (:data:`scp_metrics.ingest.parse.DTYPES`)."""

#: The candidate chosen for a lookup (its kind, texts and values), or ``None``: flags and codes
#: repeat from file to file; the choice is a pure function of these.
_CHOSEN: dict[tuple[str, tuple[str, ...], tuple[str, ...]], int | None] = {}
_CHOSEN_LIMIT = 512


def _choose(con: duckdb.DuckDBPyConnection, candidates: list[Build], frame: pd.DataFrame,
            vtype: str, name: str) -> int | None:
    """The first candidate reading every text of ``frame`` as its value, if any."""
    con.register(name, frame[["k", "v"]])
    try:
        for i, build in enumerate(candidates):
            try:
                differ = con.execute(f"select count(*) from {name} f where f.v is distinct from "
                                     f"cast({build('f.k')} as {vtype})").fetchall()[0][0]
            except duckdb.Error:  # e.g. a literal DuckDB cannot read as the column's type
                continue
            if differ == 0:
                return i
        return None
    finally:
        con.unregister(name)


def _candidates(kind: str, frame: pd.DataFrame) -> list[Build]:
    out: list[Build] = []
    if len(frame) <= CASE_LIMIT:
        pairs = [(str(k), _literal(v))
                 for k, v in zip(frame["k"].tolist(), frame["v"].tolist(), strict=True)]
        if all(lit is not None for _, lit in pairs):
            out.append(lambda cell: "case " + cell + " " + " ".join(
                f"when {sql_text(k)} then {lit}" for k, lit in pairs) + " end")
    if kind in ("date", "datetime"):
        formats = DATETIME_FORMATS + DATE_FORMATS if kind == "datetime" else DATE_FORMATS
        out += [_strptime(f) for f in formats]
    if kind in ("str", "time"):
        out.append(lambda cell: f"nullif({cell}, '')")
    return out


def _strptime(fmt: str) -> Build:
    return lambda cell: f"try_strptime({cell}, {sql_text(fmt)})"


def _literal(value: object) -> str | None:
    """``value`` as a SQL literal (``None``: not one this module writes)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):  # pd.Timestamp is a datetime
        return f"timestamp '{pd.Timestamp(value).isoformat(sep=' ')}'"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "null" if math.isnan(value) else repr(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return sql_text(value)
    return None
