-- Workbook sheet "data_quality": Data-quality findings, every row.
with sheet as (
    select * from mart_data_quality
)

select * from sheet
order by all
