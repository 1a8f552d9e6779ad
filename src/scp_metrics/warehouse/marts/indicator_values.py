"""``mart_indicator_values``: every indicator for every area and period type with its 95%
interval and the change on the same period last year
(:func:`scp_metrics.indicators.values.compute_indicator_values` on ``int_indicator_counts``),
then the Place Survey rows (:func:`scp_metrics.indicators.survey.survey_values`).

The build (:func:`write_indicator_values`) recomputes only the rows whose input changed. A row
depends on its own counts, on those of the same period a year earlier (its change) and on the
salt: the indicators, the area names and the code of :data:`CODE_MODULES`. Each row's
*signature* hashes its counts and last year's (``sql/writes/indicator_values/inputs.sql``,
stored in ``_indicator_value_signatures``); a new quarter adds a few thousand rows and
changes none of the 700,000 others at 300 areas, so those stay in the table as they are
instead of making the round trip through pandas, the change tests and the contract (5.3 s at
medium before). The salt and the mart's checksum are stored beside the series hashes
(:func:`scp_metrics.warehouse.incremental.mart_as_stored`): another salt, a mart not as it was
written, or counts whose rows are not one per key compute the whole mart, as
:func:`build_indicator_values` does. Both ways give the same rows in the same order
(``tests/unit/warehouse/test_row_reuse_marts.py``).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.config import catalogue
from scp_metrics.config.catalogue import Indicator
from scp_metrics.config.survey import read_survey_specs
from scp_metrics.indicators.survey import survey_values
from scp_metrics.indicators.values import PERIOD_TYPES, compute_indicator_values
from scp_metrics.memo import code_version
from scp_metrics.settings import Settings
from scp_metrics.warehouse import incremental
from scp_metrics.warehouse.contracts import contract_for
from scp_metrics.warehouse.mart_tables import WrittenMart, replace_mart, write_frame
from scp_metrics.warehouse.marts.police_uk import area_names
from scp_metrics.warehouse.queries import query, query_rows, sql_text

__all__ = ["CODE_MODULES", "build_indicator_values", "write_indicator_values"]

MART = "mart_indicator_values"
KEYS = ["indicator_id", "area_code", "period_type", "period_start", "period_end"]
#: Modules whose code the rows depend on (a change recomputes every row).
CODE_MODULES = ("scp_metrics.indicators.values", "scp_metrics.indicators.survey",
                "scp_metrics.stats.change", "scp_metrics.stats.intervals",
                "scp_metrics.stats.proportions", "scp_metrics.stats.binomial_test",
                "scp_metrics.periods", "scp_metrics.warehouse.contracts.marts",
                "scp_metrics.warehouse.marts.indicator_values")
_SQL = ("writes/indicator_values/inputs", "writes/indicator_values/todo",
        "reads/indicator_values/todo_counts", "writes/indicator_values/next_mart")


def build_indicator_values(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_indicator_values`` computed whole: the counted indicators, then the Place Survey
    rows (period type "survey"). Area names: the configured ones, then ONS names (police.uk
    areas)."""
    return _whole(con, catalogue.read_indicators(settings.config_dir), area_names(con),
                  _survey(con, settings))


def _whole(con: duckdb.DuckDBPyConnection, indicators: list[Indicator], names: pd.DataFrame,
           survey: pd.DataFrame) -> pd.DataFrame:
    values = compute_indicator_values(query(con, "reads/indicator_values/counts"), indicators,
                                      names)
    return values if survey.empty else pd.concat([values, survey], ignore_index=True)


def write_indicator_values(con: duckdb.DuckDBPyConnection, settings: Settings) -> WrittenMart:
    """The build's step: ``mart_indicator_values`` written in place, recomputing only the rows
    whose signature or salt changed since the previous build (see the module's notes); the
    rows are those of :func:`build_indicator_values`."""
    indicators = catalogue.read_indicators(settings.config_dir)
    names = area_names(con)
    survey = _survey(con, settings)
    salt = _salt(indicators, names)
    recomputed = None
    if names["area_code"].is_unique and _has_signatures(con) \
            and incremental.mart_as_stored(con, MART, salt):
        con.execute(sql_text("writes/indicator_values/inputs"))
        if query_rows(con, "reads/indicator_values/inputs_keyed")[0][0]:
            recomputed = _recompute_changed(con, indicators, names, survey)
    if recomputed is None:  # computed whole; the signatures after (the frames freed: memory)
        replace_mart(con, contract_for(MART), _whole(con, indicators, names, survey))
        con.execute(sql_text("writes/indicator_values/inputs"))
    con.execute(sql_text("writes/indicator_values/store_signatures"))
    con.execute(sql_text("writes/indicator_values/forget_inputs"))
    incremental.remember_mart(con, MART, salt)
    n_rows = int(query_rows(con, "reads/indicator_values/row_count")[0][0])
    if recomputed is None:
        return WrittenMart(n_rows, f"{MART}: {n_rows:,} rows computed (none reused)")
    reused = n_rows - len(survey) - recomputed
    return WrittenMart(n_rows, f"{MART}: {recomputed:,} rows recomputed, {reused:,} reused")


def _recompute_changed(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
                       names: pd.DataFrame, survey: pd.DataFrame) -> int:
    """The mart from the previous build's unchanged rows and the rows whose signature changed
    (computed from their counts and last year's); the survey rows after. Returns how many
    rows were recomputed."""
    contract = contract_for(MART)
    con.execute(sql_text("writes/indicator_values/todo"))
    counts = query(con, "reads/indicator_values/todo_counts")
    computed = compute_indicator_values(counts, indicators, names)
    write_frame(con, contract, computed, "_iv_new", temporary=True)
    write_frame(con, contract, survey, "_iv_survey", temporary=True)
    con.execute(sql_text("writes/indicator_values/next_mart"), {"period_types": list(PERIOD_TYPES)})
    con.execute(sql_text("writes/indicator_values/append_survey"))
    return int(query_rows(con, "reads/indicator_values/todo_count")[0][0])


def _survey(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    return survey_values(query(con, "reads/indicator_values/survey_respondents"),
                         query(con, "reads/indicator_values/survey_headline"),
                         query(con, "reads/common/configured_area_names"),
                         read_survey_specs(settings.config_dir), settings.home_area)


def _salt(indicators: list[Indicator], names: pd.DataFrame) -> int:
    """What every row depends on besides its counts: the indicators, the area names (in a
    fixed order: their query has none), the code and the SQL of the reuse."""
    names = names.sort_values(list(names.columns), kind="stable").reset_index(drop=True)
    return incremental.salt_of(MART, code_version(CODE_MODULES), repr(indicators), names,
                               [sql_text(name) for name in _SQL])


def _has_signatures(con: duckdb.DuckDBPyConnection) -> bool:
    columns = [r[0] for r in query_rows(con, "reads/common/table_columns",
                                        name="_indicator_value_signatures")]
    return columns == [*KEYS, "signature"]

