-- Workbook sheet "trends": Underlying annual change, every row.
with sheet as (
    select * from mart_trends
)

select * from sheet
order by all
