"""Thin readers: the frames each chart draws, and their lineage, from the warehouse.

Every function takes an open DuckDB connection (read-only is enough) and returns plain
DataFrames in the shape the chart functions document; none draws anything. A missing table or
series raises :class:`ChartDataMissing` with a one-sentence reason (the chart pack logs it and
moves on).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from scp_metrics.publish.charts.style import ChartSubject, Lineage

__all__ = [
    "ChartDataMissing",
    "suppressed_note",
    "latest_month",
    "lineage_for",
    "load_breaks",
    "load_rankings",
    "load_spc",
    "load_subject",
    "load_trajectory",
    "load_trend",
    "month_end",
    "table_exists",
]

LIVE_STATUSES = ("loaded", "partly superseded")
#: ``mart_indicator_values.source`` → the ledger source(s) it was counted from (``None``: the
#: indicator's own ``source_table``).
_MART_SOURCE_TO_LEDGER: dict[str, str | None] = {
    "record_level": None,
    "ho_csp_table": "ho_csp_crime",
    "respondent level": "place_survey",
    "published headline": "place_survey_headline",
}


class ChartDataMissing(LookupError):
    """The warehouse has no data for a chart (the message says what is missing)."""


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view called ``name`` exists."""
    rows = con.execute("select count(*) from information_schema.tables where table_name = ?",
                       [name]).fetchall()
    return bool(rows[0][0])


def _require(con: duckdb.DuckDBPyConnection, name: str) -> None:
    if not table_exists(con, name):
        raise ChartDataMissing(f"{name} is not in the warehouse (not built yet)")


def month_end(as_of: Any) -> pd.Timestamp:
    """The last day of the month ``as_of`` ("2009-12", a date, or a Timestamp) falls in."""
    return pd.Timestamp(str(as_of)[:7] + "-01") + pd.offsets.MonthEnd(0)


def latest_month(con: duckdb.DuckDBPyConnection, area_code: str) -> str | None:
    """``YYYY-MM`` of the latest monthly or quarterly value of the area (None: no data)."""
    if not table_exists(con, "mart_indicator_values"):
        return None
    rows = con.execute(
        "select max(period_end) from mart_indicator_values where period_type in "
        "('month', 'quarter') and area_code = ?", [area_code]).fetchall()
    return None if not rows or rows[0][0] is None else f"{pd.Timestamp(rows[0][0]):%Y-%m}"


def load_subject(con: duckdb.DuckDBPyConnection, indicator_id: str,
                 area_code: str) -> ChartSubject:
    """Indicator title, unit, polarity and measure (``ref_indicators``) and the area's name."""
    _require(con, "ref_indicators")
    rows = con.execute("select title, unit, polarity, measure from ref_indicators "
                       "where indicator_id = ?", [indicator_id]).fetchall()
    if not rows:
        raise ChartDataMissing(f"indicator {indicator_id!r} is not in the catalogue")
    title, unit, polarity, measure = rows[0]
    name = area_code
    if table_exists(con, "ref_areas"):
        found = con.execute("select area_name from ref_areas where area_code = ?",
                            [area_code]).fetchall()
        name = str(found[0][0]) if found and found[0][0] else area_code
    return ChartSubject(indicator_id, str(title), str(unit), str(polarity), str(measure),
                        area_code, name)


def _config_dir(config_dir: Path | None) -> Path:
    if config_dir is not None:
        return Path(config_dir)
    from scp_metrics.settings import get_settings

    return get_settings().config_dir


def _source_text(indicator_id: str, config_dir: Path | None) -> str:
    """The catalogue's ``source`` wording of the indicator ("" when unavailable)."""
    from scp_metrics.config.catalogue import read_indicators

    try:
        for ind in read_indicators(_config_dir(config_dir)):
            if ind.id == indicator_id and ind.source:
                return ind.source
    except (OSError, KeyError, ValueError):
        pass
    return ""


