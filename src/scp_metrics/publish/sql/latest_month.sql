-- The end of the area's latest monthly or quarterly value: the month a refresh publishes as.
with indicator_values as (
    select * from mart_indicator_values
),

monthly as (
    select period_end from indicator_values
    where period_type in ('month', 'quarter') and area_code = $area_code
)

select max(period_end) as latest_end from monthly
