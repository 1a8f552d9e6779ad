"""Series breaks: known ones placed in a series, and recording breaks detected in the data (a
level shift in a monthly count series far beyond the series' own month-to-month variation, that
its comparison series does not share).

Two kinds of break. Known breaks (a documented change of counting rules, a new recording system)
are data in ``config/series_breaks.toml``; :func:`break_starts` places them in a series (SPC
limits are rebased there, trend windows start there). This module also *detects*
suspected ones in the data, for the series nobody documented: the real case is Hampshire's
anti-social behaviour on data.police.uk, which falls by two thirds between March and October
2018 while crime stays level. Detected breaks go to ``mart_recording_breaks``; they are
findings to check, not configuration.

Method (for one series of monthly counts, months may have gaps):

1. Work on ``x = log(count + 0.5)``, so a shift is a ratio and a small count cannot give
   ``log(0)``.
2. The series' own variation is the XmR estimate from the median moving range:
   ``sigma = median |x[t] - x[t-1]| / 0.954``, using only consecutive calendar months (a gap in
   the data is not a month-to-month move). The median (Wheeler) is not inflated by the one big
   move at a break, so every candidate split is judged against the same sigma.
3. Every split with at least ``min_side`` months on each side is a candidate; the shift is the
   log ratio of the (geometric) mean counts after and before it, ``r = mean(x_after) -
   mean(x_before)``; the chosen split maximises ``|r| / sigma``. (Geometric means place the
   split where the level changes; arithmetic means, dominated by the higher months, would
   put it late.) ``level_before`` / ``level_after`` report the arithmetic mean counts.
4. The split is a suspected recording break when all of these hold:

   * ``|r| >= z_threshold * sigma``: the new level lies beyond the old level's natural process
     limits (XmR limits are the mean ± 3 sigma), i.e. far beyond the series' own variation;
   * ``|change| >= min_change_pct``: a material change, not a tiny one in a very smooth series;
   * the larger of the two levels is at least ``min_level`` a month (small counts are noise);
   * **seasonality**: where the same calendar months occur on both sides (a year or more
     apart), their mean log change must also reach ``z_threshold * sigma * sqrt(2 / pairs)``
     in the same direction (a summer-to-winter fall of bicycle theft is not a break);
   * the **comparison series** does not share it: for a police.uk category, the same area's
     all crime (``police_uk:all-crime``). The relative series ``x - x_ref`` must shift by at
     least ``z_threshold`` of *its* own sigma, and so it does not when both fall together;
   * **other forces**: where the same indicator is available on both sides of the split in
     areas of other police forces, their median shift must differ from this one by at least
     ``z_threshold`` sigma (a national change in recording or crime is not a local break).
     The real comparator forces only start in October 2018, so for Hampshire's break the
     evidence says no other force has data on both sides.

A shift is attributed to recording only when at least one comparison was possible and did
not share it. All crime has no comparison series in its own area, so it can be flagged only
against other forces with data on both sides; on the real data there are none at its largest
shifts (Basingstoke +29% in April 2017, carried by the violence step below), so it is not
flagged, and cannot be: a level shift with nothing to compare could be real.

Cost: one pass over each series for its best split (the series' sigma computed once); at
300 areas × 15 years (~6,500 police.uk series) the mart takes about a second. It is computed in
full on every build: a series' verdict depends on its comparison series and on every other
force's series of the same indicator, so it is not a mart of independent series that
:mod:`scp_metrics.warehouse.incremental` could reuse one by one (the adapter is
:mod:`scp_metrics.warehouse.marts.recording_breaks`).
"""


from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DETECTED_COLUMNS", "BreakSettings", "LevelShift", "best_level_shift", "break_starts",
           "detect_breaks", "same_month_shift"]

#: The columns :func:`detect_breaks` returns (``mart_recording_breaks`` adds the area's name
#: and a message).
DETECTED_COLUMNS = ["indicator_id", "area_code", "break_after", "break_before", "level_before",
                    "level_after", "change_pct", "months_before", "months_after",
                    "shift_sigmas", "reference_indicator", "reference_change_pct",
                    "relative_shift_sigmas", "evidence"]
