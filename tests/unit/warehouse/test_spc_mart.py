"""mart_spc: Making Data Count XmR per indicator and area, rebased at series breaks.

Expected limits are worked by hand: mean ± 2.66·AMR (process limits) and mean ± 2·(2.66/3)·AMR
(near limits), AMR = mean moving range after screening ranges ≥ 3.267·AMR.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from scp_metrics.config.spc import SpcBaseline
from scp_metrics.stats.spc_series import SPC_COLUMNS
from scp_metrics.stats.spc_series import spc_table as _spc_table

#: These hand-worked values are for limits from each whole limits group (config/spc.toml
#: baseline_points = 0) with no minimum; the 12-point baseline and the run chart are worked in
#: tests/unit/stats/test_spc_baseline_wired.py.
WHOLE_GROUP = SpcBaseline(baseline_points=None, minimum_points=2)


def spc_table(monthly, polarity, breaks=None):
    return _spc_table(monthly, polarity, breaks, WHOLE_GROUP)

# Ten months alternating 10, 12 (mean 11) then ten alternating 14, 16 (mean 15); every moving
# range is 2, so AMR = 2 and the whole-series mean is 13.
SHIFTED = [10, 12] * 5 + [14, 16] * 5
MONTHS = pd.date_range("2007-01-01", periods=20, freq="MS")


def monthly(values, indicator="cd_arson", area="E06000045", months=MONTHS):
    return pd.DataFrame({"indicator_id": indicator, "area_code": area,
                         "period_start": months.date, "value": values})


def breaks(*rows):
    return pd.DataFrame(rows, columns=["indicator_id", "area_code", "break_date"])


def test_a_series_shifting_up_halfway_has_limits_from_its_moving_range_and_all_points_in_a_shift():
    chart = spc_table(monthly(SHIFTED), {"cd_arson": "lower"})
    assert list(chart.columns) == SPC_COLUMNS
    assert chart["mean"].tolist() == pytest.approx([13.0] * 20)
    assert chart["lpl"].iloc[0] == pytest.approx(13 - 2.66 * 2)  # 7.68
    assert chart["upl"].iloc[0] == pytest.approx(13 + 2.66 * 2)  # 18.32
    assert chart["near_lpl"].iloc[0] == pytest.approx(13 - 2 * 2.66 / 3 * 2)  # 9.4533
    assert chart["near_upl"].iloc[0] == pytest.approx(13 + 2 * 2.66 / 3 * 2)  # 16.5467
    assert chart["rule"].tolist() == ["shift"] * 20
    assert chart["special_cause_flag"].all()
    # lower is better: ten months below the mean are an improvement, ten above a concern
    assert chart["point_type"].tolist() == (["special_cause_improvement"] * 10
                                            + ["special_cause_concern"] * 10)
    assert chart["improvement"].unique().tolist() == ["decrease"]
    assert chart["rebase_group"].unique().tolist() == [0]
    assert chart["assurance"].isna().all()
    assert chart["period_start"].iloc[0] == date(2007, 1, 1)


def test_higher_is_better_turns_the_same_shift_into_concern_then_improvement():
    chart = spc_table(monthly(SHIFTED, "NI21"), {"NI21": "higher"})
    assert chart["point_type"].tolist() == (["special_cause_concern"] * 10
                                            + ["special_cause_improvement"] * 10)
    assert chart["improvement"].iloc[0] == "increase"


def test_a_neutral_indicator_reports_high_and_low_not_better_or_worse():
    chart = spc_table(monthly(SHIFTED, "vap_domestic_share"), {"vap_domestic_share": "neutral"})
    assert chart["point_type"].iloc[0] == "special_cause_neutral_low"
    assert chart["point_type"].iloc[-1] == "special_cause_neutral_high"


def test_rebasing_at_a_break_gives_each_side_its_own_mean_and_limits_and_removes_the_shift():
    chart = spc_table(monthly(SHIFTED), {"cd_arson": "lower"},
                      breaks(("cd_arson", None, date(2007, 11, 1))))
    before, after = chart.iloc[:10], chart.iloc[10:]
    assert before["rebase_group"].unique().tolist() == [0]
    assert after["rebase_group"].unique().tolist() == [1]
    # group 0: (10+12)/2 = 11, AMR 2 → 11 ± 5.32; group 1: (14+16)/2 = 15 → 15 ± 5.32
    assert before["mean"].unique().tolist() == pytest.approx([11.0])
    assert (before["lpl"].iloc[0], before["upl"].iloc[0]) == pytest.approx((5.68, 16.32))
    assert after["mean"].unique().tolist() == pytest.approx([15.0])
    assert (after["lpl"].iloc[0], after["upl"].iloc[0]) == pytest.approx((9.68, 20.32))
    # alternating either side of each group's own mean: no run, nothing special
    assert not chart["special_cause_flag"].any()
    assert chart["point_type"].unique().tolist() == ["common_cause"]


def test_a_break_in_the_middle_of_a_month_starts_the_new_group_at_the_next_month():
    chart = spc_table(monthly(SHIFTED), {"cd_arson": "lower"},
                      breaks(("cd_arson", None, date(2007, 10, 15))))
    assert chart.loc[chart["rebase_group"] == 1, "period_start"].min() == date(2007, 11, 1)


def test_a_break_for_another_area_or_indicator_leaves_the_series_whole():
    chart = spc_table(monthly(SHIFTED), {"cd_arson": "lower"},
                      breaks(("cd_arson", "E06000044", date(2007, 11, 1)),
                             ("NI15", None, date(2007, 11, 1))))
    assert chart["rebase_group"].unique().tolist() == [0]
    assert chart["rule"].unique().tolist() == ["shift"]


def test_a_missing_month_breaks_a_run_and_is_not_written():
    # months 0-7 without month 3: seven lows 10/12 that are NOT consecutive; months 8-14: seven
    # highs 16/14 that are. Moving ranges: eleven of 2 and one of 6 (the 10 → 16 step), the two
    # next to the gap dropped: AMR = 28/12; mean = (76 + 106)/14 = 13.
    months = pd.date_range("2007-01-01", periods=15, freq="MS").delete(3)
    values = [10, 12, 10, 12, 10, 12, 10] + [16, 14, 16, 14, 16, 14, 16]
    chart = spc_table(monthly(values, months=months), {"cd_arson": "lower"})
    assert len(chart) == 14
    assert date(2007, 4, 1) not in set(chart["period_start"])
    assert chart["mean"].iloc[0] == pytest.approx(13.0)
    assert chart["upl"].iloc[0] == pytest.approx(13 + 2.66 * 28 / 12)  # 19.2067
    assert chart["rule"].tolist() == ["none"] * 7 + ["shift"] * 7


def test_each_indicator_and_area_is_charted_on_its_own():
    both = pd.concat([monthly(SHIFTED), monthly([20] * 10 + [22] * 10, area="E06000044")])
    chart = spc_table(both, {"cd_arson": "lower"})
    southampton = chart[chart["area_code"] == "E06000045"].reset_index(drop=True)
    alone = spc_table(monthly(SHIFTED), {"cd_arson": "lower"})
    pd.testing.assert_frame_equal(southampton, alone)
    assert chart.loc[chart["area_code"] == "E06000044", "mean"].iloc[0] == pytest.approx(21.0)


def test_an_indicator_without_a_polarity_is_refused():
    with pytest.raises(ValueError, match="no polarity for indicator"):
        spc_table(monthly(SHIFTED), {})


def test_no_monthly_rows_give_an_empty_mart_with_its_columns():
    chart = spc_table(monthly([], months=MONTHS[:0]), {})
    assert chart.empty and list(chart.columns) == SPC_COLUMNS


def test_the_transform_builds_mart_spc_from_the_mini_extracts_with_breaks_loaded(mini_raw):
    from scp_metrics.ingest.engine import validate_file
    from scp_metrics.settings import get_settings
    from scp_metrics.warehouse import connect
    from scp_metrics.warehouse.build import build_models
    from scp_metrics.warehouse.load import load_frame

    con = connect(":memory:")
    try:
        for path in sorted(mini_raw.iterdir()):
            result = validate_file(path, config_dir=get_settings().config_dir, today=date(2010, 1, 15))
            load_frame(con, result.source, result.frame, file_name=path.name, sha256=path.name,
                       run_id="run1", period=result.period_label)
        rows = build_models(con, get_settings(home_area="E06000045"))
        spc = con.execute("select * from mart_spc where indicator_id = 'all_crime' "
                          "order by period_start").df()
        months = con.execute("select period_start, value from mart_indicator_values where "
                             "indicator_id = 'all_crime' and period_type = 'month' "
                             "order by period_start").df()
        ni15_breaks = con.execute("select break_date from ref_series_breaks "
                                  "where indicator_id = 'NI15'").fetchall()
    finally:
        con.close()
    assert rows["mart_spc"] > 0
    assert list(spc.columns) == SPC_COLUMNS
    assert spc["value"].tolist() == pytest.approx(months["value"].tolist())
    assert spc["improvement"].unique().tolist() == ["decrease"]
    assert ni15_breaks == [(date(2008, 4, 1),)]
