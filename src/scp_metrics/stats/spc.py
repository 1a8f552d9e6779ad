"""Statistical process control: XmR charts as NHS "Making Data Count" defines them.

This module reproduces the calculations of the NHS-R Community package
*NHSRplotthedots* v0.2.x (``ptd_spc``), the reference implementation of NHS England's
"Making Data Count" (MDC) "plot the dots" method, so that CSP charts read the same
way as the NHS and police charts partners already see.

Method (per rebase group):

* centre line = mean of the values; moving ranges MRᵢ = |yᵢ − yᵢ₋₁|; AMR = mean(MR);
* screening (on by default): moving ranges ≥ 3.267·AMR are dropped and AMR is
  recomputed once (no iteration);
* process limits = mean ± 2.66·AMR; "near" limits = mean ± 2·(2.66/3)·AMR;
  comparisons against limits are strict;
* special-cause rules, with precedence outside > trend > 2-of-3 > shift:

  - **outside**: a point above the upper or below the lower process limit;
  - **trend**: 7 points with 6 strict rises or 6 strict falls (a tie breaks it;
    all 7 flagged);
  - **two_of_three**: 2 of 3 consecutive points beyond the same-side near limit
    (but not outside) with all 3 on the same side of the mean; only the close
    points are flagged;
  - **shift**: 7 consecutive points on the same side of the mean (a point exactly
    on the mean breaks it; all flagged);

* point type: the direction of the highest-precedence rule (+1 above the mean or
  increasing, −1 below or decreasing) times the improvement direction gives
  ``special_cause_improvement`` / ``special_cause_concern``; with a neutral
  improvement direction ``special_cause_neutral_high`` / ``special_cause_neutral_low``;
* assurance against a target, using the limits of the last rebase group:
  improvement "increase": target > UPL → ``consistent_fail``, target < LPL →
  ``consistent_pass``; "decrease" the reverse; otherwise ``inconsistent``.

Rules are evaluated within each rebase group: runs never span a rebase.

Missing values (NaN) keep their rows in the output, with the group's limits, and
are excluded from every calculation: they do not enter the mean; a moving range
needs both neighbours present, so the two ranges adjacent to a gap are dropped
(as NHSRplotthedots does with ``NA``); and a missing point breaks any trend, shift
or 2-of-3 run (it is treated as neither above nor below the mean and never close
to a limit). A missing point is never flagged: ``special_cause_flag`` False,
``point_type`` ``"common_cause"``, ``rule`` ``"none"``.

References
----------
.. [1] NHS England and NHS Improvement (2019). *Making Data Count: Getting
   Started*; and *Making Data Count: Strengthening your decisions*.
.. [2] NHS-R Community. *NHSRplotthedots: Draw XmR Charts for NHSE/I 'Making
   Data Count' Programme*, R package v0.2.2 (``ptd_spc_standard``,
   ``ptd_calculate_point_type``, ``ptd_calculate_assurance_type``).
   https://github.com/nhs-r-community/NHSRplotthedots
.. [3] Wheeler D.J. (1993). *Understanding Variation: The Key to Managing
   Chaos*. Knoxville: SPC Press (XmR charts, 2.66 and 3.267 scaling factors).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from scp_metrics.stats.spc_rules import (
    shift_flags,
    trend_direction,
    trend_flags,
    two_of_three_flags,
)

__all__ = [
    "LIMIT",
    "NEAR_LIMIT",
    "SCREEN_FACTOR",
    "XmRLimits",
    "assurance",
    "shift_flags",
    "trend_flags",
    "two_of_three_flags",
    "variation_label",
    "xmr",
    "xmr_limits",
]

#: Multiple of the average moving range giving the process limits (3/d₂, d₂ = 1.128).
LIMIT = 2.66
#: Multiple of the average moving range giving the "near" limits (two sigma),
#: written exactly as NHSRplotthedots computes it: ``2 * (limit / 3)``.
NEAR_LIMIT = 2 * (LIMIT / 3)
#: Moving ranges at or above this multiple of the AMR are screened out (D₄ = 3.267).
SCREEN_FACTOR = 3.267

_IMPROVEMENT = {"increase": 1, "decrease": -1, "neutral": 0}

COLUMNS = [
    "value",
    "mean",
    "lpl",
    "upl",
    "near_lpl",
    "near_upl",
    "special_cause_flag",
    "point_type",
    "rule",
    "group",
]


class XmRLimits(NamedTuple):
    """Centre line and limits of one XmR limits group."""

    mean: float
    amr: float
    lpl: float
    upl: float
    near_lpl: float
    near_upl: float


# ------------------------------------------------------------------------ limits


def _nanmean(a: np.ndarray) -> float:
    ok = ~np.isnan(a)
    return float(a[ok].mean()) if ok.any() else float("nan")


def xmr_limits(
    values: Any, screen_outliers: bool = True, fix_after_n: int | None = None
) -> XmRLimits:
    """Centre line, process limits and near limits for one limits group.

    Parameters
    ----------
    values : array_like
        The group's values in time order; NaN values are excluded.
    screen_outliers : bool, default True
        Drop moving ranges ≥ 3.267·AMR and recompute the AMR once.
    fix_after_n : int, optional
        Use only the first ``fix_after_n`` values present (missing values, kept as NaN rows
        for gaps, are not counted: NHSRplotthedots counts the rows it is given, which are the
        observed points).

    Returns
    -------
    XmRLimits
        ``mean, amr, lpl, upl, near_lpl, near_upl``; all NaN where there are no
        values, and all limits NaN where no moving range can be formed.

    Examples
    --------
    >>> lim = xmr_limits(range(1, 11))
    >>> lim.mean, round(lim.lpl, 2), round(lim.upl, 2)
    (5.5, 2.84, 8.16)
    """
    y = np.asarray(values, dtype=float).ravel()
    if fix_after_n is not None:
        present = np.flatnonzero(~np.isnan(y))
        y = y[: present[fix_after_n - 1] + 1] if present.size > fix_after_n else y
    mean = _nanmean(y)
    mr = np.abs(np.diff(y)) if y.size > 1 else np.empty(0)
    amr = _nanmean(mr)
    if screen_outliers and mr.size:
        with np.errstate(invalid="ignore"):
            mr = np.where(mr < SCREEN_FACTOR * amr, mr, np.nan)
        amr = _nanmean(mr)
    return XmRLimits(
        mean=mean,
        amr=amr,
        lpl=mean - LIMIT * amr,
        upl=mean + LIMIT * amr,
        near_lpl=mean - NEAR_LIMIT * amr,
        near_upl=mean + NEAR_LIMIT * amr,
    )


# --------------------------------------------------------------------- main entry


def _as_series(values: Any) -> pd.Series:
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise TypeError("values must be a Series, a 1-D array or a one-column DataFrame")
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series):
        s = pd.to_numeric(values, errors="raise").astype(float)
    else:
        arr = np.asarray(values, dtype=float)
        if arr.ndim != 1:
            raise ValueError("values must be one-dimensional")
        s = pd.Series(arr)
    if isinstance(s.index, pd.DatetimeIndex) and not s.index.is_monotonic_increasing:
        raise ValueError("values with a DatetimeIndex must be sorted in time order")
    return s


def _group_ids(index: pd.Index, rebase_at: Sequence[Hashable] | None) -> np.ndarray:
    starts = np.zeros(len(index), dtype=int)
    for label in rebase_at or []:
        key: Any = label
        if isinstance(index, pd.DatetimeIndex) and not isinstance(label, str):
            key = pd.Timestamp(label)
        try:
            pos = index.get_loc(key)
        except KeyError as exc:
            raise KeyError(f"rebase_at label {label!r} is not in the index") from exc
        if not isinstance(pos, (int, np.integer)):
            raise ValueError(f"rebase_at label {label!r} is not unique in the index")
        if pos > 0:
            starts[pos] = 1
    return np.cumsum(starts)


def _point_types(direction: np.ndarray, flagged: np.ndarray, improvement: int) -> np.ndarray:
    if improvement == 0:
        special = np.where(direction > 0, "special_cause_neutral_high", "special_cause_neutral_low")
    else:
        oriented = direction * improvement
        special = np.where(oriented > 0, "special_cause_improvement", "special_cause_concern")
    return np.where(flagged, special, "common_cause").astype(object)


def xmr(
    values: Any,
    improvement: str = "decrease",
    target: float | None = None,
    rebase_at: Sequence[Hashable] | None = None,
    fix_after_n: int | None = None,
    screen_outliers: bool = True,
    minimum_points: int | None = None,
) -> pd.DataFrame:
    """XmR (individuals) chart with Making Data Count special-cause rules.

    Parameters
    ----------
    values : pandas.Series or array_like
        Values in time order, typically a Series with a monthly
        ``DatetimeIndex`` (which must be sorted). NaN values keep their rows but
        are excluded from all calculations (see the module notes).
    improvement : {"decrease", "increase", "neutral"}, default "decrease"
        Which direction is better. Defaults to "decrease" because most CSP
        indicators are crime or harm counts (NHSRplotthedots defaults to
        "increase").
    target : float, optional
        Target value for the assurance assessment.
    rebase_at : sequence of index labels, optional
        Labels (dates for a ``DatetimeIndex``; strings such as ``"2021-04-01"``
        are accepted) at which a new limits group starts. A rebase at the first
        point has no effect.
    fix_after_n : int, optional
        Compute each group's limits from its first ``fix_after_n`` values present
        and extend them over the whole group (must be ≥ 2; MDC suggests 12).
    screen_outliers : bool, default True
        Screen moving ranges ≥ 3.267·AMR before computing the limits.
    minimum_points : int, optional
        A group with fewer values present is a run chart: its centre line is kept,
        its limits are NaN, so only the trend and shift rules can fire.

    Returns
    -------
    pandas.DataFrame
        Indexed like the input, with columns

        ``value``
            the input values (float);
        ``mean``, ``lpl``, ``upl``, ``near_lpl``, ``near_upl``
            centre line, process limits and near (two-sigma) limits of the row's
            group;
        ``special_cause_flag``
            bool, True when any rule fires;
        ``point_type``
            ``special_cause_improvement``, ``special_cause_concern``,
            ``special_cause_neutral_high``, ``special_cause_neutral_low`` or
            ``common_cause``;
        ``rule``
            highest-precedence rule that fired: ``outside``, ``trend``,
            ``two_of_three``, ``shift`` or ``none``;
        ``group``
            0-based rebase group number.

        ``result.attrs`` holds ``improvement``, ``target`` and, when a target is
        given, ``assurance`` (see :func:`assurance`; computed from the last
        rebase group's limits).

    Raises
    ------
    ValueError
        For an unknown ``improvement``, an unsorted ``DatetimeIndex``, a
        non-unique rebase label, or ``fix_after_n`` < 2.
    KeyError
        If a ``rebase_at`` label is not in the index.

    References
    ----------
    .. [1] NHS England (2019). *Making Data Count*.
    .. [2] NHSRplotthedots v0.2.2, ``ptd_spc``.

    Examples
    --------
    >>> res = xmr([1, 2, 3, 4, 5, 6, 7], improvement="increase")
    >>> res["rule"].tolist()
    ['outside', 'trend', 'trend', 'trend', 'trend', 'trend', 'outside']
    >>> res["point_type"].iloc[0], res["point_type"].iloc[1]
    ('special_cause_concern', 'special_cause_improvement')
    """
    if improvement not in _IMPROVEMENT:
        raise ValueError(f"improvement must be one of {sorted(_IMPROVEMENT)}; got {improvement!r}")
    if fix_after_n is not None and (int(fix_after_n) != fix_after_n or fix_after_n < 2):
        raise ValueError("fix_after_n must be an integer >= 2")
    imp = _IMPROVEMENT[improvement]
    s = _as_series(values)
    y_all = s.to_numpy(dtype=float)
    groups = _group_ids(s.index, rebase_at)
    n = y_all.size

    cols = {k: np.full(n, np.nan) for k in ("mean", "lpl", "upl", "near_lpl", "near_upl")}
    flag = np.zeros(n, dtype=bool)
    rule = np.full(n, "none", dtype=object)
    direction = np.zeros(n, dtype=int)

    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        y = y_all[idx]
        lim = xmr_limits(y, screen_outliers=screen_outliers, fix_after_n=fix_after_n)
        if minimum_points and np.count_nonzero(~np.isnan(y)) < minimum_points:
            nan = float("nan")  # a run chart: centre line only
            lim = lim._replace(lpl=nan, upl=nan, near_lpl=nan, near_upl=nan)
        for k in cols:
            cols[k][idx] = getattr(lim, k)

        with np.errstate(invalid="ignore"):
            rtm = np.nan_to_num(np.sign(y - lim.mean), nan=0.0)
            outside = (y > lim.upl) | (y < lim.lpl)
            close = ~outside & ((y < lim.near_lpl) | (y > lim.near_upl))

        trend = trend_flags(y)
        two3 = two_of_three_flags(close, rtm)
        shift = shift_flags(rtm)
        side = np.where(rtm > 0, 1, -1)
        trend_dir = trend_direction(y, trend)

        g_rule = np.select(
            [outside, trend, two3, shift],
            ["outside", "trend", "two_of_three", "shift"],
            default="none",
        )
        g_dir = np.select(
            [outside, trend, two3 | shift],
            [np.where(rtm == 1, 1, -1), trend_dir, side],
            default=0,
        )
        rule[idx] = g_rule
        direction[idx] = g_dir
        flag[idx] = g_rule != "none"

    out = pd.DataFrame(
        {
            "value": y_all,
            "mean": cols["mean"],
            "lpl": cols["lpl"],
            "upl": cols["upl"],
            "near_lpl": cols["near_lpl"],
            "near_upl": cols["near_upl"],
            "special_cause_flag": flag,
            "point_type": _point_types(direction, flag, imp),
            "rule": rule,
            "group": groups,
        },
        index=s.index.copy(),
    )
    out.attrs["improvement"] = improvement
    out.attrs["target"] = target
    if target is not None:
        out.attrs["assurance"] = assurance(out, target, improvement)
    return out


# -------------------------------------------------------------------- summaries


def _limits_of(obj: Any) -> tuple[float, float]:
    if isinstance(obj, pd.DataFrame):
        if obj.empty:
            return float("nan"), float("nan")
        last = obj.iloc[-1]
        return float(last["lpl"]), float(last["upl"])
    if isinstance(obj, XmRLimits):
        return float(obj.lpl), float(obj.upl)
    if isinstance(obj, (Mapping, pd.Series)):
        return float(obj["lpl"]), float(obj["upl"])
    seq = list(obj)
    if len(seq) == 3:  # (lpl, mean, upl)
        return float(seq[0]), float(seq[2])
    if len(seq) == 2:  # (lpl, upl)
        return float(seq[0]), float(seq[1])
    raise TypeError("limits must be an xmr() result, XmRLimits, a mapping or (lpl, mean, upl)")


def assurance(result_or_limits: Any, target: float | None, improvement: str) -> str | None:
    """Whether the process will consistently meet a target.

    Parameters
    ----------
    result_or_limits : pandas.DataFrame, XmRLimits, mapping or sequence
        An :func:`xmr` result (the last row's limits, i.e. the latest rebase
        group, are used), an :class:`XmRLimits`, a mapping with ``lpl`` and
        ``upl`` keys, or a ``(lpl, mean, upl)`` / ``(lpl, upl)`` sequence.
    target : float or None
        The target.
    improvement : {"decrease", "increase", "neutral"}
        Which direction is better.

    Returns
    -------
    str or None
        ``"consistent_pass"``, ``"consistent_fail"`` or ``"inconsistent"`` (the
        target lies within the limits, so it will be hit and missed at random).
        ``None`` without a target (or a NaN target), for a neutral improvement
        direction (as NHSRplotthedots) and when the limits are undefined.

    Notes
    -----
    For "increase": target > UPL → consistent_fail; target < LPL →
    consistent_pass. For "decrease" the outcomes are swapped. Comparisons are
    strict.

    Examples
    --------
    >>> assurance((1, 2, 3), 4, "increase"), assurance((1, 2, 3), 4, "decrease")
    ('consistent_fail', 'consistent_pass')
    >>> assurance((1, 4, 5), 4, "increase")
    'inconsistent'
    """
    if improvement not in _IMPROVEMENT:
        raise ValueError(f"improvement must be one of {sorted(_IMPROVEMENT)}; got {improvement!r}")
    if target is None or improvement == "neutral":
        return None
    t = float(target)
    lpl, upl = _limits_of(result_or_limits)
    if np.isnan(t) or np.isnan(lpl) or np.isnan(upl):
        return None
    increasing = improvement == "increase"
    if t > upl:
        return "consistent_fail" if increasing else "consistent_pass"
    if t < lpl:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"


def variation_label(result: pd.DataFrame) -> str | None:
    """Variation icon category of the latest point of an :func:`xmr` result.

    Parameters
    ----------
    result : pandas.DataFrame
        Output of :func:`xmr`.

    Returns
    -------
    str or None
        The ``point_type`` of the last row with a non-missing value:
        ``"common_cause"``, ``"special_cause_improvement"``,
        ``"special_cause_concern"``, ``"special_cause_neutral_high"`` or
        ``"special_cause_neutral_low"``; ``None`` if every value is missing.

    Examples
    --------
    >>> variation_label(xmr([1, 2, 3, 4, 5, 6, 7], improvement="decrease"))
    'special_cause_concern'
    """
    present = result[result["value"].notna()]
    if present.empty:
        return None
    return str(present["point_type"].iloc[-1])
