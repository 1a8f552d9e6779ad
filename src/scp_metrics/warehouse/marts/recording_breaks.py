"""``mart_recording_breaks``: suspected recording breaks in the police.uk series, for each local
authority and each force as a whole (the detector is :func:`scp_metrics.stats.breaks.detect_breaks`).

Reads the monthly counts per area (``int_units_police_uk``) and per force (every row of the
force's files), the force of each area and the names of areas and forces, runs the detector on
both, and words each finding.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from scp_metrics.config import catalogue
from scp_metrics.settings import Settings
from scp_metrics.stats.breaks import BreakSettings, detect_breaks
from scp_metrics.warehouse.break_messages import break_messages
from scp_metrics.warehouse.queries import query, query_rows

__all__ = ["COLUMNS", "break_messages", "build_recording_breaks"]

COLUMNS = ["indicator_id", "area_code", "area_name", "break_after", "break_before",
           "level_before", "level_after", "change_pct", "months_before", "months_after",
           "shift_sigmas", "reference_indicator", "reference_change_pct",
           "relative_shift_sigmas", "evidence", "message"]


def build_recording_breaks(con: duckdb.DuckDBPyConnection, settings: Settings,
                           break_settings: BreakSettings | None = None) -> pd.DataFrame:
    """``mart_recording_breaks``: suspected recording breaks in the police.uk series, for each
    local authority and each force as a whole (``area_code`` = the force area code).

    Columns: ``indicator_id, area_code, area_name, break_after`` (last month before),
    ``break_before`` (first month after), ``level_before, level_after`` (mean counts a month),
    ``change_pct, months_before, months_after, shift_sigmas, reference_indicator,
    reference_change_pct, relative_shift_sigmas, evidence, message``.
    """
    indicators = {i.id: i for i in catalogue.read_indicators(settings.config_dir)}
    areas = query(con, "reads/recording_breaks/area_units")
    forces = query(con, "reads/recording_breaks/force_units")
    force_of = dict(query_rows(con, "reads/recording_breaks/force_of_area"))
    each_force = {code: code for code in forces["area_code"].unique()}
    force_of.update(each_force)
    reference_of = {i: catalogue.POLICE_UK_ALL_CRIME for i in indicators
                    if i.startswith(catalogue.POLICE_UK_PREFIX)
                    and i != catalogue.POLICE_UK_ALL_CRIME}
    found = pd.concat([detect_breaks(areas, reference_of, force_of, break_settings),
                       detect_breaks(forces, reference_of, each_force, break_settings)],
                      ignore_index=True)
    names = dict(query_rows(con, "reads/recording_breaks/area_names"))
    found.insert(2, "area_name", found["area_code"].map(names))
    found["message"] = [_message(r, indicators) for r in found.itertuples(index=False)]
    found = found[COLUMNS].sort_values(["indicator_id", "area_code"]).reset_index(drop=True)
    for col in ("level_before", "level_after", "change_pct", "shift_sigmas",
                "reference_change_pct", "relative_shift_sigmas"):
        found[col] = found[col].astype(float)
    for col in ("months_before", "months_after"):
        found[col] = found[col].astype("int64")
    return found


def _message(row: Any, indicators: dict[str, catalogue.Indicator]) -> str:
    r = row  # a namedtuple of COLUMNS
    title = indicators[r.indicator_id].title if r.indicator_id in indicators else r.indicator_id
    direction = "fell" if r.change_pct < 0 else "rose"
    text = (f"Suspected recording break: {title} in {r.area_name or r.area_code} {direction} "
            f"{abs(r.change_pct):.0f}% between {r.break_after:%Y-%m} and {r.break_before:%Y-%m} "
            f"({r.level_before:,.0f} to {r.level_after:,.0f} a month, {r.shift_sigmas:.1f} times "
            "its month-to-month variation)")
    if r.reference_indicator and not pd.isna(r.reference_change_pct):
        ref = indicators[r.reference_indicator].title \
            if r.reference_indicator in indicators else r.reference_indicator
        text += f" while {ref} moved {r.reference_change_pct:+.0f}%"
    return text + ": a trend across this point reflects recording, not a real change."
