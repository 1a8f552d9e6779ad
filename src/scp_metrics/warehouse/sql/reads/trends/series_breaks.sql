-- The series breaks a trend window must not cross, with their reasons.
select indicator_id, area_code, break_date, reason
from ref_series_breaks
order by all
