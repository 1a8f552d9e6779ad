-- The end of the latest ranked Most Similar Group period of one kind up to a date.
with rankings as (
    select * from mart_msg_rankings
),

ranked as (
    select period_end from rankings
    where indicator_id = $indicator_id and focus_area = $area_code
      and period_type = $period_type and rank is not null and period_end <= $period_end
)

select max(period_end) as period_end from ranked
