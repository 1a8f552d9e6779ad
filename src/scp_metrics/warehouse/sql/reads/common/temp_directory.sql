-- Where DuckDB spills beyond its memory limit.
select current_setting('temp_directory') as temp_directory
