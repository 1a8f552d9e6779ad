"""Year-end projection methods on series whose answers can be worked out by hand."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from scp_metrics.targets.projections import METHODS, fiscal_year, fy_months, project, project_all


def months(start: str, values) -> pd.Series:
    index = pd.date_range(start, periods=len(values), freq="MS")
    return pd.Series(np.asarray(values, dtype=float), index=index)


def seasonal_series(years: int = 6, level: float = 400.0, fall: float = 0.05,
                    noise: bool = False) -> pd.Series:
    """April 2003 onwards: a yearly fall and a fixed seasonal shape (optionally Poisson)."""
    index = pd.date_range("2003-04-01", periods=12 * years, freq="MS")
    shape = 1 + 0.2 * np.sin(2 * np.pi * (index.month - 1) / 12)
    t = np.arange(len(index)) / 12
    mean = level * shape * (1 - fall) ** t
    values = np.random.default_rng(7).poisson(mean) if noise else mean
    return pd.Series(values.astype(float), index=index)


def test_pro_rata_of_nine_months_of_100_projects_1200():
    p = project(months("2009-04-01", [100] * 9), "2009-12", "pro_rata")
    assert p.point == pytest.approx(1200.0)
    assert p.ytd == 900.0
    # Var = kλ·12/m = 3 · 100 · 12 / 9 = 400, so the 95% interval is 1200 ± 1.96 · 20.
    lo, hi = p.interval(0.95)
    assert (lo, hi) == pytest.approx((1200 - 39.2, 1200 + 39.2), abs=0.01)


def test_carry_forward_adds_last_years_remaining_months_to_the_year_to_date():
    last_year = [100] * 9 + [90, 80, 70]
    p = project(months("2008-04-01", last_year + [100] * 9), "2009-12", "carry_forward")
    assert p.point == pytest.approx(900 + 90 + 80 + 70)
    lo, hi = p.interval(0.95)  # Var = 2 × 240
    assert hi - p.point == pytest.approx(1.959964 * np.sqrt(480), rel=1e-6)


def test_seasonal_share_scales_last_years_total_by_the_year_to_date_ratio():
    last_year = [75] * 9 + [100, 75, 75]  # 675 to December, 925 in the year
    p = project(months("2008-04-01", last_year + [100] * 9), "2009-12", "seasonal_share")
    assert p.point == pytest.approx(900 * 925 / 675)


def test_a_complete_year_projects_its_outturn_with_no_width():
    for method, p in project_all(months("2008-04-01", [10] * 12), "2009-03").items():
        assert p.point == 120.0, method
        assert p.interval(0.95) == (120.0, 120.0)
        assert p.note == "year complete: the outturn"


def test_months_after_the_as_of_month_are_never_used():
    s = seasonal_series(noise=True)
    cut = s[s.index <= "2007-09-01"]
    future = s.copy()
    future[future.index > "2007-09-01"] *= 5  # a different future must change nothing
    for method in METHODS:
        a, b = project(cut, "2007-09", method), project(future, "2007-09", method)
        assert a.point == b.point and a.interval(0.8) == b.interval(0.8), method


def test_the_glm_and_ets_recover_a_smooth_seasonal_trend():
    s = seasonal_series()
    truth = s[(s.index >= "2008-04-01") & (s.index <= "2009-03-01")].sum()
    for method in ("poisson_glm", "ets"):
        p = project(s, "2008-09", method)
        assert p.point == pytest.approx(truth, rel=0.01), method
        lo, hi = p.interval(0.95)
        assert lo <= truth <= hi, method


def test_the_glm_interval_includes_poisson_noise_of_the_months_to_come():
    p = project(seasonal_series(noise=True), "2008-06", "poisson_glm")
    lo, hi = p.interval(0.95)
    # At least the Poisson spread of nine months' counts (≈ 2 × 1.96 × √(9 × 380)).
    assert hi - lo > 2 * 1.96 * np.sqrt(9 * 380) * 0.9


@pytest.mark.parametrize("method", METHODS)
def test_probability_of_meeting_a_lower_is_better_target_rises_with_the_target(method):
    p = project(seasonal_series(noise=True), "2008-12", method)
    targets = np.linspace(p.point * 0.9, p.point * 1.1, 41)
    probs = [p.probability_at_most(t) for t in targets]
    assert all(b >= a for a, b in zip(probs, probs[1:], strict=False))
    assert probs[0] < 0.05 and probs[-1] > 0.95
    lo80, hi80 = p.interval(0.80)
    lo95, hi95 = p.interval(0.95)
    assert lo95 <= lo80 <= p.point <= hi80 <= hi95


def test_calibration_sets_each_level_from_the_conformal_quantile_of_the_earlier_errors():
    # pro_rata from 9 months of 100: point 1,200, Var = 3·100·12/9 = 400, so the raw scale is 20
    p = project(months("2009-04-01", [100] * 9), "2009-12", "pro_rata")
    assert p.point == 1200 and p.scale == pytest.approx(20.0)
    errors = 0.2 * np.arange(19, 0, -1)  # |z| = 0.2 ... 3.8, in any order, n = 19
    cal = p.calibrated(errors)
    # 95%: the ceil(20 · 0.95) = 19th smallest |z| = 3.8; 80%: the 16th = 3.2
    assert cal.interval(0.95) == pytest.approx((1200 - 76.0, 1200 + 76.0))
    assert cal.interval(0.80) == pytest.approx((1200 - 64.0, 1200 + 64.0))
    assert cal.calibration == pytest.approx(3.8 / 1.959963984540054)
    assert cal.calibration_80 == pytest.approx(3.2 / 1.2815515655446004)
    # P(total <= 1,222): t = 1.1, 14 of the 19 |z| above it: 1 - (14 + 1/2) / 20 / 2
    assert cal.probability_at_most(1222.0) == pytest.approx(1 - 14.5 / 40)
    assert cal.probability_at_least(1178.0) == pytest.approx(1 - 14.5 / 40)
    assert cal.point == p.point and cal.calibrated(errors) is cal


def test_calibration_never_narrows_the_raw_interval():
    p = project(months("2009-04-01", [100] * 9), "2009-12", "pro_rata")
    cal = p.calibrated(np.full(40, 0.1))  # a history of tiny errors
    assert cal.interval(0.95) == pytest.approx(p.interval(0.95))
    assert cal.interval(0.80) == pytest.approx(p.interval(0.80))
    assert cal.calibration == 1.0 and cal.calibration_80 == 1.0
    # the tails are the raw normal ones: P(total <= 1,200 + 1.5 · 20) = Φ(1.5)
    assert cal.probability_at_most(1230.0) == pytest.approx(NormalDist().cdf(1.5))


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown method"):
        project(months("2009-04-01", [1] * 3), "2009-06", "crystal_ball")


def test_financial_years_run_april_to_march():
    assert fiscal_year(pd.Period("2010-03", "M")) == 2009
    assert fiscal_year(pd.Period("2010-04", "M")) == 2010
    assert str(fy_months(2009)[0]) == "2009-04" and str(fy_months(2009)[-1]) == "2010-03"


# ---- gaps: the real police.uk coverage for Hampshire (14 months in three runs) ----

HAMPSHIRE_MONTHS = ([f"2017-{m:02d}" for m in range(2, 10)] + ["2018-03"]
                    + ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"])


def gappy() -> pd.Series:
    index = pd.PeriodIndex(HAMPSHIRE_MONTHS, freq="M").to_timestamp()
    return pd.Series(np.arange(len(index), dtype=float) + 1000.0, index=index)


def test_months_missing_from_a_year_are_reported_and_not_filled():
    s = gappy()
    p = project(s, "2019-02", "pro_rata")
    assert [str(m) for m in p.missing_months] == [f"2018-{m:02d}" for m in range(4, 10)]
    assert [str(m) for m in p.observed_months] == ["2018-10", "2018-11", "2018-12", "2019-01",
                                                   "2019-02"]
    ytd = s["2018-10-01":].sum()
    assert p.ytd == ytd  # nothing filled in: the year to date is the observed months only
    assert p.point == pytest.approx(ytd * 12 / 5)  # the missing months are projected
    assert "6 month(s) of 2018/19 to date missing" in p.note and "not filled" in p.note


def test_a_year_whose_last_month_is_present_but_middle_months_are_not_is_still_projected():
    p = project(gappy(), "2018-03", "pro_rata")  # 2017/18: April-September and March only
    assert [str(m) for m in p.missing_months] == ["2017-10", "2017-11", "2017-12", "2018-01",
                                                  "2018-02"]
    assert p.point == pytest.approx(p.ytd * 12 / 7)
    assert p.interval(0.95)[1] > p.point  # not treated as a complete year


def test_methods_that_need_last_years_missing_months_say_so_instead_of_guessing():
    got = project_all(gappy(), "2019-02")
    assert not got["seasonal_share"].available
    assert "last year (2017/18) is incomplete" in got["seasonal_share"].note
    # carry-forward projects the unobserved months (April-September missing, March to come) by
    # the same months of 2017/18, which the data has: available, and the note lists the gap.
    s, carry = gappy(), got["carry_forward"]
    last_year = s["2017-04-01":"2017-09-01"].sum() + s["2018-03-01"]
    assert carry.point == pytest.approx(carry.ytd + last_year)
    assert "missing from the data (2018-04, 2018-05" in carry.note
    assert not got["ets"].available and "24 contiguous months" in got["ets"].note
    glm = got["poisson_glm"]
    assert glm.available and "no month effects" in glm.note
    assert [str(m) for m in glm.missing_months] == [f"2018-{m:02d}" for m in range(4, 10)]


def test_the_glm_fit_is_the_same_as_statsmodels():
    import statsmodels.api as sm

    from scp_metrics.targets.projection_models import _design, poisson_glm_fit

    s = seasonal_series(noise=True)[:40]
    ords = s.index.to_period("M").asi8
    x = _design(ords, int(ords[-1]), seasonal=True)
    y = s.to_numpy()
    params, cov, phi = poisson_glm_fit(y, x)
    ref = sm.GLM(y, x, family=sm.families.Poisson()).fit()
    assert params == pytest.approx(ref.params, rel=1e-8, abs=1e-10)
    assert cov == pytest.approx(ref.cov_params(), rel=1e-6, abs=1e-12)
    assert phi == pytest.approx(max(1.0, ref.pearson_chi2 / ref.df_resid), rel=1e-8)


def test_only_the_models_forecast_a_later_year_and_they_recover_the_trend():
    s = seasonal_series()
    truth = s[(s.index >= "2008-04-01") & (s.index <= "2009-03-01")].sum()
    for method in METHODS:
        p = project(s, "2007-12", method, year=2008)  # 15 months ahead
        if method in ("poisson_glm", "ets"):
            assert p.fy == 2008 and p.ytd == 0.0 and p.observed_months == ()
            assert p.point == pytest.approx(truth, rel=0.02), method
            lo, hi = p.interval(0.95)
            assert lo < truth < hi, method
        else:
            assert not p.available and "cannot project a later year (2008/09)" in p.note


def test_a_series_break_gets_a_step_in_the_glm_and_restarts_ets():
    s = seasonal_series()
    s[s.index >= "2008-04-01"] *= 2.0  # a counting-rule change doubles the series
    truth = s["2008-04-01":"2009-03-01"].sum()
    plain = project(s, "2008-09", "poisson_glm")
    stepped = project(s, "2008-09", "poisson_glm", breaks=["2008-04-01"])
    assert abs(stepped.point - truth) < abs(plain.point - truth)
    assert stepped.point == pytest.approx(truth, rel=0.01)
    assert "a step at the series break 2008-04" in stepped.note
    ets = project(s, "2008-09", "ets", breaks=["2008-04-01"])  # its level adapts: a note only
    assert ets.available and "straddle a series break (2008-04)" in ets.note
    carry = project(s, "2008-09", "carry_forward", breaks=["2008-04-01"])
    assert "straddle a series break (2008-04)" in carry.note
    assert "straddle" not in project(s, "2009-09", "pro_rata", breaks=["2008-04-01"]).note


def test_every_method_answers_when_the_as_of_month_itself_has_no_data():
    """A source delivered ahead of the others leaves the latest month of a series empty: no
    method may raise (ETS indexed past the end of its months here and stopped the build)."""
    s = seasonal_series(years=7, noise=True)
    holed = s[s.index != "2009-12-01"]
    projections = project_all(holed[holed.index <= "2009-12-01"], "2009-12")
    assert set(projections) == set(METHODS)
    assert all(p.missing_months == (pd.Period("2009-12", "M"),) for p in projections.values())
    # ETS starts from the latest month with data and projects December like the months to
    # come: the same year-end as ETS as of November, when December was still to come
    ets = projections["ets"]
    before = project(s[s.index <= "2009-11-01"], "2009-11", "ets")
    assert ets.point is not None and ets.point == before.point
    assert ets.interval(0.95) == before.interval(0.95)
    assert "simulated from 2009-11, the latest month with data" in ets.note


def _sparse(counts: dict[str, float]) -> pd.Series:
    series = pd.Series(0.0, index=pd.period_range("2005-04", "2007-10", freq="M"))
    for month, count in counts.items():
        series[pd.Period(month, "M")] = count
    return series


def test_a_glm_on_counts_too_sparse_to_identify_says_so_instead_of_an_unbounded_interval():
    # 31 months of zeros and a single 1: the month-of-year effects of the eleven empty months are
    # -inf, and simulating from them once gave a "95% interval" of 970 million to 4.4 billion
    # around a projection of 0.33 (found by the Hypothesis test of series with holes).
    one = _sparse({"2006-06": 1.0})
    later = project(one, "2007-10", "poisson_glm", year=2008)
    assert not later.available
    assert "too sparse" in later.note
    # The current year is still projected: a Poisson rate of one event in 31 months, with five
    # months to come, is at most a handful of events.
    this_year = project(one, "2007-10", "poisson_glm")
    low, high = this_year.interval(0.95)
    assert low <= this_year.point <= high <= 15
    assert "a month of the year has no count" in this_year.note or "too few months" in this_year.note


def test_a_glm_window_with_no_counts_at_all_gives_a_reason_not_a_fit_error():
    zeros = project(_sparse({}), "2007-10", "poisson_glm")
    assert not zeros.available
    assert zeros.note == "no counts in the 48-month window to fit"


def test_a_diverging_glm_fit_is_refused_quietly_not_after_lapack_prints_to_the_terminal(capfd):
    # A back-test origin of a series recorded as 45 zero months then 209, 232, 244 (a source
    # that began late), with a step at the break: IRLS drives the first months' mean to 0,
    # where LAPACK's least squares printed "** On entry to DLASCL parameter number 4 had an
    # illegal value" eight times into `make demo` before failing.
    from scp_metrics.targets.projection_models import _design, poisson_glm_fit

    y = np.array([0.0] * 45 + [209.0, 232.0, 244.0])
    x = _design(np.arange(48, dtype=np.int64), 47, False, (45,))
    with pytest.raises(np.linalg.LinAlgError, match="IRLS diverged"):
        poisson_glm_fit(y, x)
    captured = capfd.readouterr()
    assert "DLASCL" not in captured.out + captured.err
