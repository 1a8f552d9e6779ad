"""Backtest of the year-end projection methods: every method's projection of every complete
financial year from every as-of month (rolling origins), with the outturn.

For every complete financial year of a monthly series, each method projects the year from each
month-end (``ORIGINS``: the ends of months 1-11 of the year, so including Q1, Q2 and Q3) using only
data up to that month (:func:`projections.project`), and the raw projection is kept with the
outturn and its scaled error. Scoring, calibration and the choice of method, all on earlier years
only, are in :mod:`scp_metrics.targets.evaluation`.

Because a projection from an origin uses only the data up to it, each origin's projections are
memoised on disk beside the warehouse being built, keyed on that prefix of the series
(:func:`_origin_fits`): a refresh adding a quarter fits only the origins it adds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import cast

import numpy as np
import pandas as pd

from scp_metrics.fanout import current_mapper, fan_out
from scp_metrics.memo import disk_memo, memo_path
from scp_metrics.targets.calibration import Z95
from scp_metrics.targets.projections import (
    METHODS,
    Projection,
    as_month,
    fiscal_year,
    fy_months,
    monthly,
    project_all,
)

ORIGINS: tuple[int, ...] = tuple(range(1, 12))
RAW_COLUMNS = ["fy", "origin", "method", "actual", "projection", "available", "point", "ytd",
               "scale", "z"]


def complete_years(series: pd.Series) -> list[int]:
    s = monthly(series)
    years = sorted({fiscal_year(p) for p in s.index})
    return [fy for fy in years if fy_months(fy).isin(s.index).all()]


def backtest_series(series: pd.Series, methods: Iterable[str] = METHODS,
                    origins: Iterable[int] = ORIGINS, breaks: object = (), *,
                    warehouse: str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per complete year, origin and method: the raw projection and the outturn.

    Parameters
    ----------
    series
        Monthly counts (see :func:`projections.monthly`).
    methods, origins
        The methods, and the months of the year (1 = April) projected from.
    breaks
        Series-break dates, passed to every projection (see :func:`projections.project`).
    warehouse
        The warehouse being built: each origin's projections are memoised beside it
        (:func:`_origin_fits`); ``None`` or ``":memory:"`` computes them all.

    Returns
    -------
    pandas.DataFrame
        ``RAW_COLUMNS``: fy, origin, method, actual, projection (:class:`Projection`), available,
        point, ytd, scale (the raw 95% half-width ÷ 1.96) and z = (actual − point) ÷ scale
        (nan when unavailable or when the raw interval has no width).
    """
    s = monthly(series)
    methods = tuple(methods)
    rows, bounds = [], []
    for fy in complete_years(s):
        months = fy_months(fy)
        actual = float(s.reindex(months).sum())
        for origin in origins:
            fits = _origin_fits(s, months[origin - 1], methods, breaks, warehouse)
            for method, (p, lo95, hi95) in fits.items():
                rows.append({"fy": fy, "origin": origin, "method": method, "actual": actual,
                             "projection": p, "available": p.available})
                bounds.append((lo95, hi95))
    raw = pd.DataFrame(rows, columns=RAW_COLUMNS[:6])
    raw["point"] = [p.point if p.available else np.nan for p in raw["projection"]]
    raw["ytd"] = [p.ytd for p in raw["projection"]]
    raw["scale"] = [(hi - lo) / (2 * Z95) if p.available else np.nan
                    for p, (lo, hi) in zip(raw["projection"], bounds, strict=True)]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (raw["actual"] - raw["point"]) / raw["scale"]
    raw["z"] = z.where(raw["scale"] > 0)
    return raw.astype({"point": float, "ytd": float, "scale": float, "z": float})


_MEMO_MODULES = ("scp_metrics.targets.backtest", "scp_metrics.targets.projection_base",
                 "scp_metrics.targets.projections",
                 "scp_metrics.targets.projection_models")


def _breaks_key(breaks: object) -> tuple[str, ...]:
    """Break dates as sorted ISO strings (part of the memo keys)."""
    return tuple(sorted(str(pd.Timestamp(d).date()) for d in cast(Iterable, breaks or ())))


