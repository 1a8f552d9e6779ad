"""The config loaders refuse what they do not know, naming the file and the key."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scp_metrics.config.data_quality import QualityThresholds, read_thresholds
from scp_metrics.config.targets import load_targets

CONFIG = Path(__file__).resolve().parents[3] / "config"


def targets_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "targets.toml").write_text(text)
    return tmp_path


TARGET = ('[[target]]\nid = "x"\ntitle = "x"\nindicator = "all_crime"\npolarity = "lower"\n'
          'change_pct = -5.0\n')


@pytest.mark.parametrize("extra, message", [
    ('kind = "levels"\n', "targets.toml: target 'x': kind must be one of level, year_on_year, "
                          "survey, rank, not 'levels'"),
    ('polarity = "down"\n', "targets.toml: target 'x': polarity must be one of lower, higher, "
                            "not 'down'"),
    ('status = "maybe"\n', "targets.toml: target 'x': status must be one of set, unset"),
    ('basis = "rate"\n', "targets.toml: target 'x': basis must be one of value, count"),
    ('without_stretch = {method = "guess"}\n',
     "targets.toml: target 'x': without_stretch.method must be one of value, change_pct"),
])
def test_a_target_with_an_unknown_value_is_refused_naming_the_key(tmp_path, extra, message):
    text = TARGET.replace('polarity = "lower"\n', "") if "polarity" in extra else TARGET
    with pytest.raises(ValueError, match=re.escape(message)):
        load_targets(targets_file(tmp_path, text + extra))


@pytest.mark.parametrize("section, message", [
    ('[rag]\ntrajectory_profile = "wiggly"\n',
     "targets.toml: [rag]: trajectory_profile must be one of seasonal, straight, not 'wiggly'"),
    ('[rag]\ngreen = 1\n', "targets.toml: [rag]: unknown key(s) green"),
    ('[projection]\nfallback_order = ["pro_rata", "crystal_ball"]\n',
     "targets.toml: [projection]: fallback_order must be one of pro_rata, seasonal_share, "
     "carry_forward, poisson_glm, ets, not 'crystal_ball'"),
    ('[reward_rule]\nmin = 50\n', "targets.toml: [reward_rule]: unknown key(s) min"),
    ('[targets]\nx = 1\n', "targets.toml: unknown section(s) targets"),
])
def test_an_unknown_setting_of_the_catalogue_is_refused(tmp_path, section, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        load_targets(targets_file(tmp_path, section + TARGET))


def test_a_repeated_target_id_is_refused(tmp_path):
    with pytest.raises(ValueError, match=re.escape("targets.toml: target ids must be unique (x")):
        load_targets(targets_file(tmp_path, TARGET + TARGET))


def test_the_project_catalogue_loads():
    catalogue = load_targets(CONFIG)
    assert len(catalogue.targets) == 18
    assert catalogue.rag.trajectory_profile == "seasonal"
    assert catalogue.fallback_order[0] == "poisson_glm"


def test_data_quality_thresholds_default_and_come_from_the_file(tmp_path):
    assert read_thresholds(tmp_path) == QualityThresholds()  # no file: the defaults
    shutil.copy(CONFIG / "data_quality.toml", tmp_path / "data_quality.toml")
    assert read_thresholds(tmp_path) == QualityThresholds(1.0, 10.0, 0.1)
    (tmp_path / "data_quality.toml").write_text("[survey]\ntolerance_points = 0.5\n")
    assert read_thresholds(tmp_path).survey_tolerance_points == 0.5
    assert read_thresholds(tmp_path).reconciliation_threshold_pct == 1.0


@pytest.mark.parametrize("text, message", [
    ("[reconciliation]\nthreshold = 2.0\n", "data_quality.toml: [reconciliation] threshold: "
                                            "unknown key"),
    ("[recon]\nthreshold_pct = 2.0\n", "data_quality.toml: unknown section [recon]"),
    ('[survey]\ntolerance_points = "a lot"\n',
     "data_quality.toml: [survey] tolerance_points: must be a non-negative number, not 'a lot'"),
    ("[ed_assault_time]\nwarn_above_pct = -1\n",
     "data_quality.toml: [ed_assault_time] warn_above_pct: must be a non-negative number"),
])
def test_a_data_quality_threshold_that_is_not_known_or_not_a_number_is_refused(tmp_path, text,
                                                                                message):
    (tmp_path / "data_quality.toml").write_text(text)
    with pytest.raises(ValueError, match=re.escape(message)):
        read_thresholds(tmp_path)


INDICATOR = ('[[indicator]]\nid = "x"\ntitle = "x"\nunit = "rate per 1,000"\nmultiplier = 1000\n'
             'polarity = "lower"\n')


def indicators_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "indicators.toml").write_text(text)
    return tmp_path


@pytest.mark.parametrize("text, message", [
    (INDICATOR + 'family = "offence_code"\n',
     "indicators.toml: indicator 'x': family: unknown family 'offence_code' (known: "
     "offence_codes, crime_share"),
    (INDICATOR + 'measure = "ratio"\n', "indicators.toml: indicator 'x': measure: unknown "
                                        "measure 'ratio' (known: rate, count, percentage)"),
    (INDICATOR.replace('"lower"', '"down"'),
     "indicators.toml: indicator 'x': polarity: unknown polarity 'down' (known: lower, higher, "
     "neutral)"),
    (INDICATOR.replace('"rate per 1,000"', '"per 1000"'),
     "indicators.toml: indicator 'x': unit: unknown unit 'per 1000' (known: rate per 1,000"),
    (INDICATOR.replace("multiplier = 1000", "multiplier = 10000"),
     "indicators.toml: indicator 'x': unit: a rate with multiplier 10,000 is in "
     "'rate per 10,000', not 'rate per 1,000'"),
    (INDICATOR + 'colour = "red"\n', "indicators.toml: indicator 'x': unknown key(s) colour"),
    (INDICATOR.replace('title = "x"\n', ""), "indicators.toml: indicator 'x': title missing"),
    (INDICATOR + INDICATOR, "indicators.toml: indicator ids must be unique (x repeated)"),
])
def test_an_indicator_the_catalogue_cannot_count_is_refused_naming_file_and_key(tmp_path, text,
                                                                               message):
    from scp_metrics.config.catalogue import read_indicators

    with pytest.raises(ValueError, match=re.escape(message)):
        read_indicators(indicators_file(tmp_path, text))


def test_every_configured_indicator_is_valid_and_in_a_unit_with_a_format():
    from scp_metrics.config.catalogue import read_indicators
    from scp_metrics.config.units import unit_named

    indicators = read_indicators(CONFIG)
    assert {i.unit for i in indicators} == {"rate per 1,000", "rate per 10,000", "%", "count"}
    assert all(unit_named(i.unit).number_format for i in indicators)


def test_the_privacy_policy_is_read_and_checked(tmp_path):
    from scp_metrics.config.privacy import SuppressionRules, suppression_rules

    assert suppression_rules(tmp_path) == SuppressionRules()  # no file: the defaults
    rules = suppression_rules(CONFIG)
    assert rules.threshold == 5 and rules.marker == "<5"
    assert "record_level_value" in rules.count_columns and rules.count_measures == ("count",)
    for text, message in [
            ("[suppression]\nthreshold = 0\n", "privacy.toml: [suppression] threshold: must be a "
                                               "whole number of at least 1, not 0"),
            ("[suppression]\nthreshhold = 3\n", "privacy.toml: [suppression] threshhold: unknown key"),
            ('[suppression]\ncount_columns = "numerator"\n',
             "privacy.toml: [suppression] count_columns: must be a list of names"),
            ("[disclosure]\nthreshold = 3\n", "privacy.toml: unknown section(s) disclosure")]:
        (tmp_path / "privacy.toml").write_text(text)
        with pytest.raises(ValueError, match=re.escape(message)):
            suppression_rules(tmp_path)