D2_MEDIAN = 0.954  # median |X1 - X2| / sigma for two normal observations (moving range of 2)


@dataclass(frozen=True)
class BreakSettings:
    """Thresholds of the detector (see the module docstring)."""

    z_threshold: float = 3.0
    min_change_pct: float = 30.0
    min_side: int = 2
    """Months on each side of a split (2: a break right after the first two months is placed
    where it is, not a month late)."""
    min_months: int = 8
    """Months in the series: shorter series (5 winter months of a comparator force) cannot
    tell a break from the season."""
    min_level: float = 10.0
    min_moves: int = 3
    """At least this many month-to-month moves to estimate the variation from."""


@dataclass(frozen=True)
class LevelShift:
    """The largest level shift in a series, in its own month-to-month sigmas."""

    split: int
    """Index of the first month after the shift."""
    break_after: pd.Timestamp
    break_before: pd.Timestamp
    level_before: float
    level_after: float
    log_ratio: float
    sigma: float
    months_before: int
    months_after: int

    @property
    def sigmas(self) -> float:
        return abs(self.log_ratio) / self.sigma if self.sigma > 0 else float("inf")

    @property
    def change_pct(self) -> float:
        return 100.0 * (self.level_after / self.level_before - 1.0) if self.level_before else np.nan


def _log(counts: np.ndarray) -> np.ndarray:
    return np.log(np.asarray(counts, dtype=float) + 0.5)


def _consecutive(months: pd.DatetimeIndex) -> np.ndarray:
    """``ok[i]``: month i+1 is the calendar month after month i."""
    periods = months.to_period("M")
    return np.asarray([(b - a).n == 1 for a, b in zip(periods[:-1], periods[1:], strict=True)])


def _sigma(x: np.ndarray, ok: np.ndarray, min_moves: int) -> float:
    """XmR sigma of ``x`` from the median consecutive-month moving range (robust to the one
    big move at a break, Wheeler's median moving range); NaN when too few moves."""
    ranges = np.abs(np.diff(x))[ok]
    if len(ranges) < min_moves:
        return float("nan")
    return float(np.median(ranges) / D2_MEDIAN)


def best_level_shift(series: pd.Series, settings: BreakSettings | None = None
                     ) -> LevelShift | None:
    """The split of a monthly count series (index: month starts) with the largest shift of
    the mean level relative to the series' own month-to-month sigma, if one can be measured.

    >>> months = pd.date_range("2017-01-01", periods=12, freq="MS")
    >>> s = pd.Series([100, 104, 97, 101, 99, 103, 30, 33, 29, 31, 32, 30], index=months)
    >>> shift = best_level_shift(s)
    >>> (f"{shift.break_after:%Y-%m}", f"{shift.break_before:%Y-%m}", round(shift.change_pct))
    ('2017-06', '2017-07', -69)
    """
    cfg = settings or BreakSettings()
    if not (series.index.is_monotonic_increasing and series.index.is_unique):
        series = series.sort_index()
    if len(series) < max(2 * cfg.min_side, cfg.min_months):
        return None
    months = pd.DatetimeIndex(series.index)
    counts = series.to_numpy(dtype=float)
    x = _log(counts)
    ok = _consecutive(months)
    sigma = _sigma(x, ok, cfg.min_moves)  # the same for every split
    if not np.isfinite(sigma):
        return None
    # the range is not empty: len(series) >= 2 * min_side; the first of equal splits wins
    best_k, best_ratio, best_sigmas = -1, float("nan"), -np.inf
    for k in range(cfg.min_side, len(series) - cfg.min_side + 1):
        ratio = float(x[k:].mean() - x[:k].mean())
        sigmas = abs(ratio) / sigma if sigma > 0 else float("inf")  # LevelShift.sigmas
        if best_k < 0 or sigmas > best_sigmas:
            best_k, best_ratio, best_sigmas = k, ratio, sigmas
    k = best_k
    return LevelShift(k, months[k - 1], months[k], float(counts[:k].mean()),
                      float(counts[k:].mean()), best_ratio, sigma, k, len(series) - k)


