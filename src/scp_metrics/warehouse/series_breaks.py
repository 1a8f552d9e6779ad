"""Series breaks: dates from which an indicator's series is not comparable with earlier data.

Breaks are data (``config/series_breaks.toml``, loaded as ``ref_series_breaks`` by
:func:`scp_metrics.config.catalogue.read_series_breaks`). SPC limits are rebased at them
(:mod:`scp_metrics.warehouse.marts.spc`), trend windows never cross them
(:mod:`scp_metrics.warehouse.marts.trends`), and charts mark them (:func:`breaks_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from scp_metrics.config import catalogue

__all__ = ["SeriesBreak", "break_starts", "breaks_for"]


@dataclass(frozen=True)
class SeriesBreak:
    """One break in one indicator's series (``area_code`` None: every area)."""

    date: date
    reason: str
    source: str
    area_code: str | None = None


def _breaks_frame(breaks: Any) -> pd.DataFrame:
    if breaks is None:
        from scp_metrics.settings import get_settings

        return catalogue.read_series_breaks(get_settings().config_dir)
    if isinstance(breaks, duckdb.DuckDBPyConnection):
        return breaks.execute("select * from ref_series_breaks").df()
    return breaks


def breaks_for(
    indicator_id: str,
    area_code: str | None = None,
    breaks: pd.DataFrame | duckdb.DuckDBPyConnection | None = None,
) -> list[SeriesBreak]:
    """The breaks that apply to one indicator in one area, oldest first.

    Parameters
    ----------
    indicator_id : str
        Indicator id as in ``config/indicators.toml``.
    area_code : str, optional
        ONS area code. A break with no area applies everywhere; an area-specific break only
        to its area (and is left out when ``area_code`` is None).
    breaks : DataFrame or DuckDB connection, optional
        ``ref_series_breaks`` rows, or a warehouse connection to read them from; by default
        the breaks in the configured ``config/series_breaks.toml``.

    Returns
    -------
    list of SeriesBreak

    Examples
    --------
    >>> [b.date.isoformat() for b in breaks_for("NI15", "E06000045")]
    ['2008-04-01']
    >>> breaks_for("all_crime", "E06000045")
    []
    """
    frame = _breaks_frame(breaks)
    if frame.empty:
        return []
    rows = frame[frame["indicator_id"] == indicator_id]
    area = rows["area_code"]
    rows = rows[area.isna() | (area == area_code)] if area_code is not None else rows[area.isna()]
    out = [
        SeriesBreak(
            date=pd.Timestamp(r.break_date).date(),
            reason=str(r.reason),
            source="" if pd.isna(r.source) else str(r.source),
            area_code=None if pd.isna(r.area_code) else str(r.area_code),
        )
        for r in rows.itertuples(index=False)
    ]
    return sorted(out, key=lambda b: b.date)


def break_starts(index: pd.DatetimeIndex, dates: Any) -> list[pd.Timestamp]:
    """Labels of ``index`` at which a new series starts, one per break that falls inside it.

    A break maps to the first period starting on or after its date; breaks on or before the
    first period, or after the last, start nothing (the whole series is on one side).

    Examples
    --------
    >>> idx = pd.date_range("2008-01-01", periods=6, freq="MS")
    >>> break_starts(idx, [date(2008, 4, 1), date(2007, 4, 1), date(2008, 3, 15)])
    [Timestamp('2008-04-01 00:00:00')]
    """
    if len(index) == 0:
        return []
    out: set[pd.Timestamp] = set()
    for d in dates:
        pos = index.searchsorted(pd.Timestamp(d), side="left")
        if 0 < pos < len(index):
            out.add(index[pos])
    return sorted(out)
