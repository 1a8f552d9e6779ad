-- One indicator's values for one area and period type, oldest first.
with indicator_values as (
    select * from mart_indicator_values
)

select * from indicator_values
where indicator_id = $indicator_id and area_code = $area_code and period_type = $period_type
order by period_start, period_end
