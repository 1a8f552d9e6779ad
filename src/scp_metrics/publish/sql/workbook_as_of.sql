-- Workbook sheet "data_to": each indicator's own latest complete month in the partnership's area.
with sheet as (
    select * from mart_indicator_as_of
)

select * from sheet
where area_code = $home
order by indicator_id
