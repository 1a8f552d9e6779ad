-- The name of one area.
with areas as (
    select area_code, area_name from ref_areas
)

select area_name from areas
where area_code = $area_code
