-- Numerators with their denominators: the population of the period's financial year (by period
-- end) as int_population_years chooses it.
with periods as (
    select *, fy_start_year(period_end) as fy_year from int_indicator_periods
),

population as (
    select area_code, fy_year, population_year, population from int_population_years
)

select
    periods.indicator_id,
    periods.area_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    periods.numerator,
    periods.denominator_count,
    population.population,
    population.population_year,
    periods.source
from periods
left join population
    on population.area_code = periods.area_code and population.fy_year = periods.fy_year
