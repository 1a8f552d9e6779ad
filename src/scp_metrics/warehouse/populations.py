"""The population a rate uses, for callers outside the build (``scp-metrics rank``).

The rule is the marts' own, written once in ``sql/intermediate/int_population_years.sql``: the
ONS mid-year inside the period's financial year, else the latest earlier one.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from scp_metrics.warehouse.queries import query, query_rows

__all__ = ["mid_years_loaded", "populations_for_year", "populations_of_mid_year"]


def populations_for_year(con: duckdb.DuckDBPyConnection, area_codes: Iterable[str],
                         fy_year: int) -> pd.DataFrame:
    """``area_code, population, mid_year`` of each listed area for rates of periods ending in the
    financial year starting in ``fy_year`` (an area with no mid-year that early: no row).

    Raises
    ------
    LookupError
        When the warehouse's models were built by an earlier version (no
        ``int_population_years``): a refresh rebuilds them.
    """
    if not query_rows(con, "reads/common/table_exists", name="int_population_years")[0][0]:
        raise LookupError("the warehouse's models were built by an earlier version "
                          "(no int_population_years): run 'scp-metrics refresh --force'")
    return query(con, "reads/population/for_financial_year", area_codes=list(area_codes),
                 fy_year=int(fy_year))


def populations_of_mid_year(con: duckdb.DuckDBPyConnection, area_codes: Iterable[str],
                            mid_year: int) -> pd.DataFrame:
    """``area_code, population, mid_year`` of each listed area at mid-``mid_year``."""
    return query(con, "reads/population/of_mid_year", area_codes=list(area_codes),
                 mid_year=int(mid_year))


def mid_years_loaded(con: duckdb.DuckDBPyConnection, area_codes: Iterable[str]) -> list[int]:
    """The mid-years with a population for any of the listed areas, oldest first."""
    return [int(r[0]) for r in query_rows(con, "reads/population/mid_years",
                                          area_codes=list(area_codes))]
