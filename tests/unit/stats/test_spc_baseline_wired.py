"""SPC baselines in mart_spc's computation (issue 13 item 4), against hand-worked values:
limits fixed on the first 12 values and extended, a run chart below the minimum, suggested
recalculation points listed and never applied, the baseline counted in values present."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scp_metrics.config.spc import SpcBaseline
from scp_metrics.stats.spc import xmr, xmr_limits
from scp_metrics.stats.spc_series import spc_table

MONTHS = pd.date_range("2015-01-01", periods=40, freq="MS")


def table(values, breaks=None, baseline=None, polarity="lower"):
    monthly = pd.DataFrame({"indicator_id": "x", "area_code": "A",
                            "period_start": MONTHS[:len(values)].date, "value": values})
    return spc_table(monthly, {"x": polarity}, breaks, baseline)


def test_limits_come_from_the_first_12_values_and_are_extended():
    # baseline 10, 12, ...: mean 11, every moving range 2, limits 11 ± 5.32 = 5.68..16.32;
    # the 4 after it lies below 5.68. Limits from all 15 values (mean 11.133, AMR 37/13 after
    # screening out the range of 16) would put the lower limit at 3.56 and 4 inside.
    out = table([10.0, 12.0] * 6 + [20.0, 4.0, 11.0])
    assert out["mean"].eq(11.0).all()
    assert out["lpl"].iloc[0] == pytest.approx(5.68) and out["upl"].iloc[-1] == pytest.approx(16.32)
    assert out["rule"].iloc[12:].tolist() == ["outside", "outside", "none"]
    assert (out["chart_type"] == "xmr").all()
    assert set(out["baseline_end"]) == {MONTHS[11].date()}
    whole = table([10.0, 12.0] * 6 + [20.0, 4.0, 11.0], baseline=SpcBaseline(None, 12))
    assert whole["lpl"].iloc[0] == pytest.approx(167 / 15 - 2.66 * 37 / 13)
    assert whole["rule"].iloc[13] == "none"
    assert set(whole["baseline_end"]) == {MONTHS[14].date()}


def test_a_group_below_the_minimum_points_is_a_run_chart_whose_shift_rule_still_fires():
    out = table([1.0] + [5.0] * 7)  # mean 4.5; seven points above it
    assert (out["chart_type"] == "run_chart").all()
    assert out["mean"].eq(4.5).all() and out["lpl"].isna().all() and out["upl"].isna().all()
    assert out["rule"].tolist() == ["none"] + ["shift"] * 7
    assert out["baseline_end"].isna().all()


def test_a_break_leaving_too_few_points_makes_only_that_group_a_run_chart():
    brk = pd.DataFrame({"indicator_id": ["x"], "area_code": [None],
                        "break_date": [MONTHS[14].date()]})
    out = table([10.0, 12.0] * 10, brk)
    assert out["chart_type"].tolist() == ["xmr"] * 14 + ["run_chart"] * 6
    assert out["rebase_group"].tolist() == [0] * 14 + [1] * 6


def test_a_sustained_shift_is_suggested_on_its_first_month_and_not_applied():
    values = [10.0, 12.0] * 6 + [6.0, 8.0] * 6
    out = table(values)
    marked = out.index[out["suggested_recalculation"].notna()].tolist()
    assert marked == [12]
    text = out.loc[12, "suggested_recalculation"]
    assert "12 points in a row below the centre line (11)" in text
    assert "would centre on 7" in text and "config/series_breaks.toml" in text
    assert out["rebase_group"].eq(0).all() and out["mean"].eq(11.0).all()  # never applied
    # once a person confirms it as a break, the limits are recalculated and nothing is left
    brk = pd.DataFrame({"indicator_id": ["x"], "area_code": [None],
                        "break_date": [MONTHS[12].date()]})
    confirmed = table(values, brk)
    assert confirmed["suggested_recalculation"].isna().all()
    assert confirmed["mean"].iloc[12:].eq(7.0).all()


def test_the_baseline_counts_values_present_not_missing_months():
    # first 3 values present: 10, 12, 10 (rows 0, 2, 3); the gap drops both ranges beside it
    lim = xmr_limits([10.0, np.nan, 12.0, 10.0, 12.0, 40.0], fix_after_n=3)
    assert lim.mean == pytest.approx(32 / 3) and lim.amr == pytest.approx(2.0)
    res = xmr([10.0, np.nan, 12.0, 10.0, 12.0, 40.0], fix_after_n=3, minimum_points=3)
    assert res["upl"].iloc[-1] == pytest.approx(32 / 3 + 5.32) and res["rule"].iloc[-1] == "outside"


def test_missing_months_are_gaps_not_rows_and_do_not_count_towards_the_baseline():
    monthly = pd.DataFrame({"indicator_id": "x", "area_code": "A",
                            "period_start": MONTHS[list(range(6)) + list(range(12, 22))].date,
                            "value": [10.0, 12.0] * 8})
    out = spc_table(monthly, {"x": "lower"})
    assert len(out) == 16  # the gap rows are not written
    # the 12th value present is the 18th month (index 17): the baseline ends there
    assert set(out["baseline_end"]) == {MONTHS[17].date()}
    assert (out["chart_type"] == "xmr").all() and not math.isnan(out["lpl"].iloc[0])
