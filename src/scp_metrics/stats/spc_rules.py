"""The special-cause run rules of Making Data Count XmR charts (see :mod:`scp_metrics.stats.spc`
for the method and its references): a shift of 7 points on one side of the mean, a trend of 7
points rising or falling, and 2 of 3 points beyond a near limit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["RUN", "shift_flags", "trend_direction", "trend_flags", "two_of_three_flags"]

RUN = 7
"""Length of a trend or shift run."""


def _part_of_run(ends: np.ndarray, length: int = RUN) -> np.ndarray:
    """Flag every point of a run of ``length`` given a flag on each run's last point."""
    n = ends.size
    out = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(ends):
        out[max(0, i - length + 1) : i + 1] = True
    return out


def shift_flags(signs: Any) -> np.ndarray:
    """Points that belong to a run of 7 or more on the same side of the mean.

    Parameters
    ----------
    signs : array_like
        Position relative to the mean for each point: +1 above, −1 below, 0 on
        the mean (or missing). A 0 breaks a run.

    Returns
    -------
    numpy.ndarray of bool
        True for every point of any 7-point same-side run.

    Examples
    --------
    >>> shift_flags([1] * 8 + [-1]).tolist()
    [True, True, True, True, True, True, True, True, False]
    """
    s = np.nan_to_num(np.asarray(signs, dtype=float), nan=0.0)
    n = s.size
    ends = np.zeros(n, dtype=bool)
    if n >= RUN:
        w = np.lib.stride_tricks.sliding_window_view(s, RUN)
        ends[RUN - 1 :] = (w == w[:, :1]).all(axis=1) & (w[:, 0] != 0)
    return _part_of_run(ends)


def _trend_ends(y: np.ndarray) -> np.ndarray:
    """+1 / −1 on the last point of a 7-point rising / falling run, else 0."""
    n = y.size
    ends = np.zeros(n, dtype=int)
    if n < RUN:
        return ends
    d = np.sign(np.diff(y))  # NaN where a value is missing: never 1 or −1
    w = np.lib.stride_tricks.sliding_window_view(d, RUN - 1)
    ends[RUN - 1 :] = np.where((w == 1).all(axis=1), 1, np.where((w == -1).all(axis=1), -1, 0))
    return ends


def trend_flags(values: Any) -> np.ndarray:
    """Points that belong to a run of 7 points all rising or all falling.

    Parameters
    ----------
    values : array_like
        Values in time order. A tie (equal consecutive values) or a missing value
        breaks a trend.

    Returns
    -------
    numpy.ndarray of bool
        True for every point of any 7-point strictly monotonic run.

    Examples
    --------
    >>> trend_flags([1, 2, 3, 4, 5, 6, 7]).all()
    np.True_
    >>> trend_flags([1, 2, 3, 3, 4, 5, 6]).any()
    np.False_
    """
    y = np.asarray(values, dtype=float).ravel()
    return _part_of_run(_trend_ends(y) != 0)


def trend_direction(y: np.ndarray, part: np.ndarray) -> np.ndarray:
    """Direction (+1 / −1) NHSRplotthedots assigns to each trend point.

    A point whose successor is also part of a trend takes the sign of the step to
    that successor; otherwise the sign of the step from its predecessor.
    """
    n = y.size
    if n < 2:
        return -np.ones(n, dtype=int)
    sdy = np.sign(np.diff(y))
    right = np.concatenate([sdy, sdy[-1:]])
    left = np.concatenate([[0.0], sdy])
    use_right = np.concatenate([part[1:], [False]]) & part
    step = np.where(use_right, right, left)
    return np.where(step == 1, 1, -1)


def two_of_three_flags(close: Any, signs: Any) -> np.ndarray:
    """Points in a "2 of 3 beyond a near limit" pattern.

    Parameters
    ----------
    close : array_like of bool
        Whether each point lies beyond a near limit but inside the process
        limits.
    signs : array_like
        Position relative to the mean (+1 / −1 / 0).

    Returns
    -------
    numpy.ndarray of bool
        True for each *close* point that lies in some window of 3 consecutive
        points containing at least 2 close points, all 3 on the same side of the
        mean.

    Examples
    --------
    >>> two_of_three_flags([1, 0, 1], [1, 1, 1]).tolist()
    [True, False, True]
    """
    c = np.asarray(close, dtype=bool).ravel()
    s = np.nan_to_num(np.asarray(signs, dtype=float), nan=0.0).ravel()
    n = c.size
    member = np.zeros(n, dtype=bool)
    if n >= 3:
        wc = np.lib.stride_tricks.sliding_window_view(c.astype(int), 3).sum(axis=1)
        ws = np.lib.stride_tricks.sliding_window_view(s, 3).sum(axis=1)
        for k in np.flatnonzero((wc >= 2) & (np.abs(ws) == 3)):
            member[k : k + 3] = True
    return member & c
