-- One target's tracking row for one area.
with tracking as (
    select * from mart_target_tracking
)

select * from tracking
where target_id = $target_id and area_code = $area_code
order by as_of desc
