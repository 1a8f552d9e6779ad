"""Marts computed in Python (statistics that need a docstring with a reference).

Each entry is ``(table name, builder)``; a builder takes the open connection (inside the
transform's transaction, after every SQL model is built) and the settings, and returns the
mart as a DataFrame. They run in this order, so a builder may read the marts before it.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from scp_metrics import catalogue
from scp_metrics.indicators import compute_indicator_values
from scp_metrics.settings import Settings

MartBuilder = Callable[[duckdb.DuckDBPyConnection, Settings], pd.DataFrame]


def build_indicator_values(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    counts = con.execute("select * from int_indicator_counts order by all").df()
    names = con.execute("select area_code, area_name from ref_areas").df()
    return compute_indicator_values(counts, catalogue.read_indicators(settings.config_dir), names)


PYTHON_MARTS: list[tuple[str, MartBuilder]] = [
    ("mart_indicator_values", build_indicator_values),
]
