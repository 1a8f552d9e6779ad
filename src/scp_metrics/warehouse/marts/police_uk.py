"""data.police.uk street-level data in the warehouse: what could not be placed, how the force
totals compare with the ONS police force area tables, and rates for a chosen population year.

Counting happens in SQL (``stg_police_uk`` places each row in a local authority,
``int_police_uk_coverage`` says which area-months are reported, ``int_units_police_uk`` counts
them into the ordinary indicator units); this module builds three marts and one helper:

``mart_unplaced_rows``
    Rows counted in no area, per file, force, month and reason (never dropped silently).
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

__all__ = [
    "AREA_NAMES_SQL", "UNPLACED_REASONS", "build_unplaced_rows", "build_police_uk_vs_ons",
    "indicator_values_for_population_year",
]

#: Area names for marts: the configured areas first, then the latest ONS name of any other code.
AREA_NAMES_SQL = """
select area_code, area_name from ref_areas
union all
select area_code, arg_max(area_name, mid_year) as area_name
from stg_population
where area_code not in (select area_code from ref_areas)
group by area_code
"""

UNPLACED_REASONS = {
    "no_lsoa": "no LSOA: the row has no location, so it cannot be placed in an area",
    "unknown_lsoa_prefix": "the LSOA name's local authority matches no ONS name in the loaded "
                           "population workbook and is not in config/lsoa_prefix_lookup.csv",
    "area_not_covered": "placed in a local authority whose own police force's file for this "
                        "month is not loaded (config/police_force_areas.csv): counted nowhere",
    "unknown_force": "the file's force ('Falls within') is not in config/police_forces.csv",
}

_UNPLACED_SQL = """
with rows as (
    select
        s.batch_id,
        s.falls_within,
        s.month_start,
        s.lsoa_prefix,
        case
            when s.force_pfa_code is null then 'unknown_force'
            when s.unplaced_reason is not null then s.unplaced_reason
            when cv.area_code is null then 'area_not_covered'
        end as reason
    from stg_police_uk as s
    left join int_police_uk_coverage as cv
        on cv.area_code = s.area_code and cv.month_start = s.month_start
),

files as (
    select batch_id, count(*) as file_rows from stg_police_uk group by batch_id
)

select
    b.file_name,
    r.batch_id,
    r.falls_within as police_force,
    r.month_start as month,
    r.reason,
    count(*) as rows,
    any_value(f.file_rows) as file_rows,
    100.0 * count(*) / any_value(f.file_rows) as share_pct,
    string_agg(distinct coalesce(r.lsoa_prefix, '(no LSOA)'), '; '
               order by coalesce(r.lsoa_prefix, '(no LSOA)')) as lsoa_prefixes
