"""Series breaks as data: config/series_breaks.toml, ref_series_breaks and breaks_for."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from scp_metrics.config import catalogue
from scp_metrics.config.series_breaks import SERIES_BREAK_COLUMNS, breaks_for, read_series_breaks
from scp_metrics.stats.breaks import break_starts

CONFIG = Path(__file__).resolve().parents[3] / "config"


def read_breaks(config_dir: Path) -> pd.DataFrame:
    return read_series_breaks(config_dir, catalogue.read_indicators(config_dir))


def test_the_configured_breaks_cover_the_2008_code_change_and_the_2009_fire_recording_start():
    breaks = read_breaks(CONFIG)
    by_id = breaks.groupby("indicator_id")["break_date"].apply(list).to_dict()
    for ind in ("NI15", "NI20", "vap"):
        assert by_id[ind] == [date(2008, 4, 1)]
    assert by_id["NI33"] == [date(2009, 4, 1)]
    assert "all_crime" not in by_id  # codes move inside notifiable crime: the total is whole
    assert breaks["reason"].str.len().min() > 20 and breaks["source"].str.len().min() > 10


def test_breaks_for_gives_the_reason_and_date_oldest_first():
    breaks = read_breaks(CONFIG)
    (ni33,) = breaks_for("NI33", "E06000045", breaks)
    assert ni33.date == date(2009, 4, 1)
    assert "Incident Recording System" in ni33.reason
    assert breaks_for("all_crime", "E06000045", breaks) == []


def write_config(tmp_path: Path, breaks_toml: str) -> Path:
    shutil.copy(CONFIG / "indicators.toml", tmp_path / "indicators.toml")
    (tmp_path / "series_breaks.toml").write_text(breaks_toml)
    return tmp_path


def test_a_star_means_every_police_offence_code_indicator_and_an_area_break_stays_local(tmp_path):
    cfg = write_config(tmp_path, """
[[break]]
indicator_ids = "*"
area_code = "E06000044"
date = 2006-10-01
reason = "Force changed its crime recording system"
source = "Force letter"

[[break]]
indicator_ids = ["ed_assaults_night"]
date = 2007-06-15
reason = "New ED site code"
""")
    breaks = read_breaks(cfg)
    police = {i.id for i in catalogue.read_indicators(cfg) if i.source_table == "police_crime"}
    star = breaks[breaks["area_code"] == "E06000044"]
    assert set(star["indicator_id"]) == police
    assert {"all_crime", "vap_domestic_share"} <= police and "NI33" not in police
    assert [b.date for b in breaks_for("all_crime", "E06000044", breaks)] == [date(2006, 10, 1)]
    assert breaks_for("all_crime", "E06000045", breaks) == []
    (ed,) = breaks_for("ed_assaults_night", "E06000045", breaks)
    assert (ed.date, ed.source, ed.area_code) == (date(2007, 6, 15), "", None)


def test_an_unknown_indicator_in_the_breaks_file_is_refused(tmp_path):
    cfg = write_config(tmp_path, """
[[break]]
indicator_ids = ["NI999"]
date = 2008-04-01
reason = "x"
""")
    with pytest.raises(ValueError,
                       match="series_breaks.toml: break 1: indicator_ids: unknown indicator id.*NI999"):
        read_breaks(cfg)


def test_no_breaks_file_means_no_breaks(tmp_path):
    shutil.copy(CONFIG / "indicators.toml", tmp_path / "indicators.toml")
    breaks = read_breaks(tmp_path)
    assert breaks.empty and list(breaks.columns) == SERIES_BREAK_COLUMNS


def test_a_break_maps_to_the_first_month_on_or_after_it_and_only_inside_the_series():
    months = pd.date_range("2008-01-01", periods=6, freq="MS")
    assert break_starts(months, [date(2008, 3, 15)]) == [pd.Timestamp("2008-04-01")]
    assert break_starts(months, [date(2008, 1, 1), date(2009, 1, 1)]) == []
