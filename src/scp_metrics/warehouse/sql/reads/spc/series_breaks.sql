-- The series breaks SPC limits are rebased at.
select indicator_id, area_code, break_date
from ref_series_breaks
order by all