from rows as r
inner join files as f on f.batch_id = r.batch_id
left join load_batches as b on b.batch_id = r.batch_id
where r.reason is not null
group by all
order by r.falls_within, r.month_start, r.reason
"""


def typed(frame: pd.DataFrame, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """A mart frame DuckDB stores with real types even when empty: ``dates`` as DATE, text
    columns with no values as VARCHAR (not DuckDB's NULL type)."""
    frame = frame.copy()
    for col in dates:
        frame[col] = pd.to_datetime(frame[col]).dt.date if len(frame) else \
            pd.Series(dtype="datetime64[us]")
    for col in frame.columns:
        if frame[col].dtype == object and frame[col].isna().all():
            frame[col] = frame[col].astype("string")
    return frame


def build_unplaced_rows(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_unplaced_rows``: police.uk rows counted in no area, per file, force, month and
    reason (``no_lsoa``, ``unknown_lsoa_prefix``, ``area_not_covered``, ``unknown_force``),
    with the file's row count, the share, the LSOA-name prefixes involved and a message."""
    frame = con.execute(_UNPLACED_SQL).df()
    frame["message"] = frame["reason"].map(UNPLACED_REASONS)
    return typed(frame, dates=("month",))


_COMPARE_SQL = r"""
with types as (
    select crime_type, in_all_crime from ref_police_uk_crime_types
),

months as (
    select
        s.force_pfa_code as pfa_code,
        s.month_start,
        count(*) filter (where types.in_all_crime) as crimes,
        count(*) filter (where not types.in_all_crime) as asb
    from stg_police_uk as s
    left join types on types.crime_type = s.crime_type
    where s.force_pfa_code is not null
    group by all
),

ons as (
    select area_code as pfa_code, area_name, period_start, year_ending, value as ons_total
    from stg_ons_pfa
    where table_id = 'P1' and measure_key = 'total recorded crime (excluding fraud)'
),

population as (
    select
        area_code as pfa_code,
        year_ending,
        value as ons_population,
        try_cast(regexp_extract(measure, 'mid-(\d{4})', 1) as integer) as population_mid_year
    from stg_ons_pfa
    where table_id = 'P3' and starts_with(measure_key, 'population figures')
),

local_authorities as (
    select areas.pfa_code, p.mid_year, sum(p.population) as la_population,
           count(*) as local_authorities
    from ref_police_force_areas as areas
    inner join stg_population as p on p.area_code = areas.area_code
    group by all
),

compared as (
    select
        ons.pfa_code,
        ons.area_name as police_force,
        ons.period_start,
        ons.year_ending,
        count(*) as police_uk_months,
        string_agg(strftime(months.month_start, '%Y-%m'), ', ' order by months.month_start)
            as months_compared,
        sum(months.crimes) as police_uk_crimes,
        sum(months.asb) as police_uk_asb,
        sum(months.crimes) / count(*) as police_uk_per_month,
        any_value(ons.ons_total) as ons_total,
        any_value(ons.ons_total) / 12 as ons_per_month
    from ons
    inner join months
        on months.pfa_code = ons.pfa_code
        and months.month_start between ons.period_start and ons.year_ending
    group by all
)

select
    compared.*,
    100 * (compared.police_uk_per_month / compared.ons_per_month - 1) as difference_pct,
    population.population_mid_year,
    population.ons_population,
    local_authorities.la_population,
    local_authorities.local_authorities
from compared
left join population
    on population.pfa_code = compared.pfa_code and population.year_ending = compared.year_ending
left join local_authorities
    on local_authorities.pfa_code = compared.pfa_code
    and local_authorities.mid_year = population.population_mid_year
order by compared.pfa_code, compared.year_ending
"""


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
    frame = con.execute(_COMPARE_SQL).df()
    frame["whole_year"] = frame["police_uk_months"] == 12
    frame["message"] = [
        (f"{r.police_force}: police.uk {r.police_uk_per_month:,.0f} crimes a month over "
         f"{r.police_uk_months} months ({r.months_compared}) vs ONS "
         f"{r.ons_per_month:,.0f} a month in the year ending {r.year_ending:%B %Y} "
         f"({r.difference_pct:+.1f}%)"
         + ("" if r.whole_year else "; not the same months: seasonality included"))
        for r in frame.itertuples(index=False)
    ]
    return typed(frame, dates=("period_start", "year_ending"))


def indicator_values_for_population_year(
    con: duckdb.DuckDBPyConnection,
    population_year: int,
    *,
    indicator_ids: Iterable[str] | None = None,
    area_codes: Iterable[str] | None = None,
    period_types: Iterable[str] | None = None,
    config_dir: Path | None = None,
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
    indicator_ids, area_codes, period_types : optional filters.
    config_dir : the catalogue (``config/``); by default the configured one.
    """
    from scp_metrics.settings import get_settings

    where: list[str] = ["1 = 1"]
    params: list[object] = [int(population_year)]
    for column, values in (("indicator_id", indicator_ids), ("area_code", area_codes),
                           ("period_type", period_types)):
        if values is not None:
            values = list(values)
            where.append(f"c.{column} in (select unnest(?))")
            params.append(values)
    counts = con.execute(
        "select c.indicator_id, c.area_code, c.period_type, c.period_start, c.period_end, "
        "c.numerator, c.denominator_count, p.population, "
        "case when p.population is not null then p.mid_year end as population_year, c.source "
        "from int_indicator_counts as c "
        "left join stg_population as p on p.area_code = c.area_code and p.mid_year = ? "
        f"where {' and '.join(where)} order by all",
        [params[0], *params[1:]]).df()
    names = con.execute(AREA_NAMES_SQL).df()
    indicators = catalogue.read_indicators(config_dir or get_settings().config_dir)
    return compute_indicator_values(counts, indicators, names)
