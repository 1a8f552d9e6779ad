-- One SPC series' values from a month on (the process after a suggested recalculation).
select period_start, value
from mart_spc
where indicator_id = $indicator_id and area_code = $area_code and period_start >= $period_start
order by period_start
