-- Whether a table or view called $name exists (1 or 0).
select count(*) as n
from information_schema.tables
where table_schema = 'main' and table_name = $name
