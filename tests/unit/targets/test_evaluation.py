"""The backtest's scoring, calibration, choice of method and accuracy test: on hand-made
backtest rows whose answers are worked out by hand, and on small synthetic series for the
no-peeking rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scp_metrics.targets.evaluation import (
    SUMMARY_COLUMNS,
    Evaluation,
    PoolSeries,
    evaluate,
    score_rows,
)

AREA = "E06000045"


def rows(indicator: str, method: str, fy: int, z: list[float], *, point: float = 100.0,
         scale: float = 10.0, family: str = "crime") -> pd.DataFrame:
    """Backtest rows whose scaled errors are ``z`` (actual = point + z · scale)."""
    z_arr = np.asarray(z, dtype=float)
    return pd.DataFrame({"fy": fy, "origin": np.arange(1, len(z_arr) + 1), "method": method,
                         "actual": point + z_arr * scale, "available": True, "point": point,
                         "ytd": 50.0, "scale": scale, "z": z_arr, "indicator_id": indicator,
                         "area_code": AREA, "family": family})


def evaluation(*frames: pd.DataFrame, families: dict | None = None) -> Evaluation:
    table = pd.concat(frames, ignore_index=True)
    fam = families or {(i, AREA): f for i, f in zip(table["indicator_id"], table["family"],
                                                     strict=True)}
    return Evaluation(score_rows(table), ("pro_rata",), fam)


def test_a_year_is_scored_on_the_conformal_intervals_of_the_earlier_years_errors():
    earlier = rows("a", "pro_rata", 2000, list(np.arange(1, 21) / 10))  # |z| 0.1 ... 2.0
    year = rows("a", "pro_rata", 2001, [4.0])  # outturn 140 against a point of 100
    scored = score_rows(pd.concat([earlier, year], ignore_index=True))
    first, last = scored[scored["fy"] == 2000], scored[scored["fy"] == 2001].iloc[0]
    assert not first["scored"].any() and (first["n_errors"] == 0).all()
    assert last["scored"] and last["n_errors"] == 20
    # 95%: the ceil(21 · 0.95) = 20th |z| = 2.0 -> 100 ± 20; 80%: the 17th = 1.7 -> 100 ± 17
    assert (last["lower_95"], last["upper_95"]) == pytest.approx((80.0, 120.0))
    assert (last["lower_80"], last["upper_80"]) == pytest.approx((83.0, 117.0))
    assert not last["hit_80"] and not last["hit_95"]
    # interval scores: 95%: 40 + 40 · 20 = 840; 80%: 34 + 10 · 23 = 264; mean 552 of 140
    assert last["interval_score"] == pytest.approx(100 * 552 / 140)
    assert last["ape"] == pytest.approx(100 * 40 / 140)
    assert last["error_pct"] == pytest.approx(-100 * 40 / 140)


def test_the_lower_limit_never_falls_below_the_count_already_observed():
    earlier = rows("a", "pro_rata", 2000, [6.0] * 20)
    scored = score_rows(pd.concat([earlier, rows("a", "pro_rata", 2001, [0.0])]))
    last = scored[scored["fy"] == 2001].iloc[0]
    assert last["lower_95"] == 50.0 and last["upper_95"] == pytest.approx(160.0)


def two_methods(indicator: str, fy: int, glm_z: float, pro_z: float,
                family: str = "crime") -> list[pd.DataFrame]:
    return [rows(indicator, "poisson_glm", fy, [glm_z] * 20, family=family),
            rows(indicator, "pro_rata", fy, [pro_z] * 20, family=family)]


def test_the_choice_needs_two_scored_earlier_years_and_takes_the_lowest_score():
    frames = []
    for fy in (2000, 2001, 2002, 2003):
        frames += two_methods("a", fy, 0.5, 3.0) + two_methods("b", fy, 0.5, 3.0)
    ev = evaluation(*frames)
    # 2001 and 2002 are scored (2000 gives the first errors): a choice from 2003 on
    assert ev.choice(("a", AREA), 2002).method is None
    assert ev.method_for(("a", AREA), 2002) == "pro_rata"  # the fallback order
    assert "could not choose" in ev.choice(("a", AREA), 2002).reason
    choice = ev.choice(("a", AREA), 2003)
    assert choice.method == "poisson_glm" and choice.years == (2001, 2002)
    assert choice.family == "crime" and "crime family" in choice.reason
    # score = interval score + MAPE, in % of the outturn: poisson_glm's outturn 105 is inside
    # its raw 80% interval 100 ± 12.8: score 2 · 12.8155 / 105 + 5 / 105, in %
    assert choice.scores["poisson_glm"] == pytest.approx(
        100 * ((2 * 12.815515655446004 + 2 * 19.59963984540054) / 2 + 5) / 105)


def test_a_family_of_one_series_is_chosen_on_all_the_areas_series():
    frames = []
    for fy in (2000, 2001, 2002, 2003):
        frames += two_methods("a", fy, 0.5, 3.0) + two_methods("b", fy, 0.5, 3.0)
        # alone in its family, where pro_rata happens to be better
        frames += two_methods("solo", fy, 3.0, 0.5, family="fire")
    ev = evaluation(*frames)
    choice = ev.choice(("solo", AREA), 2003)
    assert choice.family == "" and "all the area's series" in choice.reason
    assert choice.method == "poisson_glm"  # 2 of the area's 3 series favour it


def test_the_accuracy_test_names_what_fails_and_which_methods_passed():
    frames = []
    for fy in (2000, 2001, 2002):
        frames += [rows("a", "poisson_glm", fy, [0.5] * 20),  # APE 5/105 = 4.76%
                   rows("a", "pro_rata", fy, [0.6] * 20),  # APE 6/106 = 5.66% > 1.1 × 4.76
                   # errors jump from 0.5 to 5 in 2001/02: its intervals calibrated on 2000/01
                   # miss all of that year, those of 2002/03 (calibrated on both) catch all
                   rows("a", "ets", fy, [0.5 if fy == 2000 else 5.0] * 20)]
    ev = evaluation(*frames)
    assert ev.verdict(("a", AREA), "poisson_glm", 2003).passed
    assert ev.verdict(("a", AREA), "poisson_glm", 2003).caveat is None
    pro = ev.verdict(("a", AREA), "pro_rata", 2003)
    assert pro.passed is False and pro.passing == ("poisson_glm",)
    assert "MAPE 5.66% > 1.1 × the best method's 4.76% (poisson_glm)" in pro.caveat
    assert pro.caveat.endswith("poisson_glm did): treat as indicative")
    ets = ev.verdict(("a", AREA), "ets", 2003)
    assert "80% interval caught 50% of outturns (< 75%)" in ets.why
    untested = ev.verdict(("a", AREA), "ets", 2001)  # no scored year before 2001/02
    assert untested.passed is None and "not tested" in untested.caveat


def test_where_no_method_passes_the_caveat_says_so():
    frames = []
    for fy in (2000, 2001, 2002):
        frames += [rows("a", method, fy, [0.5 if fy == 2000 else 5.0] * 20)
                   for method in ("poisson_glm", "pro_rata")]
    verdict = evaluation(*frames).verdict(("a", AREA), "poisson_glm", 2003)
    assert verdict.caveat == ("no projection method met the backtest's accuracy test for this "
                              "indicator: treat as indicative")


def test_acceptance_figures_are_those_of_each_years_chosen_method():
    frames = []
    for fy in (2000, 2001, 2002, 2003):
        frames += two_methods("a", fy, 0.5, 3.0) + two_methods("b", fy, 0.5, 3.0)
    acc = evaluation(*frames).acceptance()
    # 2001, 2002: the fallback (pro_rata); 2003: poisson_glm. Every error of a method is the
    # same, so its calibrated intervals just reach it (pro_rata: ± 3 scales) or are the raw
    # ones (poisson_glm): all caught, above the acceptance's 88%
    assert acc.years == (2001, 2002, 2003)
    assert acc.methods == (("poisson_glm", 40), ("pro_rata", 80))
    assert acc.coverage_80 == 100.0 and acc.coverage_95 == 100.0
    assert acc.mape == pytest.approx((80 * 100 * 30 / 130 + 40 * 100 * 5 / 105) / 120)
    assert acc.best_method == "poisson_glm" and acc.best_mape == pytest.approx(100 * 5 / 105)
    assert not acc.met and "does NOT meet the acceptance" in acc.text


def series(years: int = 7, seed: int = 3, level: float = 300) -> pd.Series:
    index = pd.date_range("2003-04-01", periods=12 * years, freq="MS")
    shape = 1 + 0.25 * np.cos(2 * np.pi * (index.month - 7) / 12)
    mean = level * shape * 0.95 ** (np.arange(len(index)) / 12)
    return pd.Series(np.random.default_rng(seed).poisson(mean).astype(float), index=index)


ORIGINS = (3, 6, 9)


def pool(late_factor: float = 1.0) -> dict:
    out = {}
    for i, seed in enumerate((3, 4, 5, 6)):
        s = series(seed=seed, level=200 + 100 * i)
        s[s.index >= "2008-04-01"] *= late_factor
        out[(f"s{i}", AREA)] = PoolSeries(s, (), "crime")
    return out


@pytest.fixture(scope="module")
def base() -> Evaluation:
    return evaluate(pool(), ORIGINS)


def test_years_are_scored_once_enough_earlier_errors_exist(base):
    # 2005/06 is the first scoreable year (the models need 24 months); 4 series × 3 origins
    # give 12 errors a year: 2007/08 is the first with at least 19 before it
    assert sorted(base.rows["fy"].unique()) == [2005, 2006, 2007, 2008, 2009]
    assert sorted(base.scored["fy"].unique()) == [2007, 2008, 2009]
    summary = base.summary(("s0", AREA))
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert summary["n"].eq(3 * len(ORIGINS)).all() and summary["chosen"].sum() == 1


def test_no_year_is_calibrated_chosen_or_judged_on_itself_or_later_years(base):
    late = evaluate(pool(late_factor=1.5), ORIGINS)  # 2008/09 on changed
    for method in ("pro_rata", "poisson_glm", "ets"):
        np.testing.assert_array_equal(base.errors(AREA, method, 2008),
                                      late.errors(AREA, method, 2008))
    for key in pool():
        assert base.choice(key, 2008) == late.choice(key, 2008)
        assert base.verdict(key, "poisson_glm", 2008) == late.verdict(key, "poisson_glm", 2008)
    assert not base.scored["ape"].equals(late.scored["ape"])  # the later years did change
