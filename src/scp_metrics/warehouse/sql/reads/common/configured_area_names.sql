-- The configured areas' names (config/areas.csv).
select area_code, area_name from ref_areas order by area_code
