"""``mart_target_tracking``: every target of ``config/targets.toml``, each monthly one as of its
indicator's own latest complete month (``mart_indicator_as_of``), the others as of the month the
publication is dated by (:func:`scp_metrics.targets.tracking.tracking_table`), from the marts
built before it: ``mart_indicator_values`` (the targets' series, and every monthly count or rate
series of their areas for the backtest's pool), ``mart_spc`` (assurance),
``mart_msg_rankings`` (rank targets) and ``mart_kpi_values`` (the partner-return KPIs' targets,
judged on the returns).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.config.kpis import read_kpi_register
from scp_metrics.config.spc import read_spc_baseline
from scp_metrics.config.targets import TargetCatalogue, load_targets
from scp_metrics.settings import Settings
from scp_metrics.stats.spc import xmr_limits
from scp_metrics.stats.spc_baseline import ProcessLimits
from scp_metrics.targets.evaluation import PoolSeries
from scp_metrics.targets.kpi_status import partner_tracking
from scp_metrics.targets.projection_base import fiscal_year
from scp_metrics.targets.projections import as_month
from scp_metrics.targets.series import IndicatorData, indicator_data
from scp_metrics.targets.tracking import COLUMNS, tracking_table, typed_tracking
from scp_metrics.warehouse.marts.indicator_as_of import home_months, publication_month
from scp_metrics.warehouse.queries import query, query_rows

__all__ = ["build_target_tracking", "latest_month", "load_indicator", "load_pool",
           "monthly_series", "series_breaks", "track_targets"]


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(query_rows(con, "reads/common/table_exists", name=table)[0][0])


def series_breaks(con: duckdb.DuckDBPyConnection, indicator: str, area: str) -> tuple:
    """Break dates of one indicator in one area from ``ref_series_breaks`` (none if absent)."""
    if not _exists(con, "ref_series_breaks"):
        return ()
    rows = query_rows(con, "reads/target_tracking/series_breaks", indicator_id=indicator,
                      area_code=area)
    return tuple(r[0] for r in rows)


def load_indicator(con: duckdb.DuckDBPyConnection, indicator: str,
                   area: str) -> IndicatorData | None:
    """One indicator's series in one area (None: no values)."""
    reference = query_rows(con, "reads/target_tracking/indicator_reference", indicator_id=indicator)
    rows = query(con, "reads/target_tracking/indicator_rows", indicator_id=indicator,
                 area_code=area)
    if rows.empty:
        return None
    return indicator_data(rows, reference[0] if reference else None,
                          series_breaks(con, indicator, area))


def monthly_series(con: duckdb.DuckDBPyConnection,
                   area: str | None = None) -> dict[tuple[str, str], tuple[str, pd.Series]]:
    """(indicator, area) → (family, monthly numerators) of every count or rate indicator in
    ``area`` (every area when None)."""
    frame = query(con, "reads/target_tracking/monthly_series", area_code=area)
    return {(str(i), str(a)): (str(g["family"].iloc[0]),
                               pd.Series(g["numerator"].to_numpy(dtype=float),
                                         index=pd.DatetimeIndex(pd.to_datetime(g["period_start"]))))
            for (i, a), g in frame.groupby(["indicator_id", "area_code"], sort=True)}


def load_pool(con: duckdb.DuckDBPyConnection,
              areas: list[str]) -> dict[tuple[str, str], PoolSeries]:
    """The backtest's pool: every monthly count or rate series of ``areas``, with its family
    and series breaks (:class:`~scp_metrics.targets.evaluation.PoolSeries`)."""
    pool = {}
    for area in sorted(set(areas)):
        for key, (family, counts) in monthly_series(con, area).items():
            pool[key] = PoolSeries(counts, series_breaks(con, *key), family)
    return pool


def latest_month(con: duckdb.DuckDBPyConnection, area: str) -> pd.Period:
    """The latest month with monthly indicator values for ``area``.

    Raises
    ------
    ValueError
        When the area has none.
    """
    rows = query_rows(con, "reads/target_tracking/latest_month", area_code=area)
    if not rows or rows[0][0] is None:
        raise ValueError(f"no monthly indicator values for {area} in the warehouse")
    return as_month(rows[0][0])


