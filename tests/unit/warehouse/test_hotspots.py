"""Hot spots (warehouse/marts/hotspots.py, issue 16 item 6) on a hand-worked example.

20 LSOAs (so the top 5% is 1 LSOA and the top 10% is 2), burglary in January, February and
April 2019 (no March: one pair of consecutive months), one ASB row, and a burglary 13 months
before the latest month (outside the 12-month window). Worked by hand:

* all crime (= burglary): L03 4+6+9 = 19, L02 5+8 = 13, L01 10+2 = 12, L04-L20 1 each: 61;
  top 5% {L03}: 19/61 = 31.148%; top 10% {L03, L02}: 32/61 = 52.459%;
* monthly top 10%: January {L01, L02}, February {L02, L03}, April {L03}; the one pair
  (January, February) keeps 1 of 2: persistence 50%; months in the top 10%: L01 1, L02 2, L03 2;
* ASB: one LSOA, 3 incidents: 100% in the top 5%; January's top {L05} is gone in February: 0%.
"""

from __future__ import annotations

import pandas as pd
import pytest

from scp_metrics.warehouse.contracts import contract_for
from scp_metrics.warehouse.marts.hotspots import hotspots

HOME = "E06000045"


def code(i: int) -> str:
    return f"E010000{i:02d}"


def rows() -> pd.DataFrame:
    data = [(1, "2019-01", 10), (2, "2019-01", 5), (3, "2019-01", 4),
            *((i, "2019-01", 1) for i in range(4, 21)),
            (2, "2019-02", 8), (3, "2019-02", 6), (1, "2019-02", 2), (3, "2019-04", 9),
            (20, "2018-04", 50)]  # 2018-04: 13 months before April 2019, outside the window
    frame = pd.DataFrame([{"lsoa_code": code(i), "lsoa_name": f"Area {i:03d}A",
                           "month_start": pd.Timestamp(f"{m}-01"), "crime_type": "Burglary",
                           "slug": "burglary", "in_all_crime": True, "rows": n}
                          for i, m, n in data])
    asb = {"lsoa_code": code(5), "lsoa_name": "Area 005A", "month_start": pd.Timestamp("2019-01-01"),
           "crime_type": "Anti-social behaviour", "slug": "anti-social-behaviour",
           "in_all_crime": False, "rows": 3}
    return pd.concat([frame, pd.DataFrame([asb])], ignore_index=True)


def test_concentration_persistence_and_ranks_as_worked_by_hand():
    lsoas, summary = hotspots(rows(), HOME)
    contract_for("mart_hotspot_lsoas").validate(lsoas)
    contract_for("mart_hotspot_summary").validate(summary)
    assert list(summary["crime_group"]) == ["all-crime", "anti-social-behaviour", "burglary"]
    crime = summary.iloc[0]
    assert (crime["lsoas"], crime["total"], crime["months"]) == (20, 61, 3)
    assert (str(crime["window_start"]), str(crime["window_end"])) == ("2019-01-01", "2019-04-30")
    assert (crime["top_5pct_lsoas"], crime["top_10pct_lsoas"]) == (1, 2)
    assert crime["top_5pct_share"] == pytest.approx(100 * 19 / 61)
    assert crime["top_10pct_share"] == pytest.approx(100 * 32 / 61)
    assert (crime["month_pairs"], crime["persistence_pct"]) == (1, 50.0)
    assert (crime["top_lsoa_code"], crime["top_lsoa_count"]) == (code(3), 19)
    asb = summary.iloc[1]
    assert (asb["total"], asb["top_5pct_share"], asb["top_10pct_share"]) == (3, 100.0, 100.0)
    assert asb["persistence_pct"] == 0.0
    mine = lsoas[lsoas["crime_group"] == "all-crime"]
    assert list(mine["lsoa_code"][:4]) == [code(3), code(2), code(1), code(4)]  # ties by code
    assert list(mine["count"][:4]) == [19, 13, 12, 1] and len(mine) == 20
    assert list(mine["rank"]) == list(range(1, 21))
    assert list(mine["top_5pct"][:2]) == [True, False]
    assert list(mine["top_10pct"][:3]) == [True, True, False]
    assert list(mine["months_in_top_10pct"][:4]) == [2, 2, 1, 0]
    assert mine["share_pct"].iloc[0] == pytest.approx(100 * 19 / 61)
    assert lsoas[lsoas["crime_group"] == "anti-social-behaviour"]["lsoa_code"].tolist() == [code(5)]


def test_no_police_uk_rows_give_empty_marts_of_the_contracts_types():
    lsoas, summary = hotspots(rows()[:0], HOME)
    assert lsoas.empty and summary.empty
    assert list(summary.columns) == list(contract_for("mart_hotspot_summary").columns)
