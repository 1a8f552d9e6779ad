"""Series breaks (``config/series_breaks.toml``): dates from which an indicator's series is not
comparable with earlier data.

Loaded as ``ref_series_breaks``; SPC limits are rebased at them and trend windows never cross
them (:func:`scp_metrics.stats.breaks.break_starts` places them in a series), and charts mark
them (:func:`breaks_for`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from scp_metrics.config.catalogue import Indicator

__all__ = ["SERIES_BREAK_COLUMNS", "SeriesBreak", "breaks_for", "read_series_breaks"]

SERIES_BREAK_COLUMNS = ["indicator_id", "area_code", "break_date", "reason", "source"]
_KEYS = {"indicator_ids", "area_code", "date", "reason", "source"}


@dataclass(frozen=True)
class SeriesBreak:
    """One break in one indicator's series (``area_code`` None: every area)."""

    date: date
    reason: str
    source: str
    area_code: str | None = None


def read_series_breaks(config_dir: Path, indicators: list[Indicator]) -> pd.DataFrame:
    """``config/series_breaks.toml`` as one row per (indicator, break) (``ref_series_breaks``).

    ``indicator_ids = "*"`` expands to every indicator counted from police offence codes
    (``source_table == "police_crime"``); ``area_code`` is null for a break in every area.
    No file means no breaks.

    Raises
    ------
    ValueError
        Naming the file, the break and the key: an unknown indicator id, an unknown key, or a
        missing ``indicator_ids``, ``date`` or ``reason``.
    """
    path = Path(config_dir) / "series_breaks.toml"
    known = {i.id for i in indicators}
    police = [i.id for i in indicators if i.source_table == "police_crime"]
    rows = []
    if path.is_file():
        with open(path, "rb") as fh:
            entries = tomllib.load(fh).get("break", [])
        for n, item in enumerate(entries, 1):
            where = f"{path.name}: break {n}"
            extra = sorted(set(item) - _KEYS)
            if extra:
                raise ValueError(f"{where}: unknown key(s) {', '.join(extra)}")
            for key in ("indicator_ids", "date", "reason"):
                if key not in item:
                    raise ValueError(f"{where}: {key} is missing")
            ids = item["indicator_ids"]
            ids = police if ids == "*" else [str(i) for i in ids]
            unknown = sorted(set(ids) - known)
            if unknown:
                raise ValueError(f"{where}: indicator_ids: unknown indicator id(s) "
                                 f"{', '.join(unknown)}")
            for ind in ids:
                rows.append((ind, item.get("area_code"), pd.Timestamp(item["date"]).date(),
                             item["reason"], item.get("source", "")))
    frame = pd.DataFrame(rows, columns=SERIES_BREAK_COLUMNS)
    frame["area_code"] = frame["area_code"].astype("string")
    frame["break_date"] = pd.to_datetime(frame["break_date"]).dt.date
    return frame.sort_values(["indicator_id", "break_date"]).reset_index(drop=True)


def breaks_for(indicator_id: str, area_code: str | None, breaks: pd.DataFrame) -> list[SeriesBreak]:
    """The breaks that apply to one indicator in one area, oldest first.

    Parameters
    ----------
    indicator_id : str
        Indicator id as in ``config/indicators.toml``.
    area_code : str or None
        ONS area code. A break with no area applies everywhere; an area-specific break only
        to its area (and is left out when ``area_code`` is None).
    breaks : DataFrame
        ``ref_series_breaks`` rows (:func:`read_series_breaks`).

    Returns
    -------
    list of SeriesBreak
    """
    if breaks.empty:
        return []
    rows = breaks[breaks["indicator_id"] == indicator_id]
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
