"""The proxy peer group: features from ONS-shaped frames, and CIPFA-style nearest neighbours."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scp_metrics.rankings.proxy_group import (
    GROUP_COLUMNS,
    PROXY_GROUP_LABEL,
    Variable,
    derive_features,
    nearest_neighbours,
)
from tests.conftest import shared_or_skip

# Eight areas; a = 2,4,4,4,5,5,7,9 has mean 5 and (population) sd 2, so z = (a - 5) / 2;
# b is the same values reversed.
A = [2, 4, 4, 4, 5, 5, 7, 9]
TOY = pd.DataFrame({"area_code": [f"E0{i}" for i in range(1, 9)],
                    "area_name": [f"Area {i}" for i in range(1, 9)],
                    "a": A, "b": A[::-1]})
BOTH = (Variable("a", "x", 1.0), Variable("b", "y", 1.0))


def test_neighbours_by_hand_on_two_standardised_variables():
    # z of E01 = (-1.5, 2). Squared distances to E02..E08: 2, 5, 5, 8.5, 8.5, 12.5, 24.5;
    # rebased by the farthest (E08, sqrt 24.5 = 7/sqrt 2): sqrt(d2 / 24.5)
    got = nearest_neighbours(TOY, "E01", n=4, variables=BOTH)
    assert list(got.columns) == GROUP_COLUMNS
    assert got["area_code"].tolist() == ["E01", "E02", "E03", "E04", "E05"]
    assert got["rank"].tolist() == [0, 1, 2, 3, 4]
    expected = [0.0, 2 / 7, math.sqrt(10) / 7, math.sqrt(10) / 7, math.sqrt(17) / 7]
    assert got["distance"].to_numpy() == pytest.approx(expected, rel=1e-12)
    assert set(got["group_id"]) == {"E01"}
    assert set(got["group_label"]) == {PROXY_GROUP_LABEL}


def test_weights_decide_what_counts():
    # b weighted 0: only |z_a - (-1.5)| = 1, 1, 1, 1.5, 1.5, 2.5, 3.5 counts, rebased by 3.5
    got = nearest_neighbours(TOY, "E01", n=7, variables=(BOTH[0], Variable("b", "y", 0.0)))
    assert got["distance"].tolist()[1:] == pytest.approx(
        [2 / 7, 2 / 7, 2 / 7, 3 / 7, 3 / 7, 5 / 7, 1.0], rel=1e-12)


def test_the_group_is_the_same_whatever_the_row_order():
    shuffled = TOY.sample(frac=1.0, random_state=7)
    pd.testing.assert_frame_equal(nearest_neighbours(shuffled, "E05", n=5, variables=BOTH),
                                  nearest_neighbours(TOY, "E05", n=5, variables=BOTH))


def test_a_constant_variable_adds_nothing_and_the_pool_can_be_given():
    flat = TOY.assign(c=3.0)
    with_c = nearest_neighbours(flat, "E01", n=3, variables=(*BOTH, Variable("c", "z", 1.0)))
    pd.testing.assert_frame_equal(with_c, nearest_neighbours(TOY, "E01", n=3, variables=BOTH))
    got = nearest_neighbours(TOY, "E01", n=2, variables=BOTH, pool=["E07", "E08", "E05"])
    assert got["area_code"].tolist() == ["E01", "E05", "E07"]


def test_the_default_pool_is_the_focus_areas_country():
    mixed = TOY.assign(area_code=["E01", "W02", "E03", "E04", "W05", "E06", "E07", "E08"])
    got = nearest_neighbours(mixed, "E01", n=5, variables=BOTH)
    assert all(code.startswith("E") for code in got["area_code"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(area_code="E99", variables=BOTH), "area E99 is not in the features"),
        (dict(area_code="E01", n=8, variables=BOTH), "only 7 candidate areas for E01; 8 needed"),
        (dict(area_code="E01", variables=(Variable("zz", "x", 1.0),)), "features: no column 'zz'"),
        (dict(area_code="E01", variables=(Variable("a", "x", -1.0),)), "weights must be zero or more"),
    ],
)
def test_impossible_requests_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nearest_neighbours(TOY, **kwargs)


def ons_like_sheets() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Frames shaped like MYE 5 and MYE2 - Persons (a county and a region row to drop)."""
    mye5 = pd.DataFrame({
        "Code": ["E12000008", "E10000014", "E06000045", "E07000086"],
        "Name": ["SOUTH EAST", "Hampshire", "Southampton", "Eastleigh"],
        "Geography1": ["Region", "County", "Unitary Authority", "Non-metropolitan District"],
        "Area (sq km)": [19072, 3679, 50, 80],
        "Estimated Population mid-2019": [9180135, 1376316, 1000, 400],
        "2019 people per sq. km": [481, 374, 20, 5],
        "Estimated Population mid-2018": [9133625, 1370707, 990, 398],
        "2018 people per sq. km": [479, 373, 20, 5],
    })
    ages = {age: [1.0, 1.0, 10.0, 2.0] for age in range(90)}
    ages[20] = [1.0, 1.0, 110.0, 2.0]  # the unitary: 100 more 20-year-olds
    columns = {"Code": mye5["Code"], "Name": mye5["Name"], "Geography1": mye5["Geography1"],
               "All ages": [91.0, 91.0, 1000.0, 182.0]}
    # labels as pandas reads them from the workbook: floats for some ages, '90+' at the end
    columns.update({(float(a) if a % 2 else a): v for a, v in ages.items()})
    columns["90+"] = [1.0, 1.0, 0.0, 2.0]
    return mye5, pd.DataFrame(columns)


