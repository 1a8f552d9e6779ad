"""The backtest: scoring on the last three scoreable years, choosing on the years before them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scp_metrics.targets.backtest import (
    SUMMARY_COLUMNS,
    backtest_frame,
    backtest_series,
    choose,
    complete_years,
    dispersion_factor,
)

ORIGINS = (3, 6, 9)


def series(years: int = 7, seed: int = 3) -> pd.Series:
    index = pd.date_range("2003-04-01", periods=12 * years, freq="MS")
    shape = 1 + 0.25 * np.cos(2 * np.pi * (index.month - 7) / 12)
    mean = 300 * shape * 0.95 ** (np.arange(len(index)) / 12)
    return pd.Series(np.random.default_rng(seed).poisson(mean).astype(float), index=index)


@pytest.fixture(scope="module")
def base():
    s = series()
    raw = backtest_series(s, origins=ORIGINS)
    return s, raw, choose(raw)


def test_figures_are_reported_on_the_last_three_scoreable_years_and_chosen_on_earlier_ones(base):
    _, raw, choice = base
    # 2003/04 and 2004/05 lack the 24 months the models need: scoreable from 2005/06.
    assert complete_years(base[0]) == list(range(2003, 2010))
    assert choice.selection_years == (2005, 2006)
    assert choice.report_years == (2007, 2008, 2009)
    assert choice.chosen in set(raw["method"])
    summary = choice.summary.set_index("method")
    assert summary["n"].eq(3 * len(ORIGINS)).all()  # 3 years x 3 origins, every method
    assert summary["chosen"].sum() == 1 and summary.loc[choice.chosen, "chosen"]


def test_the_chosen_method_does_not_change_when_the_reported_years_change(base):
    s, _, choice = base
    perturbed = s.copy()
    late = perturbed.index >= "2007-04-01"
    rng = np.random.default_rng(11)
    perturbed[late] = np.round(perturbed[late] * rng.uniform(0.6, 1.4, late.sum()))
    other = choose(backtest_series(perturbed, origins=ORIGINS))
    assert other.chosen == choice.chosen
    assert other.selection_years == choice.selection_years
    assert not other.summary["mape"].equals(choice.summary["mape"])  # the report did change


def test_interval_calibration_of_a_year_uses_only_earlier_years(base):
    s, raw, _ = base
    perturbed = s.copy()
    perturbed[perturbed.index >= "2008-04-01"] *= 1.5
    raw2 = backtest_series(perturbed, origins=ORIGINS)
    for method in raw["method"].unique():
        assert dispersion_factor(raw, method, 2008) == dispersion_factor(raw2, method, 2008)
    assert all(dispersion_factor(raw, m, 2004) == 1.0 for m in raw["method"].unique())


def test_the_csv_table_has_exactly_the_agreed_columns():
    table, choices = backtest_frame({("x", "E06000045"): series(6)}, origins=ORIGINS)
    assert list(table.columns) == SUMMARY_COLUMNS
    assert list(table["method"]) == ["pro_rata", "seasonal_share", "carry_forward",
                                     "poisson_glm", "ets"]
    assert table["chosen"].sum() == 1
    assert set(choices) == {("x", "E06000045")}


def test_with_too_few_years_nothing_is_chosen_and_the_verdict_says_why():
    choice = choose(backtest_series(series(5), origins=ORIGINS))  # scoreable 2005-2007 only
    assert choice.chosen is None and choice.selection_years == ()
    assert "no choice" in choice.verdict
    assert not choice.summary["chosen"].any()


def test_a_series_with_no_complete_year_backtests_to_nothing():
    index = pd.date_range("2018-10-01", periods=5, freq="MS")
    raw = backtest_series(pd.Series(100.0, index=index), origins=ORIGINS)
    assert raw.empty and choose(raw).chosen is None


def test_the_verdict_names_what_fails_the_acceptance(base):
    _, _, choice = base
    verdict = choice.verdict
    assert choice.chosen in verdict
    assert ("meets the acceptance" in verdict) or ("does NOT meet" in verdict)
