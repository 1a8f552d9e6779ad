"""compute_indicator_values (factorised lookups, limits once per distinct count, no merges)
gives exactly the values, dtypes and row order of the straightforward implementation, kept
here as the reference, whatever the order of its input rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scp_metrics.config.catalogue import Indicator
from scp_metrics.indicators.values import (
    MART_COLUMNS,
    PERIOD_TYPES,
    _attribute,
    _change_significance,
    compute_indicator_values,
)
from scp_metrics.stats.intervals import rate_ci
from scp_metrics.stats.proportions import wilson_ci

RATE = Indicator("crime", "Crime", "rate per 1,000", 1000, "lower", "", "", "")
COUNT = Indicator("night", "Night", "count", 1, "lower", "", "", "", family="ed_night",
                  measure="count")
SHARE = Indicator("share", "Share", "%", 100, "neutral", "", "", "", family="crime_share",
                  measure="percentage")
INDICATORS = [RATE, COUNT, SHARE]
NAMES = pd.DataFrame({"area_code": ["A", "B", "C"], "area_name": ["Area A", "Area B", "Area C"]})


def _reference_intervals(frame, measure, by_id):
    n = len(frame)
    value, lower, upper = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    method = np.full(n, None, dtype=object)
    num = frame["numerator"].to_numpy(dtype=float)
    den = pd.to_numeric(frame["denominator"], errors="coerce").to_numpy(dtype=float)
    multiplier = frame["indicator_id"].map(_attribute(by_id, "multiplier")).to_numpy(dtype=float)
    is_rate = (measure == "rate").to_numpy() & np.isfinite(den) & (den > 0)
    if is_rate.any():
        v, lo, hi, m = rate_ci(num[is_rate], den[is_rate], multiplier=1.0)
        scale = multiplier[is_rate]
        value[is_rate], lower[is_rate], upper[is_rate] = v * scale, lo * scale, hi * scale
        method[is_rate] = m
    is_count = (measure == "count").to_numpy()
    if is_count.any():
        v, lo, hi, m = rate_ci(num[is_count], np.ones(is_count.sum()), multiplier=1.0)
        value[is_count], lower[is_count], upper[is_count], method[is_count] = v, lo, hi, m
    is_pct = (measure == "percentage").to_numpy() & np.isfinite(den) & (den > 0)
    if is_pct.any():
        lo, hi = wilson_ci(num[is_pct], den[is_pct])
        value[is_pct] = 100.0 * num[is_pct] / den[is_pct]
        lower[is_pct], upper[is_pct] = 100.0 * np.asarray(lo), 100.0 * np.asarray(hi)
        method[is_pct] = "Wilson"
    return value, lower, upper, method


def _reference_change(frame, measure):
    """The change test (unchanged by the speed-up) on last year's values found by the merge."""
    def floats(col):
        return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)

    return _change_significance(measure.to_numpy(), floats("numerator"),
                                floats("_prev_numerator"), floats("denominator"),
                                floats("_prev_denominator"))


def reference(counts, indicators, area_names):
    """The implementation before the speed-up (merges, limits per row), on sorted input."""
    by_id = {i.id: i for i in indicators}
    frame = counts.merge(area_names, on="area_code", how="left")
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    measure = frame["indicator_id"].map(_attribute(by_id, "measure"))
    frame["unit"] = frame["indicator_id"].map(_attribute(by_id, "unit"))
    frame["denominator"] = np.where(measure == "rate", frame["population"],
                                    np.where(measure == "percentage", frame["denominator_count"],
                                             np.nan))
    frame.loc[measure != "rate", "population_year"] = np.nan
    value, lower, upper, method = _reference_intervals(frame, measure, by_id)
    frame["value"], frame["ci95_lower"], frame["ci95_upper"] = value, lower, upper
    frame["ci_method"] = method
    frame["numerator"] = frame["numerator"].astype("int64")
    frame["denominator"] = pd.array(frame["denominator"].round(), dtype="Int64")
    frame["population_year"] = pd.array(frame["population_year"], dtype="Int64")
    last_year = frame[["indicator_id", "area_code", "period_type", "period_start", "period_end",
                       "value", "numerator", "denominator"]].copy()
    last_year["period_start"] = last_year["period_start"] + pd.DateOffset(years=1)
    last_year["period_end"] = (last_year["period_end"] + pd.Timedelta(days=1)
                               + pd.DateOffset(years=1) - pd.Timedelta(days=1))
    last_year = last_year.rename(columns={"value": "value_same_period_last_year",
                                          "numerator": "_prev_numerator",
                                          "denominator": "_prev_denominator"})
    frame = frame.merge(last_year, on=["indicator_id", "area_code", "period_type", "period_start",
                                       "period_end"], how="left")
    frame["change_pct"] = 100.0 * (frame["value"] / frame["value_same_period_last_year"] - 1.0)
    frame["change_p_value"], frame["change_verdict"] = _reference_change(
        frame, frame["indicator_id"].map(_attribute(by_id, "measure")))
    frame["period_start"] = frame["period_start"].dt.date
    frame["period_end"] = frame["period_end"].dt.date
    order = {p: i for i, p in enumerate(PERIOD_TYPES)}
    frame["_order"] = frame["period_type"].map(order)
    frame = frame.sort_values(["indicator_id", "area_code", "_order", "period_start", "period_end"])
    return frame[MART_COLUMNS].reset_index(drop=True)


