"""``mart_indicator_values``: every indicator for every area and period type with its 95%
interval and the change on the same period last year
(:func:`scp_metrics.indicators.values.compute_indicator_values` on ``int_indicator_counts``),
then the Place Survey rows (:func:`scp_metrics.indicators.survey.survey_values`)."""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.config import catalogue
from scp_metrics.config.survey import read_survey_specs
from scp_metrics.indicators.survey import survey_values
from scp_metrics.indicators.values import compute_indicator_values
from scp_metrics.settings import Settings
from scp_metrics.warehouse.marts.police_uk import area_names
from scp_metrics.warehouse.queries import query

__all__ = ["build_indicator_values"]


def build_indicator_values(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_indicator_values``: the counted indicators, then the Place Survey rows (period
    type "survey"). Area names: the configured ones, then ONS names (police.uk areas)."""
    counts = query(con, "reads/indicator_values/counts")
    indicators = catalogue.read_indicators(settings.config_dir)
    values = compute_indicator_values(counts, indicators, area_names(con))
    survey = survey_values(query(con, "reads/indicator_values/survey_respondents"),
                           query(con, "reads/indicator_values/survey_headline"),
                           query(con, "reads/common/configured_area_names"),
                           read_survey_specs(settings.config_dir), settings.home_area)
    return values if survey.empty else pd.concat([values, survey], ignore_index=True)
