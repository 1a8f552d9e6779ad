-- Area names from the reference table (never from a delivered file).
select area_code, area_name
from ref_areas
order by area_code
