-- The partnership's position in its own Most Similar Group for one indicator, period type and
-- period end; rank_change is last year's rank minus this year's (positive: places gained).
with rankings as (
    select * from mart_msg_rankings
)

select rank, n_areas, rank_change from rankings
where indicator_id = $indicator_id and area_code = $area_code and focus_area = $area_code
  and period_type = $period_type and period_end = $period_end
order by period_start
