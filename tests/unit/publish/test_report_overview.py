"""The verdict page's Making Data Count icons and the overview's comparison with the group,
against hand-worked cases (issue 15 item 1)."""

from __future__ import annotations

import pytest

from scp_metrics.publish.report.overview import _compared, assurance_icon


@pytest.mark.parametrize("significance, polarity, expected", [
    ("High (0.001)", "lower", "worse"),     # a high crime rate is worse
    ("Low (0.025)", "lower", "better"),
    ("High (0.025)", "higher", "better"),   # a high share feeling safe is better
    ("Low (0.001)", "higher", "worse"),
    ("Not significant", "lower", "similar"),
    ("High (0.001)", "neutral", "higher"),  # no better or worse for a neutral indicator
    ("Low (0.001)", "neutral", "lower"),
    (None, "lower", "not_compared"),
    (float("nan"), "lower", "not_compared"),
])
def test_the_comparison_with_the_group_follows_the_polarity(significance, polarity, expected):
    assert _compared(significance, polarity) == expected


def test_assurance_reads_the_marts_three_states_and_nothing_else():
    assert [assurance_icon(a) for a in ("consistent_pass", "consistent_fail", "inconsistent",
                                         None, float("nan"), "unknown")] == \
        ["pass", "fail", "hit_and_miss", None, None, None]


class _Reader:
    def __init__(self, row):
        self.row = row

    def rows(self, query, **params):
        assert query == "report_spc_latest" and params["month"].day == 1
        return [self.row] if self.row else []


class _Facts:
    area = "E06000045"

    def __init__(self, row):
        self.reader = _Reader(row)

    def has(self, table):
        return table == "mart_spc"

    def as_of_of(self, indicator_id):
        import datetime

        return datetime.date(2009, 12, 31)


@pytest.mark.parametrize("row, expected", [
    (("special_cause_improvement", "decrease", 9.6, 11.2), {"kind": "improvement", "side": "low"}),
    (("special_cause_concern", "decrease", 13.1, 11.2), {"kind": "concern", "side": "high"}),
    (("special_cause_improvement", "increase", 31.0, 25.0), {"kind": "improvement", "side": "high"}),
    (("special_cause_concern", "increase", 20.0, 25.0), {"kind": "concern", "side": "low"}),
    (("special_cause_neutral", "neutral", 30.0, 25.0), {"kind": "neutral", "side": "high"}),
    (("common_cause", "decrease", 11.0, 11.2), {"kind": "common", "side": ""}),
    (None, None),
])
def test_the_variation_icon_is_the_latest_spc_point_read_the_mdc_way(row, expected):
    from scp_metrics.publish.report.overview import variation_icon

    assert variation_icon(_Facts(row), "all_crime") == expected
