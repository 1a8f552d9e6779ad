"""config/spc.toml: the committed settings and the refusals."""

from __future__ import annotations

import pytest

from scp_metrics.config.spc import SpcBaseline, SpcConfigError, read_spc_baseline
from tests.conftest import REPO


def test_the_committed_settings_are_the_making_data_count_defaults():
    assert read_spc_baseline(REPO / "config") == SpcBaseline(12, 12)


def test_zero_baseline_points_means_the_whole_group_and_a_missing_file_the_defaults(tmp_path):
    assert read_spc_baseline(tmp_path) == SpcBaseline(12, 12)
    (tmp_path / "spc.toml").write_text("baseline_points = 0\nminimum_points = 6\n")
    assert read_spc_baseline(tmp_path) == SpcBaseline(None, 6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("baseline_point = 12\n", "spc.toml: unknown key baseline_point"),
        ("baseline_points = 'twelve'\n", "spc.toml, key baseline_points"),
        ("minimum_points = 1.5\n", "spc.toml, key minimum_points"),
        ("baseline_points = 6\nminimum_points = 12\n", "spc.toml: baseline_points"),
        ("baseline_points = [\n", "spc.toml: not valid TOML"),
    ],
)
def test_bad_settings_are_refused_naming_file_and_key(tmp_path, text, message):
    (tmp_path / "spc.toml").write_text(text)
    with pytest.raises(SpcConfigError, match=message.replace("[", r"\[")):
        read_spc_baseline(tmp_path)
