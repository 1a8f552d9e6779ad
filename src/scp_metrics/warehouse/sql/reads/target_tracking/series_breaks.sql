-- The break dates of one indicator in one area (area-wide breaks and the area's own).
select distinct break_date
from ref_series_breaks
where indicator_id = $indicator_id and (area_code is null or area_code = $area_code)
order by break_date
