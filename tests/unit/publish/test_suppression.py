"""One small-number rule, rendered for every output: CSV text, workbook cells, charts, sentences.

What is a count and what is derived from one is the mart's contract's; the threshold and the
count measures are config/privacy.toml's.
"""

from __future__ import annotations

import math
import shutil

import numpy as np
import pandas as pd
import pytest

from scp_metrics.publish.suppression import (
    SuppressionRules,
    published_count,
    suppress_frame,
    suppressed_note,
    suppression_rules,
    withhold,
)
from scp_metrics.settings import PROJECT_ROOT
from scp_metrics.warehouse.contracts import contract_for

RULES = SuppressionRules(threshold=5, count_measures=("count",))
VALUES = contract_for("mart_indicator_values")


def frame() -> pd.DataFrame:
    # rows 1, 2 and 5 rest on a count of 1-4 (row 2 on its denominator); 0 and 5 are shown
    return pd.DataFrame({
        "area_code": list("abcdef"),
        "numerator": [0, 1, 40, 5, None, 4],
        "denominator": [100, 200, 3, 200, 7, 900],
        "value": [0.0, 5.0, 13333.3, 25.0, None, 4.4],
        "ci95_lower": [0.0, 0.1, 13000.0, 8.1, None, 1.2],
        "note": ["x"] * 6,
    })


def test_the_csv_form_shows_small_counts_as_less_than_five_and_blanks_what_they_give_back():
    out, n = suppress_frame(frame(), RULES, VALUES)
    assert n == 3
    assert out["numerator"].tolist() == ["0", "<5", "40", "5", None, "<5"]
    assert out["denominator"].tolist() == ["100", "200", "<5", "200", "7", "900"]
    assert out["value"].tolist()[:4] == [0.0, None, None, 25.0] and out["value"][5] is None
    assert out["ci95_lower"].tolist()[:4] == [0.0, None, None, 8.1]
    assert out["note"].tolist() == ["x"] * 6


def test_the_workbook_form_keeps_the_counts_it_shows_as_numbers():
    out, n = suppress_frame(frame(), RULES, VALUES, numbers=True)
    assert n == 3
    assert out["numerator"].tolist() == [0, "<5", 40, 5, None, "<5"]
    assert out["denominator"].tolist() == [100, 200, "<5", 200, 7, 900]
    assert out["value"].tolist()[:4] == [0.0, None, None, 25.0] and out["value"][5] is None


def test_charts_withhold_the_same_rows_as_numbers_and_say_how_many():
    out = withhold(frame(), RULES, VALUES)
    assert np.isnan(out["value"].to_numpy()[[1, 2, 5]]).all()
    assert out["value"].tolist()[3] == 25.0
    assert out["numerator"].tolist()[:4] == [0, 1, 40, 5]  # counts stay numbers to draw with
    assert out.attrs["suppressed"] == 3
    assert suppressed_note(out) == ("3 values resting on counts of 1 to 4 not shown "
                                    "(disclosure control)")
    assert suppressed_note(withhold(frame().iloc[[0, 3]], RULES, VALUES)) == ""


def test_a_sentence_publishes_a_count_as_the_tables_do():
    assert [published_count(n, RULES) for n in (0, 1, 4, 5, 1234, None)] == [
        "0", "<5", "<5", "5", "1,234", "not available"]


def test_a_value_that_is_its_indicators_count_is_suppressed_only_for_count_indicators():
    spc = pd.DataFrame({"indicator_id": ["asb", "asb", "all_crime"],
                        "period_start": pd.to_datetime(["2021-01-01", "2021-02-01", "2021-01-01"]),
                        "value": [3.0, 12.0, 3.0], "mean": [10.0, 10.0, 10.0]})
    contract = contract_for("mart_spc")
    out, n = suppress_frame(spc, RULES, contract, {"asb": "count", "all_crime": "rate"})
    assert n == 1
    assert out["value"].tolist() == ["<5", "12", "3"]
    assert out["mean"].tolist() == [10.0, 10.0, 10.0]  # nothing derived from a value
    assert suppress_frame(spc, RULES, contract)[1] == 0  # without measures nothing is a count


def test_a_targets_outturn_is_a_count_only_for_a_count_target():
    tracking = pd.DataFrame({"target_id": ["stretch", "NI15", "msg_rank"],
                             "actual_value": [3.0, 3.0, 3.0],
                             "unit": ["count", "rate per 1,000", "rank (1 = best)"]})
    out, n = suppress_frame(tracking, RULES, contract_for("mart_target_tracking"), numbers=True)
    assert n == 1
    assert out["actual_value"].tolist() == ["<5", 3, 3]  # a rate of 3 and 3rd place are shown


def test_a_reconciliation_figure_is_a_count_except_where_it_is_a_survey_percentage():
    quality = pd.DataFrame({"check_id": ["reconcile_record_level_vs_csp",
                                         "survey_headline_vs_respondent"],
                            "record_level_value": [2.0, 4.5], "published_value": [40.0, 30.1],
                            "difference_pct": [1900.0, -85.0]})
    out, n = suppress_frame(quality, RULES, contract_for("mart_data_quality"))
    assert n == 1
    assert out["record_level_value"].tolist() == ["<5", "4.5"]
    assert out["difference_pct"].tolist() == [None, -85.0]


def test_a_chart_point_is_withheld_when_the_month_it_rests_on_has_a_small_count():
    spc = pd.DataFrame({"period_start": pd.to_datetime(["2021-01-01", "2021-02-01", "2021-03-01"]),
                        "value": [0.8, 1.1, 0.9], "mean": [1.0, 1.0, 1.0]})
    months = pd.DataFrame({"period_start": pd.to_datetime(["2021-02-01", "2021-01-01"]),
                           "numerator": [2, 30], "denominator": [2000, 2000]})
    out = withhold(spc, RULES, VALUES, months)
    assert out["value"].tolist()[0] == 0.8 and math.isnan(out["value"].tolist()[1])
    assert out["value"].tolist()[2] == 0.9  # a month without counts is not withheld
    assert out["mean"].tolist() == [1.0, 1.0, 1.0]


def test_the_threshold_and_columns_come_from_privacy_toml(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    text = (config / "privacy.toml").read_text().replace("threshold = 5", "threshold = 10")
    (config / "privacy.toml").write_text(text)
    rules = suppression_rules(config)
    assert rules.threshold == 10 and rules.marker == "<10"
    assert rules.count_measures == ("count",)
    assert published_count(7, rules) == "<10"
    assert suppress_frame(frame(), rules, VALUES)[0]["numerator"].tolist()[3] == "<10"
    assert suppression_rules(tmp_path / "nowhere") == SuppressionRules()


@pytest.mark.parametrize("count", [float("nan"), None, 0])
def test_what_is_not_a_count_is_never_small(count):
    assert published_count(None, RULES) == "not available"
    out, n = suppress_frame(pd.DataFrame({"numerator": [count], "value": [1.0]}), RULES, VALUES)
    assert n == 0 and out["value"].tolist() == [1.0]
