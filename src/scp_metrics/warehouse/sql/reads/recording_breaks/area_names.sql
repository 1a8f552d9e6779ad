-- A name for every code a break can be found in: a force area's name, else the latest ONS name,
-- else the configured one.
with named as (
    select area_code, area_name, 1 as priority from ref_areas
    union all
    select area_code, arg_max(area_name, mid_year) as area_name, 2 as priority
    from stg_population
    group by area_code
    union all
    select pfa_code as area_code, pfa_name || ' (force area)' as area_name, 3 as priority
    from ref_police_forces
)

select area_code, arg_max(area_name, priority) as area_name
from named
group by area_code
order by area_code
