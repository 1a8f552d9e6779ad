"""Series with holes never stop a projection, a trajectory, a trend or an SPC chart (issue 18).

Partners deliver on their own timetables, so a monthly series may lack its first months, a
month or a whole quarter in the middle, its latest months (the as-of month itself included), or
all but the first month of a quarter (a partial quarter). Every projection method must answer
with a projection or a stated reason, never an exception; so must the trajectory, the trend and
the SPC chart of the same series.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scp_metrics.config.targets import RagThresholds
from scp_metrics.stats.spc_series import spc_table
from scp_metrics.stats.trends import fit_trend
from scp_metrics.targets.projections import METHODS, MODELS, fiscal_year, project
from scp_metrics.targets.trajectories import seasonal_profile, target_trajectory

FIRST = pd.Period("2005-04", "M")
SPAN = 72  # six financial years


@st.composite
def holed_series(draw) -> tuple[pd.Series, pd.Period]:
    """A monthly count series with holes at the start, in the middle and at the end (any of them
    empty), possibly a partial last quarter, and an as-of month inside or after it."""
    level = draw(st.floats(min_value=0.0, max_value=400.0))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = rng.poisson(level, SPAN).astype(float)
    present = np.ones(SPAN, dtype=bool)
    head = draw(st.integers(0, 40))
    present[:head] = False
    for _ in range(draw(st.integers(0, 3))):  # holes in the middle: a month or a quarter
        start = draw(st.integers(0, SPAN - 1))
        present[start:start + draw(st.sampled_from([1, 2, 3]))] = False
    tail = draw(st.integers(0, 14))
    if tail:
        present[SPAN - tail:] = False
    if draw(st.booleans()):  # a partial quarter: only the first month of the last quarter left
        last = int(np.flatnonzero(present)[-1]) if present.any() else 0
        quarter_start = last - (last % 3)
        present[quarter_start + 1:quarter_start + 3] = False
    months = pd.period_range(FIRST, periods=SPAN, freq="M")
    series = pd.Series(values[present], index=months[present])
    as_of = FIRST + draw(st.integers(12, SPAN + 3))
    return series, as_of


def _answers(p, method: str) -> None:
    """A projection or a stated reason, nothing in between."""
    assert p.method == method
    if p.available:
        assert p.point is not None and math.isfinite(p.point)
        assert p.point >= p.ytd - 1e-9
        lo, hi = p.interval(0.95)
        assert lo - 1e-6 <= p.point <= hi + 1e-6
    else:
        assert p.note, f"{method} gave no projection and no reason"


@settings(max_examples=40, deadline=None)
@given(case=holed_series(), method=st.sampled_from(METHODS))
def test_every_method_projects_a_series_with_holes_or_says_why(case, method) -> None:
    series, as_of = case
    _answers(project(series, as_of, method), method)


@settings(max_examples=15, deadline=None)
@given(case=holed_series(), model=st.sampled_from(MODELS), ahead=st.integers(1, 2))
def test_the_models_forecast_a_later_year_of_a_series_with_holes_or_say_why(case, model,
                                                                           ahead) -> None:
    series, as_of = case
    _answers(project(series, as_of, model, year=fiscal_year(as_of) + ahead), model)


def test_a_series_with_no_month_up_to_as_of_is_refused_with_a_reason_by_every_method() -> None:
    later = pd.Series([5.0, 6.0], index=pd.period_range("2010-01", periods=2, freq="M"))
    for series in (pd.Series(dtype=float), later):
        for method in METHODS:
            p = project(series, "2009-12", method)
            assert not p.available and p.note


@settings(max_examples=30, deadline=None)
@given(case=holed_series(), milestone=st.floats(min_value=1.0, max_value=5000.0))
def test_a_trajectory_of_a_series_with_holes_has_twelve_months_and_no_actual_after_as_of(
        case, milestone) -> None:
    series, as_of = case
    fy = fiscal_year(as_of)
    shares, note = seasonal_profile(series, fy)
    assert math.isclose(float(shares.sum()), 1.0) and note
    months = series[series.index <= as_of]
    frame = pd.DataFrame({"period_type": "month", "period_start": months.index.to_timestamp(),
                          "period_end": months.index.to_timestamp(how="end").normalize(),
                          "numerator": months.to_numpy(), "value": months.to_numpy()})
    path = target_trajectory(fy, as_of.to_timestamp(how="end").date(), milestone, "count",
                             frame, RagThresholds())
    assert len(path) == 12
    after = pd.to_datetime(path["period_end"]) > as_of.to_timestamp(how="end")
    assert path.loc[after, "actual_ytd"].isna().all()


@settings(max_examples=25, deadline=None)
@given(case=holed_series())
def test_a_trend_and_an_spc_chart_of_a_series_with_holes_are_computed_or_say_why(case) -> None:
    series, _ = case
    if series.empty:
        return
    start = series.index.to_timestamp()
    trend = fit_trend(pd.Series(series.to_numpy(), index=start), None)
    assert trend.verdict in {"rising", "falling", "no clear trend", "insufficient data"}
    monthly = pd.DataFrame({"indicator_id": "vap", "area_code": "E06000045",
                            "period_start": start.date, "value": series.to_numpy()})
    chart = spc_table(monthly, {"vap": "lower"})
    assert len(chart) == len(series)
