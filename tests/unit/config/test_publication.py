"""config/publication.toml: the labels and the folder's rule."""

from __future__ import annotations

from datetime import date

import pytest

from scp_metrics.config.publication import PublicationRule, read_publication_rule
from scp_metrics.settings import DEFAULT_CONFIG_DIR

DEC, JAN, NOV = date(2009, 12, 31), date(2010, 1, 31), date(2009, 11, 30)


def test_the_committed_rule_names_the_folder_by_the_police_data_and_labels_each_source():
    rule = read_publication_rule(DEFAULT_CONFIG_DIR)
    assert rule.folder_month({"istv": JAN, "police_crime": DEC, "fire": NOV}) == DEC
    assert rule.folder_month({"istv": JAN, "police_uk_street": NOV}) == NOV  # else police.uk
    assert rule.folder_month({"istv": JAN, "fire": NOV}) == JAN  # else the latest of any
    assert rule.folder_month({}) is None
    assert rule.label("istv", JAN) == "ED data to Jan 2010"
    assert rule.label("police_crime", DEC) == "police data to Dec 2009"
    assert PublicationRule().label("new_source", DEC) == "new_source data to Dec 2009"


@pytest.mark.parametrize("text, message", [
    ("[folders]\n", r"unknown section \[folders\]"),
    ("[folder]\nsources = []\n", r"\[folder\] sources: unknown key"),
    ("[folder]\nas_of_sources = 'istv'\n", r"\[folder\] as_of_sources: must be a list"),
    ("[source_names]\nistv = ''\n", r"\[source_names\] istv: must be a non-empty text"),
])
def test_a_wrong_file_is_refused_naming_the_key(tmp_path, text, message):
    (tmp_path / "publication.toml").write_text(text)
    with pytest.raises(ValueError, match="publication.toml: " + message):
        read_publication_rule(tmp_path)


def test_a_configured_rule_can_date_the_folder_by_the_ed_data(tmp_path):
    (tmp_path / "publication.toml").write_text("[folder]\nas_of_sources = ['istv']\n")
    assert read_publication_rule(tmp_path).folder_month({"istv": JAN, "police_crime": DEC}) == JAN
