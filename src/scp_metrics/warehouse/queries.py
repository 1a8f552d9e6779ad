"""Running the SQL files of ``warehouse/sql/``: the SQL lives in files, Python only executes it.

A query is named by its path under ``sql/`` without ``.sql``: ``"reads/spc/monthly_values"``.
Values are bound parameters (DuckDB's ``$name``), never formatted into the text.

Layout:

``staging/``, ``intermediate/``
    The models, materialised in order by :func:`scp_metrics.warehouse.build.build_models`.
``marts/``
    A mart that is pure SQL: one ``.sql`` file, its name the mart's.
``reads/<mart or topic>/``
    What a Python mart's adapter (:mod:`scp_metrics.warehouse.marts`) reads before it calls
    the pure compute, and the warehouse's other reads; one select each.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import duckdb
import pandas as pd

__all__ = ["query", "query_rows", "sql_text"]


@cache
def sql_text(name: str) -> str:
    """The text of ``sql/<name>.sql`` (read once)."""
    path = resources.files("scp_metrics.warehouse").joinpath("sql", *f"{name}.sql".split("/"))
    return path.read_text(encoding="utf-8")


def query(con: duckdb.DuckDBPyConnection, name: str, /, **params: Any) -> pd.DataFrame:
    """The rows of query ``name`` as a frame (``params`` bound to its ``$name`` parameters)."""
    return con.execute(sql_text(name), params or None).df()


def query_rows(con: duckdb.DuckDBPyConnection, name: str, /, **params: Any) -> list[tuple]:
    """The rows of query ``name`` as tuples (every row fetched: no result left open)."""
    return con.execute(sql_text(name), params or None).fetchall()
