"""Thin readers: the frames each chart draws, and their lineage, from the warehouse.

Every function takes the warehouse (a :class:`~scp_metrics.publish.reader.MartReader`, or an
open DuckDB connection) and reads through the one publish reader; it returns plain DataFrames
in the shape the chart functions document and draws nothing. Values resting on small counts
are withheld by the one suppression rule (:func:`scp_metrics.publish.suppression.withhold`).
A missing table or series raises :class:`ChartDataMissing` with a one-sentence reason (the
chart pack logs it and moves on). ``config_dir`` is always passed in: nothing here reads the
environment.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from scp_metrics.publish.charts.wording import ChartSubject, Lineage
from scp_metrics.publish.disclosure import disclosure_rules
from scp_metrics.publish.reader import Connection, MartReader, as_date, as_reader
from scp_metrics.publish.suppression import (
    small_cells,
    small_rows,
    suppressed_note,
    withhold,
)
from scp_metrics.warehouse.contracts import contract_for

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
    "pack_cache",
    "table_exists",
]

T = TypeVar("T")

Warehouse = MartReader | Connection
"""What a loader reads: the publish reader, or an open connection it wraps."""

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


_PACK_CACHE: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar(
    "scp_metrics_chart_pack_cache", default=None)


@contextlib.contextmanager
def pack_cache() -> Iterator[None]:
    """Inside the block, what every chart of a pack reads alike is read once: the disclosure
    rules (a scan of all of ``mart_indicator_values``), which tables exist, the indicators'
    measures and the config wording. The chart pack holds one over a reader that does not
    change while it draws; outside one, every loader reads afresh."""
    token = _PACK_CACHE.set({})
    try:
        yield
    finally:
        _PACK_CACHE.reset(token)


def _once(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    cache = _PACK_CACHE.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]  # type: ignore[no-any-return]


def _has(reader: MartReader, name: str) -> bool:
    return _once(("has", id(reader), name), lambda: reader.has(name))


def _rules(config_dir: Path, reader: MartReader) -> Any:
    return _once(("rules", id(reader), str(config_dir)),
                 lambda: disclosure_rules(config_dir, reader))


def _measures(reader: MartReader) -> dict[str, str]:
    return _once(("measures", id(reader)), reader.indicator_measures)


def table_exists(warehouse: Warehouse, name: str) -> bool:
    """Whether a table or view called ``name`` exists (asked once inside a :func:`pack_cache`)."""
    return _has(as_reader(warehouse), name)


def _require(reader: MartReader, name: str) -> None:
    if not _has(reader, name):
        raise ChartDataMissing(f"{name} is not in the warehouse (not built yet)")


def month_end(as_of: Any) -> pd.Timestamp:
    """The last day of the month ``as_of`` ("2009-12", a date, or a Timestamp) falls in."""
    return pd.Timestamp(str(as_of)[:7] + "-01") + pd.offsets.MonthEnd(0)


def _end_date(as_of: Any) -> Any:
    """The last date a chart as of ``as_of`` shows (every date when None)."""
    return as_date(month_end(as_of)) if as_of is not None else pd.Timestamp.max.date()


def latest_month(warehouse: Warehouse, area_code: str) -> str | None:
    """``YYYY-MM`` of the latest monthly or quarterly value of the area (None: no data)."""
    return as_reader(warehouse).latest_month(area_code)


def load_subject(warehouse: Warehouse, indicator_id: str, area_code: str) -> ChartSubject:
    """Indicator title, unit, polarity and measure (``ref_indicators``) and the area's name
    (read once per indicator and area inside a :func:`pack_cache`: every kind of chart has it)."""
    reader = as_reader(warehouse)
    return _once(("subject", id(reader), indicator_id, area_code),
                 lambda: _read_subject(reader, indicator_id, area_code))


def _read_subject(reader: MartReader, indicator_id: str, area_code: str) -> ChartSubject:
    _require(reader, "ref_indicators")
    rows = reader.rows("chart_subject", indicator_id=indicator_id)
    if not rows:
        raise ChartDataMissing(f"indicator {indicator_id!r} is not in the catalogue")
    title, unit, polarity, measure = rows[0]
    name = reader.area_name(area_code) or area_code
    return ChartSubject(indicator_id, str(title), str(unit), str(polarity), str(measure),
                        area_code, name)


def _source_text(indicator_id: str, config_dir: Path) -> str:
    """The catalogue's ``source`` wording of the indicator ("" when unavailable)."""
    from scp_metrics.config.catalogue import read_indicators

    try:
        for ind in read_indicators(Path(config_dir)):
            if ind.id == indicator_id and ind.source:
                return ind.source
    except (OSError, KeyError, ValueError):
        pass
    return ""


