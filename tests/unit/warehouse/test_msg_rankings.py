"""mart_msg_rankings ranks each indicator alone: the same rows as ranking them all at once, and
an indicator whose ranking fails gets one row saying why while the others are ranked."""

from __future__ import annotations

from datetime import date

import pandas as pd

import scp_metrics.warehouse.marts.msg_rankings as adapter
from scp_metrics.rankings.ranks import MART_COLUMNS, compute_rankings
from scp_metrics.warehouse.contracts import contract_for

GROUP = pd.DataFrame({"area_code": ["E06000001", "E06000002", "E06000003"],
                      "area_name": ["A", "B", "C"]})
INDICATORS = pd.DataFrame([
    {"indicator_id": i, "measure": "rate", "multiplier": 1000, "polarity": "lower",
     "unit": "rate per 1,000"} for i in ("burglary", "crime", "robbery")])


def _rows() -> pd.DataFrame:
    parts = []
    for k, indicator in enumerate(INDICATORS["indicator_id"]):
        for fy in (2008, 2009):
            parts.append(pd.DataFrame({
                "indicator_id": indicator, "period_type": "financial_year",
                "period_start": date(fy, 4, 1), "period_end": date(fy + 1, 3, 31),
                "area_code": GROUP["area_code"], "numerator": [300 + k, 200 + fy % 7, 250],
                "denominator": [100_000, 90_000, 80_000], "population_year": fy - 1}))
    return pd.concat(parts, ignore_index=True)


def test_ranking_each_indicator_alone_gives_the_rows_of_ranking_them_together():
    together = compute_rankings(_rows(), INDICATORS, GROUP, group_id="E06000001",
                                focus_area="E06000001")
    alone = adapter.rank_each_indicator(_rows(), INDICATORS, GROUP, "E06000001")
    assert (alone["series_status"] == "ok").all() and alone["note"].isna().all()
    pd.testing.assert_frame_equal(alone[MART_COLUMNS], together)


def test_an_indicator_whose_ranking_fails_gets_one_row_saying_why(monkeypatch):
    real = adapter.compute_rankings

    def failing(rows, indicators, *args, **kwargs):
        # fails whenever crime is ranked, as its data would make it fail: alone or with others
        if "crime" in set(indicators["indicator_id"]):
            raise ZeroDivisionError("injected")
        return real(rows, indicators, *args, **kwargs)

    monkeypatch.setattr(adapter, "compute_rankings", failing)
    out = contract_for("mart_msg_rankings").validate(
        adapter.rank_each_indicator(_rows(), INDICATORS, GROUP, "E06000001"))
    crime = out[out["indicator_id"] == "crime"]
    assert len(crime) == 1
    assert crime["series_status"].iloc[0] == "failed"
    assert crime["note"].iloc[0] == "ranking not computed: ZeroDivisionError: injected"
    assert crime["area_code"].iloc[0] == "E06000001" and pd.isna(crime["rank"].iloc[0])
    others = out[out["indicator_id"] != "crime"].reset_index(drop=True)
    want = real(_rows(), INDICATORS[INDICATORS["indicator_id"] != "crime"], GROUP,
                group_id="E06000001", focus_area="E06000001")
    assert len(others) == len(want) == 12
    assert (others["series_status"] == "ok").all()
    assert others["rank"].tolist() == want["rank"].tolist()
