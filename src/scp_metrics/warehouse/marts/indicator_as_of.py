"""``mart_indicator_as_of``: each indicator's own as-of month in each area (partners deliver on
their own timetables: police data may run to December while ED data runs to January), with the
label outputs show ("ED data to Jan 2010", ``config/publication.toml``). The rule is
``sql/marts/mart_indicator_as_of.sql``; :func:`home_months` and :func:`publication_month` read
it for the targets and the publication folder."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from scp_metrics.config.publication import read_publication_rule
from scp_metrics.settings import Settings
from scp_metrics.warehouse.queries import query, query_rows

__all__ = ["COLUMNS", "build_indicator_as_of", "home_months", "publication_month"]

COLUMNS = ["indicator_id", "area_code", "as_of", "data_source", "label"]


def build_indicator_as_of(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """The mart (runs after ``mart_indicator_values``)."""
    rule = read_publication_rule(settings.config_dir)
    frame = query(con, "marts/mart_indicator_as_of")
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    frame["label"] = [rule.label(str(s), d) for s, d in zip(frame["data_source"], frame["as_of"],
                                                            strict=True)]
    return frame[COLUMNS]


def _exists(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(query_rows(con, "reads/common/table_exists", name="mart_indicator_as_of")[0][0])


def home_months(con: duckdb.DuckDBPyConnection, area: str) -> dict[str, tuple[date, str]]:
    """Indicator → (its as-of date, its label) in ``area`` (empty before the mart exists)."""
    if not _exists(con):
        return {}
    return {i: (pd.Timestamp(d).date(), str(label)) for i, d, label
            in query_rows(con, "reads/indicator_as_of/of_area", area_code=area)}


def publication_month(con: duckdb.DuckDBPyConnection, settings: Settings) -> date | None:
    """The month the publication is dated by (``config/publication.toml``'s folder rule on the
    home area's latest month per source); None without data."""
    if not _exists(con):
        return None
    by_source = {str(s): pd.Timestamp(d).date() for s, d in query_rows(
        con, "reads/indicator_as_of/by_source", area_code=settings.home_area)}
    return read_publication_rule(settings.config_dir).folder_month(by_source)
