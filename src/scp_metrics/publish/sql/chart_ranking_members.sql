-- The members of an area's Most Similar Group in one ranked period, best first.
with rankings as (
    select * from mart_msg_rankings
)

select * from rankings
where indicator_id = $indicator_id and focus_area = $area_code
  and period_type = $period_type and period_end = $period_end
order by rank, area_name
