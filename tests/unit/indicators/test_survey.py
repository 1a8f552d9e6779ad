"""Place Survey indicators: weighted percentages with Kish-effective-size Wilson intervals."""

from __future__ import annotations

import math
import shutil
from datetime import date

import pandas as pd
import pytest

from scp_metrics.config.catalogue import read_areas
from scp_metrics.config.survey import SurveySpec, read_survey_specs
from scp_metrics.indicators.survey import (
    respondent_flags,
    respondent_values,
    survey_values,
)
from scp_metrics.settings import get_settings

Z = 1.959963984540054  # z for 95%
DK = "Don't know"
VERY, FAIRLY, NOT_VERY, NOT_AT_ALL = ("A very big problem", "A fairly big problem",
                                      "Not a very big problem", "Not a problem at all")
STRANDS = ["q_asb_noisy_neighbours", "q_asb_teenagers", "q_asb_rubbish", "q_asb_vandalism",
           "q_asb_drugs", "q_asb_drunk_rowdy", "q_asb_abandoned_cars"]


def wilson_by_hand(p: float, n: float) -> tuple[float, float]:
    """Wilson score limits written out: x = p·n, (2x + z² ∓ z√(z² + 4x(1 − x/n))) / (2(n + z²))."""
    x = p * n
    root = Z * math.sqrt(Z**2 + 4 * x * (1 - x / n))
    return (2 * x + Z**2 - root) / (2 * (n + Z**2)), (2 * x + Z**2 + root) / (2 * (n + Z**2))


@pytest.fixture(scope="module")
def specs():
    return {s.id: s for s in read_survey_specs(get_settings().config_dir)}


def ni21_frame() -> pd.DataFrame:
    # weights 1, 1, 2, 2: Σw = 6, Σw² = 1 + 1 + 4 + 4 = 10, Kish n_eff = 36 / 10 = 3.6
    return pd.DataFrame({
        "weight": [1.0, 1.0, 2.0, 2.0],
        "q_ni21": ["Strongly agree", DK, "Tend to agree", "Tend to disagree"],
    })


def test_the_configured_defaults_reproduce_the_plan_choices(specs):
    assert specs["NI21"].dont_know == "include_in_base"
    assert specs["NI41"].dont_know == "exclude"
    assert specs["NI17"].dont_know == "include_in_base"
    assert specs["NI17"].high_threshold == 11
    assert dict(specs["NI17"].scores) == {VERY: 3, FAIRLY: 2, NOT_VERY: 1, NOT_AT_ALL: 0}
    assert specs["NI21"].hit_answers == ("Strongly agree", "Tend to agree")
    assert specs["NI41"].columns == ("q_asb_drunk_rowdy",)


def test_ni21_keeps_dont_know_in_the_base_and_weights_each_answer(specs):
    row = respondent_values(ni21_frame(), [specs["NI21"]], "E06000045").iloc[0]
    # hits: weight 1 (strongly agree) + weight 2 (tend to agree) = 3 of Σw = 6 → 50%
    assert row["value"] == pytest.approx(50.0, rel=1e-12)
    assert row["n_eff"] == pytest.approx(3.6, rel=1e-12)
    lower, upper = wilson_by_hand(0.5, 3.6)  # = 0.5 ∓ z / (2√(3.6 + z²))
    assert (row["ci95_lower"], row["ci95_upper"]) == pytest.approx(
        (100 * lower, 100 * upper), rel=1e-12)
    assert (round(row["ci95_lower"], 4), round(row["ci95_upper"], 4)) == (14.0756, 85.9244)
    assert (row["numerator"], row["denominator"]) == (2, 4)  # unweighted respondents


