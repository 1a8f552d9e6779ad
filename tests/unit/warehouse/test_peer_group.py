"""mart_peer_group's proxy group (issue 16, item 2): built only from candidates with data, the
home area first, labelled; config/area_features.csv equals the ONS workbook's features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scp_metrics.config.area_features import AreaFeaturesError, read_area_features
from scp_metrics.rankings.proxy_group import PROXY_GROUP_LABEL
from scp_metrics.settings import DEFAULT_CONFIG_DIR
from scp_metrics.warehouse.marts.peer_group import proxy_group
from tests.conftest import shared_or_skip


def features() -> pd.DataFrame:
    # one variable carries all the weight that matters: log10_population (the others constant)
    codes = ["E01", "E02", "E03", "E04", "W05"]
    pops = [1000.0, 1100.0, 5000.0, 900.0, 1000.0]
    return pd.DataFrame({
        "area_code": codes, "area_name": [f"Area {c}" for c in codes], "geography": "x",
        "population": pops, "density_per_sq_km": 10.0,
        "log10_population": np.log10(pops), "log10_density": 1.0,
        "share_0_15": 0.2, "share_16_24": 0.1, "share_25_44": 0.3, "share_65_plus": 0.2})


def test_candidates_without_data_and_other_countries_are_left_out():
    group, note = proxy_group(features(), "E01", {"E01", "E02", "E03", "W05"})
    # E04 (no data) and W05 (Wales) are not candidates; E02 (ratio 1.1) is nearer than E03 (5)
    assert group["area_code"].tolist() == ["E01", "E02", "E03"]
    assert group["rank"].tolist() == [0, 1, 2]
    assert group["is_focus"].tolist() == [True, False, False]
    assert set(group["group_label"]) == {PROXY_GROUP_LABEL}
    assert group["distance"].iloc[-1] == 1.0  # the farthest candidate is rebased to 1
    # by hand: z of log10(1000), log10(1100), log10(5000) over the pool; weight 1/3
    logs = np.log10([1000.0, 1100.0, 5000.0])
    z = (logs - logs.mean()) / logs.std()
    d = np.sqrt((z - z[0]) ** 2 / 3)
    assert group["distance"].iloc[1] == pytest.approx(d[1] / d[2])
    assert "2 areas nearest" in note and PROXY_GROUP_LABEL in note


@pytest.mark.parametrize(("home", "candidates", "reason"), [
    ("E09", {"E01"}, "not in config/area_features.csv"),
    ("E01", {"W05"}, "no other area"),
])
def test_a_group_that_cannot_be_built_says_why(home, candidates, reason):
    group, note = proxy_group(features(), home, candidates)
    assert group.empty and reason in note


def test_missing_file_gives_no_group(tmp_path):
    assert read_area_features(tmp_path).empty
    group, note = proxy_group(read_area_features(tmp_path), "E01", {"E02"})
    assert group.empty and "scp-metrics plan peer-features" in note


def test_a_bad_value_is_refused_naming_row_and_column(tmp_path):
    frame = features()
    frame = frame.astype({"share_25_44": object})
    frame.loc[2, "share_25_44"] = "lots"
    frame.to_csv(tmp_path / "area_features.csv", index=False)
    with pytest.raises(AreaFeaturesError, match=r"row 4, column share_25_44: 'lots'"):
        read_area_features(tmp_path)


def test_the_committed_features_are_the_ons_workbooks():
    path = shared_or_skip("realdata", "ons_population", "ukmidyearestimates20192020ladcodes.xls")
    mye5 = pd.read_excel(path, sheet_name="MYE 5", header=4)
    mye2 = pd.read_excel(path, sheet_name="MYE2 - Persons", header=4)
    from scp_metrics.rankings.proxy_group import derive_features

    expected = derive_features(mye5, mye2, 2019)
    committed = read_area_features(DEFAULT_CONFIG_DIR)
    assert committed["area_code"].tolist() == expected["area_code"].tolist()
    assert len(committed) == 379
    for column in ("population", "density_per_sq_km", "share_0_15", "share_65_plus"):
        assert np.allclose(committed[column], expected[column].astype(float), rtol=1e-9)
    southampton = committed.set_index("area_code").loc["E06000045"]
    assert southampton["population"] == 252_520  # MYE 5, mid-2019, read by eye
