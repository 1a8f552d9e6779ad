-- Every monthly series' counts and populations (denominator: the population of a rate).
select indicator_id, area_code, period_start, numerator, denominator
from mart_indicator_values
where period_type = 'month'
order by indicator_id, area_code, period_start
