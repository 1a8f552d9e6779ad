"""SPC baselines as Making Data Count intends: limits fixed on a baseline, recalculated only
where a person says so, and sustained shifts offered as *suggested* recalculation points.

Making Data Count (MDC) and its reference implementation NHSRplotthedots compute a chart's
limits from the first points of each limits group ("fix after n points", 12 by default in the
MDC tool) and extend them: later points are judged against a process whose limits no longer
move with them. A new limits group starts only at a recalculation ("rebase") that someone has
decided on, for a known reason (here: ``config/series_breaks.toml``). With fewer points than
the minimum for limits a group is a run chart: a centre line, no process limits.

When a sustained shift appears (the MDC rule: 7 or more consecutive points on one side of the
centre line), MDC advises that, *if the cause is understood*, the limits may be revised from
the start of that run. That is a decision for a person; :func:`suggest_recalculations` lists
the candidates without applying them: the first such run after each group's start, then, as
if that one had been confirmed, the first run against the new baseline, and so on.

References
----------
.. [1] NHS England and NHS Improvement (2019). *Making Data Count: Strengthening your
   decisions*, section "Recalculating limits".
.. [2] NHS-R Community. *NHSRplotthedots* v0.2.2, ``ptd_spc(fix_after_n_points = )``
   (limits from the first n points of each rebase group) and the vignette "Number of points
   required" (limits locked once there are 12 or more points; trial limits below).
.. [3] Wheeler D.J. (1993). *Understanding Variation*. SPC Press, ch. 5.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from scp_metrics.config.spc import SpcBaseline
from scp_metrics.stats.spc import assurance, xmr_limits

__all__ = ["SHIFT_RUN", "SUGGESTION_COLUMNS", "ProcessLimits", "current_assurance", "suggestion_rows",
           "suggest_recalculations"]

#: The MDC shift rule: this many consecutive points on one side of the centre line.
SHIFT_RUN = 7

SUGGESTION_COLUMNS = ["suggested_start", "run_points", "direction", "mean_before",
                      "mean_after", "group_start"]


def _runs(signs: np.ndarray) -> list[tuple[int, int, int]]:
    """(start, length, sign) of every maximal run of equal non-zero signs."""
    out = []
    n, i = signs.size, 0
    while i < n:
        j = i
        while j + 1 < n and signs[j + 1] == signs[i]:
            j += 1
        if signs[i] != 0:
            out.append((i, j - i + 1, int(signs[i])))
        i = j + 1
    return out


def _first_shift(y: np.ndarray, mean: float, after: int, run: int) -> tuple[int, int, int] | None:
    """The first run of ``run`` or more same-side points that starts after position ``after``."""
    with np.errstate(invalid="ignore"):
        signs = np.nan_to_num(np.sign(y - mean), nan=0.0)
    for start, length, sign in _runs(signs):
        if start > after and length >= run:
            return start, length, sign
    return None


def suggest_recalculations(values: Any, rebase_at: Any = (), baseline: SpcBaseline | None = None,
                           run: int = SHIFT_RUN) -> pd.DataFrame:
    """Sustained shifts that a person may confirm as recalculation points.

    Parameters
    ----------
    values : pandas.Series
        The series in time order (a ``DatetimeIndex`` of months; missing months as NaN, which
        break a run).
    rebase_at : sequence of index labels, default ()
        The recalculations already configured (the start of each limits group).
    baseline : SpcBaseline, optional
        How limits are set (``config/spc.toml``; default: the MDC 12-point baseline).
    run : int, default 7
        Points on one side of the centre line that make a sustained shift.

    Returns
    -------
    pandas.DataFrame
        One row per suggestion, columns :data:`SUGGESTION_COLUMNS`: ``suggested_start`` (the
        index label where the run starts), ``run_points`` (its length against the centre line
        in force), ``direction`` ("above" / "below" that centre line), ``mean_before`` (that
        centre line), ``mean_after`` (the baseline mean if the limits were recalculated from
        ``suggested_start``) and ``group_start`` (where the limits group it falls in starts).
        Within a group the suggestions chain: each is found against the baseline of the one
        before, as if that had been confirmed. A run that starts at a group's first point is
        not a shift of that group.

    Examples
    --------
    >>> y = pd.Series([10.0] * 12 + [5.0, 4.0] * 6, index=pd.date_range("2020-01", periods=24,
    ...               freq="MS"))
    >>> s = suggest_recalculations(y)
    >>> s["suggested_start"].dt.strftime("%Y-%m").tolist(), s["run_points"].tolist()
    (['2021-01'], [12])
    """
    rule = baseline or SpcBaseline()
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=float))
    rows = suggestion_rows(s.to_numpy(dtype=float), s.index, rebase_at, rule, run)
    if not rows:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in SUGGESTION_COLUMNS})
        empty["suggested_start"] = pd.Series(s.index[:0])
        return empty
    return pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)


def suggestion_rows(y: np.ndarray, index: pd.Index, rebase_at: Any, rule: SpcBaseline,
                    run: int = SHIFT_RUN) -> list[dict[str, Any]]:
    """:func:`suggest_recalculations` as a list of row dicts (no frame: cheap per series)."""
    starts = sorted({0, *(int(index.get_loc(label)) for label in rebase_at)})
    ends = starts[1:] + [len(y)]
    rows = []
    for g_start, g_end in zip(starts, ends, strict=True):
        cur = g_start
        while cur < g_end:
            segment = y[cur:g_end]
            mean = xmr_limits(segment, fix_after_n=rule.baseline_points).mean
            if np.isnan(mean) or np.count_nonzero(~np.isnan(segment)) < rule.minimum_points:
                break
            found = _first_shift(segment, mean, 0, run)
            if found is None:
                break
            start, length, sign = found
            new_mean = xmr_limits(segment[start:], fix_after_n=rule.baseline_points).mean
            rows.append({"suggested_start": index[cur + start], "run_points": length,
                         "direction": "above" if sign > 0 else "below", "mean_before": mean,
                         "mean_after": new_mean, "group_start": index[g_start]})
            cur += start
    return rows


class ProcessLimits(NamedTuple):
    """A series' current process as ``mart_spc`` has it: the limits of its latest limits group,
    its chart type and the latest suggested recalculation inside that group (``shift_start``,
    None when the process has not shifted since its limits were set) with the limits a
    recalculation there would give (``shift_lpl``, ``shift_upl``; NaN with too few points)."""

    lpl: float
    upl: float
    chart_type: str = "xmr"
    shift_start: Any = None
    shift_lpl: float = float("nan")
    shift_upl: float = float("nan")


def current_assurance(limits: Any, target: float, improvement: str) -> tuple[str | None, str]:
    """Making Data Count assurance against the current process only, and why.

    Parameters
    ----------
    limits : ProcessLimits, (lpl, upl) or None
        The series' current process (None: no SPC series).
    target : float
        The target in the chart's unit.
    improvement : {"decrease", "increase", "neutral"}

    Returns
    -------
    (str or None, str)
        The verdict of :func:`scp_metrics.stats.spc.assurance` and a phrase for the note. No
        verdict (None) without limits, for a run chart (too few points since the last break)
        and when a sustained shift has started since the limits were set: those limits no
        longer describe the process, and the shift is only a *suggested* recalculation until a
        person confirms it, so the verdict the suggested limits would give is stated in the
        phrase, not used.

    Examples
    --------
    >>> current_assurance(ProcessLimits(8.0, 12.0), 7.0, "decrease")
    ('consistent_fail', 'against the current process limits 8..12')
    >>> verdict, why = current_assurance(
    ...     ProcessLimits(11.0, 15.0, "xmr", pd.Timestamp("2009-01-01"), 7.5, 10.0), 9.0,
    ...     "decrease")
    >>> verdict, why.split(";")[1]
    (None, ' against the limits a recalculation there would give (7.5..10) it would read inconsistent')
    """
    if limits is None:
        return None, "no SPC limits (mart_spc absent or no series): no assurance"
    lim = limits if isinstance(limits, ProcessLimits) else ProcessLimits(*limits)
    if lim.chart_type == "run_chart":
        return None, ("not judged: a run chart (too few points since the last break for "
                      "process limits)")
    if pd.isna(lim.lpl) or pd.isna(lim.upl):
        return None, "no SPC limits for this series: no assurance"
    if lim.shift_start is None or pd.isna(lim.shift_start):
        return (assurance((lim.lpl, lim.upl), target, improvement),
                f"against the current process limits {lim.lpl:.4g}..{lim.upl:.4g}")
    why = (f"not judged: the process has shifted since its limits were set (a sustained shift "
           f"from {pd.Timestamp(lim.shift_start):%Y-%m}, a suggested recalculation not "
           "confirmed in config/series_breaks.toml)")
    if pd.isna(lim.shift_lpl) or pd.isna(lim.shift_upl):
        return None, f"{why}; too few points since the shift for limits"
    would = assurance((lim.shift_lpl, lim.shift_upl), target, improvement)
    return None, (f"{why}; against the limits a recalculation there would give "
                  f"({lim.shift_lpl:.4g}..{lim.shift_upl:.4g}) it would read {would}")
