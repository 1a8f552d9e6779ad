-- A table's columns and their DuckDB types, in order (none: no such table).
select column_name, data_type
from information_schema.columns
where table_schema = 'main' and table_name = $name
order by ordinal_position
