-- Workbook sheet "rankings": Most Similar Group positions, every row.
with sheet as (
    select * from mart_msg_rankings
)

select * from sheet
order by all
