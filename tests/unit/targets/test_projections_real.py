"""Projection from the real police.uk months (../shared/realdata), gaps and all."""

from __future__ import annotations

import pandas as pd
import pytest

from scp_metrics.targets.projections import project_all
from tests.conftest import shared_or_skip

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def southampton_crime() -> pd.Series:
    """Monthly police.uk crimes (anti-social behaviour excluded) in Southampton LSOAs."""
    folder = shared_or_skip("realdata", "police_uk_street", "hampshire")
    counts = {}
    for path in sorted(folder.glob("*-hampshire-street.csv.gz")):
        rows = pd.read_csv(path, usecols=["Month", "LSOA name", "Crime type"], dtype=str)
        mine = rows["LSOA name"].fillna("").str.match(r"^Southampton \d{3}[A-Z]$")
        crime = rows["Crime type"] != "Anti-social behaviour"
        for month, n in rows[mine & crime].groupby("Month").size().items():
            counts[pd.Timestamp(f"{month}-01")] = float(n)
    return pd.Series(counts).sort_index()


def test_the_real_months_project_with_the_gaps_stated(southampton_crime):
    s = southampton_crime
    assert [d.strftime("%Y-%m") for d in s.index] == (
        [f"2017-{m:02d}" for m in range(2, 10)] + ["2018-03"]
        + ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"])
    got = project_all(s, "2019-02")
    pro = got["pro_rata"]
    assert [str(m) for m in pro.missing_months] == [f"2018-{m:02d}" for m in range(4, 10)]
    assert pro.ytd == s["2018-10-01":].sum()
    assert pro.point == pytest.approx(pro.ytd * 12 / 5)
    assert "not filled" in pro.note
    assert not got["seasonal_share"].available and not got["ets"].available
    glm = got["poisson_glm"]
    assert glm.available and glm.interval(0.95)[0] < glm.point < glm.interval(0.95)[1]


def test_a_year_with_a_hole_in_the_middle_is_projected_not_treated_as_complete(southampton_crime):
    pro = project_all(southampton_crime, "2018-03")["pro_rata"]  # 2017/18: Apr-Sep and March
    assert len(pro.observed_months) == 7 and len(pro.missing_months) == 5
    assert pro.point == pytest.approx(pro.ytd * 12 / 7)