def _spc_limits(con: duckdb.DuckDBPyConnection,
                settings: Settings) -> dict[tuple[str, str], ProcessLimits]:
    """The current process of every ``mart_spc`` series; where it has shifted since its limits
    were set (a suggested recalculation in its latest group), also the limits a recalculation
    there would give, from the baseline of ``config/spc.toml`` (for the note only)."""
    if not _exists(con, "mart_spc"):
        return {}
    baseline = read_spc_baseline(settings.config_dir)
    out = {}
    for i, a, lo, hi, kind, shift in query_rows(con, "reads/target_tracking/spc_limits"):
        if lo is None and hi is None and kind != "run_chart":
            continue  # a series without limits (all zero, failed) has none to assure against
        nan = float("nan")
        lim = ProcessLimits(nan if lo is None else float(lo), nan if hi is None else float(hi),
                            kind or "xmr", shift)
        if shift is not None:
            after = query(con, "reads/target_tracking/spc_values_from", indicator_id=i,
                          area_code=a, period_start=shift)
            y = pd.Series(after["value"].to_numpy(dtype=float),
                          index=pd.DatetimeIndex(pd.to_datetime(after["period_start"])))
            y = y.reindex(pd.date_range(y.index[0], y.index[-1], freq="MS"))  # gaps as NaN
            if y.notna().sum() >= baseline.minimum_points:
                new = xmr_limits(y.to_numpy(), fix_after_n=baseline.baseline_points)
                lim = lim._replace(shift_lpl=new.lpl, shift_upl=new.upl)
        out[(i, a)] = lim
    return out


def _ranks(con: duckdb.DuckDBPyConnection, indicator: str, area: str,
           month: pd.Period) -> pd.DataFrame | None:
    if not _exists(con, "mart_msg_rankings"):
        return None
    return query(con, "reads/target_tracking/ranks", indicator_id=indicator, area_code=area,
                 as_of=month.to_timestamp(how="end").date())


def default_month(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.Period:
    """The month the publication is dated by (``config/publication.toml``), else the home
    area's latest month (raises ValueError when it has none)."""
    dated = publication_month(con, settings)
    return as_month(dated) if dated is not None else latest_month(con, settings.home_area)


def own_months(con: duckdb.DuckDBPyConnection, areas: set[str],
               cap: pd.Period | None = None) -> dict[tuple[str, str], pd.Period]:
    """(indicator, area) → the indicator's own as-of month there (``mart_indicator_as_of``),
    no later than ``cap`` when one is given."""
    out = {}
    for area in sorted(areas):
        for indicator, (when, _label) in home_months(con, area).items():
            month = as_month(when)
            out[(indicator, area)] = month if cap is None else min(month, cap)
    return out


def track_targets(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: object = None,
                  catalogue: TargetCatalogue | None = None) -> pd.DataFrame:
    """One row per target, each monthly one as of its indicator's own latest complete month
    (sources arrive out of step: police data may run to December, ED data to January), no
    later than ``as_of`` when it is given; survey and rank targets (and any without an own
    month) as of ``as_of``, by default the month the publication is dated by.

    The back-tests' projections are memoised beside ``settings.warehouse`` (the warehouse being
    built, not the environment's default; not at all for ``":memory:"``).
    """
    cap = as_month(as_of) if as_of is not None else None
    month = cap if cap is not None else default_month(con, settings)
    # the plan whose years cover the publication's financial year (none: no targets to track)
    cat = catalogue or load_targets(settings.config_dir, year=fiscal_year(month))
    areas = {t.area_code(settings.home_area) for t in cat.targets}
    months = own_months(con, areas, cap)
    data: dict[tuple[str, str], IndicatorData | None] = {}
    ranks: dict[tuple[str, str], pd.DataFrame | None] = {}
    for t in cat.targets:
        key = (t.indicator, t.area_code(settings.home_area))
        if key not in data:
            data[key] = load_indicator(con, *key)
        if t.kind == "rank" and key not in ranks:
            ranks[key] = _ranks(con, *key, month)
    pool = load_pool(con, [area for _, area in data])
    table = tracking_table(cat, month, settings.home_area, data, ranks,
                           _spc_limits(con, settings), settings.warehouse, pool, months)
    return _with_partner_returns(con, settings, table, cat, cap)


def _with_partner_returns(con: duckdb.DuckDBPyConnection, settings: Settings,
                          table: pd.DataFrame, cat: TargetCatalogue,
                          cap: pd.Period | None) -> pd.DataFrame:
    """The partner-return KPIs' targets judged on their returns (``mart_kpi_values``, built
    before this mart), each as of its latest quarter, no later than ``cap`` when given
    (:func:`scp_metrics.targets.kpi_status.partner_tracking`)."""
    if not _exists(con, "mart_kpi_values"):
        return table
    values = query(con, "reads/kpi/kpi_values")
    return typed_tracking(partner_tracking(
        table, read_kpi_register(settings.config_dir), values, cat.targets, cat.rag,
        None if cap is None else cap.to_timestamp(how="end").normalize()))


def build_target_tracking(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """Mart builder for ``mart_target_tracking``: every target as of the latest month of the
    home area (empty, with its columns, when the warehouse has no monthly values for it)."""
    try:
        default_month(con, settings)
    except ValueError:
        return typed_tracking(pd.DataFrame(columns=COLUMNS))
    return track_targets(con, settings)
