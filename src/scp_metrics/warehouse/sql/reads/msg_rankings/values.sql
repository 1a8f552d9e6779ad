-- The values ranked: the given period types of the group's members (the other areas' rows
-- cannot change a ranking: compute_rankings ignores them, and reading them cost ~1 s of string
-- comparisons at 300 areas), in a fixed order (group sums are then bit-identical from run to
-- run).
select
    indicator_id, period_type, period_start, period_end, area_code, numerator, denominator,
    population_year, value, ci95_lower, ci95_upper
from mart_indicator_values
where list_contains($period_types, period_type) and list_contains($area_codes, area_code)
order by all
