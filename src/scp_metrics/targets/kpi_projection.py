"""Year-end projections of the partner-return KPIs' targets (Neighbourhood Watch, Community
Payback): a point, 80% and 95% intervals and the probability of meeting the target.

Pure. The returns are quarterly and few, so the methods are simple and say so:

* **hours** (Community Payback, :data:`~scp_metrics.targets.kpi_status.ADDITIVE_UNITS`: the
  quarters add up to the year) — ``partner_hours``: the year to date plus the quarters still to
  come at the mean quarterly figure. The mean and its spread come from the year's own quarters
  when there are two or more, else from the latest four returns. The quarters are treated as
  independent draws from a normal distribution whose mean and standard deviation s are estimated
  from those n quarters, so the sum of the k quarters to come has the prediction interval
  ``k·mean ± t(n−1) · s · √(k + k²/n)`` (the spread of k new quarters plus the uncertainty of the
  mean), never below the year to date (hours are not taken away). The probability of meeting the
  target is read from the same t distribution. Hours are not counts of independent events, so
  no Poisson interval is used.
* **a level** (Neighbourhood Watch schemes: the count at the quarter's end) — ``partner_trend``:
  a straight line fitted by least squares to the latest eight quarterly returns (at least four),
  extended to the last quarter of the year; the interval is the line's prediction interval
  (t with n − 2 degrees of freedom) and the probability of meeting the target is read from it.
  The points of a growing stock are not independent, so the interval is a guide, not a promise.

A year already complete (its fourth quarter returned) is not projected: the point is the
outturn and the probability 0 or 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as st

from scp_metrics.config.kpis import Kpi
from scp_metrics.config.targets import Target
from scp_metrics.periods import Quarter, financial_year_label, financial_year_start

__all__ = ["ADDITIVE", "CAVEAT", "HOURS_METHOD", "LEVEL_METHOD", "KpiProjection",
           "project_hours", "project_level", "projection_fields"]

#: KPI units whose quarters add up to the year (kpi_status.ADDITIVE_UNITS is this tuple).
ADDITIVE = ("hours",)

HOURS_METHOD = "partner_hours"
LEVEL_METHOD = "partner_trend"
TREND_QUARTERS = 8
MIN_TREND_QUARTERS = 4


@dataclass(frozen=True)
class KpiProjection:
    point: float
    lower_80: float
    upper_80: float
    lower_95: float
    upper_95: float
    probability_met: float
    method: str
    note: str


def _series(values: pd.DataFrame) -> pd.DataFrame:
    """Quarter number (fy_start × 4 + q − 1), value and financial year of each return, sorted."""
    rows = values.dropna(subset=["value"]).sort_values("period_start")
    quarters = [Quarter.containing(pd.Timestamp(d).date()) for d in rows["period_start"]]
    return pd.DataFrame({"x": [q.fy_start * 4 + q.number - 1 for q in quarters],
                         "value": rows["value"].to_numpy(dtype=float),
                         "fy": [financial_year_start(q.start) for q in quarters]})


def _met(goal: float, centre: float, scale: float, df: int, polarity: str) -> float:
    """P(outturn meets ``goal``) when the outturn is centre + scale · t(df)."""
    if scale <= 0 or not math.isfinite(scale):
        meets = centre >= goal if polarity == "higher" else centre <= goal
        return 1.0 if meets else 0.0
    z = (goal - centre) / scale
    return float(st.t.sf(z, df) if polarity == "higher" else st.t.cdf(z, df))


def _limits(centre: float, scale: float, df: int, floor: float | None = None) -> list[float]:
    out = []
    for level in (0.80, 0.95):
        half = float(st.t.ppf(0.5 + level / 2, df)) * scale if scale > 0 else 0.0
        lo, hi = centre - half, centre + half
        out += [lo if floor is None else max(lo, floor), hi]
    return out


def project_hours(values: pd.DataFrame, year: int, goal: float,
                  polarity: str = "higher") -> KpiProjection | str:
    """Year-end total of an additive KPI for financial year ``year`` (start year) from its
    returns ``values`` (``period_start``, ``value``); a str says why there is none."""
    s = _series(values)
    if s.empty:
        return "no returns"
    mine = s[s["fy"] == year]
    ytd = float(mine["value"].sum())
    latest = int(s["x"].max())
    done = latest - (year * 4 - 1) if int(s["fy"].max()) == year else 0
    remaining = 4 - done
    if remaining <= 0:
        met = _met(goal, ytd, 0.0, 1, polarity)
        return KpiProjection(ytd, ytd, ytd, ytd, ytd, met, HOURS_METHOD, "the year is complete")
    basis = mine if len(mine) >= 2 else s.tail(4)
    n = len(basis)
    if n < 2:
        return "fewer than two quarterly returns to estimate a quarter's hours"
    mean, sd = float(basis["value"].mean()), float(basis["value"].std(ddof=1))
    k = remaining
    centre = ytd + k * mean
    scale = sd * math.sqrt(k + k * k / n)
    lo80, hi80, lo95, hi95 = _limits(centre, scale, n - 1, floor=ytd)
    words = "this year's" if basis is mine else "the latest"
    note = (f"the year to date ({ytd:,.0f}) plus {k} {'quarter' if k == 1 else 'quarters'} at "
            f"the mean of {words} {n} quarters ({mean:,.0f}, sd {sd:,.0f})")
    met = _met(goal, centre, scale, n - 1, polarity)
    if polarity == "higher" and ytd >= goal:
        met = 1.0  # already met: hours are not taken away
    return KpiProjection(centre, lo80, hi80, lo95, hi95, met, HOURS_METHOD, note)


def project_level(values: pd.DataFrame, year: int, goal: float,
                  polarity: str = "higher") -> KpiProjection | str:
    """The level at the end of financial year ``year`` (its fourth quarter's return) from the
    returns ``values`` (``period_start``, ``value``); a str says why there is none."""
    s = _series(values)
    target_x = year * 4 + 3
    at_end = s[s["x"] == target_x]
    if not at_end.empty:
        value = float(at_end["value"].iloc[-1])
        met = _met(goal, value, 0.0, 1, polarity)
        return KpiProjection(value, value, value, value, value, met, LEVEL_METHOD,
                             "the year is complete")
    s = s[s["x"] < target_x].tail(TREND_QUARTERS)
    n = len(s)
    if n < MIN_TREND_QUARTERS:
        return f"{n} quarterly returns: at least {MIN_TREND_QUARTERS} are needed for a trend"
    x, y = s["x"].to_numpy(dtype=float), s["value"].to_numpy(dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (intercept + slope * x)
    sigma = math.sqrt(float(resid @ resid) / (n - 2))
    sxx = float(((x - x.mean()) ** 2).sum())
    centre = float(intercept + slope * target_x)
    scale = sigma * math.sqrt(1 + 1 / n + (target_x - x.mean()) ** 2 / sxx)
    lo80, hi80, lo95, hi95 = _limits(centre, scale, n - 2)
    note = (f"a straight line through the latest {n} quarterly returns ({slope:+,.3g} a "
            f"quarter) extended to {Quarter(year, 4).label}")
    return KpiProjection(centre, lo80, hi80, lo95, hi95, _met(goal, centre, scale, n - 2, polarity),
                         LEVEL_METHOD, note)


#: Why a partner KPI's projection is indicative only (methods section, verdict table).
CAVEAT = ("not backtested: the quarterly returns are too few to test the projection on "
          "earlier years")


def projection_fields(kpi: Kpi, target: Target, values: pd.DataFrame,
                      goal: float | None) -> dict[str, Any]:
    """``mart_target_tracking`` columns of a partner KPI's target: the judged year's projection
    (``projected_year_end``, its 80% and 95% limits, ``probability_met``, ``method``,
    ``projection_caveat``) when the latest return is in the target's year, the target year's
    (``target_year_projection``, its 95% limits, ``probability_met_target_year``) when that year
    is still to come; ``projection_note`` says how, or why there is none."""
    rows = values.dropna(subset=["value"])
    if goal is None or rows.empty or target.target_fy is None:
        return {}
    year = financial_year_start(pd.Timestamp(rows["period_start"].max()).date())
    if year > target.target_fy:
        return {}
    project = project_hours if kpi.unit in ADDITIVE else project_level
    p = project(rows, target.target_fy, float(goal), kpi.polarity)
    label = financial_year_label(target.target_fy)
    if isinstance(p, str):
        return {"projection_note": f"no projection of {label}: {p}"}
    if year == target.target_fy:
        return {"projected_year_end": p.point, "projection_lower_80": p.lower_80,
                "projection_upper_80": p.upper_80, "projection_lower_95": p.lower_95,
                "projection_upper_95": p.upper_95, "probability_met": p.probability_met,
                "method": p.method, "projection_caveat": CAVEAT,
                "projection_note": f"{label} projected from {p.note}"}
    return {"target_year_projection": p.point, "target_year_lower_95": p.lower_95,
            "target_year_upper_95": p.upper_95, "probability_met_target_year": p.probability_met,
            "projection_note": f"{label} forecast from {p.note}"}
