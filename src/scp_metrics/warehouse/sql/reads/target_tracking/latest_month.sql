-- The latest month with an indicator value for the area (null: none).
select max(period_start) as latest
from mart_indicator_values
where period_type = 'month' and area_code = $area_code