def _ledger_sources(reader: MartReader, indicator_id: str,
                    areas: Iterable[str], period_types: Iterable[str]) -> list[str]:
    """Ledger source names the indicator's values for these areas were counted from (read
    once per indicator, areas and period types inside a :func:`pack_cache`; a new list)."""
    areas, period_types = tuple(areas), tuple(period_types)
    return list(_once(("ledger sources", id(reader), indicator_id, areas, period_types),
                      lambda: _read_ledger_sources(reader, indicator_id, areas, period_types)))


def _read_ledger_sources(reader: MartReader, indicator_id: str,
                         areas: Iterable[str], period_types: Iterable[str]) -> list[str]:
    ref = _once(("indicator source", id(reader), indicator_id),
                lambda: reader.rows("chart_indicator_source", indicator_id=indicator_id))
    source_table, measure = ref[0] if ref else (None, None)
    mart = reader.rows("chart_value_sources", indicator_id=indicator_id,
                       area_codes=list(areas), period_types=list(period_types))
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
    warehouse: Warehouse,
    indicator_id: str,
    areas: Iterable[str],
    data_to: Any,
    *,
    config_dir: Path,
    period_types: Iterable[str] = ("month", "rolling_12m"),
    extra_sources: Iterable[str] = (),
    note: str = "",
    population: bool = True,
) -> Lineage:
    """The footnote's lineage: the indicator's source, the data date and the live load batches.

    The batches are every live ``load_batches`` row of the ledger sources the values were
    counted from (``mart_indicator_values.source`` mapped to the raw source, plus
    ``population`` for rates unless ``population`` is False, and any ``extra_sources``, e.g.
    ``msg_membership``). ``config_dir`` gives the source's wording (``config/indicators.toml``).
    """
    reader = as_reader(warehouse)
    sources = _ledger_sources(reader, indicator_id, areas, period_types)
    if not population:  # a count-based figure of a rate indicator uses no population
        sources = [s for s in sources if s != "population"]
    sources += [s for s in extra_sources if s not in sources]
    batches: list[int] = []
    loaded_at = None
    if _has(reader, "load_batches") and sources:
        rows = _once(("live batches", id(reader), tuple(sources)),
                     lambda: reader.rows("chart_live_batches", sources=sources,
                                         statuses=list(LIVE_STATUSES)))
        batches = [int(r[0]) for r in rows]
        loaded_at = max((r[1] for r in rows if r[1] is not None), default=None)
    text = _once(("source", indicator_id, str(config_dir)),
                 lambda: _source_text(indicator_id, config_dir))
    if not text:
        text = ", ".join(sources) or "not recorded"
    return Lineage(source=text, data_to=None if data_to is None else pd.Timestamp(data_to),
                   batch_ids=tuple(batches), loaded_at=loaded_at, sources=tuple(sources),
                   note=note)


def load_breaks(warehouse: Warehouse, indicator_id: str, area_code: str) -> pd.DataFrame:
    """``ref_series_breaks`` rows that apply to the indicator in the area (may be empty)."""
    reader = as_reader(warehouse)
    if not _has(reader, "ref_series_breaks"):
        return pd.DataFrame(columns=["indicator_id", "area_code", "break_date", "reason"])
    return reader.frame("chart_series_breaks", indicator_id=indicator_id, area_code=area_code)


def load_spc(warehouse: Warehouse, indicator_id: str, area_code: str, as_of: Any = None, *,
             config_dir: Path) -> pd.DataFrame:
    """``mart_spc`` rows of one series up to the end of ``as_of`` (all when None).

    Points whose month rests on a small count are blanked (the limits stay), by the rule the
    published CSVs follow (``config/privacy.toml`` in ``config_dir``).
    """
    reader = as_reader(warehouse)
    _require(reader, "mart_spc")
    frame = reader.frame("chart_spc_series", indicator_id=indicator_id, area_code=area_code,
                         period_end=_end_date(as_of))
    if frame.empty or frame["value"].notna().sum() < 2:
        raise ChartDataMissing(f"mart_spc has no monthly series for {indicator_id} in "
                               f"{area_code}")
    counts = reader.frame("chart_month_counts", indicator_id=indicator_id, area_code=area_code)
    # a point is the month's value of mart_indicator_values, resting on that month's counts
    return withhold(frame, _rules(config_dir, reader), contract_for("mart_indicator_values"),
                    counts, _measures(reader))


