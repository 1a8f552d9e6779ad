"""Suggested SPC recalculation points (Making Data Count's sustained-shift advice), by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scp_metrics.config.spc import SpcBaseline
from scp_metrics.stats.spc_baseline import suggest_recalculations
from tests.conftest import FIXTURES

MONTHS = pd.date_range("2015-01-01", periods=40, freq="MS")


def test_a_step_down_after_the_baseline_is_suggested_where_it_starts():
    y = pd.Series([10.0] * 20 + [6.0] * 20, index=MONTHS)
    got = suggest_recalculations(y)
    assert got["suggested_start"].tolist() == [MONTHS[20]]
    row = got.iloc[0]
    assert (row["run_points"], row["direction"]) == (20, "below")
    assert (row["mean_before"], row["mean_after"]) == (10.0, 6.0)
    assert row["group_start"] == MONTHS[0]


def test_a_configured_break_at_the_step_leaves_nothing_to_suggest():
    y = pd.Series([10.0] * 20 + [6.0] * 20, index=MONTHS)
    assert suggest_recalculations(y, rebase_at=[MONTHS[20]]).empty


def test_a_steady_fall_suggests_a_recalculation_every_six_months():
    # 40, 39, …, 1: the first 12 points average 34.5, so 40 … 35 lie above and the run below
    # starts at the 7th point (34); from there the next 12 average 28.5, and so on. From the
    # 31st point only 10 points remain: fewer than the 12 needed for limits, no further search.
    y = pd.Series(np.arange(40.0, 0.0, -1.0), index=MONTHS)
    got = suggest_recalculations(y)
    assert got["suggested_start"].tolist() == [MONTHS[i] for i in (6, 12, 18, 24, 30)]
    assert got["mean_before"].tolist() == [34.5, 28.5, 22.5, 16.5, 10.5]
    assert (got["direction"] == "below").all()
    assert got["run_points"].tolist() == [34, 28, 22, 16, 10]


def test_six_points_on_one_side_are_not_a_shift():
    y = pd.Series([10.0, 12.0] * 6 + [9.0] * 6 + [11.0, 11.0], index=MONTHS[:20])
    assert suggest_recalculations(y).empty  # mean 11: six 9s below, then two on the mean


def test_a_missing_month_breaks_a_run():
    values = [10.0, 12.0] * 6 + [9.0] * 4 + [np.nan] + [9.0] * 4
    y = pd.Series(values, index=MONTHS[:21])
    assert suggest_recalculations(y).empty
    values[16] = 9.0
    assert suggest_recalculations(pd.Series(values, index=MONTHS[:21]))[
        "suggested_start"].tolist() == [MONTHS[12]]


def test_without_a_fixed_baseline_the_whole_group_sets_the_centre_line():
    # mean of all 40 points of the step is 8: the first 20 lie above it
    y = pd.Series([10.0] * 20 + [6.0] * 20, index=MONTHS)
    got = suggest_recalculations(y, baseline=SpcBaseline(baseline_points=None))
    assert got["suggested_start"].tolist() == [MONTHS[20]]
    assert got.iloc[0]["mean_before"] == 8.0


def test_the_common_cause_reference_series_has_nothing_to_suggest():
    # NHSRplotthedots' rnorm(20) with set.seed(123): every point common cause
    series = pd.read_csv(FIXTURES / "peer_vectors" / "NHSRplotthedots"
                         / "rnorm20_seed123_series.csv", parse_dates=["date"])
    y = pd.Series(series["y_full_regenerated"].to_numpy(), index=series["date"])
    assert suggest_recalculations(y).empty


def test_baseline_settings_are_checked():
    with pytest.raises(ValueError, match="minimum_points"):
        SpcBaseline(minimum_points=1)
    with pytest.raises(ValueError, match="baseline_points"):
        SpcBaseline(baseline_points=6, minimum_points=12)