def test_excluding_dont_know_shrinks_the_base_and_the_effective_size(specs):
    spec = SurveySpec(**{**specs["NI21"].__dict__, "dont_know": "exclude"})
    row = respondent_values(ni21_frame(), [spec], "E06000045").iloc[0]
    # base: weights 1, 2, 2 (Σw = 5, Σw² = 9, n_eff = 25/9); hits 1 + 2 = 3 → 60%
    assert row["value"] == pytest.approx(60.0, rel=1e-12)
    assert row["n_eff"] == pytest.approx(25 / 9, rel=1e-12)
    lower, upper = wilson_by_hand(0.6, 25 / 9)
    assert (row["ci95_lower"], row["ci95_upper"]) == pytest.approx(
        (100 * lower, 100 * upper), rel=1e-12)
    assert (row["numerator"], row["denominator"]) == (2, 3)


def ni17_frame() -> pd.DataFrame:
    a = [FAIRLY] * 5 + [NOT_VERY, NOT_AT_ALL]  # 5×2 + 1 + 0 = 11 → high (the threshold itself)
    b = [VERY] * 3 + [FAIRLY] + [DK] * 3  # 3×3 + 2 + don't know 0 = 11 → high if dk is kept
    c = [NOT_VERY] * 6 + [None]  # 6 × 1, a blank treated as don't know → 6, not high
    frame = pd.DataFrame([a, b, c], columns=STRANDS)
    frame.insert(0, "weight", [1.0, 3.0, 2.0])
    return frame


def test_ni17_scores_seven_strands_and_counts_eleven_or_more_as_high(specs):
    hit, base = respondent_flags(ni17_frame(), specs["NI17"])
    assert hit.tolist() == [True, True, False]
    assert base.tolist() == [True, True, True]
    row = respondent_values(ni17_frame(), [specs["NI17"]], "E06000045").iloc[0]
    # (1 + 3) / (1 + 3 + 2) = 2/3; n_eff = 6² / (1 + 9 + 4) = 36/14
    assert row["value"] == pytest.approx(100 * 2 / 3, rel=1e-12)
    assert row["n_eff"] == pytest.approx(36 / 14, rel=1e-12)
    lower, upper = wilson_by_hand(2 / 3, 36 / 14)
    assert (row["ci95_lower"], row["ci95_upper"]) == pytest.approx(
        (100 * lower, 100 * upper), rel=1e-12)


def test_ni17_with_dont_know_excluded_drops_anyone_with_a_dont_know_strand(specs):
    spec = SurveySpec(**{**specs["NI17"].__dict__, "dont_know": "exclude"})
    hit, base = respondent_flags(ni17_frame(), spec)
    assert base.tolist() == [True, False, False]  # b said don't know, c left one blank
    row = respondent_values(ni17_frame(), [spec], "E06000045").iloc[0]
    assert row["value"] == pytest.approx(100.0)
    assert (row["ci95_lower"], row["ci95_upper"]) == pytest.approx(
        (100 * wilson_by_hand(1.0, 1.0)[0], 100.0), rel=1e-12)


def test_an_unknown_dont_know_choice_is_refused(tmp_path):
    cfg = tmp_path / "config"
    shutil.copytree(get_settings().config_dir, cfg)
    text = (cfg / "indicators.toml").read_text().replace('dont_know = "exclude"',
                                                         'dont_know = "ignore"')
    (cfg / "indicators.toml").write_text(text)
    with pytest.raises(ValueError, match="NI41: dont_know must be one of"):
        read_survey_specs(cfg)


