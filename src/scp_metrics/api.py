"""A small public API for notebooks: any chart or table from the warehouse in three lines.

>>> from scp_metrics import api
>>> wh = api.Warehouse()                      # data/warehouse/scp.duckdb or $SCP_WAREHOUSE
>>> wh.indicator("all_crime", period_type="rolling_12m").tail()
>>> fig = wh.chart("trend", "all_crime")      # a matplotlib Figure

Everything is read through the publish reader (:mod:`scp_metrics.publish.reader`), as the
published outputs are. :meth:`Warehouse.table` gives a table exact, as the warehouse holds it
(the analyst's view); :meth:`Warehouse.published` gives it as the published CSVs show it
(disclosure control by the one rule, ``config/privacy.toml``), and so does
:meth:`Warehouse.indicator` unless asked for exact values. Charts always withhold what the
rule withholds. The shipped notebooks show only published views, so they can be shared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from scp_metrics.publish.reader import MartReader
from scp_metrics.settings import Settings, get_settings

CHART_KINDS = ("spc", "trend", "trajectory", "ranking", "funnel")


class Warehouse:
    """Read-only access to the marts, defaulting to the partnership's own area.

    ``settings`` default to the environment's (``SCP_*``), with ``path`` as the warehouse."""

    def __init__(self, path: str | Path | None = None, area: str | None = None,
                 settings: Settings | None = None):
        self.settings: Settings = settings or get_settings(warehouse=path)
        self.area = area or self.settings.home_area
        self.reader = MartReader.open(self.settings.warehouse)

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tables(self) -> list[str]:
        """The marts and reference tables available."""
        return [r[0] for r in self.reader.rows("api_tables")]

    def table(self, name: str, **where: Any) -> pd.DataFrame:
        """Any table, filtered by column equality (``area_code="E06000045"``)."""
        if name not in self.tables():
            raise KeyError(f"no table {name!r}; available: {', '.join(self.tables())}")
        return self.reader.table(name, **where)

    def published(self, name: str, **where: Any) -> pd.DataFrame:
        """A mart as the published outputs show it (:func:`scp_metrics.publish.suppression.
        suppress_frame`, the mart's contract and ``config/privacy.toml``): a small count as its
        marker (``"<8"``), a count withheld by secondary suppression as ``"[c]"``, other counts
        as numbers, and the values resting on a withheld count as NaN (the derived columns stay
        numbers)."""
        return self._published(name, self.table(name, **where))

    def _published(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        from scp_metrics.publish.disclosure import disclosure_rules
        from scp_metrics.publish.suppression import derived_columns, suppress_frame
        from scp_metrics.warehouse.contracts import contract_for

        contract = contract_for(name)
        measures = self.reader.indicator_measures() if "ref_indicators" in self.tables() else None
        rules = disclosure_rules(self.settings.config_dir, self.reader)
        out = suppress_frame(frame, rules, contract, measures, numbers=True)[0]
        for column in derived_columns(out, contract):
            out[column] = pd.to_numeric(out[column])
        return out

    def indicator(self, indicator_id: str, area: str | None = None,
                  period_type: str = "month", *, exact: bool = False) -> pd.DataFrame:
        """One indicator's values for one area and period type, oldest first, as published
        (:meth:`published`), or as the warehouse holds them with ``exact``."""
        frame = self.reader.frame("api_indicator", indicator_id=indicator_id,
                                  area_code=area or self.area, period_type=period_type)
        return frame if exact else self._published("mart_indicator_values", frame)

    def indicators(self) -> pd.DataFrame:
        """The indicator catalogue (id, title, unit, polarity, …)."""
        return self.table("ref_indicators")

    def chart(self, kind: str, indicator_id: str, area: str | None = None,
              as_of: str | None = None) -> Figure:
        """Draw one chart (``spc``, ``trend``, ``trajectory``, ``ranking``, ``funnel``)."""
        from scp_metrics.publish.charts.pack import draw_charts

        figures = draw_charts(self.reader, kind, indicator_id, area or self.area, as_of,
                              self.settings.config_dir)
        if not figures:
            raise LookupError(f"no {kind} chart for {indicator_id} in {area or self.area}")
        return figures[0][1]


def open_warehouse(path: str | Path | None = None, area: str | None = None) -> Warehouse:
    """Open the warehouse read-only (path defaults to ``$SCP_WAREHOUSE`` / data/warehouse)."""
    return Warehouse(path, area)
