-- Whether a table or view called $table_name exists (1 or 0).
with catalogue as (
    select table_name from information_schema.tables
    where table_schema = 'main'
)

select count(*) as found from catalogue
where table_name = $table_name
