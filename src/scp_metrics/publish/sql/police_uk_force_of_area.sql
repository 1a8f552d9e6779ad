-- The police force area of a local authority and the name police.uk files give its force.
select a.pfa_code, f.pfa_name, f.police_uk_name
from ref_police_force_areas as a
left join ref_police_forces as f on a.pfa_code = f.pfa_code
where a.area_code = $area_code
order by a.pfa_code
