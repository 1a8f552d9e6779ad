-- The partnership's latest position in its own Most Similar Group for one indicator and period
-- type, ending on or before a month (survey rankings end with the last survey, 2008-12);
-- rank_change is last year's rank minus this year's (positive: places gained).
with rankings as (
    select * from mart_msg_rankings
)

select rank, n_areas, rank_change, period_end from rankings
where indicator_id = $indicator_id and area_code = $area_code and focus_area = $area_code
  and period_type = $period_type and period_end <= $period_end and rank is not null
order by period_end desc, period_start desc
limit 1
