-- Each listed area's population for rates of periods ending in financial year $fy_year, as the
-- marts choose it (int_population_years).
select area_code, population, population_year as mid_year
from int_population_years
where fy_year = $fy_year and list_contains($area_codes, area_code)
order by area_code
