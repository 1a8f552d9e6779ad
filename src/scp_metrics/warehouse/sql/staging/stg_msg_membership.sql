-- Most Similar Group membership, one row per (group, member). Each area has its own group and
-- membership is not mutual: the group of area X is the rows whose group_id is X's ONS code.
-- A member's name is the reference tables' (config/areas.csv, else config/police_force_areas.csv,
-- else the latest ONS estimate's name of its code); the delivered name is kept only for a code
-- none of them knows (issue 14: a delivered file's area name is not trusted where a reference
-- name exists).
with source as (
    select * from raw_msg_membership
),

renamed as (
    select
        trim(source.group_id) as group_id,
        upper(trim(source.area_code)) as area_code,
        trim(source.area_name) as area_name,
        source.batch_id
    from source
),

configured_names as (
    select area_code, area_name from ref_areas
),

force_area_names as (
    select area_code, min(area_name) as area_name
    from ref_police_force_areas
    where area_code not in (select area_code from configured_names)
    group by area_code
),

ons_names as (
    select area_code, arg_max(area_name, mid_year) as area_name
    from stg_population
    where area_code not in (select area_code from configured_names)
      and area_code not in (select area_code from force_area_names)
    group by area_code
),

reference_names as (
    select * from configured_names
    union all
    select * from force_area_names
    union all
    select * from ons_names
),

members as (
    select
        group_id,
        area_code,
        min(area_name) as area_name,
        max(batch_id) as batch_id
    from renamed
    group by group_id, area_code
)

select
    members.group_id,
    members.area_code,
    coalesce(reference_names.area_name, members.area_name) as area_name,
    members.batch_id
from members
left join reference_names on reference_names.area_code = members.area_code
