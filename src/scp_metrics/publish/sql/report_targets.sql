-- Every target tracked for the partnership.
with tracking as (
    select * from mart_target_tracking
)

select * from tracking
where area_code = $area_code
order by target_id, as_of