def test_features_by_hand_from_ons_shaped_frames():
    mye5, mye2 = ons_like_sheets()
    got = derive_features(mye5, mye2, 2019)
    assert got["area_code"].tolist() == ["E06000045", "E07000086"]  # sorted, lower tier only
    southampton = got.iloc[0]
    assert southampton["population"] == 1000 and southampton["density_per_sq_km"] == 20
    assert southampton["log10_population"] == pytest.approx(3.0)
    # 10 people at every age 0-89 plus 100 more aged 20, none 90+: 1,000 people
    assert southampton["share_0_15"] == pytest.approx(160 / 1000)
    assert southampton["share_16_24"] == pytest.approx((90 + 100) / 1000)
    assert southampton["share_25_44"] == pytest.approx(200 / 1000)
    assert southampton["share_65_plus"] == pytest.approx(250 / 1000)  # 65..89, 25 ages
    eastleigh = got.iloc[1]
    assert eastleigh["share_65_plus"] == pytest.approx(2 * 26 / 182)  # 65..89 and 90+
    assert got.loc[0, "log10_density"] == pytest.approx(math.log10(20))
    # another year's columns
    assert derive_features(mye5, mye2, 2018)["population"].tolist() == [990, 398]


def test_missing_columns_and_ages_are_refused_naming_the_sheet():
    mye5, mye2 = ons_like_sheets()
    with pytest.raises(ValueError, match="MYE 5: no column 'Estimated Population mid-2017'"):
        derive_features(mye5, mye2, 2017)
    with pytest.raises(ValueError, match="MYE2 - Persons: the single-year columns"):
        derive_features(mye5, mye2.drop(columns=["90+"]), 2019)
    bad = mye5.astype({"2019 people per sq. km": object})
    bad.loc[2, "2019 people per sq. km"] = "n/a"
    with pytest.raises(ValueError, match="MYE 5: column '2019 people per sq. km' has a value"):
        derive_features(bad, mye2, 2019)


@pytest.fixture(scope="module")
def real_features() -> pd.DataFrame:
    path = shared_or_skip("realdata", "ons_population", "ukmidyearestimates20192020ladcodes.xls")
    mye5 = pd.read_excel(path, sheet_name="MYE 5", header=4)
    mye2 = pd.read_excel(path, sheet_name="MYE2 - Persons", header=4)
    return derive_features(mye5, mye2, 2019)


def test_southamptons_proxy_group_is_english_districts_of_similar_size(real_features):
    group = nearest_neighbours(real_features, "E06000045")
    assert len(group) == 16 and group["rank"].tolist() == list(range(16))
    members = group.merge(real_features, on=["area_code", "area_name"])
    peers = members[members["rank"] > 0]
    assert peers["area_code"].str[:3].isin(["E06", "E07", "E08", "E09"]).all()
    assert set(peers["geography"]) <= {"Unitary Authority", "Non-metropolitan District",
                                       "Metropolitan District", "London Borough"}
    home = members.loc[members["rank"] == 0, "population"].iloc[0]
    assert home == 252_520
    assert peers["population"].between(home / 2, home * 2).all()
    assert "E06000044" in set(peers["area_code"])  # Portsmouth, its neighbour city
    assert np.all(np.diff(group["distance"]) >= 0)
    assert 0 < group["distance"].iloc[-1] < 1