@pytest.fixture
def survey_frames():
    """The home area's respondents, the headline table and the configured areas' names, as the
    warehouse holds them."""
    respondents = ni21_frame().assign(
        respondent_id=["R1", "R2", "R3", "R4"],
        q_asb_drunk_rowdy=[VERY, NOT_VERY, DK, FAIRLY],
        fieldwork_date=pd.to_datetime(["2008-10-01"] * 4),
        batch_id=1, source_row=range(2, 6))
    for col in STRANDS:
        if col != "q_asb_drunk_rowdy":
            respondents[col] = NOT_AT_ALL
    headline = pd.DataFrame({
        "authority_code": ["E06000045", "E06000045", "E06000044", "E06000044"],
        "authority_name": ["Southampton", "Southampton", "Portsmouth", "Portsmouth"],
        "indicator": ["NI 21", "NI 41", "NI 21", "NI 41"],
        "percentage": [50.0, 66.7, 24.5, 26.1],
        "ci_half_width": [40.0, 45.0, 2.9, 3.1],
        "unweighted_base": [4, 3, 1185, 1081],
        "batch_id": 2, "source_row": range(4, 8)})
    names = read_areas(get_settings().config_dir)[["area_code", "area_name"]]
    return respondents, headline, names


def test_the_home_area_gets_its_respondent_level_row_and_peers_the_published_one(survey_frames):
    specs = read_survey_specs(get_settings().config_dir)
    rows = survey_values(*survey_frames, specs, "E06000045")
    got = rows[["indicator_id", "area_code", "source"]].values.tolist()
    assert got == [
        ["NI17", "E06000045", "respondent level"],
        ["NI21", "E06000044", "published headline"],
        ["NI21", "E06000045", "respondent level"],
        ["NI41", "E06000044", "published headline"],
        ["NI41", "E06000045", "respondent level"],
    ]
    assert set(rows["period_type"]) == {"survey"}
    assert set(rows["period_start"]) == {date(2008, 9, 1)}
    assert set(rows["period_end"]) == {date(2008, 12, 31)}
    own = rows[rows["area_code"] == "E06000045"].set_index("indicator_id")
    assert own.loc["NI21", "value"] == pytest.approx(50.0)
    # NI41: don't know excluded; hits weight 1 (very) + 2 (fairly) of 1 + 1 + 2 = 4 → 75%
    assert own.loc["NI41", "value"] == pytest.approx(75.0)
    assert set(own["ci_method"]) == {"Wilson (Kish n_eff)"}
    peer = rows[rows["area_code"] == "E06000044"].set_index("indicator_id")
    assert peer.loc["NI21", ["value", "ci95_lower", "ci95_upper"]].tolist() == pytest.approx(
        [24.5, 21.6, 27.4])
    assert peer.loc["NI41", "denominator"] == 1081
    assert peer["numerator"].isna().all()  # the table publishes no weighted numerator
    assert peer.loc["NI21", "area_name"] == "Portsmouth"
    # one survey wave: NI 17 has no comparator; NI 21 and NI 41 are judged against the national figure
    assert rows.loc[rows["indicator_id"] == "NI17", "change_verdict"].isna().all()
    assert rows.loc[rows["indicator_id"] != "NI17", "change_verdict"].str.contains("national").all()


def test_a_single_survey_wave_is_judged_against_the_national_figure():
    import pandas as pd

    from scp_metrics.indicators.survey import compare_with_national

    frame = pd.DataFrame({"indicator_id": ["NI21", "NI21", "NI41"], "value": [23.0, 25.0, 45.0],
                          "ci95_lower": [20.5, 22.5, 41.8], "ci95_upper": [25.8, 27.8, 48.4],
                          "change_p_value": float("nan"),
                          "change_verdict": [None, None, None]})
    specs = {"NI21": SurveySpec("NI21", "%", "NI 21", ("q_ni21",), national_pct=26.0),
             "NI41": SurveySpec("NI41", "%", "NI 41", ("q_asb_drunk_rowdy",), national_pct=29.0)}
    compare_with_national(frame, specs)
    assert frame["change_verdict"].tolist() == [
        "significantly lower than national (26%)",
        "not significantly different from national (26%)",
        "significantly higher than national (29%)"]
    # z = (23 − 26) ÷ ((25.8 − 20.5) ÷ 3.92) = −2.2188, two-sided p = 0.02650
    assert frame.loc[0, "change_p_value"] == pytest.approx(0.02650, abs=1e-5)
