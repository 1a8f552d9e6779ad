"""Change significance and SPC of the partner returns' figures (``mart_kpi_values``' statistics).

Pure: the figures of :func:`scp_metrics.indicators.partner_returns.return_values` in, the same
rows with :data:`STAT_COLUMNS` added out. Each (KPI, agency) is one quarterly series.

**Change on the same quarter a year earlier** (the project's one change test,
:mod:`scp_metrics.stats.change`, as ``mart_indicator_values`` uses it):

* a rate (NI 111), a count of events (NI 40) or a ratio of counts (NI 19 re-offences per
  offender, NI 38 actual / predicted): the exact conditional test of the two numerators,
  :func:`~scp_metrics.stats.change.poisson_change_test`, whose exposures are the two denominators
  (equal for a count), so a change in the base alone is not read as a change;
* a percentage (NI 110, NI 115): the pooled two-proportion z test,
  :func:`~scp_metrics.stats.change.two_proportion_change_test`;
* a directly standardised rate (NI 39) computed from age bands in both years: the ratio of the
  two DSRs, z = ln R / √(var₁/DSR₁² + var₀/DSR₀²) with each DSR's variance from its age-band
  counts, :func:`~scp_metrics.stats.dsr.compare_dsrs` (APHO Technical Briefing 3's variance;
  SAS STDRATE's rate ratio of DSRs);
* anything else is ``not tested`` and ``change_note`` says why, never guessed: a return that gives
  a value only or a published interval only (no counts; for a DSR, no age bands), a count that
  is not whole, DSRs on different standard populations, a tally that is not a count of events
  (hours, schemes), no return a year earlier.

``change_pct`` is the relative change of the value, (value / value a year earlier − 1) × 100,
whether or not it could be tested (none for a KPI that is itself a percentage change).

**SPC** (Making Data Count XmR, :func:`scp_metrics.stats.spc.xmr`) of each series of quarters,
with the limits rule of ``config/spc.toml``: limits from the first ``baseline_points`` quarters,
and only when the series has at least ``minimum_points`` quarters with a value; otherwise
``spc_status`` says plainly "too few points for SPC (7 of 12 needed)". Missing quarters inside a
series are gaps (no run spans them). A figure that covers the 12 months to the quarter's end
overlaps its neighbours, so consecutive points are correlated and the limits read as a guide only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scp_metrics.config.kpis import KpiRegister
from scp_metrics.config.spc import SpcBaseline
from scp_metrics.indicators.partner_returns import DSR_VARIANCE
from scp_metrics.periods import Quarter
from scp_metrics.stats.change import poisson_change_test, two_proportion_change_test
from scp_metrics.stats.dsr import compare_dsrs
from scp_metrics.stats.intervals import optional_float as _num
from scp_metrics.stats.spc import xmr

__all__ = ["NOT_TESTED", "STAT_COLUMNS", "with_statistics"]

NOT_TESTED = "not tested"
STAT_COLUMNS = ["value_same_period_last_year", "change_pct", "change_p_value", "change_verdict",
                "change_note", "spc_mean", "spc_lpl", "spc_upl", "spc_point_type", "spc_status"]
_IMPROVEMENT = {"lower": "decrease", "higher": "increase"}
#: Units whose numerator is a count of events over a denominator (or alone, for ``count``).
_POISSON_UNITS = ("rate_per_1000", "rate_per_100000_aged_10_17", "count",
                  "reoffences_per_offender", "ratio")



def _whole(*values: float | None) -> bool:
    return all(v is not None and v >= 0 and float(v).is_integer() for v in values)


def _no_counts(row: pd.Series, label: str) -> str:
    if isinstance(row.get("ci_method"), str) and row["ci_method"].startswith("published"):
        return f"{label} has a published value and interval only (no counts)"
    return f"{label} has a value only (no counts)"


def _dsr_change(current: pd.Series, previous: pd.Series, previous_label: str) -> dict[str, Any]:
    """The ratio test of two DSRs (``change_p_value``, ``change_verdict``, ``change_note``)."""
    for row, label in ((current, str(current["period_label"])), (previous, previous_label)):
        if _num(row.get(DSR_VARIANCE)) is None or not (_num(row["value"]) or 0) > 0:
            return {"change_note": f"{label} is not a DSR computed here from age-band counts "
                                   "(no variance to test the change with)"}
    if current.get("standard") != previous.get("standard"):
        return {"change_note": f"{previous_label} is standardised to {previous.get('standard')}, "
                               f"{current['period_label']} to {current.get('standard')}: "
                               "not comparable"}
    test = compare_dsrs(float(current["value"]), float(current[DSR_VARIANCE]),
                        float(previous["value"]), float(previous[DSR_VARIANCE]))
    return {"change_p_value": test.p_value, "change_verdict": test.label,
            "change_note": f"ratio of the two DSRs ({test.ratio:.3f}) on {previous_label}: z test "
                           "of its logarithm, variances from the age-band counts"}


def change_test(unit: str, current: pd.Series, previous: pd.Series | None,
                previous_label: str) -> dict[str, Any]:
    """The change of one figure (``current``, a ``mart_kpi_values`` row) on ``previous`` (the
    same KPI and agency a year earlier, None when there is no return for it)."""
    out: dict[str, Any] = {"value_same_period_last_year": None, "change_pct": None,
                           "change_p_value": None, "change_verdict": NOT_TESTED}
    if previous is None:
        return {**out, "change_note": f"no return for {previous_label}"}
    value, before = _num(current["value"]), _num(previous["value"])
    out["value_same_period_last_year"] = before
    if value is not None and before not in (None, 0.0) and unit != "percentage_change":
        out["change_pct"] = 100.0 * (value / before - 1.0)
    num, den = _num(current["numerator"]), _num(current["denominator"])
    pnum, pden = _num(previous["numerator"]), _num(previous["denominator"])
    needs_den = unit not in ("count", "number", "hours")
    for n, d, row, label in ((num, den, current, str(current["period_label"])),
                             (pnum, pden, previous, previous_label)):
        if n is None or (needs_den and d is None):
            return {**out, "change_note": _no_counts(row, label)}
    if unit == "dsr_per_100000":
        return {**out, **_dsr_change(current, previous, previous_label)}
    if unit not in (*_POISSON_UNITS, "percentage"):
        return {**out, "change_note": ("a figure in "
                                      f"{current.get('kpi_unit') or unit} is not a count of "
                                      "events: no significance test applies")}
    if num is None or pnum is None or not _whole(num, pnum):
        return {**out, "change_note": "a numerator is not a whole count: no exact test"}
    if unit == "percentage":
        assert den is not None and pden is not None
        if den <= 0 or pden <= 0 or not _whole(den, pden) or num > den or pnum > pden:
            return {**out, "change_note": "the counts are not a proportion: no test"}
        res = two_proportion_change_test(num, den, pnum, pden)
        return {**out, "change_p_value": float(res["p_value"].iloc[0]),
                "change_verdict": res["label"].iloc[0],
                "change_note": f"two-proportion z test on {previous_label}"}
    exposures = (den, pden) if needs_den else (1.0, 1.0)
    if any(e is None or e <= 0 for e in exposures):
        return {**out, "change_note": "a denominator is not positive: no test"}
    test = poisson_change_test(num, pnum, current_exposure=exposures[0],
                               previous_exposure=exposures[1])
    return {**out, "change_p_value": test.p_value, "change_verdict": test.label,
            "change_note": f"exact conditional test of the counts on {previous_label}"
                           + (" (exposures: the denominators)" if needs_den else "")}


def spc_rows(values: pd.Series, starts: pd.Series, polarity: str,
             baseline: SpcBaseline) -> pd.DataFrame:
    """XmR of one quarterly series (``values`` by quarter start ``starts``, sorted): columns
    ``spc_mean``, ``spc_lpl``, ``spc_upl``, ``spc_point_type``, ``spc_status``, one row per
    input row in its order."""
    stamps = pd.DatetimeIndex(pd.to_datetime(starts))
    y = pd.Series(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float), index=stamps)
    points = int(y.notna().sum())
    n = len(y)
    empty = pd.DataFrame({"spc_mean": np.full(n, np.nan), "spc_lpl": np.full(n, np.nan),
                          "spc_upl": np.full(n, np.nan), "spc_point_type": [None] * n})
    if points < baseline.minimum_points:
        empty["spc_status"] = (f"too few points for SPC ({points} of "
                               f"{baseline.minimum_points} needed)")
        return empty
    full = pd.date_range(stamps[0], stamps[-1], freq="QS-APR")
    chart = xmr(y.reindex(full.union(stamps)), improvement=_IMPROVEMENT.get(polarity, "neutral"),
                fix_after_n=baseline.baseline_points, minimum_points=baseline.minimum_points)
    chart = chart.loc[stamps]
    fixed = (f"limits from the first {baseline.baseline_points} quarters"
             if baseline.baseline_points else "limits from every quarter")
    return pd.DataFrame({"spc_mean": chart["mean"].to_numpy(dtype=float),
                         "spc_lpl": chart["lpl"].to_numpy(dtype=float),
                         "spc_upl": chart["upl"].to_numpy(dtype=float),
                         "spc_point_type": chart["point_type"].to_numpy(dtype=object),
                         "spc_status": f"XmR of {points} quarters, {fixed}"})


def with_statistics(values: pd.DataFrame, register: KpiRegister,
                    baseline: SpcBaseline | None = None) -> pd.DataFrame:
    """``values`` (``mart_kpi_values`` rows, any order) with :data:`STAT_COLUMNS`, in its order
    (the DSRs' variances of :func:`~scp_metrics.indicators.partner_returns.return_values`
    used and dropped).

    Parameters
    ----------
    values : pandas.DataFrame
        :func:`~scp_metrics.indicators.partner_returns.return_values`' frame.
    register : KpiRegister
        The KPIs' units and polarities.
    baseline : SpcBaseline, optional
        ``config/spc.toml``'s limits rule (default the Making Data Count 12 and 12).
    """
    rule = baseline or SpcBaseline()
    out = values.copy()
    if DSR_VARIANCE not in out.columns:
        out[DSR_VARIANCE] = None
    for column in STAT_COLUMNS:
        out[column] = pd.Series([None] * len(out), index=out.index, dtype=object)
    if out.empty:
        return _typed(out)
    starts = pd.to_datetime(out["period_start"])
    for (kpi_id, _agency), group in out.groupby(["kpi_id", "agency"], sort=False):
        kpi = register.get(str(kpi_id))
        order = starts.loc[group.index].sort_values(kind="stable").index
        by_start = {starts[i]: i for i in order}
        for i in order:
            quarter = Quarter.containing(starts[i].date())
            before = Quarter(quarter.fy_start - 1, quarter.number)
            j = by_start.get(pd.Timestamp(before.start))
            res = change_test(kpi.unit, out.loc[i], None if j is None else out.loc[j],
                              before.label)
            for column, value in res.items():
                out.at[i, column] = value
        spc = spc_rows(out.loc[order, "value"], starts.loc[order], kpi.polarity, rule)
        for column in spc.columns:
            out.loc[order, column] = spc[column].to_numpy(dtype=object)
    return _typed(out)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns=DSR_VARIANCE)
    for column in ("value_same_period_last_year", "change_pct", "change_p_value", "spc_mean",
                   "spc_lpl", "spc_upl"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in ("change_verdict", "change_note", "spc_point_type", "spc_status"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame
