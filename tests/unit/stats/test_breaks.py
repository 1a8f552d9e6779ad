"""Recording-break detection on synthetic monthly series (the real case is in tests/e2e)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scp_metrics.stats.breaks import (
    BreakSettings,
    best_level_shift,
    detect_breaks,
    same_month_shift,
)

MONTHS = pd.DatetimeIndex(
    [*pd.date_range("2017-02-01", "2017-09-01", freq="MS"), pd.Timestamp("2018-03-01"),
     *pd.date_range("2018-10-01", "2019-02-01", freq="MS")])  # the real Hampshire coverage
RNG = np.random.default_rng(20181)


def noisy(level_before: float, level_after: float, split: int = 9, cv: float = 0.06) -> pd.Series:
    levels = np.where(np.arange(len(MONTHS)) < split, level_before, level_after)
    return pd.Series(np.round(levels * np.exp(RNG.normal(0, cv, len(MONTHS)))), index=MONTHS)


def units(series: dict[tuple[str, str], pd.Series]) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"indicator_id": i, "area_code": a, "month": s.index,
                                    "count": s.to_numpy()}) for (i, a), s in series.items()])


REF = {"asb": "crime"}


def test_a_two_thirds_drop_while_crime_is_level_is_flagged_at_the_gap():
    series = {("asb", "A"): noisy(1000, 200), ("crime", "A"): noisy(2500, 2450)}
    found = detect_breaks(units(series), REF)
    assert found["indicator_id"].tolist() == ["asb"]
    row = found.iloc[0]
    assert (row.break_after, row.break_before) == (pd.Timestamp("2018-03-01").date(),
                                                   pd.Timestamp("2018-10-01").date())
    assert row.change_pct < -70 and row.shift_sigmas > 5 and row.relative_shift_sigmas > 5
    assert abs(row.reference_change_pct) < 10


def test_level_all_crime_and_a_drop_shared_with_the_reference_are_not_flagged():
    crime = noisy(2500, 900)
    found = detect_breaks(units({("asb", "A"): noisy(1000, 360), ("crime", "A"): crime,
                                 ("crime", "B"): noisy(2000, 2050)}), REF)
    # area A: ASB fell with all crime (a real fall, or a shared change): not a recording break;
    # area A's all crime fell too, but with nothing to compare it with (no other force) a real
    # change cannot be ruled out: a recording break needs a comparison that does not share it
    assert found.empty
    peers = detect_breaks(units({("crime", "A"): crime, ("crime", "B"): noisy(2000, 2050)}),
                          REF, {"A": "F1", "B": "F2"})
    assert peers["area_code"].tolist() == ["A"]  # another force stayed level: flagged


def test_other_forces_moving_the_same_way_clear_a_break():
    series = {("asb", "A"): noisy(1000, 200), ("crime", "A"): noisy(2500, 2500),
              ("asb", "B"): noisy(800, 170), ("crime", "B"): noisy(2000, 2000)}
    force_of = {"A": "F1", "B": "F2"}
    found = detect_breaks(units(series), REF, force_of)
    assert found.empty  # both forces' ASB fell at the same point: national, not local
    alone = detect_breaks(units(series), REF, {"A": "F1", "B": "F1"})
    assert len(alone) == 2 and "no other force" in alone["evidence"].iloc[0]


def test_a_seasonal_fall_is_not_a_break():
    # bicycle theft: summer high, winter low; the same calendar month (February) is level
    seasonal = pd.Series([80, 86, 97, 116, 114, 120, 118, 110, 84, 60, 50, 46, 60, 80],
                         index=MONTHS, dtype=float)
    assert same_month_shift(seasonal, pd.Timestamp("2018-10-01"))[1] == 1
    found = detect_breaks(units({("bikes", "A"): seasonal, ("crime", "A"): noisy(2500, 2500)}),
                          {"bikes": "crime"})
    assert found.empty


def test_small_counts_and_short_series_are_left_alone():
    tiny = pd.Series([4, 6, 3, 5, 4, 6, 5, 3, 4, 1, 0, 1, 0, 1], index=MONTHS, dtype=float)
    assert detect_breaks(units({("rare", "A"): tiny}), {}).empty
    assert best_level_shift(tiny.iloc[:5]) is None
    strict = BreakSettings(min_level=0, min_change_pct=0)
    assert best_level_shift(tiny, strict) is not None
