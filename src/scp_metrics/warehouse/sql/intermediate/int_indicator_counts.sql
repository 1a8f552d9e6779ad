-- Numerators with their denominators: the ONS mid-year inside the period's financial year
-- (by period end), or the latest earlier mid-year when that one is not yet published.
with periods as (
    select *, fy_start_year(period_end) as wanted_year from int_indicator_periods
),

population as (
    select area_code, mid_year, population from stg_population
),

chosen as (
    select
        periods.*,
        max(population.mid_year) as population_year
    from periods
    left join population
        on population.area_code = periods.area_code
        and population.mid_year <= periods.wanted_year
    group by all
)

select
    chosen.indicator_id,
    chosen.area_code,
    chosen.period_type,
    chosen.period_start,
    chosen.period_end,
    chosen.numerator,
    chosen.denominator_count,
    population.population,
    chosen.population_year,
    chosen.source
from chosen
left join population
    on population.area_code = chosen.area_code
    and population.mid_year = chosen.population_year
