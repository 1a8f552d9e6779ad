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
    assert len(catalogue.targets) == 16
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
