"""data.police.uk street-level data in the warehouse: what could not be placed, how the force
totals compare with the ONS police force area tables, and rates for a chosen population year.

Counting happens in SQL (``stg_police_uk`` places each row in a local authority,
``int_police_uk_coverage`` says which area-months are reported, ``int_units_police_uk`` counts
them into the ordinary indicator units); this module's adapters read:

``mart_unplaced_rows``
    Rows counted in no area, per file, force, month and reason (never dropped silently): a mart
    that is pure SQL, ``sql/marts/mart_unplaced_rows.sql``.
``mart_police_uk_vs_ons``
    police.uk all crime (excluding anti-social behaviour) per force against the ONS table P1
    "Total recorded crime (excluding fraud)" for the 12 months that contain the police.uk
    months, as a monthly average; with the P3 force population against the sum of the force's
    local-authority populations (a check of ``config/police_force_areas.csv``).
:func:`indicator_values_for_population_year`
    ``mart_indicator_values`` rows recomputed with one stated mid-year population for every
    period (the ``--population-year`` override of the rankings).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

from scp_metrics.config import catalogue
from scp_metrics.indicators.values import compute_indicator_values
from scp_metrics.settings import Settings
from scp_metrics.warehouse.queries import query

__all__ = ["area_names", "build_police_uk_vs_ons", "build_unplaced_rows",
           "indicator_values_for_population_year"]


def area_names(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """``area_code, area_name``: the configured areas, then the latest ONS name of any other."""
    return query(con, "reads/common/area_names")


def build_unplaced_rows(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_unplaced_rows``: police.uk rows counted in no area, per file, force, month and
    reason (``no_lsoa``, ``unknown_lsoa_prefix``, ``area_not_covered``, ``unknown_force``),
    with the file's row count, the share, the LSOA-name prefixes involved and a message."""
    return query(con, "marts/mart_unplaced_rows")


def build_police_uk_vs_ons(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_police_uk_vs_ons``: per force and ONS table year, police.uk all crime in the
    months of that year that are loaded (a monthly average) against ONS table P1 "Total
    recorded crime (excluding fraud)" ÷ 12.

    The ONS tables are 12-month totals and no force has 12 loaded police.uk months inside
    one table year, so this compares monthly averages over different month sets: seasonality
    and police.uk's unrevised monthly extraction both move ``difference_pct``. The P3
    population of the force area (``ons_population``, rounded to 100) is set against the sum
    of its local authorities' populations for the same mid-year (``la_population``): they
    agree to rounding when ``config/police_force_areas.csv`` is right.
    """
    frame = query(con, "reads/police_uk/police_uk_vs_ons")
    frame["whole_year"] = frame["police_uk_months"] == 12
    frame["message"] = [
        (f"{r.police_force}: police.uk {r.police_uk_per_month:,.0f} crimes a month over "
         f"{r.police_uk_months} months ({r.months_compared}) vs ONS "
         f"{r.ons_per_month:,.0f} a month in the year ending {r.year_ending:%B %Y} "
         f"({r.difference_pct:+.1f}%)"
         + ("" if r.whole_year else "; not the same months: seasonality included"))
        for r in frame.itertuples(index=False)
    ]
    return frame


def indicator_values_for_population_year(
    con: duckdb.DuckDBPyConnection,
    population_year: int,
    *,
    config_dir: Path,
    indicator_ids: Iterable[str] | None = None,
    area_codes: Iterable[str] | None = None,
    period_types: Iterable[str] | None = None,
) -> pd.DataFrame:
    """``mart_indicator_values`` rows with every rate using the mid-``population_year``
    population (the ``--population-year`` override), from ``int_indicator_counts``.

    The default in the mart is the mid-year inside the period's financial year, falling back
    to the latest earlier one (``int_indicator_counts``). Here every period uses the stated
    year, so ``value_same_period_last_year`` and ``change_pct`` compare counts on one
    population. An area without that mid-year gets an empty value and population (never a
    silent fallback). Counts and percentages are unchanged.

    Parameters
    ----------
    con : DuckDB connection to a built warehouse.
    population_year : int, the ONS mid-year to use (e.g. 2018 for mid-2018).
    config_dir : the catalogue (``config/``).
    indicator_ids, area_codes, period_types : optional filters.
    """
    def listed(values: Iterable[str] | None) -> list[str] | None:
        return None if values is None else list(values)

    counts = query(con, "reads/police_uk/counts_for_population_year",
                   population_year=int(population_year), indicator_ids=listed(indicator_ids),
                   area_codes=listed(area_codes), period_types=listed(period_types))
    indicators = catalogue.read_indicators(config_dir)
    return compute_indicator_values(counts, indicators, area_names(con))
