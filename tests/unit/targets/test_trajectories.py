"""A target's year month by month (mart_target_trajectory): the cumulative actual against the
straight and the seasonal year-to-date trajectory."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from scp_metrics.config.targets import RagThresholds
from scp_metrics.targets.trajectories import target_trajectory


def values_for(april: int = 2) -> pd.DataFrame:
    """Three complete years 2006/07-2008/09 whose April is ``april`` times every other month (1
    each), then April-June 2009 with year-to-date rows."""
    rows = []
    for month in pd.period_range("2006-04", "2009-06", freq="M"):
        count = april if month.month == 4 else 1
        rows.append(("month", month.start_time, month.end_time.normalize(), count, float(count)))
    for k, end in enumerate(["2009-04-30", "2009-05-31", "2009-06-30"], start=1):
        rows.append(("fytd", pd.Timestamp("2009-04-01"), pd.Timestamp(end), 10 * k, 1.5 * k))
    return pd.DataFrame(rows, columns=["period_type", "period_start", "period_end", "numerator",
                                       "value"])


def test_the_seasonal_trajectory_follows_the_recent_years_shares():
    path = target_trajectory(2009, date(2009, 6, 30), 130.0, "count", values_for(),
                             RagThresholds(trajectory_profile="seasonal", profile_years=3))
    assert path["period_end"].tolist()[:2] == [date(2009, 4, 30), date(2009, 5, 31)]
    assert path["period_end"].iloc[-1] == date(2010, 3, 31)
    # every earlier year: April 2 of 13, each other month 1 of 13
    shares = np.array([2] + [1] * 11) / 13
    assert path["trajectory_seasonal"].to_numpy() == pytest.approx(130.0 * np.cumsum(shares))
    assert path["trajectory_straight"].to_numpy() == pytest.approx(130.0 * np.arange(1, 13) / 12)
    assert path["trajectory_ytd"].tolist() == path["trajectory_seasonal"].tolist()
    assert path["profile"].iloc[0] == "seasonal, 2006/07..2008/09"


def test_the_actual_is_the_year_to_date_count_or_value_up_to_the_month_judged():
    count = target_trajectory(2009, date(2009, 5, 31), 130.0, "count", values_for(),
                              RagThresholds())
    assert count["actual_ytd"].tolist()[:2] == [10.0, 20.0]
    assert count["actual_ytd"].iloc[2:].isna().all()  # June is after the month judged
    rate = target_trajectory(2009, date(2009, 6, 30), 2.0, "rate per 1,000", values_for(),
                             RagThresholds())
    assert rate["actual_ytd"].tolist()[:3] == [1.5, 3.0, 4.5]


def test_a_straight_profile_or_no_milestone():
    straight = target_trajectory(2009, date(2009, 6, 30), 60.0, "count", values_for(),
                                 RagThresholds(trajectory_profile="straight"))
    assert straight["trajectory_ytd"].to_numpy() == pytest.approx(5.0 * np.arange(1, 13))
    assert straight["profile"].iloc[0] == "straight (equal months)"
    none = target_trajectory(2009, date(2009, 6, 30), None, "count", values_for(),
                             RagThresholds())
    assert none["trajectory_ytd"].isna().all() and none["actual_ytd"].notna().sum() == 3
