-- Report section "Hot spots", the hexbin map: the police.uk coordinates (anonymised to a
-- nearby map point by police.uk) of the home area's crimes (excluding ASB) in the window.
with window_months as (
    select min(window_start) as window_start, max(window_end) as window_end
    from mart_hotspot_summary
    where crime_group = 'all-crime'
),

all_crime_types as (
    select crime_type from ref_police_uk_crime_types where in_all_crime
)

select r.longitude, r.latitude
from stg_police_uk as s
inner join raw_police_uk_street as r on r.batch_id = s.batch_id and r.source_row = s.source_row
cross join window_months as w
where s.area_code = $area_code
  and s.crime_type in (select crime_type from all_crime_types)
  and s.month_start between w.window_start and w.window_end
  and r.longitude is not null and r.latitude is not null
order by r.longitude, r.latitude
