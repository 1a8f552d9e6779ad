-- Area names for marts: the configured areas first, then the latest ONS name of any other code.
with configured as (
    select area_code, area_name from ref_areas
),

ons as (
    select area_code, arg_max(area_name, mid_year) as area_name
    from stg_population
    where area_code not in (select area_code from configured)
    group by area_code
)

select * from configured
union all
select * from ons
