from datetime import date

import pandas as pd
import pytest

from scp_metrics.periods import (
    Quarter,
    a_year_later,
    financial_year_label,
    parse_financial_year,
    quarter_from_name,
    same_period_last_year,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2009, 4, 1), Quarter(2009, 1)),
        (date(2009, 6, 30), Quarter(2009, 1)),
        (date(2009, 12, 31), Quarter(2009, 3)),
        (date(2010, 1, 1), Quarter(2009, 4)),
        (date(2010, 3, 31), Quarter(2009, 4)),
    ],
)
def test_quarter_containing_follows_the_april_financial_year(day, expected):
    assert Quarter.containing(day) == expected


def test_quarter_bounds_and_labels():
    q = Quarter(2009, 4)
    assert (q.start, q.end) == (date(2010, 1, 1), date(2010, 3, 31))
    assert q.label == "2009/10 Q4"
    assert q.file_tag == "2009-10_Q4"
    assert q.next() == Quarter(2010, 1)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("police_recorded_crime_E06000045_2009-10_Q3.csv", Quarter(2009, 3)),
        ("ho_table_2008_09 Q1.xlsx", Quarter(2008, 1)),
        ("extract_2009-11_Q3.csv", None),
        ("population.xlsx", None),
    ],
)
def test_quarter_from_name_reads_the_financial_quarter_tag(name, expected):
    assert quarter_from_name(name) == expected


def test_financial_year_labels_round_trip():
    assert financial_year_label(2009) == "2009/10"
    assert financial_year_label(1999) == "1999/00"
    assert parse_financial_year("2009/10") == 2009
    assert parse_financial_year("2009-2010") == 2009
    with pytest.raises(ValueError):
        parse_financial_year("2009/11")


@pytest.mark.parametrize("start, end, later_start, later_end", [
    (date(2009, 4, 1), date(2009, 12, 31), date(2010, 4, 1), date(2010, 12, 31)),  # fytd
    (date(2008, 2, 1), date(2008, 2, 29), date(2009, 2, 1), date(2009, 2, 28)),  # leap February
    (date(2009, 2, 1), date(2009, 2, 28), date(2010, 2, 1), date(2010, 2, 28)),
    (date(2007, 3, 1), date(2008, 2, 29), date(2008, 3, 1), date(2009, 2, 28)),  # rolling 12m
    (date(2009, 4, 1), date(2009, 4, 30), date(2010, 4, 1), date(2010, 4, 30)),
])
def test_the_same_period_a_year_later_keeps_month_ends_month_ends(start, end, later_start,
                                                                   later_end):
    starts, ends = a_year_later(pd.Series(pd.to_datetime([start])), pd.Series(pd.to_datetime([end])))
    assert (starts.dt.date.tolist(), ends.dt.date.tolist()) == ([later_start], [later_end])
    assert same_period_last_year(later_start, later_end) == (start, end)
