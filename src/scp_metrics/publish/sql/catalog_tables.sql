-- Every table and view of the warehouse, by name.
with catalogue as (
    select table_name from information_schema.tables
    where table_schema = 'main'
)

select table_name from catalogue
order by table_name