def _ledger_sources(con: duckdb.DuckDBPyConnection, indicator_id: str,
                    areas: Iterable[str], period_types: Iterable[str]) -> list[str]:
    """Ledger source names the indicator's values for these areas were counted from."""
    ref = con.execute("select source_table, measure from ref_indicators where indicator_id = ?",
                      [indicator_id]).fetchall()
    source_table, measure = ref[0] if ref else (None, None)
    areas, types = list(areas), list(period_types)
    mart = con.execute(
        "select distinct source from mart_indicator_values where indicator_id = ? and "
        "list_contains(?, area_code) and list_contains(?, period_type) order by 1",
        [indicator_id, areas, types]).fetchall()
    out: list[str] = []
    for (value,) in mart:
        ledger = _MART_SOURCE_TO_LEDGER.get(str(value))
        name = ledger if ledger is not None else source_table
        if name and name not in out:
            out.append(str(name))
    if measure == "rate" and "population" not in out:
        out.append("population")
    return out


def lineage_for(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    areas: Iterable[str],
    data_to: Any,
    *,
    period_types: Iterable[str] = ("month", "rolling_12m"),
    extra_sources: Iterable[str] = (),
    config_dir: Path | None = None,
    note: str = "",
    population: bool = True,
) -> Lineage:
    """The footnote's lineage: the indicator's source, the data date and the live load batches.

    The batches are every live ``load_batches`` row of the ledger sources the values were
    counted from (``mart_indicator_values.source`` mapped to the raw source, plus
    ``population`` for rates unless ``population`` is False, and any ``extra_sources``, e.g.
    ``msg_membership``).
    """
    sources = _ledger_sources(con, indicator_id, areas, period_types)
    if not population:  # a count-based figure of a rate indicator uses no population
        sources = [s for s in sources if s != "population"]
    sources += [s for s in extra_sources if s not in sources]
    batches: list[int] = []
    loaded_at = None
    if table_exists(con, "load_batches") and sources:
        rows = con.execute(
            "select batch_id, loaded_at from load_batches where list_contains(?, source) "
            "and list_contains(?, status) order by batch_id",
            [sources, list(LIVE_STATUSES)]).fetchall()
        batches = [int(r[0]) for r in rows]
        loaded_at = max((r[1] for r in rows if r[1] is not None), default=None)
    text = _source_text(indicator_id, config_dir)
    if not text:
        text = ", ".join(sources) or "not recorded"
    return Lineage(source=text, data_to=None if data_to is None else pd.Timestamp(data_to),
                   batch_ids=tuple(batches), loaded_at=loaded_at, sources=tuple(sources),
                   note=note)


