-- Most Similar Group membership, one row per (group, member). Each area has its own group and
-- membership is not mutual: the group of area X is the rows whose group_id is X's ONS code.
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
)

select
    group_id,
    area_code,
    min(area_name) as area_name,
    max(batch_id) as batch_id
from renamed
group by group_id, area_code