def load_trend(warehouse: Warehouse, indicator_id: str, area_code: str, as_of: Any = None, *,
               config_dir: Path) -> pd.DataFrame:
    """Monthly and rolling 12-month ``mart_indicator_values`` rows up to the end of ``as_of``,
    values resting on small counts blanked."""
    reader = as_reader(warehouse)
    _require(reader, "mart_indicator_values")
    frame = reader.frame("chart_trend_values", indicator_id=indicator_id, area_code=area_code,
                         period_end=_end_date(as_of))
    if (frame["period_type"] == "month").sum() < 2:
        raise ChartDataMissing(f"no monthly values of {indicator_id} for {area_code}")
    return withhold(frame, _rules(config_dir, reader), contract_for("mart_indicator_values"),
                    indicator_measures=_measures(reader))


def load_rankings(warehouse: Warehouse, indicator_id: str, area_code: str, as_of: Any = None,
                  period_type: str | None = None, *, config_dir: Path) -> pd.DataFrame:
    """``mart_msg_rankings`` members of the latest ranked period ending by ``as_of``.

    ``period_type`` defaults to ``rolling_12m`` (iQuanta's comparison), or ``survey`` for an
    indicator ranked only on survey values, or ``quarter`` (ranked for the proxy group only,
    whose police.uk months may make no whole year).
    """
    reader = as_reader(warehouse)
    _require(reader, "mart_msg_rankings")
    end = _end_date(as_of)
    types = [period_type] if period_type else ["rolling_12m", "survey", "quarter"]
    for kind in types:
        latest = reader.value("chart_ranking_latest_end", indicator_id=indicator_id,
                              area_code=area_code, period_type=kind, period_end=end)
        if latest is not None:
            members = reader.frame("chart_ranking_members", indicator_id=indicator_id,
                                   area_code=area_code, period_type=kind, period_end=latest)
            return withhold(members, _rules(config_dir, reader),
                            contract_for("mart_msg_rankings"))
    raise ChartDataMissing(f"no ranked Most Similar Group period of {indicator_id} for "
                           f"{area_code} ({' or '.join(types)})")


def load_trajectory(warehouse: Warehouse, target_id: str, area_code: str, *,
                    config_dir: Path) -> tuple[pd.DataFrame, pd.Series]:
    """The monthly path and the ``mart_target_tracking`` row of one target.

    The path's ``actual_ytd`` is the cumulative financial-year-to-date value
    (``mart_indicator_values`` period type ``fytd``; its ``numerator`` for a count-based
    target); ``trajectory_ytd`` is the year's milestone times the cumulative monthly profile
    the tracking mart uses (``[rag] trajectory_profile`` in ``config/targets.toml``: seasonal
    from the last complete years, or flat).
    """
    reader = as_reader(warehouse)
    _require(reader, "mart_target_tracking")
    rows = reader.frame("chart_tracking_row", target_id=target_id, area_code=area_code)
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
    values = reader.frame("chart_trajectory_values", indicator_id=indicator, area_code=area_code)
    as_of = pd.Timestamp(row["as_of"])
    fytd = values[(values["period_type"] == "fytd")
                  & (pd.to_datetime(values["period_start"]) == months[0].to_timestamp())
                  & (pd.to_datetime(values["period_end"]) <= as_of)]
    column = "numerator" if str(row.get("unit")) == "count" else "value"
    # the year-to-date points as published: none where disclosure control withholds them
    hidden = small_rows(small_cells(fytd, _rules(config_dir, reader),
                                    contract_for("mart_indicator_values")), fytd.index)
    fytd = fytd.assign(**{column: fytd[column].astype(float).where(~hidden)})
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


def _profile_settings(config_dir: Path) -> tuple[str, int]:
    """``[rag] trajectory_profile`` and ``profile_years`` of ``config/targets.toml``."""
    from scp_metrics.targets.plan import load_targets

    rag = load_targets(Path(config_dir)).rag
    return str(rag.trajectory_profile), int(rag.profile_years)


def _target_title(target_id: str, config_dir: Path) -> str | None:
    from scp_metrics.targets.plan import load_targets

    try:
        for t in load_targets(Path(config_dir)).targets:
            if t.id == target_id:
                return str(getattr(t, "title", "") or "") or None
    except (OSError, KeyError, ValueError):
        return None
    return None