def _suppress(frame: pd.DataFrame, config_dir: Path | None,
              counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Blank values that rest on a count from 1 to threshold - 1, as the published CSVs do.

    ``config/privacy.toml`` ``[suppression]`` (:func:`scp_metrics.publish.suppression.suppression_rules`):
    a row whose count columns (``numerator``, ``denominator``, ...) hold 1-4 loses its derived
    columns (``value``, intervals, change). ``counts`` supplies the count columns for a frame
    without them (``mart_spc``), joined on ``period_start``. The number of values withheld is
    kept in ``frame.attrs["suppressed"]`` for the footnote.
    """
    from scp_metrics.publish.suppression import suppression_rules

    rules = suppression_rules(_config_dir(config_dir))
    out = frame.copy()
    source = out
    if counts is not None:
        source = out[["period_start"]].merge(counts, on="period_start", how="left")
    small = pd.Series(False, index=out.index)
    for col in rules.count_columns:
        if col in source.columns:
            n = pd.to_numeric(source[col], errors="coerce").to_numpy()
            small |= pd.Series((n >= 1) & (n < rules.threshold), index=out.index)
    derived = [c for c in (*rules.derived_columns, "value") if c in out.columns]
    if small.any():
        for col in derived:
            out[col] = out[col].astype(float).where(~small)
    out.attrs["suppressed"] = int(small.sum())
    out.attrs["threshold"] = rules.threshold
    return out


def suppressed_note(*frames: pd.DataFrame) -> str:
    """Footnote sentence for values withheld by :func:`_suppress` ("" when none)."""
    n = sum(int(f.attrs.get("suppressed", 0)) for f in frames)
    if not n:
        return ""
    threshold = max(int(f.attrs.get("threshold", 5)) for f in frames)
    return (f"{n} value{'s' if n != 1 else ''} resting on counts of 1 to {threshold - 1} not "
            "shown (disclosure control)")


def load_breaks(con: duckdb.DuckDBPyConnection, indicator_id: str,
                area_code: str) -> pd.DataFrame:
    """``ref_series_breaks`` rows that apply to the indicator in the area (may be empty)."""
    if not table_exists(con, "ref_series_breaks"):
        return pd.DataFrame(columns=["indicator_id", "area_code", "break_date", "reason"])
    return con.execute(
        "select * from ref_series_breaks where indicator_id = ? and "
        "(area_code is null or area_code = ?) order by break_date",
        [indicator_id, area_code]).df()


def load_spc(con: duckdb.DuckDBPyConnection, indicator_id: str, area_code: str,
             as_of: Any = None, config_dir: Path | None = None) -> pd.DataFrame:
    """``mart_spc`` rows of one series up to the end of ``as_of`` (all when None).

    Points whose month rests on a small count are blanked (the limits stay), as the
    published CSVs suppress them.
    """
    _require(con, "mart_spc")
    end = month_end(as_of) if as_of is not None else pd.Timestamp.max
    frame = con.execute(
        "select * from mart_spc where indicator_id = ? and area_code = ? and period_start <= ? "
        "order by period_start", [indicator_id, area_code, end.date()]).df()
    if frame.empty or frame["value"].notna().sum() < 2:
        raise ChartDataMissing(f"mart_spc has no monthly series for {indicator_id} in "
                               f"{area_code}")
    counts = con.execute(
        "select period_start, numerator, denominator from mart_indicator_values where "
        "indicator_id = ? and area_code = ? and period_type = 'month'",
        [indicator_id, area_code]).df()
    return _suppress(frame, config_dir, counts)


def load_trend(con: duckdb.DuckDBPyConnection, indicator_id: str, area_code: str,
               as_of: Any = None, config_dir: Path | None = None) -> pd.DataFrame:
    """Monthly and rolling 12-month ``mart_indicator_values`` rows up to the end of ``as_of``,
    values resting on small counts blanked."""
    _require(con, "mart_indicator_values")
    end = month_end(as_of) if as_of is not None else pd.Timestamp.max
    frame = con.execute(
        "select * from mart_indicator_values where indicator_id = ? and area_code = ? and "
        "period_type in ('month', 'rolling_12m') and period_end <= ? "
        "order by period_type, period_start", [indicator_id, area_code, end.date()]).df()
    if (frame["period_type"] == "month").sum() < 2:
        raise ChartDataMissing(f"no monthly values of {indicator_id} for {area_code}")
    return _suppress(frame, config_dir)


def load_rankings(con: duckdb.DuckDBPyConnection, indicator_id: str, area_code: str,
                  as_of: Any = None, period_type: str | None = None,
                  config_dir: Path | None = None) -> pd.DataFrame:
    """``mart_msg_rankings`` members of the latest ranked period ending by ``as_of``.

    ``period_type`` defaults to ``rolling_12m`` (iQuanta's comparison), or ``survey`` for an
    indicator ranked only on survey values.
    """
    _require(con, "mart_msg_rankings")
    end = month_end(as_of) if as_of is not None else pd.Timestamp.max
    types = [period_type] if period_type else ["rolling_12m", "survey"]
    for kind in types:
        rows = con.execute(
            "select max(period_end) from mart_msg_rankings where indicator_id = ? and "
            "focus_area = ? and period_type = ? and rank is not null and period_end <= ?",
            [indicator_id, area_code, kind, end.date()]).fetchall()
        if rows and rows[0][0] is not None:
            members = con.execute(
                "select * from mart_msg_rankings where indicator_id = ? and focus_area = ? and "
                "period_type = ? and period_end = ? order by rank, area_name",
                [indicator_id, area_code, kind, rows[0][0]]).df()
            return _suppress(members, config_dir)
    raise ChartDataMissing(f"no ranked Most Similar Group period of {indicator_id} for "
                           f"{area_code} ({' or '.join(types)})")


def load_trajectory(con: duckdb.DuckDBPyConnection, target_id: str, area_code: str,
                    config_dir: Path | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """The monthly path and the ``mart_target_tracking`` row of one target.

    The path's ``actual_ytd`` is the cumulative financial-year-to-date value
    (``mart_indicator_values`` period type ``fytd``; its ``numerator`` for a count-based
    target); ``trajectory_ytd`` is the year's milestone times the cumulative monthly profile
    the tracking mart uses (``[rag] trajectory_profile`` in ``config/targets.toml``: seasonal
    from the last complete years, or flat).
    """
    _require(con, "mart_target_tracking")
    rows = con.execute("select * from mart_target_tracking where target_id = ? and "
                       "area_code = ?", [target_id, area_code]).df()
    if rows.empty:
        raise ChartDataMissing(f"target {target_id} has no tracking row for {area_code}")
    row = rows.iloc[0].copy()
    row["target_title"] = _target_title(target_id, config_dir)
    if row.get("kind") not in ("level", "year_on_year") or pd.isna(row.get("projected_year_end")):
        raise ChartDataMissing(f"target {target_id} ({row.get('kind')}) has no year-to-date "
                               "projection to draw")
    from scp_metrics.targets.projections import fiscal_year, fy_months
    from scp_metrics.targets.trajectories import FLAT, seasonal_profile

    fy_text = str(row["assessed_period"])
    fy = int(fy_text[:4])
    months = fy_months(fy)
    indicator = str(row["indicator_id"])
    values = con.execute(
        "select period_type, period_start, period_end, numerator, value from "
        "mart_indicator_values where indicator_id = ? and area_code = ? and period_type in "
        "('month', 'fytd') order by period_start, period_end", [indicator, area_code]).df()
    as_of = pd.Timestamp(row["as_of"])
    fytd = values[(values["period_type"] == "fytd")
                  & (pd.to_datetime(values["period_start"]) == months[0].to_timestamp())
                  & (pd.to_datetime(values["period_end"]) <= as_of)]
    column = "numerator" if str(row.get("unit")) == "count" else "value"
    actual = {pd.Timestamp(e).to_period("M"): float(v)
              for e, v in zip(fytd["period_end"], fytd[column], strict=True)}
    profile = FLAT
    kind, years = _profile_settings(config_dir)
    if kind == "seasonal":
        monthly = values[values["period_type"] == "month"]
        counts = pd.Series(monthly["numerator"].to_numpy(dtype=float),
                           index=pd.PeriodIndex(pd.to_datetime(monthly["period_start"]),
                                                freq="M"))
        profile, _ = seasonal_profile(counts, fiscal_year(months[0]), years)
    milestone = float(row["milestone_value"]) if pd.notna(row.get("milestone_value")) else None
    cumulative = pd.Series(profile).cumsum().to_numpy()
    path = pd.DataFrame({
        "period_end": [m.to_timestamp(how="end").normalize() for m in months],
        "actual_ytd": [actual.get(m, float("nan")) for m in months],
        "trajectory_ytd": [milestone * c if milestone is not None else float("nan")
                           for c in cumulative],
    })
    return path, row


def _profile_settings(config_dir: Path | None) -> tuple[str, int]:
    """``[rag] trajectory_profile`` and ``profile_years`` of ``config/targets.toml``."""
    from scp_metrics.targets.plan import load_targets

    rag = load_targets(_config_dir(config_dir)).rag
    return str(rag.trajectory_profile), int(rag.profile_years)


def _target_title(target_id: str, config_dir: Path | None) -> str | None:
    from scp_metrics.targets.plan import load_targets

    try:
        for t in load_targets(_config_dir(config_dir)).targets:
            if t.id == target_id:
                return str(getattr(t, "title", "") or "") or None
    except (OSError, KeyError, ValueError):
        return None
    return None