def _shift_at(series: pd.Series, split_month: pd.Timestamp, cfg: BreakSettings
              ) -> LevelShift | None:
    """The shift of ``series`` at a given split (first month after it), if measurable."""
    series = series.sort_index()
    months = pd.DatetimeIndex(series.index)
    k = int(months.searchsorted(split_month))
    if k < cfg.min_side or len(series) - k < cfg.min_side:
        return None
    counts = series.to_numpy(dtype=float)
    x = _log(counts)
    sigma = _sigma(x, _consecutive(months), cfg.min_moves)
    if not np.isfinite(sigma):
        return None
    before, after = counts[:k].mean(), counts[k:].mean()
    return LevelShift(k, months[k - 1], months[k], float(before), float(after),
                      float(x[k:].mean() - x[:k].mean()), sigma, k, len(series) - k)


def same_month_shift(series: pd.Series, split_month: pd.Timestamp) -> tuple[float, int]:
    """Mean log change between the same calendar months on the two sides of a split (a
    seasonality-free view of the shift) and how many month pairs it rests on (0: none)."""
    x = pd.Series(_log(series.to_numpy(dtype=float)), index=pd.DatetimeIndex(series.index))
    before, after = x[x.index < split_month], x[x.index >= split_month]
    diffs = [value - before[before.index.month == month.month].mean()
             for month, value in after.items() if (before.index.month == month.month).any()]
    return (float(np.mean(diffs)), len(diffs)) if diffs else (float("nan"), 0)


