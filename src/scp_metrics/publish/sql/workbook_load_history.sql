-- Workbook sheet "load_history": Every file loaded (the ledger), every row.
with sheet as (
    select * from load_batches
)

select * from sheet
order by all
