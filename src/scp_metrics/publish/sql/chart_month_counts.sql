-- The monthly counts an SPC series rests on (for small-number suppression of its points).
with indicator_values as (
    select * from mart_indicator_values
),

months as (
    select period_start, numerator, denominator from indicator_values
    where indicator_id = $indicator_id and area_code = $area_code and period_type = 'month'
)

select * from months
order by period_start
