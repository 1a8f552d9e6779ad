-- The ONS mid-year population a rate uses, for every area and financial year: the mid-year
-- inside the financial year (mid-2009 for 2009/10), else the latest earlier one (the mid-year
-- is not yet published). The population-year rule, written once: int_indicator_counts and
-- `scp-metrics rank` read it. Years run from the first mid-year loaded to the last financial
-- year any indicator period ends in.
with population as (
    select area_code, mid_year, population from stg_population
),

areas as (
    select distinct area_code from population
),

years as (
    select unnest(range(
        (select min(mid_year) from population),
        (select greatest(
            (select max(mid_year) from population),
            (select max(fy_start_year(period_end)) from int_indicator_periods)
        ) + 1)
    )) as fy_year
),

wanted as (
    select areas.area_code, years.fy_year from areas cross join years
)

select
    wanted.area_code,
    wanted.fy_year,
    population.mid_year as population_year,
    population.population
from wanted
asof inner join population
    on population.area_code = wanted.area_code and population.mid_year <= wanted.fy_year
