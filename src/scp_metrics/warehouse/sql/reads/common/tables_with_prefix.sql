-- The tables (not views) whose name starts with $prefix, sorted.
select table_name
from information_schema.tables
where table_schema = 'main' and table_type = 'BASE TABLE' and starts_with(table_name, $prefix)
order by table_name
