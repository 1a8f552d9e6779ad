"""mart_trends: the underlying annual % change from a seasonal count model, never across a break."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from scp_metrics.stats import trends
from scp_metrics.stats.trends import TREND_COLUMNS, fit_trend, trend_table

# A winter-low / summer-high profile (month 1..12), mean 1.
SEASON = np.array([0.85, 0.8, 0.9, 0.95, 1.05, 1.1, 1.15, 1.2, 1.05, 1.0, 0.95, 1.0])
FALL_10_PCT = np.log(0.9) / 12  # per month: exp(12·β) − 1 = −10%


def simulate(months, start="2007-01-01", level=150.0, step_at=None, step=1.0, seed=20100401,
             population=None):
    """Seeded Poisson counts with a −10%/yr trend, seasonality and an optional level step."""
    idx = pd.date_range(start, periods=months, freq="MS")
    t = np.arange(months)
    mu = level * SEASON[idx.month - 1] * np.exp(FALL_10_PCT * t)
    if step_at is not None:
        mu = mu * np.where(t >= step_at, step, 1.0)
    if population is not None:
        mu = mu * population / population[0]
    counts = np.random.default_rng(seed).poisson(mu)
    return pd.Series(counts.astype(float), index=idx)


def test_a_seeded_poisson_series_falling_ten_percent_a_year_has_an_interval_holding_minus_10():
    result = fit_trend(simulate(36, seed=2009))
    assert result.method == "Poisson GLM"
    assert result.dispersion < 1.5
    assert result.n_months == 36
    assert (result.window_start, result.window_end) == (date(2007, 1, 1), date(2009, 12, 1))
    assert result.ci95_lower_pct < -10.0 < result.ci95_upper_pct
    assert result.ci95_upper_pct < 0.0
    assert result.verdict == "falling"
    assert not result.break_warning


def test_a_rate_uses_the_population_offset_so_population_growth_is_not_counted_as_crime_growth():
    population = 230_000 * 1.02 ** (np.arange(36) / 12)  # 2% a year more residents
    # counts rise with the population while the rate falls 10% a year
    counts = simulate(36, population=population, seed=2009)
    as_rate = fit_trend(counts, pd.Series(population, index=counts.index))
    as_count = fit_trend(counts)
    assert as_rate.ci95_lower_pct < -10.0 < as_rate.ci95_upper_pct
    # the count trend is the rate trend plus population growth: 0.9 × 1.02 − 1 = −8.2%
    assert as_count.annual_change_pct - as_rate.annual_change_pct == pytest.approx(
        100 * (0.9 * 1.02 - 0.9), abs=0.05)


def test_the_window_is_the_last_36_months_of_a_longer_series():
    result = fit_trend(simulate(60))
    assert (result.window_start, result.window_end, result.n_months) == (
        date(2009, 1, 1), date(2011, 12, 1), 36)


def test_a_series_with_a_break_is_fitted_on_post_break_months_only_and_warns():
    # 60 months (2007-2011), recorded crime doubling from January 2010: a recording break
    counts = simulate(60, step_at=36, step=2.0, seed=2009)
    result = fit_trend(counts, breaks=[date(2010, 1, 1)])
    assert result.break_warning
    assert result.break_date == date(2010, 1, 1)
    assert (result.window_start, result.n_months) == (date(2010, 1, 1), 24)
    assert result.ci95_lower_pct < -10.0 < result.ci95_upper_pct
    assert result.verdict == "falling"
    # the last 36 months across the break would read the step as a rise
    across = fit_trend(counts)
    assert across.window_start == date(2009, 1, 1)
    assert across.verdict == "rising"


def test_the_interval_holds_the_true_change_in_about_95_of_100_seeded_series():
    covered = [fit_trend(simulate(36, seed=seed)) for seed in range(100)]
    share = np.mean([r.ci95_lower_pct < -10.0 < r.ci95_upper_pct for r in covered])
    assert 0.90 <= share <= 0.99


def test_one_event_after_months_of_none_is_too_sparse_for_a_trend_not_an_overflow():
    # Hypothesis found it (tests/property/test_projection_holes.py): 35 empty months and one
    # event. The Poisson likelihood keeps rising as the slope grows, so no finite trend exists;
    # the fit used to stop at a huge slope and exp() overflowed.
    counts = pd.Series([0.0] * 35 + [1.0], index=pd.date_range("2008-04-01", periods=36, freq="MS"))
    result = fit_trend(counts)
    assert result.verdict == "insufficient data"
    assert result.method == "not fitted: the counts are too sparse to estimate a trend"
    assert np.isnan(result.annual_change_pct) and np.isnan(result.ci95_upper_pct)


def test_a_break_before_the_window_does_not_shorten_it_or_warn():
    result = fit_trend(simulate(60), breaks=[date(2007, 4, 1)])
    assert (result.n_months, result.break_warning, result.break_date) == (36, False, None)


def test_fewer_than_24_months_since_a_break_is_not_fitted():
    result = fit_trend(simulate(36), breaks=[date(2009, 4, 1)])  # 9 months, as NI 33 after IRS
    assert result.n_months == 9
    assert result.verdict == "insufficient data"
    assert result.method == "not fitted: fewer than 24 months"
    assert np.isnan(result.annual_change_pct)
    assert result.break_warning


def test_an_over_dispersed_series_is_fitted_as_negative_binomial_with_a_wider_interval(monkeypatch):
    # gamma-Poisson counts: variance μ + 0.05μ² ≈ 11μ at μ ≈ 200
    rng = np.random.default_rng(7)
    idx = pd.date_range("2007-01-01", periods=36, freq="MS")
    mu = 200 * SEASON[idx.month - 1] * np.exp(FALL_10_PCT * np.arange(36))
    counts = pd.Series(rng.poisson(rng.gamma(1 / 0.05, mu * 0.05)).astype(float), index=idx)
    result = fit_trend(counts)
    assert result.dispersion > 1.5
    assert result.method == "negative binomial GLM (NB2)"
    assert result.ci95_lower_pct < -10.0 < result.ci95_upper_pct
    monkeypatch.setattr(trends, "OVERDISPERSION_LIMIT", float("inf"))
    poisson = fit_trend(counts)
    assert poisson.method == "Poisson GLM"
    nb_width = result.ci95_upper_pct - result.ci95_lower_pct
    assert nb_width > 2 * (poisson.ci95_upper_pct - poisson.ci95_lower_pct)


def test_a_missing_month_is_left_out_not_counted_as_zero():
    counts = simulate(36)
    gap = counts.copy()
    gap.iloc[20] = np.nan
    result = fit_trend(gap)
    assert result.n_months == 35
    assert result.ci95_lower_pct < -10.0 < result.ci95_upper_pct


def test_trend_table_fits_rates_and_counts_skips_percentages_and_names_the_break():
    counts = simulate(36)
    idx = counts.index.date
    rows = []
    for ind in ("NI15", "ed_assaults_night", "NI32"):
        rows.append(pd.DataFrame({"indicator_id": ind, "area_code": "E06000045",
                                  "period_start": idx, "numerator": counts.to_numpy(),
                                  "denominator": 236_000.0}))
    monthly = pd.concat(rows)
    measure = {"NI15": "rate", "ed_assaults_night": "count", "NI32": "percentage"}
    breaks = pd.DataFrame({"indicator_id": ["NI15"], "area_code": [None],
                           "break_date": [date(2008, 4, 1)], "reason": ["codes changed"]})
    table = trend_table(monthly, measure, breaks)
    assert list(table.columns) == TREND_COLUMNS
    assert table["indicator_id"].tolist() == ["NI15", "ed_assaults_night"]
    ni15, ed = table.iloc[0], table.iloc[1]
    assert (ni15["measure"], ni15["n_months"], ni15["break_warning"]) == ("rate", 21, True)
    assert ni15["break_reason"] == "codes changed"
    assert ni15["verdict"] == "insufficient data"
    assert (ed["measure"], ed["n_months"], ed["break_warning"]) == ("count", 36, False)
    assert pd.isna(ed["break_reason"])
    assert ed["verdict"] == "falling"
