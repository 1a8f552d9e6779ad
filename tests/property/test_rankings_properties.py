"""Property-based tests for scp_metrics.rankings.ranks: ranks depend only on the values."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scp_metrics.rankings.ranks import compute_rankings

members = st.integers(min_value=2, max_value=20).flatmap(
    lambda n: st.lists(
        st.tuples(st.integers(min_value=0, max_value=5_000),  # events
                  st.sampled_from([1_000, 2_000, 5_000, 50_000, 250_000])),  # population
        min_size=n, max_size=n))
polarities = st.sampled_from(["lower", "higher", "neutral"])


def rank(data: list[tuple[int, int]], order: list[int], polarity: str) -> pd.DataFrame:
    codes = [f"E0600{i:04d}" for i in range(len(data))]
    group = pd.DataFrame({"area_code": codes, "area_name": codes})
    rows = pd.DataFrame({
        "indicator_id": "x", "period_type": "rolling_12m", "period_start": date(2009, 1, 1),
        "period_end": date(2009, 12, 31), "area_code": [codes[i] for i in order],
        "numerator": [data[i][0] for i in order], "denominator": [data[i][1] for i in order],
    })
    indicators = pd.DataFrame([{"indicator_id": "x", "measure": "rate", "multiplier": 1000,
                                "polarity": polarity}])
    out = compute_rankings(rows, indicators, group, group_id=codes[0], focus_area=codes[0])
    return out.set_index("area_code").sort_index()


@settings(max_examples=60, deadline=None)
@given(data=members, polarity=polarities, seed=st.randoms(use_true_random=False))
def test_ranks_do_not_change_when_member_rows_are_shuffled(data, polarity, seed):
    order = list(range(len(data)))
    shuffled = order.copy()
    seed.shuffle(shuffled)
    first, second = rank(data, order, polarity), rank(data, shuffled, polarity)
    assert first["rank"].tolist() == second["rank"].tolist()
    assert first["funnel_significance"].tolist() == second["funnel_significance"].tolist()
    pd.testing.assert_series_equal(first["group_mean"], second["group_mean"], rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(data=members, polarity=polarities)
def test_rank_is_one_plus_the_number_of_members_with_a_better_rate(data, polarity):
    out = rank(data, list(range(len(data))), polarity)
    rates = {code: x / n for code, (x, n) in zip(sorted(out.index), data, strict=True)}
    for code, row in out.iterrows():
        if polarity == "higher":
            better = sum(r > rates[code] for r in rates.values())
        else:
            better = sum(r < rates[code] for r in rates.values())
        assert row["rank"] == 1 + better
    assert out["rank"].min() == 1
    assert set(out["n_areas"]) == {len(data)}
