"""Building staging, intermediate and mart tables from the raw tables.

SQL lives in ``sql/<layer>/<table>.sql`` (one select each); this module decides the order and
materialises each as a table, all in one transaction: a failure leaves the marts as they were.

The exception is :data:`VIEW_MODELS`: thin per-row projections of a large raw table (the
record-level police extract: millions of rows, renamed and one code trimmed) are views, not
tables. Copying them cost the longest SQL step of every build (3.7 s of 7.6 s for the SQL
models at 300 areas with 4.9M police rows, ~4× that at 20M) whether or not anything changed,
and the models that read them aggregate straight from the raw table in the same time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import duckdb
import pandas as pd

from scp_metrics.config import catalogue
from scp_metrics.config.series_breaks import read_series_breaks
from scp_metrics.settings import Settings
from scp_metrics.warehouse import incremental, templates
from scp_metrics.warehouse.connection import table_exists
from scp_metrics.warehouse.contracts import MART_CONTRACTS, contract_for
from scp_metrics.warehouse.history import marts_current, record_marts_built
from scp_metrics.warehouse.mart_tables import WrittenMart, replace_mart
from scp_metrics.warehouse.marts import PYTHON_MARTS
from scp_metrics.warehouse.queries import query_rows, sql_text

MODELS: tuple[tuple[str, str], ...] = (
    ("staging", "stg_police_crime"),
    ("staging", "stg_ho_csp_crime"),
    ("staging", "stg_population"),
    ("staging", "stg_police_uk"),
    ("staging", "stg_ons_pfa"),
    ("staging", "stg_istv"),
    ("staging", "stg_fire"),
    ("staging", "stg_marac"),
    ("staging", "stg_msg_membership"),
    ("intermediate", "int_crime_units"),
    ("intermediate", "int_months_covered"),
    ("intermediate", "int_units_offence_codes"),
    ("intermediate", "int_units_events"),
    ("intermediate", "int_police_uk_coverage"),
    ("intermediate", "int_units_police_uk"),
    ("intermediate", "int_indicator_units"),
    ("intermediate", "int_indicator_periods"),
    ("intermediate", "int_population_years"),
    ("intermediate", "int_indicator_counts"),
)

#: Models created as views over the raw tables instead of copied into tables (see above).
VIEW_MODELS: frozenset[str] = frozenset({"stg_police_crime"})


def read_sql(layer: str, name: str) -> str:
    return sql_text(f"{layer}/{name}")


def materialise(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> None:
    """``name`` as the result of ``sql``: a view for :data:`VIEW_MODELS`, a table otherwise
    (an object of the other kind left by an earlier version is dropped first)."""
    view = name in VIEW_MODELS
    existing = query_rows(con, "reads/common/table_type", name=name)
    if existing and (existing[0][0] == "VIEW") != view:
        con.execute(templates.drop(name, view=existing[0][0] == "VIEW"))
    con.execute(templates.create_as(name, sql, view=view))


def replace_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    con.register("_frame", frame)
    try:
        con.execute(templates.table_from_frame(name, "_frame"))
    finally:
        con.unregister("_frame")


def load_reference_tables(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    cfg = settings.config_dir
    codes = catalogue.read_offence_codes(cfg)
    indicators = catalogue.read_indicators(cfg)
    replace_table(con, "ref_areas", catalogue.read_areas(cfg))
    replace_table(con, "ref_area_name_lookup", catalogue.read_area_name_lookup(cfg))
    replace_table(con, "ref_offence_codes", codes)
    replace_table(con, "ref_indicators", catalogue.indicator_table(indicators))
    replace_table(con, "ref_indicator_offence_codes",
                   catalogue.indicator_offence_codes(indicators, codes))
    replace_table(con, "ref_home_area", pd.DataFrame({"area_code": [settings.home_area]}))
    replace_table(con, "ref_police_uk_crime_types", catalogue.read_police_uk_crime_types(cfg))
    replace_table(con, "ref_lsoa_prefix_lookup", catalogue.read_lsoa_prefix_lookup(cfg))
    replace_table(con, "ref_police_forces", catalogue.read_police_forces(cfg))
    replace_table(con, "ref_police_force_areas", catalogue.read_police_force_areas(cfg))
    replace_table(con, "ref_series_breaks", read_series_breaks(cfg, indicators))


def build_models(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Rebuild every model and mart; returns row counts per mart. One transaction."""
    say = progress or (lambda _msg: None)
    con.execute("begin transaction")
    try:
        con.execute(sql_text("macros"))
        load_reference_tables(con, settings)
        for layer, name in MODELS:
            say(f"building {name}")
            materialise(con, name, read_sql(layer, name))
        rows: dict[str, int] = {}
        for name, builder in PYTHON_MARTS:
            say(f"building {name}")
            mart = builder(con, settings)
            if isinstance(mart, WrittenMart):  # written by its builder, reusing rows in place
                rows[name], note = mart.n_rows, mart.progress
            else:
                replace_mart(con, contract_for(name), mart)
                rows[name], note = len(mart), mart.attrs.get("progress")
            if note:  # e.g. "mart_spc: 20 series recomputed, 5,860 reused"
                say(str(note))
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction (disk full) has
            con.execute("rollback")             # none to roll back: keep the root cause
        raise
    return rows


def marts_up_to_date(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every model and published mart exists and they were built from the ledger as it
    is now (not: a run died between loading and building, a batch was restored since, or the
    warehouse was built by an earlier version that had no such model or mart yet)."""
    names = [name for _, name in MODELS] + list(MART_CONTRACTS)
    return all(table_exists(con, name) for name in names) and marts_current(con)


def rebuild(con: duckdb.DuckDBPyConnection, settings: Settings, *, force: bool = False,
            progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """:func:`build_models` and remember the ledger they were built from; ``force`` also
    recomputes every series of the incremental marts (``mart_spc``, ``mart_trends``) instead of
    reusing the unchanged ones (:mod:`scp_metrics.warehouse.incremental`)."""
    if force:  # a full recomputation: nothing is reused (losing the hashes only costs time)
        con.execute(f"drop table if exists {incremental.HASH_TABLE}")
    rows = build_models(con, settings, progress)
    record_marts_built(con)
    return rows

