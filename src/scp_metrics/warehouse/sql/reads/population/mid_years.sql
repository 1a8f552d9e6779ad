-- The mid-years with a population loaded for any of the listed areas.
select distinct mid_year
from stg_population
where list_contains($area_codes, area_code) and population is not null
order by mid_year
