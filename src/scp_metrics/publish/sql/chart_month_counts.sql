-- The monthly counts an SPC series rests on (for suppression of its points: the month's counts
-- and the series' key, whose period type secondary suppression may withhold).
with indicator_values as (
    select * from mart_indicator_values
),

months as (
    select indicator_id, area_code, period_type, period_start, numerator, denominator
    from indicator_values
    where indicator_id = $indicator_id and area_code = $area_code and period_type = 'month'
)

select * from months
order by period_start
