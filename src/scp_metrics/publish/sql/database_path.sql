-- The file of the database the connection reads (empty for an in-memory one): the chart pack's
-- workers open it read-only themselves when the pack is fanned out (scp_metrics.fanout).
select coalesce(path, '') as path
from duckdb_databases()
where database_name = current_database()
order by path
