-- What a notebook may read: the marts, the reference tables and the load ledger.
with catalogue as (
    select table_name from information_schema.tables
    where table_schema = 'main'
)

select table_name from catalogue
where starts_with(table_name, 'mart_') or starts_with(table_name, 'ref_')
   or table_name = 'load_batches'
order by table_name
