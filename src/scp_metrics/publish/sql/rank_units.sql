-- The month and quarter rows of one indicator for the listed areas that overlap the span.
select area_code, period_type, period_start, period_end, numerator, denominator
from mart_indicator_values
where indicator_id = $indicator_id
    and period_type in ('month', 'quarter')
    and list_contains($members, area_code)
    and period_end >= $start
    and period_start <= $end
order by area_code, period_type, period_start
