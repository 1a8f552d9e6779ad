"""The DuckDB warehouse: raw → staging → intermediate → marts, with a load ledger."""

from scp_metrics.warehouse.connection import connect, connect_warehouse, table_checksums
from scp_metrics.warehouse.ledger import list_batches

__all__ = ["connect", "connect_warehouse", "list_batches", "table_checksums"]
