-- The columns of $table_name and their DuckDB types, in the table's order.
with columns as (
    select column_name, data_type, ordinal_position from information_schema.columns
    where table_schema = 'main' and table_name = $table_name
)

select column_name, data_type from columns
order by ordinal_position
