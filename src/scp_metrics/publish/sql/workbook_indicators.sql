-- Workbook sheet "indicators": the partnership's values, every period type.
with indicator_values as (
    select * from mart_indicator_values
)

select * from indicator_values
where area_code = $home
order by all
