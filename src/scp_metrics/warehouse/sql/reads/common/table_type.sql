-- Whether $name is a BASE TABLE or a VIEW (no row: neither exists).
select table_type
from information_schema.tables
where table_schema = 'main' and table_name = $name
