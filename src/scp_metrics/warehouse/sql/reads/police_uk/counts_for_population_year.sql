-- int_indicator_counts with every rate's population the mid-$population_year estimate (the
-- --population-year override); an area without that mid-year gets no population. Each filter
-- applies when its list is given (null: every indicator, area or period type).
with counts as (
    select * from int_indicator_counts
    where ($indicator_ids is null or list_contains($indicator_ids, indicator_id))
        and ($area_codes is null or list_contains($area_codes, area_code))
        and ($period_types is null or list_contains($period_types, period_type))
),

population as (
    select area_code, mid_year, population from stg_population where mid_year = $population_year
)

select
    c.indicator_id,
    c.area_code,
    c.period_type,
    c.period_start,
    c.period_end,
    c.numerator,
    c.denominator_count,
    p.population,
    case when p.population is not null then p.mid_year end as population_year,
    c.source
from counts as c
left join population as p on p.area_code = c.area_code
order by all
