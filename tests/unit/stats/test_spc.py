"""Tests for scp_metrics.stats.spc (Making Data Count XmR) against NHSRplotthedots v0.2.x.

The series tests run against ``../shared/peer_vectors/NHSRplotthedots`` (skipped with
the reason when absent) and against the verbatim copy in ``tests/fixtures``. The
expected limits and rule vectors are quoted from the shared README, which takes them
from the NHSRplotthedots test suite.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scp_metrics.stats.spc import (
    XmRLimits,
    assurance,
    shift_flags,
    trend_flags,
    two_of_three_flags,
    variation_label,
    xmr,
    xmr_limits,
)

REPO = Path(__file__).resolve().parents[3]
SHARED_PEER = REPO.parent / "shared" / "peer_vectors"
FIXTURE_PEER = REPO / "tests" / "fixtures" / "peer_vectors"
SERIES = Path("NHSRplotthedots") / "rnorm20_seed123_series.csv"
REL_TOL = 1e-9

SOURCES = [
    pytest.param("shared", marks=pytest.mark.shared, id="shared"),
    pytest.param("fixtures", id="fixtures"),
]

# README table "Expected values for the 20-point series": (mean, LPL, UPL) as printed,
# so each value is checked to half a unit in its last printed digit.
PRINTED_LIMITS = {
    "as is": ("0.1416238", "-3.01138", "3.294627"),
    "point 15 set to 10, screening on": ("0.6694159", "-2.383666", "3.722497"),
    "point 15 set to 10, screening off": ("0.6694159", "-4.596625", "5.935457"),
    "points 1-10 only": ("0.0746", "-2.60", "2.75"),
    "points 11-20 only": ("0.209", "-3.28", "3.70"),
}

# README "More limit vectors" (full precision): (mean, LPL, UPL, near-LPL, near-UPL).
LIMIT_VECTORS = [
    (list(range(1, 11)), (5.5, 2.84, 8.16, 3.7266666666666666, 7.273333333333333)),
    ([1, 2, 3, 4, 5, 4, 3, 2, 1, 2], (2.7, 0.04, 5.36, 0.9266666666666667, 4.473333333333334)),
    (
        [3, 1, 4, 1, 5, 9, 2],
        (
            3.5714285714285716,
            -6.625238095238096,
            13.768095238095238,
            -3.2263492063492065,
            10.36920634920635,
        ),
    ),
]


def load_series(source: str) -> pd.DataFrame:
    if source == "fixtures":
        path = FIXTURE_PEER / SERIES
    else:
        path = SHARED_PEER / SERIES
        if not path.is_file():
            pytest.skip(f"shared reference vectors not found at {path} (only in the lead's tree)")
    df = pd.read_csv(path, parse_dates=["date"], dtype={"y_8dp": str})
    assert len(df) == 20 and df["i"].tolist() == list(range(1, 21))
    return df


def series(df: pd.DataFrame) -> pd.Series:
    return pd.Series(df["y_full_regenerated"].to_numpy(), index=pd.DatetimeIndex(df["date"]))


def assert_printed(actual: float, printed: str, what: str) -> None:
    decimals = len(printed.split(".")[1])
    half_unit = 0.5 * 10.0**-decimals
    assert abs(actual - float(printed)) <= half_unit + 1e-15, (
        f"{what}: got {actual!r}, expected {printed} (±{half_unit})"
    )


def assert_rel(actual: float, expected: float, what: str) -> None:
    err = abs(actual - expected) / abs(expected) if expected else abs(actual)
    assert err <= REL_TOL, f"{what}: got {actual!r}, expected {expected!r} (rel {err:.3g})"


def group_limits(res: pd.DataFrame, group: int) -> tuple[float, float, float]:
    row = res[res["group"] == group].iloc[0]
    return float(row["mean"]), float(row["lpl"]), float(row["upl"])


def check_limits(res: pd.DataFrame, group: int, case: str) -> None:
    for got, printed, name in zip(
        group_limits(res, group), PRINTED_LIMITS[case], ("mean", "LPL", "UPL"), strict=True
    ):
        assert_printed(got, printed, f"{case} {name}")


# -------------------------------------------------------------- peer vectors


@pytest.mark.parametrize("source", SOURCES)
def test_series_file_full_values_round_to_the_published_eight_decimals(source: str) -> None:
    df = load_series(source)
    for i, (full, short) in enumerate(zip(df["y_full_regenerated"], df["y_8dp"], strict=True), 1):
        assert_printed(full, short, f"point {i}")


@pytest.mark.parametrize("source", SOURCES)
def test_limits_of_the_rnorm_series_match_nhsrplotthedots(source: str) -> None:
    res = xmr(series(load_series(source)), improvement="increase")
    check_limits(res, 0, "as is")
    assert (res["group"] == 0).all()


@pytest.mark.parametrize("source", SOURCES)
def test_every_point_of_the_unmodified_series_is_common_cause(source: str) -> None:
    for improvement in ("increase", "decrease", "neutral"):
        res = xmr(series(load_series(source)), improvement=improvement)
        assert not res["special_cause_flag"].any()
        assert (res["point_type"] == "common_cause").all()
        assert (res["rule"] == "none").all()
        assert variation_label(res) == "common_cause"


@pytest.mark.parametrize("source", SOURCES)
def test_screening_drops_the_outlying_moving_ranges_when_point_15_is_ten(source: str) -> None:
    s = series(load_series(source))
    s.iloc[14] = 10.0
    on = xmr(s, improvement="increase", screen_outliers=True)
    off = xmr(s, improvement="increase", screen_outliers=False)
    check_limits(on, 0, "point 15 set to 10, screening on")
    check_limits(off, 0, "point 15 set to 10, screening off")
    assert on["rule"].iloc[14] == "outside"
    assert on["point_type"].iloc[14] == "special_cause_improvement"


@pytest.mark.parametrize("source", SOURCES)
def test_rebasing_at_point_11_gives_each_half_its_own_limits(source: str) -> None:
    df = load_series(source)
    s = series(df)
    res = xmr(s, rebase_at=[df["date"].iloc[10]])
    assert res["group"].tolist() == [0] * 10 + [1] * 10
    check_limits(res, 0, "points 1-10 only")
    check_limits(res, 1, "points 11-20 only")
    # the same limits as charting each half on its own
    assert group_limits(xmr(s.iloc[:10]), 0) == group_limits(res, 0)
    assert group_limits(xmr(s.iloc[10:]), 0) == group_limits(res, 1)
    # a string date is accepted as a rebase label, and the index is kept
    assert res.equals(xmr(s, rebase_at=["2020-01-12"]))
    assert res.index.equals(s.index)


@pytest.mark.parametrize(("values", "expected"), LIMIT_VECTORS)
def test_limit_vectors_match_nhsrplotthedots_to_one_part_in_a_billion(
    values: list[int], expected: tuple[float, ...]
) -> None:
    lim = xmr_limits(values)
    got = (lim.mean, lim.lpl, lim.upl, lim.near_lpl, lim.near_upl)
    for g, e, name in zip(
        got, expected, ("mean", "lpl", "upl", "near_lpl", "near_upl"), strict=True
    ):
        assert_rel(g, e, f"{values} {name}")
    res = xmr(values)
    assert res[["mean", "lpl", "upl", "near_lpl", "near_upl"]].iloc[0].tolist() == list(got)


@pytest.mark.parametrize(("jump", "screened"), [(4.37, True), (4.36, False)])
def test_screening_drops_moving_ranges_of_at_least_3_267_times_the_average(
    jump: float, screened: bool
) -> None:
    # nine moving ranges of 1 and one of `jump`: AMR = (9 + jump) / 10, and
    # jump >= 3.267 * AMR exactly when jump >= 4.3670...
    values = [0, 1] * 5 + [1 + jump]
    lim = xmr_limits(values)
    assert lim.amr == pytest.approx(1.0 if screened else (9 + jump) / 10)
    assert xmr_limits(values, screen_outliers=False).amr == pytest.approx((9 + jump) / 10)


def test_shift_flags_the_first_eight_points_of_eight_above_then_one_below() -> None:
    assert shift_flags([1] * 8 + [-1]).tolist() == [True] * 8 + [False]


def test_a_point_on_the_mean_breaks_a_shift() -> None:
    assert not shift_flags([1, 1, 1, 0, 1, 1, 1, 1]).any()
    assert not shift_flags([1] * 6).any()


def test_seven_rising_values_are_a_trend() -> None:
    assert trend_flags([1, 2, 3, 4, 5, 6, 7]).tolist() == [True] * 7


def test_a_tie_breaks_a_trend() -> None:
    assert not trend_flags([1, 2, 3, 3, 4, 5, 6]).any()


def test_two_of_three_flags_only_the_close_points() -> None:
    assert two_of_three_flags([1, 0, 1], [1, 1, 1]).tolist() == [True, False, True]
    assert not two_of_three_flags([1, 0, 1], [1, -1, 1]).any()  # not all on one side
    assert not two_of_three_flags([1, 0, 0], [1, 1, 1]).any()


def test_assurance_vectors_match_nhsrplotthedots() -> None:
    assert assurance((1, 2, 3), 4, "increase") == "consistent_fail"
    assert assurance((1, 2, 3), 4, "decrease") == "consistent_pass"
    assert assurance((1, 4, 5), 4, "increase") == "inconsistent"
    assert assurance((1, 4, 5), 4, "decrease") == "inconsistent"
    assert assurance((1, 2, 3), 0, "increase") == "consistent_pass"
    assert assurance((1, 2, 3), 0, "decrease") == "consistent_fail"


# ------------------------------------------------------------------ behaviour


def test_outside_takes_precedence_over_a_trend() -> None:
    res = xmr([1, 2, 3, 4, 5, 6, 7], improvement="increase")
    assert res["rule"].tolist() == ["outside"] + ["trend"] * 5 + ["outside"]
    assert res["point_type"].tolist() == (
        ["special_cause_concern"] + ["special_cause_improvement"] * 6
    )
    assert res["special_cause_flag"].all()


def test_trend_takes_precedence_over_two_of_three_and_shift_and_sets_the_direction() -> None:
    # limits fixed on a stable start (mean 11, UPL 16.32, near UPL 14.55); then seven
    # falling points, all above the mean and three of them beyond the near limit
    values = [12, 10] * 5 + [16, 15.5, 15, 14.5, 14, 13.5, 13]
    res = xmr(values, improvement="decrease", fix_after_n=10)
    assert (res["value"].iloc[10:13] > res["near_upl"].iloc[0]).all()  # 2-of-3 would fire
    assert (res["value"].iloc[10:] > res["mean"].iloc[0]).all()  # and so would a shift
    assert res["rule"].iloc[10:].tolist() == ["trend"] * 7
    # a falling trend is an improvement when lower is better, even above the mean
    assert (res["point_type"].iloc[10:] == "special_cause_improvement").all()
    assert (res["rule"].iloc[:10] == "none").all()


def test_two_of_three_near_the_upper_limit_is_a_concern_when_lower_is_better() -> None:
    values = [10, 12] * 5 + [15, 12, 15, 10, 12]
    res = xmr(values, improvement="decrease", fix_after_n=10)
    assert res["near_upl"].iloc[0] == pytest.approx(11 + 2 * (2.66 / 3) * 2)
    assert res["rule"].tolist() == ["none"] * 10 + [
        "two_of_three",
        "none",
        "two_of_three",
        "none",
        "none",
    ]
    assert res["point_type"].iloc[10] == "special_cause_concern"
    assert res["point_type"].iloc[11] == "common_cause"


def test_seven_points_above_the_mean_form_a_shift() -> None:
    values = [10, 12] * 4 + [13, 14] * 3 + [13, 10, 12]
    res = xmr(values, improvement="increase")
    assert res["rule"].tolist() == ["none"] * 8 + ["shift"] * 7 + ["none"] * 2
    assert (res["point_type"].iloc[8:15] == "special_cause_improvement").all()


def test_neutral_direction_labels_high_and_low() -> None:
    res = xmr([1, 2, 3, 4, 5, 6, 7], improvement="neutral")
    assert res["point_type"].iloc[0] == "special_cause_neutral_low"
    assert res["point_type"].iloc[-1] == "special_cause_neutral_high"
    assert res["point_type"].iloc[3] == "special_cause_neutral_high"  # rising trend
    assert variation_label(res) == "special_cause_neutral_high"


def test_result_has_the_documented_columns_and_keeps_the_index() -> None:
    idx = pd.date_range("2021-04-01", periods=12, freq="MS")
    s = pd.Series(np.arange(12.0) % 3, index=idx, name="offences")
    res = xmr(s)
    assert list(res.columns) == [
        "value",
        "mean",
        "lpl",
        "upl",
        "near_lpl",
        "near_upl",
        "special_cause_flag",
        "point_type",
        "rule",
        "group",
    ]
    assert res.index.equals(idx)
    assert res["special_cause_flag"].dtype == bool
    assert xmr(s.to_numpy()).index.equals(pd.RangeIndex(12))


def test_assurance_is_stored_from_the_last_rebase_groups_limits() -> None:
    values = [10, 12] * 5 + [30, 32] * 5
    res = xmr(values, improvement="decrease", target=20, rebase_at=[10])
    # against the first group (mean 11) a target of 20 is always met; not so the last
    assert assurance(res[res["group"] == 0], 20, "decrease") == "consistent_pass"
    assert res.attrs["assurance"] == "consistent_fail"
    assert res.attrs["target"] == 20 and res.attrs["improvement"] == "decrease"
    assert "assurance" not in xmr(values).attrs


def test_assurance_accepts_limits_objects_and_is_none_without_a_target() -> None:
    lim = XmRLimits(mean=2, amr=1, lpl=1, upl=3, near_lpl=1.5, near_upl=2.5)
    assert assurance(lim, 4, "increase") == "consistent_fail"
    assert assurance({"lpl": 1, "upl": 3}, 2, "increase") == "inconsistent"
    assert assurance(lim, None, "increase") is None
    assert assurance(lim, 4, "neutral") is None
    with pytest.raises(ValueError, match="improvement"):
        assurance(lim, 4, "up")


def test_fixed_limits_come_from_the_first_n_points_of_each_group() -> None:
    values = [10, 12] * 6 + [40, 44] * 6
    res = xmr(values, fix_after_n=4, rebase_at=[12])
    first = xmr_limits([10, 12, 10, 12])
    second = xmr_limits([40, 44, 40, 44])
    assert (res.loc[res["group"] == 0, "upl"] == first.upl).all()
    assert (res.loc[res["group"] == 1, "upl"] == second.upl).all()
    assert (res.loc[res["group"] == 1, "mean"] == 42).all()


def test_missing_values_keep_their_rows_and_are_left_out_of_the_limits() -> None:
    values = [10.0, 12.0, np.nan, 11.0, 13.0, 10.0]
    res = xmr(values)
    assert len(res) == 6 and math.isnan(res["value"].iloc[2])
    assert res["mean"].iloc[0] == pytest.approx(np.mean([10, 12, 11, 13, 10]))
    # moving ranges either side of the gap are dropped: |12-10|, |13-11|, |10-13|
    assert res["upl"].iloc[0] == pytest.approx(11.2 + 2.66 * np.mean([2, 2, 3]))
    assert not res["special_cause_flag"].iloc[2]
    assert res["point_type"].iloc[2] == "common_cause"


def test_a_missing_value_breaks_a_trend() -> None:
    assert not trend_flags([1, 2, 3, np.nan, 5, 6, 7, 8]).any()


def test_variation_label_reads_the_latest_non_missing_point() -> None:
    res = xmr([1, 2, 3, 4, 5, 6, 7, np.nan], improvement="decrease")
    assert variation_label(res) == "special_cause_concern"
    assert variation_label(xmr([np.nan, np.nan])) is None


def test_unknown_rebase_label_and_bad_options_are_rejected() -> None:
    s = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2022-01-01", periods=3, freq="MS"))
    with pytest.raises(KeyError, match="rebase_at"):
        xmr(s, rebase_at=["2030-01-01"])
    with pytest.raises(ValueError, match="improvement"):
        xmr(s, improvement="better")
    with pytest.raises(ValueError, match="fix_after_n"):
        xmr(s, fix_after_n=1)
    with pytest.raises(ValueError, match="sorted"):
        xmr(s.iloc[::-1])
