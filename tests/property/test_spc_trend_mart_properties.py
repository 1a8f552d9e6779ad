"""Properties of the mart builders: mart_spc charts each series on its own, and the trend is a
property of the rate, not of the population's scale."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scp_metrics.stats.spc_series import spc_table
from scp_metrics.stats.trends import fit_trend

SEASON = np.array([0.85, 0.8, 0.9, 0.95, 1.05, 1.1, 1.15, 1.2, 1.05, 1.0, 0.95, 1.0])


@st.composite
def monthly_series(draw, indicator: str, area: str) -> pd.DataFrame:
    n = draw(st.integers(min_value=8, max_value=40))
    values = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
    months = pd.date_range("2006-01-01", periods=n, freq="MS")
    keep = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    keep[0] = keep[-1] = True
    frame = pd.DataFrame({"indicator_id": indicator, "area_code": area,
                          "period_start": months.date, "value": np.asarray(values, float)})
    return frame[keep]


@settings(max_examples=60, deadline=None)
@given(a=monthly_series("vap", "E06000045"), b=monthly_series("vap", "E06000044"),
       c=monthly_series("NI32", "E06000045"), break_month=st.integers(0, 45),
       order=st.randoms(use_true_random=False))
def test_each_series_is_charted_alone_and_each_rebase_group_is_centred_on_its_baseline(
    a: pd.DataFrame, b: pd.DataFrame, c: pd.DataFrame, break_month: int, order
) -> None:
    polarity = {"vap": "lower", "NI32": "neutral"}
    brk = pd.Timestamp("2006-01-01") + pd.DateOffset(months=break_month)
    breaks = pd.DataFrame({"indicator_id": ["vap"], "area_code": [None],
                           "break_date": [brk.date()]})
    rows = pd.concat([a, b, c], ignore_index=True)
    shuffled = rows.iloc[order.sample(range(len(rows)), len(rows))]
    chart = spc_table(shuffled, polarity, breaks)
    alone = spc_table(a, polarity, breaks)
    mine = chart[(chart["indicator_id"] == "vap") & (chart["area_code"] == "E06000045")]
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), alone)
    assert len(chart) == len(rows)
    for _, group in alone.groupby("rebase_group"):
        # centred on its own baseline: the mean of its first 12 values (config/spc.toml)
        assert group["mean"].nunique() == 1
        baseline = group["value"].dropna().iloc[:12]
        assert math.isclose(group["mean"].iloc[0], baseline.mean(), rel_tol=1e-12,
                            abs_tol=1e-12)
        # a group of fewer than 12 values is a run chart: no limits
        run = len(group["value"].dropna()) < 12
        assert (group["chart_type"] == ("run_chart" if run else "xmr")).all()
        assert group["lpl"].isna().all() == run
    after = pd.to_datetime(alone["period_start"]) >= brk
    if after.any() and (~after).any():
        assert alone.loc[after, "rebase_group"].eq(1).all()
        assert alone.loc[~after, "rebase_group"].eq(0).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), factor=st.floats(1e-3, 1e6),
       months=st.integers(24, 48), change=st.floats(-0.3, 0.3))
def test_the_trend_of_a_rate_does_not_depend_on_the_scale_of_the_population(
    seed: int, factor: float, months: int, change: float
) -> None:
    idx = pd.date_range("2006-04-01", periods=months, freq="MS")
    population = pd.Series(200_000 * 1.01 ** (np.arange(months) / 12), index=idx)
    mu = 120 * SEASON[idx.month - 1] * (1 + change) ** (np.arange(months) / 12)
    counts = pd.Series(np.random.default_rng(seed).poisson(mu).astype(float), index=idx)
    base = fit_trend(counts, population, breaks=[date(2007, 1, 1)])
    scaled = fit_trend(counts, population * factor, breaks=[date(2007, 1, 1)])
    assert (scaled.method, scaled.verdict, scaled.n_months) == (base.method, base.verdict,
                                                                 base.n_months)
    for field in ("annual_change_pct", "ci95_lower_pct", "ci95_upper_pct", "dispersion"):
        x, y = getattr(base, field), getattr(scaled, field)
        assert (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-4)
