"""Rounding to a base (``round_to = 5`` of a ``[source.*]`` in ``config/privacy.toml``): the
second half of the NHS-style rule, "other counts rounded to 5 where configured".

A row of a rounding source that primary or secondary suppression has not withheld is a
*rounded row*: each of its counts is published rounded to the nearest multiple of the base
(halves up; zero stays zero). Nothing else in the row may give the exact count back, so its
derived values (interval, last year's value, change, p-value, ...) are withheld, except the
columns ``[suppression] rescaled`` names, which are recomputed from the rounded counts: a
value proportional to numerator / denominator is multiplied by (rounded numerator / numerator)
/ (rounded denominator / denominator), and the value of a count measure is the rounded
numerator. Without the indicator's measure (a mart with no indicator id) it is withheld too.
Every rounded count, recomputed value and withheld value is listed in the suppression audit
(:func:`scp_metrics.publish.suppression.audit_reason`).

Used by :mod:`scp_metrics.publish.suppression` (the one rule); nothing here reads a warehouse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np
import pandas as pd

from scp_metrics.config.privacy import SuppressionRules

__all__ = ["Found", "apply_rounding", "round_counts", "rounded_rows"]


class Found(Protocol):
    """What :func:`apply_rounding` needs of the rule's assessment of a frame
    (:class:`scp_metrics.publish.suppression.Assessment`)."""

    @property
    def rounded(self) -> pd.Series: ...
    @property
    def base(self) -> pd.Series: ...
    @property
    def cells(self) -> dict[str, pd.Series]: ...
    @property
    def counts(self) -> dict[str, pd.Series]: ...


def round_counts(values: pd.Series, base: pd.Series | float) -> pd.Series:
    """``values`` rounded to the nearest multiple of ``base`` (halves up), as floats; NaN (no
    value, or no base) stays NaN."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    return np.floor(numbers / base + 0.5) * base


def rounded_rows(counts: Mapping[str, pd.Series], frame: pd.DataFrame, base: pd.Series,
                 withheld: pd.Series) -> pd.Series:
    """Rows whose counts are rounded: the row's source rounds (``base`` not NaN), it has a
    count, and suppression has not withheld it."""
    has_count = pd.Series(False, index=frame.index)
    for column, rows in counts.items():
        has_count |= rows & pd.to_numeric(frame[column], errors="coerce").notna()
    return (base.notna() & has_count & ~withheld).astype(bool)


def _rescaled(frame: pd.DataFrame, column: str, parts: tuple[str, str], rows: pd.Series,
              base: pd.Series, rules: SuppressionRules,
              measures: Mapping[str, str] | None) -> pd.Series | None:
    """``column`` recomputed from the rounded counts in ``rows`` (None: it cannot be)."""
    numerator, denominator = parts
    if measures is None or "indicator_id" not in frame.columns or numerator not in frame.columns:
        return None
    value = pd.to_numeric(frame[column], errors="coerce").astype(float)
    num = pd.to_numeric(frame[numerator], errors="coerce").astype(float)
    num_r = round_counts(num, base)
    factor = pd.Series(np.where(num > 0, num_r / num.where(num > 0), 1.0), index=frame.index)
    if denominator in frame.columns:
        den = pd.to_numeric(frame[denominator], errors="coerce").astype(float)
        den_r = round_counts(den, base)
        ok = (den > 0) & (den_r > 0)
        factor = factor * pd.Series(np.where(ok, den / den_r.where(ok), np.nan), index=frame.index)
        factor = factor.where(ok | den.isna(), np.nan)
    counted = frame["indicator_id"].map(dict(measures)).isin(rules.count_measures)
    out = (value * factor).where(~counted, num_r)
    return out.where(rows)


def apply_rounding(out: pd.DataFrame, frame: pd.DataFrame, found: Found,
                   derived: list[str], rules: SuppressionRules,
                   measures: Mapping[str, str] | None, numbers: bool) -> pd.DataFrame:
    """``out`` (``frame`` as suppression rendered it) with rounding applied: every count of a
    rounding source that is not withheld is rounded to its base (in a suppressed row too: the
    row's other counts are published), and in the rounded rows the ``rescaled`` columns are
    recomputed and every other derived column withheld. ``found``: the rule's
    assessment of ``frame``."""
    rows, base = found.rounded, found.base
    if not base.notna().any():
        return out
    out = out.copy()
    for column, holds in found.counts.items():
        withheld = found.cells.get(column, pd.Series(False, index=frame.index))
        hit = base.notna() & holds & ~withheld & pd.to_numeric(frame[column],
                                                                 errors="coerce").notna()
        shown = round_counts(frame[column], base)
        values = [(int(v) if numbers else str(int(v))) if v == v else None for v in shown[hit]]
        out[column] = out[column].astype(object)
        out.loc[hit, column] = pd.Series(values, index=shown[hit].index, dtype=object)
    for column in derived:
        parts = rules.rescaled.get(column)
        again = _rescaled(frame, column, parts, rows, base, rules, measures) if parts else None
        out[column] = out[column].astype(object)
        if again is None:
            out.loc[rows, column] = None
        else:
            out.loc[rows, column] = again[rows].astype(object).where(again[rows].notna(), None)
    return out
