-- Recording breaks of one area: the suspected ones detected in its police.uk series
-- (mart_recording_breaks) and the known ones configured (ref_series_breaks).
select 'suspected' as kind, indicator_id, break_before as new_series_from, change_pct, message
from mart_recording_breaks
where area_code = $area_code
union all
select 'known' as kind, indicator_id, break_date as new_series_from, null as change_pct,
       reason as message
from ref_series_breaks
where area_code = $area_code
order by indicator_id, new_series_from, kind
