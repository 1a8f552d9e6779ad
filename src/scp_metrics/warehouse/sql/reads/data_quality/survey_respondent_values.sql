-- The home area's survey indicators computed from the respondent-level answers.
select indicator_id, period_start, period_end, value
from mart_indicator_values
where area_code = $home_area and source = $source
order by indicator_id
