-- The values ranked: the given period types of every area, in a fixed order (group sums are
-- then bit-identical from run to run).
select
    indicator_id, period_type, period_start, period_end, area_code, numerator, denominator,
    population_year, value, ci95_lower, ci95_upper
from mart_indicator_values
where list_contains($period_types, period_type)
order by all