def _split_series(units: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    """``(indicator_id, area_code)`` → its counts indexed by month (sorted), in key order.

    One sort and one slice per series: the same Series as ``groupby`` then ``set_index`` and
    ``sort_index`` of each group, without their per-group cost (seconds for 6,000 series).
    """
    keys = ["indicator_id", "area_code"]
    frame = units.dropna(subset=keys).sort_values(keys + ["month"], kind="stable")
    if frame.empty:
        return {}
    gid = frame.groupby(keys, sort=True).ngroup().to_numpy()
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    ends = np.r_[starts[1:], len(frame)]
    months = pd.DatetimeIndex(frame["month"], name="month")
    counts = frame["count"].to_numpy()
    dtype = frame["count"].dtype
    indicator = frame["indicator_id"].to_numpy()
    area = frame["area_code"].to_numpy()
    return {(indicator[start], area[start]):
            pd.Series(counts[start:end].copy(), index=months[start:end], name="count", dtype=dtype)
            for start, end in zip(starts, ends, strict=True)}


def detect_breaks(units: pd.DataFrame, reference_of: dict[str, str],
                  force_of: dict[str, str] | None = None,
                  settings: BreakSettings | None = None) -> pd.DataFrame:
    """Suspected recording breaks in monthly series.

    Parameters
    ----------
    units : DataFrame
        ``indicator_id, area_code, month, count`` (one row per reported month).
    reference_of : dict
        Indicator id → the comparison indicator in the same area (absent: none).
    force_of : dict, optional
        Area code → police force code, for the other-forces test.
    settings : BreakSettings, optional

    Returns
    -------
    DataFrame with :data:`DETECTED_COLUMNS`.
    """
    cfg = settings or BreakSettings()
    force_of = force_of or {}
    series = _split_series(units)
    rows = []
    for (indicator, area), values in series.items():
        shift = best_level_shift(values, cfg)
        if shift is None or shift.sigmas < cfg.z_threshold:
            continue
        if abs(shift.change_pct) < cfg.min_change_pct:
            continue
        if max(shift.level_before, shift.level_after) < cfg.min_level:
            continue
        evidence = [f"own shift {shift.log_ratio:+.2f} in log = {shift.sigmas:.1f} sigma "
                    f"(sigma {shift.sigma:.3f} from consecutive-month moves; "
                    f"{shift.months_before} months before, {shift.months_after} after)"]
        seasonal, pairs = same_month_shift(values, shift.break_before)
        if pairs:
            needed = cfg.z_threshold * shift.sigma * np.sqrt(2.0 / pairs)
            evidence.append(f"same calendar months on both sides ({pairs}): {seasonal:+.2f} in "
                            f"log (needed {needed:.2f})")
            if np.sign(seasonal) != np.sign(shift.log_ratio) or abs(seasonal) < needed:
                continue  # seasonal, not a level shift
        else:
            evidence.append("no calendar month on both sides: seasonality not checked")
        reference = reference_of.get(indicator)
        ref_change = rel_sigmas = np.nan
        compared = False  # a recording break needs a comparison that does not share it
        if reference is not None and (reference, area) in series:
            ref = series[(reference, area)]
            joined = pd.concat([values.rename("y"), ref.rename("r")], axis=1, join="inner")
            ref_shift = _shift_at(joined["r"], shift.break_before, cfg)
            ratio = pd.Series(np.exp(_log(joined["y"]) - _log(joined["r"])), index=joined.index)
            rel_shift = _shift_at(ratio * 1000.0, shift.break_before, cfg)
            if ref_shift is None or rel_shift is None:
                evidence.append(f"{reference} not measurable on both sides")
            else:
                ref_change = ref_shift.change_pct
                rel = shift.log_ratio - ref_shift.log_ratio
                rel_sigmas = abs(rel) / rel_shift.sigma if rel_shift.sigma > 0 else np.inf
                evidence.append(f"{reference} moved {ref_change:+.1f}% "
                                f"({ref_shift.sigmas:.1f} sigma); the ratio to it shifted "
                                f"{rel:+.2f} in log = {rel_sigmas:.1f} sigma")
                if rel_sigmas < cfg.z_threshold:
                    continue  # shared with its comparison series: not a recording break
                compared = True
        else:
            evidence.append("no comparison series in the same area")
        force = force_of.get(area)
        peers = []
        for (other_indicator, other_area), other in series.items():
            if other_indicator != indicator or force_of.get(other_area) in (None, force):
                continue
            peer = _shift_at(other, shift.break_before, cfg)
            if peer is not None and peer.break_after == shift.break_after:
                peers.append(peer.log_ratio)
        if peers:
            median = float(np.median(peers))
            apart = abs(shift.log_ratio - median) / shift.sigma
            evidence.append(f"{len(peers)} areas of other forces on both sides: median shift "
                            f"{100 * np.expm1(median):+.1f}% ({apart:.1f} sigma apart)")
            if apart < cfg.z_threshold:
                continue  # other forces moved the same way
            compared = True
        else:
            evidence.append("no other force has data on both sides of the split")
        if not compared:
            continue  # nothing to compare with: a real change cannot be ruled out
        rows.append({
            "indicator_id": indicator, "area_code": area,
            "break_after": shift.break_after.date(), "break_before": shift.break_before.date(),
            "level_before": shift.level_before, "level_after": shift.level_after,
            "change_pct": shift.change_pct, "months_before": shift.months_before,
            "months_after": shift.months_after, "shift_sigmas": shift.sigmas,
            "reference_indicator": reference, "reference_change_pct": ref_change,
            "relative_shift_sigmas": rel_sigmas, "evidence": "; ".join(evidence),
        })
    return pd.DataFrame(rows, columns=DETECTED_COLUMNS)


def break_starts(index: pd.DatetimeIndex, dates: Any) -> list[pd.Timestamp]:
    """Labels of ``index`` at which a new series starts, one per break that falls inside it.

    A break maps to the first period starting on or after its date; breaks on or before the
    first period, or after the last, start nothing (the whole series is on one side).

    Examples
    --------
    >>> from datetime import date
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
