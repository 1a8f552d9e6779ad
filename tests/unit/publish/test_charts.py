"""scp_metrics.publish.charts: each chart from hand-made frames, the style, saving, and the pack.

The frames mimic the marts' columns (mart_spc, mart_indicator_values, mart_target_tracking,
mart_msg_rankings) so the charts are tested without a warehouse; the pack runs on a tiny
in-memory warehouse built from the same frames.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from scp_metrics.publish.charts import (
    ChartSubject,
    Lineage,
    plot_funnel,
    plot_ranking,
    plot_spc,
    plot_trajectory,
    plot_trend,
    save_figure,
    write_chart_pack,
)
from scp_metrics.publish.charts.style import MDC, compact_ids
from scp_metrics.rankings.funnel import funnel_limits
from scp_metrics.settings import PROJECT_ROOT
from scp_metrics.warehouse.marts.spc import spc_table

CONFIG = PROJECT_ROOT / "config"

AREA = "E06000045"
SUBJECT = ChartSubject("NI15", "Serious violent crime rate", "rate per 1,000", "lower", "rate",
                       AREA, "Southampton")
COUNT_SUBJECT = ChartSubject("ed_night", "Assaults at night", "count", "lower", "count", AREA,
                             "Southampton")
LINEAGE = Lineage("police recorded crime (record-level extract)", "2009-12-31", (3, 7, 12),
                  "2010-01-12", ("police_crime", "population"))
MONTHS = pd.date_range("2007-04-01", periods=24, freq="MS")
BREAK = pd.DataFrame({"indicator_id": ["NI15"], "area_code": [None],
                      "break_date": [pd.Timestamp("2008-04-01").date()],
                      "reason": ["Home Office offence codes changed (5 to 5A/5B/5C)"]})


# ------------------------------------------------------------------------------ helpers


def figure_text(fig: Figure, gid: str) -> str:
    """Text of the figure-level text with ``gid`` (title, subtitle, footnote, badges)."""
    found = [t.get_text() for t in fig.texts if t.get_gid() == gid]
    assert found, f"no text with gid {gid!r}"
    return " ".join(" ".join(found).split())


def all_text(fig: Figure) -> str:
    """Every piece of text in the figure, whitespace normalised (legend, labels, annotations)."""
    parts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    return " ".join(" ".join(p for p in parts if isinstance(p, str)).split())


def by_gid(fig: Figure, gid: str) -> list:
    return [a for a in fig.findobj() if a.get_gid() == gid]


def assert_house_style(fig: Figure, *, title: str, unit_in_axis: str, source: str = "police",
                       batches: str = "3, 7, 12") -> None:
    assert isinstance(fig, Figure)
    assert title in figure_text(fig, "title")
    assert unit_in_axis in fig.axes[0].get_ylabel() + fig.axes[0].get_xlabel()
    assert "lower is better" in figure_text(fig, "subtitle").lower()
    foot = figure_text(fig, "footnote")
    assert source in foot and batches in foot and "Data to 31 Dec 2009" in foot
    w, h = fig.get_size_inches()
    assert w == 10.0 and h >= 5.6 and fig.dpi == 150  # taller for a long ranking


def spc_frame(values, breaks=None, polarity="lower") -> pd.DataFrame:
    monthly = pd.DataFrame({"indicator_id": "NI15", "area_code": AREA,
                            "period_start": MONTHS[:len(values)].date, "value": values})
    return spc_table(monthly, {"NI15": polarity}, breaks)


def trend_frame() -> pd.DataFrame:
    rows = []
    for i, start in enumerate(MONTHS):
        end = start + pd.offsets.MonthEnd(0)
        v = 1.0 + 0.02 * i
        rows.append(("month", start, end, v, v * 0.8, v * 1.2, np.nan, np.nan, None))
        if i >= 11:
            r_start = start - pd.DateOffset(months=11)
            r = 12 * (1.0 + 0.02 * (i - 5.5))
            prev = r - 2.0 if i >= 23 else np.nan
            rows.append(("rolling_12m", r_start, end, r, r * 0.95, r * 1.05, prev,
                         100 * (r / prev - 1) if prev == prev else np.nan,
                         "significant rise" if prev == prev else None))
    return pd.DataFrame(rows, columns=["period_type", "period_start", "period_end", "value",
                                       "ci95_lower", "ci95_upper",
                                       "value_same_period_last_year", "change_pct",
                                       "change_verdict"])


def members() -> pd.DataFrame:
    names = ["Milton Keynes", "Reading", "Southampton", "Coventry", "Derby", "Luton"]
    codes = ["E06000042", "E06000038", AREA, "E08000026", "E06000015", "E06000032"]
    pop = np.array([230_000, 145_000, 234_100, 306_000, 242_000, 191_000], dtype=float)
    num = np.array([150, 120, 283, 500, 420, 400], dtype=float)
    value = num / pop * 1000
    order = np.argsort(value)
    rank = np.empty(len(value))
    rank[order] = np.arange(1, len(value) + 1)
    mean, sd = value.mean(), value.std(ddof=1)
    return pd.DataFrame({
        "area_code": codes, "area_name": names, "numerator": num, "denominator": pop,
        "value": value, "ci95_lower": value * 0.9, "ci95_upper": value * 1.1, "rank": rank,
        "n_areas": len(names), "group_mean": mean, "group_sd": sd, "band_lower": mean - sd,
        "band_upper": mean + sd, "group_pooled_rate": num.sum() / pop.sum() * 1000,
        "multiplier": 1000, "period_type": "rolling_12m",
        "period_start": pd.Timestamp("2009-01-01"), "period_end": pd.Timestamp("2009-12-31"),
    })


# ---------------------------------------------------------------------------------- SPC


def test_spc_chart_says_what_it_shows_with_units_polarity_lineage_and_a_zero_base():
    fig = plot_spc(spc_frame([1.0, 1.2] * 12), SUBJECT, lineage=LINEAGE)
    assert_house_style(fig, title="Serious violent crime rate in Southampton: monthly SPC chart",
                       unit_in_axis="Rate per 1,000 residents")
    assert fig.axes[0].get_ylim()[0] == 0.0
    assert "Process limits" in all_text(fig) and "Mean" in all_text(fig)


def test_spc_points_take_the_making_data_count_colour_of_their_point_type():
    # baseline mean 2.1, limits 2.1 ± 2.66 × 0.2: the 1s fall below (improvement, lower is
    # better), the 3s rise above (concern)
    fig = plot_spc(spc_frame([2.0, 2.2] * 6 + [1.0, 1.2] * 3 + [3.0, 3.2] * 3), SUBJECT,
                   lineage=LINEAGE)
    concern = by_gid(fig, "points-special_cause_concern")
    improvement = by_gid(fig, "points-special_cause_improvement")
    assert concern and improvement
    assert mcolors.to_hex(concern[0].get_facecolor()[0]) == MDC["special_cause_concern"]
    assert mcolors.to_hex(improvement[0].get_facecolor()[0]) == MDC["special_cause_improvement"]
    # The latest point is a high concern: the variation icon says so in letters and words.
    assert figure_text(fig, "variation-icon") == "H"
    assert "special cause concern" in figure_text(fig, "variation")


def test_spc_marks_a_series_break_at_its_date_and_draws_each_groups_limits_separately():
    fig = plot_spc(spc_frame([1.0, 1.2] * 6 + [3.0, 3.2] * 6, BREAK), SUBJECT, lineage=LINEAGE,
                   breaks=BREAK)
    (line,) = by_gid(fig, "break-2008-04-01")
    assert line.get_xdata()[0] == pytest.approx(mdates.date2num(pd.Timestamp("2008-04-01")))
    assert "Home Office offence codes changed" in all_text(fig)
    assert by_gid(fig, "mean-0") and by_gid(fig, "mean-1")
    assert "limits recalculated at each series break" in figure_text(fig, "footnote")


def test_spc_assurance_icon_compares_a_target_with_the_process_limits():
    frame = spc_frame([1.0, 1.2] * 12)  # limits about 0.57 to 1.63
    passes = plot_spc(frame, SUBJECT, lineage=LINEAGE, target=2.0)  # lower is better
    assert figure_text(passes, "assurance-icon") == "P"
    assert "consistently met" in figure_text(passes, "assurance")
    assert by_gid(passes, "target")
    hit_and_miss = plot_spc(frame, SUBJECT, lineage=LINEAGE, target=1.1)
    assert figure_text(hit_and_miss, "assurance-icon") == "?"
    none = plot_spc(frame, SUBJECT, lineage=LINEAGE)
    assert "no target" in figure_text(none, "assurance")


def test_spc_of_a_count_with_a_negative_lower_limit_keeps_the_zero_base_and_says_so():
    fig = plot_spc(spc_frame([0, 5, 1, 6, 0, 7] * 4), COUNT_SUBJECT, lineage=LINEAGE)
    assert fig.axes[0].get_ylim()[0] == 0.0
    assert "lower limit below 0: not shown" in all_text(fig)
    assert fig.axes[0].get_ylabel() == "Number, per month"


def test_spc_leaves_a_gap_at_missing_months_instead_of_a_straight_line():
    values = [1.0, 1.2] * 12
    frame = spc_frame(values)
    frame = frame.drop(index=range(14, 20)).reset_index(drop=True)  # six months missing
    fig = plot_spc(frame, SUBJECT, lineage=LINEAGE)
    (line,) = by_gid(fig, "values")
    y = np.asarray(line.get_ydata(), dtype=float)
    assert len(y) == 24 and np.isnan(y[14:20]).all() and not np.isnan(y[:14]).any()


def test_spc_draws_a_run_chart_where_a_group_has_too_few_points_and_shades_the_baseline():
    # 20 months, a break after 14: the last 6 months are too few for limits (12 needed)
    brk = pd.DataFrame({"indicator_id": ["NI15"], "area_code": [None],
                        "break_date": [MONTHS[14].date()]})
    frame = spc_frame([1.0, 1.2] * 10, brk)
    assert (frame["chart_type"].tolist() == ["xmr"] * 14 + ["run_chart"] * 6)
    fig = plot_spc(frame, SUBJECT, lineage=LINEAGE, target=2.0)
    assert by_gid(fig, "upl-0") and not by_gid(fig, "upl-1") and by_gid(fig, "mean-1")
    assert by_gid(fig, "baseline-0")  # the first 12 of 14 points set the limits
    assert "run chart (no limits) from" in figure_text(fig, "footnote")
    assert "not judged (run chart" in figure_text(fig, "assurance")


def test_spc_marks_suggested_recalculations_and_does_not_judge_a_shifted_process():
    frame = spc_frame([2.0, 2.2] * 6 + [1.0, 1.2] * 6)  # 12 points below the baseline's mean
    assert frame["suggested_recalculation"].notna().tolist() == [False] * 12 + [True] + \
        [False] * 11
    fig = plot_spc(frame, SUBJECT, lineage=LINEAGE, target=3.0)
    assert by_gid(fig, f"suggested-{MONTHS[12]:%Y-%m-%d}")
    assert "not applied" in figure_text(fig, "footnote")
    assert "not judged" in figure_text(fig, "assurance")  # not "consistently met"


def test_spc_refuses_a_frame_without_limits():
    with pytest.raises(ValueError, match="upl"):
        plot_spc(pd.DataFrame({"period_start": MONTHS[:3], "value": [1, 2, 3], "mean": 2,
                               "lpl": 0, "point_type": "common_cause"}), SUBJECT)


# -------------------------------------------------------------------------------- trend


def test_trend_chart_draws_months_rolling_12_months_as_a_monthly_average_and_intervals():
    frame = trend_frame()
    fig = plot_trend(frame, SUBJECT, lineage=LINEAGE)
    assert_house_style(fig, title="monthly and rolling 12-month trend",
                       unit_in_axis="Rate per 1,000 residents, per month")
    assert fig.axes[0].get_ylim()[0] == 0.0
    (rolling,) = by_gid(fig, "rolling")
    last = frame[frame["period_type"] == "rolling_12m"]["value"].iloc[-1]
    assert rolling.get_ydata()[-1] == pytest.approx(last / 12)
    assert by_gid(fig, "monthly-ci") and by_gid(fig, "rolling-ci")


def test_trend_chart_compares_the_latest_12_months_with_the_same_period_last_year():
    fig = plot_trend(trend_frame(), SUBJECT, lineage=LINEAGE)
    box = " ".join(by_gid(fig, "same-period-box")[0].get_text().split())
    assert "12 months to Mar 2009" in box and "per 1,000" in box
    assert "Same period last year" in box and "significant rise" in box
    (marker,) = by_gid(fig, "same-period-last-year")
    assert marker.get_xdata()[0] == pd.Timestamp("2008-03-01")


def test_trend_chart_marks_a_break_and_dots_rolling_windows_that_span_it():
    fig = plot_trend(trend_frame(), SUBJECT, lineage=LINEAGE, breaks=BREAK)
    (line,) = by_gid(fig, "break-2008-04-01")
    assert line.get_xdata()[0] == pytest.approx(mdates.date2num(pd.Timestamp("2008-04-01")))
    assert by_gid(fig, "rolling-spans")
    assert "spanning a series break" in all_text(fig)


def test_trend_chart_warns_when_the_year_on_year_comparison_straddles_a_break():
    late_break = BREAK.assign(break_date=[pd.Timestamp("2008-09-01").date()])
    fig = plot_trend(trend_frame(), SUBJECT, lineage=LINEAGE, breaks=late_break)
    box = " ".join(by_gid(fig, "same-period-box")[0].get_text().split())
    assert "straddle the Sep 2008 series break" in box and "not like for like" in box
    clean = plot_trend(trend_frame(), SUBJECT, lineage=LINEAGE)
    assert "straddle" not in by_gid(clean, "same-period-box")[0].get_text()


def test_trend_chart_of_a_percentage_draws_the_rolling_value_as_it_is():
    pct = ChartSubject("NI32", "Repeat MARAC cases", "%", "lower", "percentage", AREA, "S")
    frame = trend_frame()
    fig = plot_trend(frame, pct, lineage=LINEAGE)
    (rolling,) = by_gid(fig, "rolling")
    assert rolling.get_ydata()[-1] == pytest.approx(
        frame[frame["period_type"] == "rolling_12m"]["value"].iloc[-1])
    assert fig.axes[0].get_ylabel() == "Percentage (%)"


def test_trend_chart_leaves_a_gap_at_a_missing_month_and_titles_what_it_draws():
    """Issue 15 item 7: no straight line across a missing month; a chart with no rolling line
    does not promise one."""
    frame = trend_frame()
    gap = pd.Timestamp(MONTHS[5])
    holed = frame[~((frame["period_type"] == "month") & (frame["period_start"] == gap))]
    fig = plot_trend(holed, SUBJECT, lineage=LINEAGE)
    (monthly,) = by_gid(fig, "monthly")
    xs = list(pd.to_datetime(monthly.get_xdata()))
    at = xs.index(gap)
    assert np.isnan(monthly.get_ydata()[at])  # the month is there, empty: a gap in the line
    assert not np.isnan(monthly.get_ydata()[at - 1]) and not np.isnan(monthly.get_ydata()[at + 1])
    monthly_only = plot_trend(frame[frame["period_type"] == "month"], SUBJECT, lineage=LINEAGE)
    title = figure_text(monthly_only, "title")
    assert title.endswith("monthly trend") and "rolling" not in title


def test_trend_chart_gives_a_percentages_change_in_percentage_points():
    """26.6% a year earlier and 24.6% now is 2.0 percentage points down, not -7.5%."""
    pct = ChartSubject("NI32", "Repeat MARAC cases", "%", "lower", "percentage", AREA, "S")
    frame = trend_frame()
    last = frame.index[frame["period_type"] == "rolling_12m"][-1]
    frame.loc[last, ["value", "value_same_period_last_year", "change_pct"]] = [24.6, 26.6, -7.5]
    box = " ".join(by_gid(plot_trend(frame, pct, lineage=LINEAGE),
                          "same-period-box")[0].get_text().split())
    assert "change -2.0 percentage points" in box and "-7.5%" not in box


def test_chart_text_is_never_mathtext():
    subject = ChartSubject("NI15", "Cost in $ per $head$", "rate per 1,000", "lower", "rate",
                           AREA, "Southampton")
    fig = plot_trend(trend_frame(), subject, lineage=LINEAGE)
    title = by_gid(fig, "title")[0]
    assert not title.get_parse_math() and "$head$" in title.get_text()


# --------------------------------------------------------------------------- trajectory


def trajectory_inputs():
    months = pd.period_range("2009-04", "2010-03", freq="M")
    path = pd.DataFrame({"period_end": [m.to_timestamp(how="end").normalize() for m in months],
                         "actual_ytd": [335.0 * (k + 1) if k < 9 else np.nan
                                        for k in range(12)],
                         "trajectory_ytd": [292.0 * (k + 1) for k in range(12)]})
    row = {"target_id": "criminal_damage_stretch", "unit": "count", "assessed_period": "2009/10",
           "actual_value": 3015.0, "trajectory_value": 2628.0, "milestone_value": 3504.0,
           "target_value": 3504.0, "projected_year_end": 3977.0, "projection_lower_80": 3915.0,
           "projection_upper_80": 4040.0, "projection_lower_95": 3882.0,
           "projection_upper_95": 4072.0, "rag": "red", "probability_met": 1e-6,
           "method": "seasonal_share", "target_title": "Criminal damage 26% lower"}
    return path, row


def test_trajectory_chart_draws_actual_trajectory_fan_and_target_with_the_rag():
    path, row = trajectory_inputs()
    fig = plot_trajectory(path, row, COUNT_SUBJECT, lineage=LINEAGE)
    assert_house_style(fig, title="2009/10 year to date against the target trajectory",
                       unit_in_axis="Number, cumulative year to date")
    assert fig.axes[0].get_ylim()[0] == 0.0
    (target,) = by_gid(fig, "target")
    assert target.get_ydata()[0] == pytest.approx(3504.0)
    assert by_gid(fig, "fan-80") and by_gid(fig, "fan-95")
    (projection,) = by_gid(fig, "projection")
    assert projection.get_ydata()[-1] == pytest.approx(3977.0)
    status = " ".join(by_gid(fig, "status-box")[0].get_text().split())
    assert "RAG: Red" in status and "<1%" in status and "3,882 to 4,072" in status
    assert figure_text(fig, "title").startswith("Criminal damage 26% lower")  # distinct titles


def test_trajectory_chart_leaves_a_gap_at_a_missing_month():
    path, row = trajectory_inputs()
    path.loc[4, "actual_ytd"] = np.nan  # August missing, September on
    fig = plot_trajectory(path, row, COUNT_SUBJECT, lineage=LINEAGE)
    (actual,) = by_gid(fig, "actual")
    ys = actual.get_ydata()
    assert len(ys) == 9 and np.isnan(ys[4]) and not np.isnan(ys[3]) and not np.isnan(ys[5])


def test_trajectory_chart_without_a_target_value_says_so_instead_of_drawing_one():
    path, row = trajectory_inputs()
    path["trajectory_ytd"] = np.nan
    row = {**row, "milestone_value": None, "target_value": None, "rag": None,
           "probability_met": None}
    fig = plot_trajectory(path, row, COUNT_SUBJECT, lineage=LINEAGE)
    assert "no target value set" in figure_text(fig, "title")
    assert not by_gid(fig, "target") and not by_gid(fig, "trajectory")


# ------------------------------------------------------------------------------ ranking


def test_ranking_chart_sorts_members_highlights_the_area_and_states_its_rank():
    frame = members()
    fig = plot_ranking(frame, SUBJECT, lineage=LINEAGE)
    assert_house_style(fig, title="Southampton ranked 3rd of 6 in its Most Similar Group",
                       unit_in_axis="Rate per 1,000 residents")
    assert "12 months to Dec 2009" in figure_text(fig, "title")
    ax = fig.axes[0]
    assert ax.get_xlim()[0] == 0.0  # horizontal bars: the value axis is x, from zero
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:3] == ["Milton Keynes", "Reading", "Southampton"]  # rank order, top down
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # rank 1 at the top
    assert all(t.get_rotation() == 0 for t in ax.get_yticklabels())  # full names, level
    bars = ax.patches
    focus = [b for b in bars if b.get_height() > 0 and mcolors.to_hex(b.get_facecolor())
             == "#12436d"]  # the Analysis Function's dark blue
    assert len(focus) == 1 and focus[0].get_width() == pytest.approx(
        frame.loc[frame["area_code"] == AREA, "value"].iloc[0])
    (mean,) = by_gid(fig, "group-mean")
    assert mean.get_xdata()[0] == pytest.approx(frame["group_mean"].iloc[0])
    assert by_gid(fig, "sd-band") and "±1 standard deviation" in all_text(fig)


def test_ranking_chart_refuses_an_area_that_is_not_a_member():
    with pytest.raises(ValueError, match="not among"):
        plot_ranking(members(), ChartSubject("NI15", "x", "rate per 1,000", "lower", "rate",
                                             "E99999999", "Nowhere"))


# ------------------------------------------------------------------------------- funnel


def test_funnel_plot_draws_95_and_99_8_limits_around_the_pooled_rate_and_rings_the_area():
    frame = members()
    fig = plot_funnel(frame, SUBJECT, lineage=LINEAGE)
    assert_house_style(fig, title="Serious violent crime rate: Southampton",
                       unit_in_axis="Rate per 1,000 residents")
    assert "Funnel plot" in figure_text(fig, "subtitle")
    assert fig.axes[0].get_ylim()[0] == 0.0
    for gid in ("limit-upper-95%", "limit-lower-95%", "limit-upper-99.8%", "limit-lower-99.8%"):
        assert by_gid(fig, gid), gid
    (pooled,) = by_gid(fig, "pooled")
    assert pooled.get_ydata()[0] == pytest.approx(frame["group_pooled_rate"].iloc[0])
    (focus,) = by_gid(fig, "focus")
    me = frame[frame["area_code"] == AREA].iloc[0]
    assert tuple(focus.get_offsets()[0]) == pytest.approx((me["denominator"], me["value"]))
    # The 99.8% funnel is wider than the 95% one at every population.
    hi95 = by_gid(fig, "limit-upper-95%")[0].get_ydata()
    hi998 = by_gid(fig, "limit-upper-99.8%")[0].get_ydata()
    assert (hi998 >= hi95).all()


def test_funnel_plot_computes_significance_when_the_frame_has_none():
    frame = members().drop(columns=["group_pooled_rate"])
    fig = plot_funnel(frame, SUBJECT, lineage=LINEAGE)
    assert "Group pooled value" in all_text(fig)


def over_dispersed_group(events=(40, 60, 80, 90, 100, 100, 110, 120, 140, 300)):
    """Ten members of 10,000 residents ranked as the mart ranks them (pooled 0.0114 a head)."""
    from scp_metrics.rankings.ranks import compute_rankings

    codes = [AREA] + [f"E0600010{i}" for i in range(1, 10)]
    group = pd.DataFrame({"area_code": codes,
                          "area_name": ["Southampton"] + [f"Borough of Area {i}"
                                                          for i in range(1, 10)]})
    rows = pd.DataFrame({"indicator_id": "NI15", "period_type": "rolling_12m",
                         "period_start": "2009-01-01", "period_end": "2009-12-31",
                         "area_code": codes, "numerator": list(events), "denominator": 10_000})
    ind = pd.DataFrame({"indicator_id": ["NI15"], "measure": ["rate"], "multiplier": [1000],
                        "polarity": ["lower"]})
    return compute_rankings(rows, ind, group, group_id=AREA, focus_area=AREA)


def test_funnel_plot_draws_the_widened_limits_that_judge_an_over_dispersed_group():
    frame = over_dispersed_group()
    assert set(frame["funnel_method"]) == {"additive_random_effects"}
    fig = plot_funnel(frame, SUBJECT, lineage=LINEAGE)
    grid = by_gid(fig, "limit-upper-99.8%")[0].get_xdata()
    hi998 = by_gid(fig, "limit-upper-99.8%")[0].get_ydata()
    hi95 = by_gid(fig, "limit-upper-95%")[0].get_ydata()
    lo95 = by_gid(fig, "limit-lower-95%")[0].get_ydata()
    # every member sits where its adjusted label says, against the lines drawn
    for row in frame.itertuples():
        label = row.funnel_significance_adjusted
        if label == "High (0.001)":
            assert row.value > np.interp(row.denominator, grid, hi998)
        elif label == "Not significant":
            assert (np.interp(row.denominator, grid, lo95) <= row.value
                    <= np.interp(row.denominator, grid, hi95))
    # wider than the plain PHE 99.8% limits (which flag more members)
    plain_hi = funnel_limits(grid, frame["group_pooled_rate"].iloc[0] / 1000, "rate",
                             conf=0.998)[1] * 1000
    assert (hi998 > plain_hi).all()
    assert (frame["funnel_significance"] != "Not significant").sum() > \
        (frame["funnel_significance_adjusted"] != "Not significant").sum()
    # the outliers beyond the limits that judge are named in full, the home area too
    beyond = frame[(frame["funnel_significance_adjusted"] != "Not significant")
                   & (frame["area_code"] != AREA)]
    assert len(beyond) >= 1
    for row in beyond.itertuples():
        (label,) = by_gid(fig, f"outlier-label-{row.area_code}")
        assert label.get_text().startswith(row.area_name)
    inside = frame[frame["funnel_significance_adjusted"] == "Not significant"]
    assert not any(by_gid(fig, f"outlier-label-{code}") for code in inside["area_code"]
                   if code != AREA)
    assert by_gid(fig, "focus-label")[0].get_text().startswith("Southampton")
    phi = frame["overdispersion_phi"].iloc[0]
    assert f"φ = {phi:.2f}" in figure_text(fig, "footnote") and "widened" in all_text(fig)


def test_funnel_plot_refuses_a_count_indicator():
    with pytest.raises(ValueError, match="rate or a percentage"):
        plot_funnel(members(), COUNT_SUBJECT)


# --------------------------------------------------------------------- style and saving


def test_save_figure_writes_non_empty_png_and_svg_with_the_title_as_text(tmp_path):
    fig = plot_spc(spc_frame([1.0, 1.2] * 12), SUBJECT, lineage=LINEAGE)
    paths = save_figure(fig, tmp_path / "sub" / "spc_NI15")
    assert [p.name for p in paths] == ["spc_NI15.png", "spc_NI15.svg"]
    png, svg = (p.read_bytes() for p in paths)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert b"<svg" in svg and b"Serious violent crime rate" in svg  # text stays text


def test_png_has_the_pixels_matplotlib_draws_as_rgb_when_opaque_else_rgba(tmp_path):
    import numpy as np
    from PIL import Image

    fig = plot_spc(spc_frame([1.0, 1.2] * 12), SUBJECT, lineage=LINEAGE)
    fig.savefig(tmp_path / "reference.png", format="png", dpi=150, facecolor="white")
    (png,) = save_figure(fig, tmp_path / "spc", ("png",))
    reference, ours = Image.open(tmp_path / "reference.png"), Image.open(png)
    assert reference.mode == "RGBA" and ours.mode == "RGB" and ours.size == (1500, 840)
    drawn = np.asarray(reference)
    assert (drawn[..., 3] == 255).all()
    assert np.array_equal(np.asarray(ours), drawn[..., :3])
    assert ours.info["Software"] == "scp-metrics (matplotlib)"
    assert [round(v) for v in ours.info["dpi"]] == [150, 150]
    # a figure with see-through pixels keeps its alpha channel
    fig.patch.set_visible(False)
    fig.savefig(tmp_path / "clear.png", format="png", dpi=150, facecolor="white")
    (png,) = save_figure(fig, tmp_path / "clear_ours", ("png",))
    clear = np.asarray(Image.open(tmp_path / "clear.png"))
    assert (clear[..., 3] < 255).any()
    assert Image.open(png).mode == "RGBA"
    assert np.array_equal(np.asarray(Image.open(png)), clear)


def test_charts_drawn_in_turn_or_in_another_thread_give_the_same_png(tmp_path):
    import threading

    def spc(values):
        return plot_spc(spc_frame(values), SUBJECT, lineage=LINEAGE)

    first, other = spc([1.0, 1.2] * 12), spc([5.0, 9.0, 2.0] * 8)
    (alone,) = save_figure(first, tmp_path / "alone", ("png",))
    save_figure(other, tmp_path / "other", ("png",))
    (again,) = save_figure(first, tmp_path / "again", ("png",))
    assert alone.read_bytes() == again.read_bytes()
    assert alone.read_bytes() != (tmp_path / "other.png").read_bytes()
    # drawn from scratch in a thread of its own (its own renderer), the other chart is the same
    thread = threading.Thread(target=lambda: save_figure(spc([5.0, 9.0, 2.0] * 8),
                                                         tmp_path / "thread", ("png",)))
    thread.start()
    thread.join()
    assert (tmp_path / "thread.png").read_bytes() == (tmp_path / "other.png").read_bytes()


def test_lineage_lists_batch_ids_as_ranges_and_says_when_none_are_recorded():
    assert compact_ids([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10"
    text = Lineage("fire incidents", "2009-12-31", tuple(range(1, 28)), None, ("fire",)).text()
    assert text == "Source: fire incidents. Data to 31 Dec 2009. Load batches 1-27 (fire)."
    assert "not recorded" in Lineage("x").text()


def test_the_chart_library_never_imports_pyplot():
    code = ("import sys, scp_metrics.publish.charts, scp_metrics.cli.charts; "
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------------- pack


@pytest.fixture
def tiny_warehouse() -> duckdb.DuckDBPyConnection:
    """NI15 monthly and rolling values (one month on a count of 3), its SPC and one break."""
    con = duckdb.connect(":memory:")
    values = trend_frame()
    values.insert(0, "indicator_id", "NI15")
    values.insert(1, "area_code", AREA)
    values["numerator"] = 40
    values.loc[5, "numerator"] = 3  # a month resting on a small count
    values["denominator"] = 234_100
    values["source"] = "record_level"
    monthly = values[values["period_type"] == "month"]
    spc = spc_table(monthly[["indicator_id", "area_code", "period_start", "value"]],
                    {"NI15": "lower"}, BREAK)
    ref = pd.DataFrame({"indicator_id": ["NI15"], "title": ["Serious violent crime rate"],
                        "unit": ["rate per 1,000"], "polarity": ["lower"], "measure": ["rate"],
                        "source_table": ["police_crime"], "multiplier": [1000]})
    areas = pd.DataFrame({"area_code": [AREA], "area_name": ["Southampton"]})
    batches = pd.DataFrame({"batch_id": [3, 4, 9], "source": ["police_crime", "police_crime",
                                                             "population"],
                            "status": ["loaded", "loaded", "loaded"],
                            "loaded_at": pd.Timestamp("2010-01-12 09:00")})
    for name, frame in (("mart_indicator_values", values), ("mart_spc", spc),
                        ("ref_indicators", ref), ("ref_areas", areas),
                        ("ref_series_breaks", BREAK), ("load_batches", batches)):
        con.register("_f", frame)
        con.execute(f"create table {name} as select * from _f")
        con.unregister("_f")
    return con


def test_chart_pack_draws_what_exists_skips_missing_marts_and_indexes_both(tiny_warehouse,
                                                                           tmp_path):
    out = tmp_path / "2009-03" / "charts"
    files = write_chart_pack(tiny_warehouse, AREA, out, "2009-03", config_dir=CONFIG)
    names = sorted(p.name for p in files)
    assert names == ["spc_NI15_E06000045.png", "spc_NI15_E06000045.svg",
                     "trend_NI15_E06000045.png", "trend_NI15_E06000045.svg"]
    assert all(p.stat().st_size > 0 for p in files)
    index = pd.read_csv(out / "index.csv")
    skipped = index[index["status"] == "skipped"].set_index("kind")["reason"]
    assert "mart_msg_rankings is not in the warehouse" in skipped["ranking"]
    assert "mart_target_tracking is not in the warehouse" in skipped["trajectory"]
    written = index[index["status"] == "written"]
    assert written["title"].str.contains("Southampton").all()
    # A second run replaces the first run's files (and its index and manifest), nothing else.
    (out / "notes.txt").write_text("kept")
    again = write_chart_pack(tiny_warehouse, AREA, out, "2009-03", kinds=["spc"],
                             config_dir=CONFIG)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [p.name for p in again] + ["index.csv", "manifest.json", "notes.txt"])


def test_chart_pack_footnotes_carry_the_live_batches_and_withhold_small_counts(tiny_warehouse,
                                                                            tmp_path):
    from scp_metrics.publish.charts import draw_charts

    # config/privacy.toml: police recorded crime is open, so the month on a count of 3 is drawn
    ((_, fig),) = draw_charts(tiny_warehouse, "trend", "NI15", AREA, "2009-03", CONFIG)
    foot = figure_text(fig, "footnote")
    assert "Load batches 3-4, 9 (police_crime, population)" in foot
    assert "disclosure control" not in foot
    (monthly,) = by_gid(fig, "monthly")
    assert not np.isnan(monthly.get_ydata()[5])
    # a policy that suppresses police counts of 1 to 4 withholds it, and every month, year to
    # date and rolling 12 months of the series (secondary suppression)
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    text = (config / "privacy.toml").read_text()
    (config / "privacy.toml").write_text(text.replace(
        "[source.police_crime]\n# Police recorded crime is published openly (Home Office tables, "
        "data.police.uk).\nsuppress = false", "[source.police_crime]\nthreshold = 5"))
    ((_, fig),) = draw_charts(tiny_warehouse, "trend", "NI15", AREA, "2009-03", config)
    foot = figure_text(fig, "footnote")
    (monthly,) = by_gid(fig, "monthly")
    assert np.isnan(monthly.get_ydata()).all()
    assert "not shown (disclosure control: counts of 1 to 4, and the figures they could be " \
           "worked out from)" in foot


def test_chart_pack_from_a_warehouse_path_that_does_not_exist_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no warehouse"):
        write_chart_pack(tmp_path / "none.duckdb", AREA, tmp_path / "charts", config_dir=CONFIG)


def test_chart_pack_writes_into_the_folder_it_is_given(tiny_warehouse, tmp_path):
    files = write_chart_pack(tiny_warehouse, AREA, tmp_path / "x", kinds=["trend"],
                             config_dir=CONFIG)
    assert {p.parent for p in files} == {tmp_path / "x"}
    assert Path(tmp_path / "x" / "index.csv").is_file()
