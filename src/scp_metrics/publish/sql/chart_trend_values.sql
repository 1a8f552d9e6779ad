-- The monthly and rolling 12-month values of one indicator in one area up to a date.
with indicator_values as (
    select * from mart_indicator_values
)

select * from indicator_values
where indicator_id = $indicator_id and area_code = $area_code
  and period_type in ('month', 'rolling_12m') and period_end <= $period_end
order by period_type, period_start
