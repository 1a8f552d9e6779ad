-- Each listed area's population at mid-$mid_year (the --population-year override).
select area_code, population, mid_year
from stg_population
where mid_year = $mid_year and list_contains($area_codes, area_code)
order by area_code
