-- Workbook sheet "targets": Targets, trajectories and year-end projections, every row.
with sheet as (
    select * from mart_target_tracking
)

select * from sheet
order by all
