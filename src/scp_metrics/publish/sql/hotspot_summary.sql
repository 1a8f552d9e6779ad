-- Report section and workbook sheet "Hot spots": concentration and persistence per crime group
-- (all crime first, then the crime types by name) of one area (the mart's home area; none for
-- another).
select s.*, coalesce(t.crime_type, 'All crime (police.uk, excluding ASB)') as crime_type
from mart_hotspot_summary as s
left join ref_police_uk_crime_types as t on t.slug = s.crime_group
where s.area_code = $area_code
order by s.crime_group <> 'all-crime', crime_type
