"""Issue 19 item 3: year-end projections of the partner KPIs' targets (Neighbourhood Watch, a
level; Community Payback, hours adding up over the year). Expected values are computed
independently: statsmodels OLS prediction intervals for the trend, scipy's t for the hours."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from scp_metrics.config.kpis import read_kpi_register
from scp_metrics.config.targets import load_targets
from scp_metrics.periods import Quarter
from scp_metrics.settings import DEFAULT_CONFIG_DIR
from scp_metrics.targets.kpi_projection import (
    HOURS_METHOD,
    LEVEL_METHOD,
    project_hours,
    project_level,
    projection_fields,
)

QUARTERS = [Quarter(2008, q) for q in (1, 2, 3, 4)] + [Quarter(2009, q) for q in (1, 2, 3)]
NW = [183, 189, 195, 200, 206, 214, 224]  # the sample's schemes, 2008/09 Q1 - 2009/10 Q3
CP = [2_600, 2_900, 3_100, 3_400, 4_800, 5_100, 5_100]  # the sample's hours


def series(values: list[float], quarters: list[Quarter] = QUARTERS) -> pd.DataFrame:
    return pd.DataFrame({"period_start": [pd.Timestamp(q.start) for q in quarters],
                         "value": values})


def test_a_level_follows_the_straight_line_through_the_returns():
    p = project_level(series(NW), 2009, 230.0, "higher")
    assert not isinstance(p, str) and p.method == LEVEL_METHOD
    fit = sm.OLS(np.array(NW, float), sm.add_constant(np.arange(7.0))).fit()
    at_q4 = np.array([[1.0, 7.0]])  # 2009/10 Q4: the eighth quarter
    frame95 = fit.get_prediction(at_q4).summary_frame(alpha=0.05).iloc[0]
    frame80 = fit.get_prediction(at_q4).summary_frame(alpha=0.20).iloc[0]
    assert p.point == pytest.approx(frame95["mean"], rel=1e-9)  # 227.857
    assert p.point == pytest.approx(227.857143, abs=1e-6)
    assert (p.lower_95, p.upper_95) == pytest.approx(
        (frame95["obs_ci_lower"], frame95["obs_ci_upper"]), rel=1e-9)
    assert (p.lower_80, p.upper_80) == pytest.approx(
        (frame80["obs_ci_lower"], frame80["obs_ci_upper"]), rel=1e-9)
    se = (frame95["obs_ci_upper"] - frame95["mean"]) / stats.t.ppf(0.975, 5)
    assert p.probability_met == pytest.approx(stats.t.sf((230 - frame95["mean"]) / se, 5))
    assert 0.1 < p.probability_met < 0.3  # on its line, 230 is likely just missed


def test_a_level_uses_the_latest_eight_returns_and_needs_four():
    quarters = [Quarter(2006 + i // 4, i % 4 + 1) for i in range(12)]
    values = [50.0] * 4 + [float(v) for v in range(100, 108)]
    p = project_level(series(values, quarters), 2009, 110.0)
    assert not isinstance(p, str)
    # the last eight (2007/08 Q1 - 2008/09 Q4) lie on a line, 100 ... 107: 111 at 2009/10 Q4
    assert p.point == pytest.approx(111.0)
    assert p.probability_met == 1.0  # no scatter about the line
    complete = project_level(series(values, quarters), 2008, 110.0)
    assert not isinstance(complete, str)
    assert (complete.point, complete.probability_met) == (107.0, 0.0)  # the outturn, missed
    short = project_level(series(NW[:3], QUARTERS[:3]), 2009, 230.0)
    assert short == "3 quarterly returns: at least 4 are needed for a trend"


def test_hours_add_the_remaining_quarters_at_this_years_mean():
    p = project_hours(series(CP), 2009, 20_500.0, "higher")
    assert not isinstance(p, str) and p.method == HOURS_METHOD
    this_year = np.array([4_800, 5_100, 5_100], float)
    mean, sd, n, k = this_year.mean(), this_year.std(ddof=1), 3, 1
    scale = sd * math.sqrt(k + k * k / n)
    assert p.point == pytest.approx(15_000 + mean)  # 20,000
    assert p.upper_95 == pytest.approx(20_000 + stats.t.ppf(0.975, 2) * scale)
    assert p.lower_80 == pytest.approx(20_000 - stats.t.ppf(0.90, 2) * scale)
    assert p.probability_met == pytest.approx(stats.t.sf(500 / scale, 2))


def test_hours_already_past_the_target_are_met_for_certain():
    p = project_hours(series(CP), 2009, 10_000.0, "higher")
    assert not isinstance(p, str)
    assert p.probability_met == 1.0 and p.lower_95 >= 15_000


def test_a_year_still_to_come_takes_the_latest_four_quarters():
    p = project_hours(series(CP), 2010, 10_000.0, "higher")
    assert not isinstance(p, str)
    latest = np.array([3_400, 4_800, 5_100, 5_100], float)
    scale = latest.std(ddof=1) * math.sqrt(4 + 16 / 4)
    assert p.point == pytest.approx(4 * latest.mean())  # 18,400
    assert p.upper_95 == pytest.approx(18_400 + stats.t.ppf(0.975, 3) * scale)


def test_the_sample_targets_get_their_projection_columns():
    register = read_kpi_register(DEFAULT_CONFIG_DIR)
    targets = {t.id: t for t in load_targets(DEFAULT_CONFIG_DIR).targets}
    nw = register.get("neighbourhood_watch_schemes")
    frame = series(NW)
    this_year = projection_fields(nw, targets["neighbourhood_watch_2009_10"], frame, 230.0)
    assert this_year["method"] == LEVEL_METHOD
    assert this_year["projected_year_end"] == pytest.approx(227.857143, abs=1e-6)
    assert "not backtested" in this_year["projection_caveat"]
    later = projection_fields(nw, targets["neighbourhood_watch_2010_11"], frame, 280.0)
    assert "projected_year_end" not in later
    assert later["target_year_projection"] == pytest.approx(227.857143 + 4 * 46 / 7, abs=1e-6)
