-- The partnership's survey value of an indicator (the latest survey first).
with indicator_values as (
    select * from mart_indicator_values
)

select * from indicator_values
where indicator_id = $indicator_id and area_code = $area_code and period_type = 'survey'
order by period_end desc, period_start desc
