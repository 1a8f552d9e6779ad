"""A small public API for notebooks: any chart or table from the warehouse in three lines.

>>> from scp_metrics import api
>>> wh = api.Warehouse()                      # data/warehouse/scp.duckdb or $SCP_WAREHOUSE
>>> wh.indicator("all_crime", period_type="rolling_12m").tail()
>>> fig = wh.chart("trend", "all_crime")      # a matplotlib Figure
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from matplotlib.figure import Figure

from scp_metrics.settings import Settings, get_settings
from scp_metrics.warehouse import connect

CHART_KINDS = ("spc", "trend", "trajectory", "ranking", "funnel")


class Warehouse:
    """Read-only access to the marts, defaulting to the partnership's own area."""

    def __init__(self, path: str | Path | None = None, area: str | None = None):
        self.settings: Settings = get_settings(warehouse=path)
        self.area = area or self.settings.home_area
        self.con: duckdb.DuckDBPyConnection = connect(self.settings.warehouse, read_only=True)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tables(self) -> list[str]:
        """The marts and reference tables available."""
        return [r[0] for r in self.con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and (starts_with(table_name, 'mart_') or starts_with(table_name, 'ref_') "
            "or table_name = 'load_batches') order by 1").fetchall()]

    def table(self, name: str, **where: Any) -> pd.DataFrame:
        """Any table, filtered by column equality (``area_code="E06000045"``)."""
        if name not in self.tables():
            raise KeyError(f"no table {name!r}; available: {', '.join(self.tables())}")
        clause = " and ".join(f'"{k}" = ?' for k in where) or "true"
        return self.con.execute(f'select * from "{name}" where {clause} order by all',
                                list(where.values())).df()

    def indicator(self, indicator_id: str, area: str | None = None,
                  period_type: str = "month") -> pd.DataFrame:
        """One indicator's values for one area and period type, oldest first."""
        return self.con.execute(
            "select * from mart_indicator_values where indicator_id = ? and area_code = ? "
            "and period_type = ? order by period_start, period_end",
            [indicator_id, area or self.area, period_type]).df()

    def indicators(self) -> pd.DataFrame:
        """The indicator catalogue (id, title, unit, polarity, …)."""
        return self.table("ref_indicators")

    def chart(self, kind: str, indicator_id: str, area: str | None = None,
              as_of: str | None = None) -> Figure:
        """Draw one chart (``spc``, ``trend``, ``trajectory``, ``ranking``, ``funnel``)."""
        from scp_metrics.publish.charts.pack import draw_charts

        figures = draw_charts(self.con, kind, indicator_id, area or self.area, as_of=as_of,
                              config_dir=self.settings.config_dir)
        if not figures:
            raise LookupError(f"no {kind} chart for {indicator_id} in {area or self.area}")
        return figures[0][1]


def open_warehouse(path: str | Path | None = None, area: str | None = None) -> Warehouse:
    """Open the warehouse read-only (path defaults to ``$SCP_WAREHOUSE`` / data/warehouse)."""
    return Warehouse(path, area)
