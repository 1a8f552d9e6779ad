-- Every monthly series' values, as published in mart_indicator_values.
select indicator_id, area_code, period_start, value
from mart_indicator_values
where period_type = 'month'
order by indicator_id, area_code, period_start
