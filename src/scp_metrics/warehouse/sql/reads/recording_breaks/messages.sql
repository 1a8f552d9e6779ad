-- The suspected recording breaks of the series shown (one sentence each).
select message
from mart_recording_breaks
where list_contains($indicator_ids, indicator_id) and list_contains($area_codes, area_code)
order by indicator_id, area_code
