"""A user's Most Similar Group file for ``scp-metrics rank --group-file``."""

from __future__ import annotations

import pytest

from scp_metrics.ingest.group_file import GroupFileError, read_group_file
from scp_metrics.settings import get_settings

CONFIG = get_settings().config_dir


def test_a_group_file_is_read_and_validated(tmp_path):
    good = tmp_path / "msg.csv"
    good.write_text("group_id,area_code,area_name\nE06000044,E06000044,Portsmouth\n"
                    "E06000044, E06000045 ,Southampton\n")
    frame = read_group_file(good, config_dir=CONFIG)
    assert frame.values.tolist() == [["E06000044", "E06000044", "Portsmouth"],
                                     ["E06000044", "E06000045", "Southampton"]]
    bad = tmp_path / "bad.csv"
    bad.write_text("group_id,area_code,area_name\nE06000044,E0600004,Portsmouth\n")
    with pytest.raises(GroupFileError, match=r"bad.csv: row 2, column area_code.*'E0600004'"):
        read_group_file(bad, config_dir=CONFIG)
    twice = tmp_path / "twice.csv"
    twice.write_text("group_id,area_code,area_name\ng,E06000044,P\ng,E06000044,P\n")
    with pytest.raises(GroupFileError, match="each area appears once per group"):
        read_group_file(twice, config_dir=CONFIG)
    other = tmp_path / "other.csv"
    other.write_text("name,value\nx,1\n")
    with pytest.raises(GroupFileError, match="not a membership table"):
        read_group_file(other, config_dir=CONFIG)
