-- Workbook sheet "spc": the partnership's Making Data Count series.
with spc as (
    select * from mart_spc
)

select * from spc
where area_code = $home
order by all