def _origin_fits(series: pd.Series, as_of: pd.Period, methods: tuple[str, ...], breaks: object,
                 warehouse: str | os.PathLike | None) -> dict[str, tuple[Projection, float, float]]:
    """Every method's projection from ``as_of`` (:func:`projections.project_all`) with its raw
    95% interval (stored with it), memoised.

    A projection from ``as_of`` uses only the series up to ``as_of``, so the disk memo
    (:func:`scp_metrics.memo.disk_memo`, beside ``warehouse``) is keyed on that prefix (values
    and months), ``as_of``, the methods and the break dates, and on the code: months appended
    to the series (a new quarter) leave every earlier origin's key unchanged, so only new origins
    are fitted. ``series`` must already be monthly (:func:`projections.monthly`).
    """
    month = as_month(as_of)
    prefix = series[series.index.asi8 <= month.ordinal]
    key = _origin_key(prefix, month, methods, breaks)

    def compute() -> dict[str, tuple[Projection, float, float]]:
        return {m: (p, *p.interval(0.95)) for m, p in project_all(prefix, month, methods,
                                                                   breaks).items()}

    return disk_memo("backtest_origins", key, compute, modules=_MEMO_MODULES,
                     warehouse=warehouse)


def _origin_key(prefix: pd.Series, month: pd.Period, methods: tuple[str, ...],
                breaks: object) -> tuple:
    return ("origin", prefix.to_numpy(dtype=float).tobytes(), prefix.index.asi8.tobytes(),
            month.ordinal, methods, _breaks_key(breaks))


def origins_to_fit(series: pd.Series, methods: Iterable[str] = METHODS,
                   origins: Iterable[int] = ORIGINS, breaks: object = (), *,
                   warehouse: str | os.PathLike | None) -> int:
    """How many of the origins :func:`backtest_series` would fit are not in the disk memo
    beside ``warehouse`` (0 without one: there is nothing to fill ahead)."""
    s = monthly(series)
    methods = tuple(methods)
    missing = 0
    for fy in complete_years(s):
        months = fy_months(fy)
        for origin in origins:
            month = as_month(months[origin - 1])
            prefix = s[s.index.asi8 <= month.ordinal]
            path = memo_path("backtest_origins", _origin_key(prefix, month, methods, breaks),
                             modules=_MEMO_MODULES, warehouse=warehouse)
            missing += path is not None and not path.is_file()
    return missing


def fill_memo(series: list[tuple[bytes, bytes]], origins: tuple[int, ...], breaks: tuple,
              warehouse: str) -> int:
    """Back-test each series (monthly values and month ordinals, as bytes) into the disk memo
    beside ``warehouse``; a fan-out piece (:func:`prefill`). Returns the series done."""
    for values, index in series:
        s = pd.Series(np.frombuffer(values, dtype=float),
                      index=pd.PeriodIndex.from_ordinals(np.frombuffer(index, dtype=np.int64),
                                                         freq="M"))
        try:
            backtest_series(s, origins=origins, breaks=breaks, warehouse=warehouse)
        except Exception:  # noqa: BLE001, S112 - the build's own back-test reports it
            continue
    return len(series)


def prefill(items: Iterable[tuple[pd.Series, tuple]], origins: Iterable[int] = ORIGINS, *,
            warehouse: str | os.PathLike | None) -> int:
    """With a fan-out mapper installed (``scp-metrics refresh --workers N``, or a Prefect task
    runner), fit the origins of every ``(series, breaks)`` that the disk memo beside
    ``warehouse`` lacks in the mapper's workers, a series per piece, longest first; the
    back-tests that follow, here, then read every origin from the memo. The results are the
    ones computed here (each origin's projections depend only on its own prefix and the code,
    and the memo returns them as stored). Returns how many series were sent (0: no mapper, no
    memo, or nothing missing)."""
    if current_mapper() is None or warehouse is None or str(warehouse) in ("", ":memory:"):
        return 0
    origins = tuple(origins)
    pieces: list[tuple[int, tuple]] = []
    for series, breaks in items:
        s = monthly(series)
        missing = origins_to_fit(s, origins=origins, breaks=breaks, warehouse=warehouse)
        if missing:
            pieces.append((missing, ([(s.to_numpy(dtype=float).tobytes(),
                                       s.index.asi8.tobytes())], origins, breaks,
                                     str(warehouse))))
    if len(pieces) < 2:  # one series is no faster in a worker
        return 0
    pieces.sort(key=lambda piece: -piece[0])
    fan_out(fill_memo, [args for _, args in pieces])
    return len(pieces)