def periods():
    """Months, quarters, year-to-date and a period type the mart does not know, 2006-2010."""
    months = pd.period_range("2006-04", "2010-03", freq="M")
    for m in months:
        yield "month", m.start_time, m.end_time.normalize()
    for q in pd.period_range("2006Q2", "2010Q1", freq="Q"):
        yield "quarter", q.start_time, q.end_time.normalize()
    for m in months:
        fy = m.year if m.month >= 4 else m.year - 1
        yield "fytd", pd.Timestamp(f"{fy}-04-01"), m.end_time.normalize()
        yield "weekly_average", m.start_time, m.end_time.normalize()


def int_indicator_counts(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for indicator in ("crime", "night", "share", "unknown"):
        for area in ("A", "B", "C", "Z"):  # Z has no name
            for kind, start, end in periods():
                population = int(rng.integers(90_000, 110_000)) if rng.random() > 0.05 else None
                rows.append({
                    "indicator_id": indicator, "area_code": area, "period_type": kind,
                    "period_start": start, "period_end": end,
                    "numerator": float(rng.choice([0, 1, 3, 9, 10, 11, 57, 400])
                                       + rng.integers(0, 3)),
                    "denominator_count": float(rng.integers(0, 3) * rng.integers(400, 900)),
                    "population": population,
                    "population_year": 2008 if population else None,
                    "source": "record_level" if rng.random() > 0.3 else "ho_csp"})
    frame = pd.DataFrame(rows)
    frame["population"] = pd.array(frame["population"], dtype="Int64")
    frame["population_year"] = pd.array(frame["population_year"], dtype="Int32")
    return frame


def sorted_by_all(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def counts():
    return int_indicator_counts()


def test_the_same_mart_as_the_reference_whatever_the_row_order(counts):
    expected = reference(sorted_by_all(counts), INDICATORS, NAMES)
    shuffled = counts.sample(frac=1.0, random_state=3).reset_index(drop=True)
    before = shuffled.copy()
    got = compute_indicator_values(shuffled, INDICATORS, NAMES)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    pd.testing.assert_frame_equal(shuffled, before)  # the input is not modified
    # the test data exercise every branch: exact and Byars limits, all measures, last year found
    assert set(got["ci_method"].dropna()) == {"Exact", "Byars", "Wilson"}
    assert got["value_same_period_last_year"].notna().sum() > 1000
    assert set(got["change_verdict"].dropna()) >= {"significant fall", "significant rise",
                                                  "no significant change"}
    assert got["area_name"].isna().sum() == (counts["area_code"] == "Z").sum()
    assert list(got["period_type"].unique()[:1]) == ["month"]
    assert got.loc[got["indicator_id"] == "crime", "period_type"].iloc[-1] == "weekly_average"


def test_duplicated_area_names_take_the_merge_path_with_the_same_result(counts):
    names = pd.concat([NAMES, pd.DataFrame({"area_code": ["B"], "area_name": ["Area B (old)"]})],
                      ignore_index=True)
    ordered = sorted_by_all(counts)
    got = compute_indicator_values(ordered, INDICATORS, names)
    pd.testing.assert_frame_equal(got, reference(ordered, INDICATORS, names), check_exact=True)
    assert (got["area_name"] == "Area B (old)").sum() >= (counts["area_code"] == "B").sum()
    assert len(got) > len(counts)  # as the merges make it: one row per match


def test_a_leap_day_year_end_finds_last_years_february():
    rows = int_indicator_counts()
    got = compute_indicator_values(rows, INDICATORS, NAMES)
    feb = got[(got["period_type"] == "month") & (got["indicator_id"] == "night")
              & (got["area_code"] == "A")
              & (got["period_start"] == pd.Timestamp("2009-02-01").date())].iloc[0]
    last = got[(got["period_type"] == "month") & (got["indicator_id"] == "night")
               & (got["area_code"] == "A")
               & (got["period_end"] == pd.Timestamp("2008-02-29").date())].iloc[0]
    assert feb["value_same_period_last_year"] == last["value"]
